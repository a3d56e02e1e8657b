package rx

import (
	"fmt"

	"github.com/vetlink/vetlink/protocol"
)

// The May… rules of the protocol library, pure functions like those of
// authz.go, whose common rules apply: REMOVED, FARM, CLINIC and pending
// users act on nothing.
//
// Protocols belong to the VOR who wrote them. Other VORs read one when it
// is shared with them (a ProtocolShare) or to all (the library); the SAOR
// reads every protocol and may delete one, but writes none. MORs and TORs
// read protocols only through the snapshots of their prescriptions.
// Reference data (tags, diagnoses, eligibilities, public promises, label
// claims, Green Book drugs) is curated by the SAOR and read by everyone.

// MayCreateProtocol decides whether the actor may write protocols of its
// own (and private promises): only a VOR.
func MayCreateProtocol(a Actor) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type != VOR {
		return forbid(a, "only a veterinarian (VOR) writes protocols")
	}
	return nil
}

// MayListProtocols decides whether the actor may list protocols, its own,
// shared with it, or in the library: a VOR.
func MayListProtocols(a Actor) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type != VOR {
		return forbid(a, "only a veterinarian (VOR) has protocols and a library")
	}
	return nil
}

func owns(a Actor, p *protocol.Protocol) bool {
	return a.User.Type == VOR && p.OwnerID == int64(a.User.ID)
}

// MayReadProtocol decides whether the actor may read p: the SAOR, the
// owning VOR, a VOR it is shared with (share is the ProtocolShare of p to
// the actor, or nil), and any VOR while p is shared to all. A deleted
// (DEPRECATED) protocol is read only by its owner and the SAOR.
func MayReadProtocol(a Actor, p *protocol.Protocol, share *ProtocolShare) error {
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case a.User.Type == SAOR, owns(a, p):
		return nil
	case a.User.Type != VOR:
		return forbid(a, fmt.Sprintf("protocol %d: only veterinarians read protocols; clients read their prescriptions", p.ID))
	case p.Status == protocol.StatusDeprecated:
		return forbid(a, fmt.Sprintf("protocol %d is deleted", p.ID))
	case share != nil && share.PxID == p.ID && share.ShareTo == a.User.ID:
		return nil
	case p.ShareAll:
		return nil
	}
	return forbid(a, fmt.Sprintf("protocol %d is neither the actor's nor shared with it", p.ID))
}

// MayWriteProtocol decides whether the actor may edit p or share it (with
// one VOR or to all) or retract a share: only the owning VOR.
func MayWriteProtocol(a Actor, p *protocol.Protocol) error {
	if err := acting(a); err != nil {
		return err
	}
	if !owns(a, p) {
		return forbid(a, fmt.Sprintf("protocol %d belongs to user %d", p.ID, p.OwnerID))
	}
	return nil
}

// MayShareProtocol decides whether the actor may share p with user to:
// the owning VOR, with a VOR other than itself.
func MayShareProtocol(a Actor, p *protocol.Protocol, to User) error {
	if err := MayWriteProtocol(a, p); err != nil {
		return err
	}
	if to.Type != VOR {
		return fail("", fmt.Sprintf("user %d", to.ID), fmt.Sprintf("is a %s; protocols are shared with veterinarians (VOR)", to.Type), ErrInvalid)
	}
	if to.ID == a.User.ID {
		return fail("", fmt.Sprintf("user %d", to.ID), "a protocol is not shared with its owner", ErrInvalid)
	}
	return nil
}

// MayDeleteProtocol decides whether the actor may delete (deprecate) p:
// the owning VOR or the SAOR, who may take a protocol out of use.
func MayDeleteProtocol(a Actor, p *protocol.Protocol) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type == SAOR || owns(a, p) {
		return nil
	}
	return forbid(a, fmt.Sprintf("protocol %d belongs to user %d", p.ID, p.OwnerID))
}

// MayCloneProtocol decides whether the actor may copy p into a protocol
// of its own: the owning VOR; a VOR it is shared with as clonable; any
// VOR while p is shared to all as clonable. A deleted protocol is cloned
// by its owner only.
func MayCloneProtocol(a Actor, p *protocol.Protocol, share *ProtocolShare) error {
	if err := MayCreateProtocol(a); err != nil {
		return err
	}
	switch {
	case owns(a, p):
		return nil
	case p.Status == protocol.StatusDeprecated:
		return forbid(a, fmt.Sprintf("protocol %d is deleted", p.ID))
	case share != nil && share.PxID == p.ID && share.ShareTo == a.User.ID && share.Clonable:
		return nil
	case p.ShareAll && p.ShareClonable:
		return nil
	}
	return forbid(a, fmt.Sprintf("protocol %d is not shared as clonable", p.ID))
}

// MayCurate decides whether the actor may write reference data: tags,
// diagnoses, eligibilities, public promises, label claims and Green Book
// drugs. Only the SAOR: every protocol is validated against them.
func MayCurate(a Actor) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type != SAOR {
		return forbid(a, "only the administrator (SAOR) curates reference data")
	}
	return nil
}

// MayReadCatalog decides whether the actor may read reference data: any
// acting user (it is public: FDA labels and Green Book, shared vocabulary).
func MayReadCatalog(a Actor) error { return acting(a) }

// MayReadPromise decides whether the actor may read promise p: anyone
// acting for a public promise (no owner); the owning VOR and the SAOR for
// a private one. Clients read a private promise in their prescription's
// snapshot.
func MayReadPromise(a Actor, p *protocol.Promise) error {
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case p.OwnerID == nil, a.User.Type == SAOR:
		return nil
	case a.User.Type == VOR && *p.OwnerID == int64(a.User.ID):
		return nil
	}
	return forbid(a, fmt.Sprintf("promise %d is private to user %d", p.ID, *p.OwnerID))
}
