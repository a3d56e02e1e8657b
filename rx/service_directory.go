package rx

import (
	"context"
	"fmt"
	"slices"
)

// The directory: listing users, changing a user's own record, and the
// life of an account from sign-up to an active VOR or MOR.
//
// A new account (SignUp) asks for a type and starts pending: a VOR as
// UNVOR, an MOR as UNMOR. Confirming its e-mail address (ConfirmEmail)
// makes an UNMOR an MOR and an UNVOR a PREVOR; the SAOR then approves a
// PREVOR as VOR (ConfirmVOR). A veterinarian prescribes only once both
// the address and the SAOR vouch for it; a farm manager needs only the
// address, since it can do nothing until a VOR takes it as a CLIENT.

// MayListUsers decides whether the actor may list the users of types:
// the SAOR any type; a VOR the veterinarians and clinics (to share
// protocols with a colleague). Farms, their managers and technicians are
// listed to no one but the SAOR: a VOR reaches them through its own
// relationships.
func MayListUsers(a Actor, types []UserType) error {
	if err := acting(a); err != nil {
		return err
	}
	switch a.User.Type {
	case SAOR:
		return nil
	case VOR:
		for _, t := range types {
			if t != VOR && t != CLINIC {
				return forbid(a, fmt.Sprintf("may not list %s users", t))
			}
		}
		return nil
	}
	return forbid(a, "only a VOR or the SAOR lists users")
}

// MayUpdateUser decides whether the actor may change the record of user
// u: themselves (even while pending), a VOR for its clients, the SAOR for
// anyone.
func MayUpdateUser(a Actor, u User) error {
	if a.User.ID == u.ID && a.User.Type != Removed {
		return nil
	}
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case a.User.Type == SAOR:
		return nil
	case a.User.Type == VOR && a.Has(Client, a.User.ID, u.ID):
		return nil
	}
	return forbid(a, fmt.Sprintf("may not change user %d", u.ID))
}

// Users lists the active users of types (REMOVED and pending accounts are
// never listed), if the actor may (MayListUsers).
func (s *Service) Users(ctx context.Context, a Actor, types []UserType) ([]User, error) {
	const op = "list users"
	for _, t := range types {
		if !t.Valid() {
			return nil, fail(op, "usertype "+quote(string(t)), "unknown user type", ErrInvalid)
		}
		if t == Removed || t.Pending() {
			return nil, fail(op, "usertype "+quote(string(t)), "only active users are listed", ErrInvalid)
		}
	}
	if err := MayListUsers(a, types); err != nil {
		return nil, withOp(op, err)
	}
	us, err := s.Store.Users(ctx, types)
	if err != nil {
		return nil, storeErr(op, "users", err)
	}
	return us, nil
}

// UpdateUser changes the e-mail, names, suffix and phone of user u.ID
// (zero means the actor's own), if the actor may (MayUpdateUser). The
// uname, the type and the sandbox mark are kept as stored: the type
// changes only through the account's life (ConfirmEmail, ConfirmVOR,
// RemoveUser). It returns the user as stored.
func (s *Service) UpdateUser(ctx context.Context, a Actor, u User) (User, error) {
	const op = "update user"
	if u.ID == 0 {
		u.ID = a.User.ID
	}
	var out User
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		cur, err := s.Store.User(ctx, u.ID)
		if err != nil {
			return storeErr(op, userInput(u.ID), err)
		}
		if err := MayUpdateUser(a, cur); err != nil {
			return withOp(op, err)
		}
		cur.Email, cur.Firstname, cur.Lastname, cur.Suffix, cur.Phone = u.Email, u.Firstname, u.Lastname, u.Suffix, u.Phone
		if err := cur.Validate(); err != nil {
			return withOp(op, err)
		}
		out = cur
		return s.Store.UpdateUser(ctx, cur)
	})
	if err != nil {
		return User{}, storeErr(op, userInput(u.ID), err)
	}
	return out, nil
}

// RightRelated lists the users on the right of the actor's relations of
// kind (its CLIENTs for a VOR, its EMPLOYEEs for an MOR), by ID. Removed
// users are left out.
func (s *Service) RightRelated(ctx context.Context, a Actor, kind RelationKind) ([]User, error) {
	const op = "list related users"
	if err := acting(a); err != nil {
		return nil, withOp(op, err)
	}
	var ids []UserID
	for _, r := range a.Relations {
		if r.Kind == kind && r.Left == a.User.ID {
			ids = append(ids, r.Right)
		}
	}
	slices.Sort(ids)
	out := make([]User, 0, len(ids))
	for _, id := range ids {
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return nil, storeErr(op, userInput(id), err)
		}
		if u.Type != Removed {
			out = append(out, u)
		}
	}
	return out, nil
}

