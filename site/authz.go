package site

import (
	"fmt"

	"github.com/vetlink/vetlink/rx"
)

// The May… functions are every authorization decision of site, as pure
// functions of the actor, like rx's. Each returns nil or an *Error wrapping
// rx.ErrForbidden that says why.

func forbid(a rx.Actor, rule string) error {
	return fail("", fmt.Sprintf("user %d (%s)", a.User.ID, a.User.Type), rule, rx.ErrForbidden)
}

// loggedIn reports whether the actor is a user who may use the site at all:
// a known user that is not REMOVED, and not a FARM or CLINIC account
// (which aggregate others and never log in). Pending users may.
func loggedIn(a rx.Actor) error {
	switch {
	case a.User.ID <= 0:
		return forbid(a, "not logged in")
	case a.User.Type == rx.Removed:
		return forbid(a, "removed users may not act")
	case a.User.Type == rx.FARM || a.User.Type == rx.CLINIC:
		return forbid(a, "account type does not act")
	case !a.User.Type.Valid():
		return forbid(a, "unknown user type")
	}
	return nil
}

// MayManage decides whether the actor may read and change the own records
// of user (address, profile, visits, messages, e-mail tokens): the user
// themselves, even while pending, and the SAOR.
func MayManage(a rx.Actor, user rx.UserID) error {
	if err := loggedIn(a); err != nil {
		return err
	}
	if a.User.ID == user || a.User.Type == rx.SAOR {
		return nil
	}
	return forbid(a, fmt.Sprintf("records of user %d are their own and the administrator's", user))
}

// MayComment decides whether the actor may record a comment: any logged-in
// user who is not REMOVED.
func MayComment(a rx.Actor) error { return loggedIn(a) }

// MayMessage decides whether the actor may send a message to user to: the
// SAOR to anyone; a VOR, MOR or TOR to a user they are related to by any rx
// relation (CLIENT, EMPLOYEE, MEMBER), in either direction. Pending users
// message no one, and no one messages themselves.
func MayMessage(a rx.Actor, to rx.UserID) error {
	if err := loggedIn(a); err != nil {
		return err
	}
	me := a.User.ID
	switch {
	case to == me:
		return forbid(a, "a message goes to another user")
	case a.User.Type == rx.SAOR:
		return nil
	case a.User.Type != rx.VOR && a.User.Type != rx.MOR && a.User.Type != rx.TOR:
		return forbid(a, "account not confirmed")
	}
	for _, k := range []rx.RelationKind{rx.Client, rx.Employee, rx.Member} {
		if a.Has(k, me, to) || a.Has(k, to, me) {
			return nil
		}
	}
	return forbid(a, fmt.Sprintf("no relationship with user %d", to))
}

// MayEditHelp decides whether the actor may create, replace or delete help
// screens: only the SAOR. Reading them needs no permission.
func MayEditHelp(a rx.Actor) error {
	if err := loggedIn(a); err != nil {
		return err
	}
	if a.User.Type != rx.SAOR {
		return forbid(a, "only the administrator (SAOR) edits help screens")
	}
	return nil
}

// MayLog decides whether the actor may log a line: anyone, not logged in
// included (a zero Actor), but a REMOVED user.
func MayLog(a rx.Actor) error {
	if a.User.ID != 0 && a.User.Type == rx.Removed {
		return forbid(a, "removed users may not act")
	}
	return nil
}

// MayReadLog decides whether the actor may read and prune the client log:
// only the SAOR.
func MayReadLog(a rx.Actor) error {
	if err := loggedIn(a); err != nil {
		return err
	}
	if a.User.Type != rx.SAOR {
		return forbid(a, "only the administrator (SAOR) reads the log")
	}
	return nil
}
