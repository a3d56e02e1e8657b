package rx

import (
	"context"
	"fmt"
	"strings"
)

func userInput(id UserID) string { return fmt.Sprintf("user %d", id) }

// User returns user id if the actor may read it.
func (s *Service) User(ctx context.Context, a Actor, id UserID) (User, error) {
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return User{}, storeErr("read user", userInput(id), err)
	}
	if err := MayReadUser(a, u); err != nil {
		return User{}, withOp("read user", err)
	}
	return u, nil
}

// AddUser creates user u and, unless the actor is the SAOR creating a
// bare account (kind ""), the relation that makes it the actor's: a VOR
// adds an MOR as its CLIENT, an MOR adds a TOR as its EMPLOYEE (VCPR
// createRightRelation).
func (s *Service) AddUser(ctx context.Context, a Actor, u User, kind RelationKind) (User, error) {
	const op = "add user"
	if err := u.Validate(); err != nil {
		return User{}, withOp(op, err)
	}
	u.ID, u.SandboxOf, u.RemovedType = 0, 0, ""
	var rel Relation
	if kind == "" {
		if err := acting(a); err != nil {
			return User{}, withOp(op, err)
		}
		if a.User.Type != SAOR {
			return User{}, withOp(op, forbid(a, "only the SAOR creates users without a relationship"))
		}
	} else {
		rel = Relation{Kind: kind, Left: a.User.ID}
		if err := MayRelate(a, rel, a.User, u); err != nil {
			return User{}, withOp(op, err)
		}
	}
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateUser(ctx, &u); err != nil {
			return err
		}
		if kind == "" {
			return nil
		}
		rel.Right = u.ID
		return s.Store.AddRelation(ctx, rel)
	})
	if err != nil {
		return User{}, storeErr(op, "uname "+quote(u.Uname), err)
	}
	s.log().Info("rx: user added", "user", u.ID, "type", u.Type, "by", a.User.ID, "relation", kind)
	return u, nil
}

// Relate adds relation r between two existing users (VCPR
// /api/users/relations): a VOR its CLIENTs, an MOR its EMPLOYEEs, the SAOR
// any. The kind must join the right user types.
func (s *Service) Relate(ctx context.Context, a Actor, r Relation) error {
	const op = "relate"
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		left, err := s.Store.User(ctx, r.Left)
		if err != nil {
			return storeErr(op, userInput(r.Left), err)
		}
		right, err := s.Store.User(ctx, r.Right)
		if err != nil {
			return storeErr(op, userInput(r.Right), err)
		}
		if err := MayRelate(a, r, left, right); err != nil {
			return withOp(op, err)
		}
		return s.Store.AddRelation(ctx, r)
	})
	if err != nil {
		return storeErr(op, fmt.Sprintf("%s %d→%d", r.Kind, r.Left, r.Right), err)
	}
	return nil
}

// RemoveUser marks user id REMOVED (reversible: its former type is kept).
// The SAOR removes anyone; a VOR removes its own clients.
func (s *Service) RemoveUser(ctx context.Context, a Actor, id UserID) error {
	const op = "remove user"
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return storeErr(op, userInput(id), err)
		}
		if err := acting(a); err != nil {
			return withOp(op, err)
		}
		if a.User.Type != SAOR && !(a.User.Type == VOR && a.Has(Client, a.User.ID, id)) {
			return withOp(op, forbid(a, "only the SAOR, or a VOR for its clients, removes users"))
		}
		if u.Type == Removed {
			return nil
		}
		u.RemovedType, u.Type = u.Type, Removed
		return s.Store.UpdateUser(ctx, u)
	})
	return storeErr(op, userInput(id), err)
}

// CreateSandboxClient creates an MOR named uname that is a CLIENT of the
// acting VOR and marked as its sandbox: the VOR prescribes to it to see
// the farm's side (VCPR createSandboxClient).
func (s *Service) CreateSandboxClient(ctx context.Context, a Actor, uname string) (User, error) {
	const op = "create sandbox client"
	if err := acting(a); err != nil {
		return User{}, withOp(op, err)
	}
	if a.User.Type != VOR {
		return User{}, withOp(op, forbid(a, "only a VOR has sandbox clients"))
	}
	u := User{Uname: strings.TrimSpace(uname), Type: MOR, Firstname: "Sandbox", Lastname: a.User.Lastname, SandboxOf: a.User.ID}
	if len(u.Lastname) < 2 {
		u.Lastname = "Client"
	}
	if err := u.Validate(); err != nil {
		return User{}, withOp(op, err)
	}
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateUser(ctx, &u); err != nil {
			return err
		}
		return s.Store.AddRelation(ctx, Relation{Kind: Client, Left: a.User.ID, Right: u.ID})
	})
	if err != nil {
		return User{}, storeErr(op, "uname "+quote(u.Uname), err)
	}
	return u, nil
}

// DeleteSandboxClient deletes the actor's sandbox client id and its
// relations, irreversibly; prescriptions written to it stay.
func (s *Service) DeleteSandboxClient(ctx context.Context, a Actor, id UserID) error {
	const op = "delete sandbox client"
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return storeErr(op, userInput(id), err)
		}
		if err := acting(a); err != nil {
			return withOp(op, err)
		}
		if u.SandboxOf == 0 {
			return fail(op, userInput(id), "is not a sandbox client", ErrConflict)
		}
		if a.User.Type != SAOR && u.SandboxOf != a.User.ID {
			return withOp(op, forbid(a, fmt.Sprintf("user %d is not your sandbox client", id)))
		}
		return s.Store.DeleteUser(ctx, id)
	})
	return storeErr(op, userInput(id), err)
}
