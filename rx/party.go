package rx

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// UserID is the key of a user (VCPR UserNumber).
type UserID int64

// UserType is a VCPR user class. It decides what a user may do; see the
// May… functions.
type UserType string

// The VCPR user types.
const (
	// SAOR is a system administrator: reads everything, prescribes nothing.
	SAOR UserType = "SAOR"
	// VOR is a veterinarian who prescribes protocols to clients.
	VOR UserType = "VOR"
	// MOR is a farm manager: receives prescriptions and enrolls cases.
	MOR UserType = "MOR"
	// TOR is a farm technician: executes the tasks of the MOR employing them.
	TOR UserType = "TOR"
	// FARM aggregates MOR and TOR users; it never acts itself.
	FARM UserType = "FARM"
	// CLINIC aggregates VOR users; it never acts itself.
	CLINIC UserType = "CLINIC"
	// The pending types: accounts not yet confirmed or approved. They may
	// read their own user record and nothing else.
	Unconfirmed UserType = "UNCONFIRMED"
	PreVOR      UserType = "PREVOR"
	UnVOR       UserType = "UNVOR"
	UnMOR       UserType = "UNMOR"
	// Removed is a user who may no longer log in or act.
	Removed UserType = "REMOVED"
)

// Valid reports whether t is a VCPR user type.
func (t UserType) Valid() bool {
	switch t {
	case SAOR, VOR, MOR, TOR, FARM, CLINIC, Unconfirmed, PreVOR, UnVOR, UnMOR, Removed:
		return true
	}
	return false
}

// Pending reports whether t is an account awaiting confirmation or approval.
func (t UserType) Pending() bool {
	switch t {
	case Unconfirmed, PreVOR, UnVOR, UnMOR:
		return true
	}
	return false
}

// User is a VCPR User. The JSON members are the VCPR ones; Sandbox and
// SandboxOf are vetlink's (a VOR's test client, see Service.CreateSandboxClient).
type User struct {
	ID        UserID   `json:"id,omitempty"`
	Uname     string   `json:"uname"`
	Type      UserType `json:"userType"`
	Email     string   `json:"email,omitempty"`
	Firstname string   `json:"firstname"`
	Lastname  string   `json:"lastname"`
	Suffix    string   `json:"suffix,omitempty"`
	Phone     string   `json:"phone,omitempty"`
	// SandboxOf is the VOR whose sandbox client this is; zero for a real
	// user. A sandbox client is an MOR in a CLIENT relationship with that
	// VOR, so the VOR can see prescriptions from the farm's side.
	SandboxOf UserID `json:"sandboxOf,omitempty"`
	// RemovedType is the type a REMOVED user had, kept so that removal can
	// be undone.
	RemovedType UserType  `json:"-"`
	Created     time.Time `json:"-"`
}

// Name is the user's display name, "Example User, DVM".
func (u User) Name() string {
	n := u.Firstname + " " + u.Lastname
	if u.Suffix != "" {
		n += ", " + u.Suffix
	}
	return n
}

// Validate checks the VCPR constraints of a user record (uname at least 7
// characters, names at least 2, a known type).
func (u User) Validate() error {
	switch {
	case len(u.Uname) < 7:
		return fail("", "uname "+quote(u.Uname), "must be at least 7 characters", ErrInvalid)
	case !u.Type.Valid():
		return fail("", "userType "+quote(string(u.Type)), "unknown user type", ErrInvalid)
	case len(u.Firstname) < 2:
		return fail("", "firstname "+quote(u.Firstname), "must be at least 2 characters", ErrInvalid)
	case len(u.Lastname) < 2:
		return fail("", "lastname "+quote(u.Lastname), "must be at least 2 characters", ErrInvalid)
	}
	// Names reach mail headers, HL7 fields and logs: a line break in one
	// could forge a header or a segment.
	for _, f := range []struct{ name, value string }{
		{"uname", u.Uname}, {"firstname", u.Firstname}, {"lastname", u.Lastname}, {"suffix", u.Suffix},
	} {
		if strings.ContainsFunc(f.value, isControl) {
			return fail("", f.name+" "+strconv.Quote(f.value), "must not contain control characters (CR, LF, tab or other C0, DEL)", ErrInvalid)
		}
	}
	return nil
}

// isControl reports whether r is a C0 control character or DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// RelationKind is a VCPR Relationship.
type RelationKind string

// The VCPR relationships. In each, Left and Right are fixed by the kind.
const (
	// Client: the MOR on the right is a client of the VOR on the left —
	// the veterinarian–client–patient relationship a prescription needs.
	Client RelationKind = "CLIENT"
	// Employee: the TOR on the right works for the MOR on the left.
	Employee RelationKind = "EMPLOYEE"
	// Member: the VOR on the right belongs to the CLINIC on the left, or
	// the MOR on the right manages the FARM on the left.
	Member RelationKind = "MEMBER"
)

// Relation is one relationship between two users.
type Relation struct {
	Kind  RelationKind `json:"name"`
	Left  UserID       `json:"left"`
	Right UserID       `json:"right"`
}

// CheckRelation reports whether a relation of kind k may join a user of
// type left to one of type right (CLIENT: VOR–MOR; EMPLOYEE: MOR–TOR;
// MEMBER: CLINIC–VOR or FARM–MOR).
func CheckRelation(k RelationKind, left, right UserType) error {
	ok := false
	switch k {
	case Client:
		ok = left == VOR && right == MOR
	case Employee:
		ok = left == MOR && right == TOR
	case Member:
		ok = left == CLINIC && right == VOR || left == FARM && right == MOR
	default:
		return fail("", "relationship "+quote(string(k)), "must be CLIENT, EMPLOYEE or MEMBER", ErrInvalid)
	}
	if !ok {
		return fail("", fmt.Sprintf("relationship %s", k), fmt.Sprintf("cannot join a %s to a %s", left, right), ErrInvalid)
	}
	return nil
}

// Actor is the user making a call, with the relationships that involve
// them (as left or right). The Service loads it; the May… functions take
// it so that every authorization decision is a pure function.
type Actor struct {
	User      User
	Relations []Relation
}

// ID is the acting user's ID.
func (a Actor) ID() UserID { return a.User.ID }

// Has reports whether the relation (kind, left, right) is among the actor's.
func (a Actor) Has(kind RelationKind, left, right UserID) bool {
	for _, r := range a.Relations {
		if r.Kind == kind && r.Left == left && r.Right == right {
			return true
		}
	}
	return false
}

// employedBy reports whether the actor is a TOR employed by MOR mor.
func (a Actor) employedBy(mor UserID) bool {
	return a.User.Type == TOR && a.Has(Employee, mor, a.User.ID)
}