// DeleteSandboxClients deletes every sandbox client of the acting VOR
// (DeleteSandboxClient for each) and returns how many there were.
func (s *Service) DeleteSandboxClients(ctx context.Context, a Actor) (int, error) {
	const op = "delete sandbox client"
	if err := acting(a); err != nil {
		return 0, withOp(op, err)
	}
	if a.User.Type != VOR {
		return 0, withOp(op, forbid(a, "only a VOR has sandbox clients"))
	}
	n := 0
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		for _, r := range a.Relations {
			if r.Kind != Client || r.Left != a.User.ID {
				continue
			}
			u, err := s.Store.User(ctx, r.Right)
			if err != nil {
				return storeErr(op, userInput(r.Right), err)
			}
			if u.SandboxOf != a.User.ID {
				continue
			}
			if err := s.DeleteSandboxClient(ctx, a, u.ID); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// SignUp creates the pending account u asks for (VCPR createProfile):
// a VOR starts as UNVOR, an MOR as UNMOR. No other type may be asked
// for: a technician is added by its MOR, the SAOR by the operator.
// Nobody acts in it; the caller sets the password (auth) in the same
// transaction.
func (s *Service) SignUp(ctx context.Context, u User) (User, error) {
	const op = "sign up"
	switch u.Type {
	case VOR, UnVOR, PreVOR:
		u.Type = UnVOR
	case MOR, UnMOR:
		u.Type = UnMOR
	default:
		return User{}, fail(op, "userType "+quote(string(u.Type)), "an account may ask to be a VOR or an MOR", ErrInvalid)
	}
	if err := u.Validate(); err != nil {
		return User{}, withOp(op, err)
	}
	u.ID, u.SandboxOf, u.RemovedType = 0, 0, ""
	if err := s.Store.CreateUser(ctx, &u); err != nil {
		return User{}, storeErr(op, "uname "+quote(u.Uname), err)
	}
	s.log().Info("rx: account requested", "user", u.ID, "type", u.Type)
	return u, nil
}

// ConfirmEmail records that user id receives mail at its address (the
// e-mail token is checked by the caller): an UNMOR becomes an MOR, an
// UNVOR a PREVOR awaiting the SAOR (ConfirmVOR), an UNCONFIRMED account
// stays as it is for the SAOR to type. Other types are returned as they
// are: confirming twice changes nothing.
func (s *Service) ConfirmEmail(ctx context.Context, id UserID) (User, error) {
	const op = "confirm e-mail"
	var out User
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return err
		}
		switch u.Type {
		case UnMOR:
			u.Type = MOR
		case UnVOR:
			u.Type = PreVOR
		default:
			out = u
			return nil
		}
		out = u
		return s.Store.UpdateUser(ctx, u)
	})
	if err != nil {
		return User{}, storeErr(op, userInput(id), err)
	}
	return out, nil
}

// ConfirmVOR approves PREVOR id as a VOR: only the SAOR may. An account
// whose e-mail address is not confirmed yet (UNVOR) or that never asked
// to be a VOR fails with ErrConflict.
func (s *Service) ConfirmVOR(ctx context.Context, a Actor, id UserID) (User, error) {
	const op = "confirm VOR"
	var out User
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := acting(a); err != nil {
			return withOp(op, err)
		}
		if a.User.Type != SAOR {
			return withOp(op, forbid(a, "only the SAOR approves veterinarians"))
		}
		u, err := s.Store.User(ctx, id)
		if err != nil {
			return storeErr(op, userInput(id), err)
		}
		if u.Type != PreVOR {
			return fail(op, userInput(id), fmt.Sprintf("is %s, only a PREVOR is confirmed as VOR", u.Type), ErrConflict)
		}
		u.Type = VOR
		out = u
		return s.Store.UpdateUser(ctx, u)
	})
	if err != nil {
		return User{}, storeErr(op, userInput(id), err)
	}
	return out, nil
}

// MayResetPassword decides whether the actor may set user's password
// without giving the current one: only the SAOR, for anyone (an account
// locked out of itself, an invitation that never arrived). A user changes
// their own password by proving the current one, which is auth's to check,
// not rx's.
func MayResetPassword(a Actor, user UserID) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type != SAOR {
		return forbid(a, fmt.Sprintf("may not set the password of user %d without the current one", user))
	}
	return nil
}
