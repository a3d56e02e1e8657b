package rx

import "fmt"

// The May… functions are every authorization decision of the VCPR, as pure
// functions of the actor (with their relationships) and the thing acted on.
// The Service calls them before every read and write; an HTTP layer may
// call them too, to hide a button, but never needs its own rules. Each
// returns nil or an *Error wrapping ErrForbidden that says why.
//
// Common rules: REMOVED, FARM, CLINIC and pending users act on nothing.
// A SAOR reads everything and writes nothing clinical: prescribing,
// enrolling and executing need a veterinarian or the farm.

func forbid(a Actor, rule string) error {
	return fail("", fmt.Sprintf("user %d (%s)", a.User.ID, a.User.Type), rule, ErrForbidden)
}

// acting reports whether the actor's type may act at all.
func acting(a Actor) error {
	switch a.User.Type {
	case SAOR, VOR, MOR, TOR:
		return nil
	case Removed:
		return forbid(a, "removed users may not act")
	}
	if a.User.Type.Pending() {
		return forbid(a, "account not confirmed")
	}
	return forbid(a, "account type does not act")
}

// MayPrescribe decides whether the actor may prescribe to client: only a
// VOR, and only to an MOR with whom a CLIENT relationship exists (the
// veterinarian–client–patient relationship, 21 CFR 530.3(i)). A sandbox
// client counts like any client of its VOR.
func MayPrescribe(a Actor, client User) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type != VOR {
		return forbid(a, "only a veterinarian (VOR) prescribes")
	}
	if client.Type != MOR {
		return forbid(a, fmt.Sprintf("user %d is a %s, prescriptions go to an MOR", client.ID, client.Type))
	}
	if !a.Has(Client, a.User.ID, client.ID) {
		return forbid(a, fmt.Sprintf("no CLIENT relationship with user %d", client.ID))
	}
	return nil
}

// MayRead decides whether the actor may read a prescription and its cases,
// tasks and withholds: the SAOR, the prescribing VOR, the MOR it is
// prescribed to, and a TOR employed by that MOR.
func MayRead(a Actor, p *Prescription) error {
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case a.User.Type == SAOR:
		return nil
	case a.User.Type == VOR && p.VOR == a.User.ID:
		return nil
	case a.User.Type == MOR && p.MOR == a.User.ID:
		return nil
	case a.employedBy(p.MOR):
		return nil
	}
	return forbid(a, "neither the prescriber, the client, nor an employee of the client")
}

// MayReadFarm decides whether the actor may read the farm-wide views of
// MOR mor (today's tasks, withholds, records): the MOR, its TORs, the SAOR,
// and a VOR of whom it is a client.
func MayReadFarm(a Actor, mor UserID) error {
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case a.User.Type == SAOR:
		return nil
	case a.User.Type == MOR && a.User.ID == mor:
		return nil
	case a.employedBy(mor):
		return nil
	case a.User.Type == VOR && a.Has(Client, a.User.ID, mor):
		return nil
	}
	return forbid(a, fmt.Sprintf("not the farm of user %d, nor its employee or veterinarian", mor))
}

// MayEnroll decides whether the actor may enroll a case under p: the MOR
// it is prescribed to, or the prescribing VOR while the CLIENT relationship
// still exists. When the protocol's case definition sets requireMOR, only
// the MOR may. A TOR executes tasks but does not start cases.
func MayEnroll(a Actor, p *Prescription) error {
	if err := acting(a); err != nil {
		return err
	}
	requireMOR := p.Protocol.CaseDefinition != nil && p.Protocol.CaseDefinition.RequireMOR
	switch {
	case a.User.Type == MOR && p.MOR == a.User.ID:
		return nil
	case a.User.Type == VOR && p.VOR == a.User.ID && requireMOR:
		return forbid(a, "the protocol's case definition requires the MOR to enroll")
	case a.User.Type == VOR && p.VOR == a.User.ID && a.Has(Client, a.User.ID, p.MOR):
		return nil
	case a.User.Type == VOR && p.VOR == a.User.ID:
		return forbid(a, fmt.Sprintf("no longer in a CLIENT relationship with user %d", p.MOR))
	}
	return forbid(a, "only the client (MOR) or the prescribing veterinarian enrolls")
}

// MayExecute decides whether the actor may execute (or skip) a task of a
// case under p: the MOR, a TOR employed by the MOR, or the prescribing VOR.
// A task assigned to an executor may be executed by that executor, the
// MOR, or the VOR, but not by another TOR.
func MayExecute(a Actor, p *Prescription, t *Task) error {
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case a.User.Type == MOR && p.MOR == a.User.ID:
		return nil
	case a.User.Type == VOR && p.VOR == a.User.ID:
		return nil
	case a.employedBy(p.MOR) && (t.Executor == 0 || t.Executor == a.User.ID):
		return nil
	case a.employedBy(p.MOR):
		return forbid(a, fmt.Sprintf("task %d is assigned to user %d", t.ID, t.Executor))
	}
	return forbid(a, "only the client (MOR), its employees (TOR) or the prescriber execute tasks")
}

// MayRecall decides whether the actor may recall p: only the VOR who
// prescribed it.
func MayRecall(a Actor, p *Prescription) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type == VOR && p.VOR == a.User.ID {
		return nil
	}
	return forbid(a, "only the prescribing veterinarian recalls")
}

// MayDecline decides whether the actor may decline p: only the MOR to whom
// it is prescribed.
func MayDecline(a Actor, p *Prescription) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type == MOR && p.MOR == a.User.ID {
		return nil
	}
	return forbid(a, "only the client (MOR) to whom it is prescribed declines")
}

// MayRequestRenewal decides whether the actor may ask for p to be renewed:
// the MOR to whom it is prescribed.
func MayRequestRenewal(a Actor, p *Prescription) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type == MOR && p.MOR == a.User.ID {
		return nil
	}
	return forbid(a, "only the client (MOR) requests a renewal")
}

// MayApprove decides whether the actor may approve a REQUESTED renewal: the
// prescribing VOR, while the CLIENT relationship exists.
func MayApprove(a Actor, p *Prescription) error {
	if err := acting(a); err != nil {
		return err
	}
	if a.User.Type != VOR || p.VOR != a.User.ID {
		return forbid(a, "only the prescribing veterinarian approves a renewal")
	}
	if !a.Has(Client, a.User.ID, p.MOR) {
		return forbid(a, fmt.Sprintf("no CLIENT relationship with user %d", p.MOR))
	}
	return nil
}

// MayRelate decides whether the actor may create relation r between users
// left and right: a VOR adds its own CLIENTs, an MOR its own EMPLOYEEs, and
// the SAOR any relationship. The relation itself must join the right types
// (CheckRelation).
func MayRelate(a Actor, r Relation, left, right User) error {
	if err := acting(a); err != nil {
		return err
	}
	if err := CheckRelation(r.Kind, left.Type, right.Type); err != nil {
		return err
	}
	switch {
	case a.User.Type == SAOR:
		return nil
	case r.Kind == Client && a.User.Type == VOR && r.Left == a.User.ID:
		return nil
	case r.Kind == Employee && a.User.Type == MOR && r.Left == a.User.ID:
		return nil
	}
	return forbid(a, fmt.Sprintf("may not add a %s relationship for user %d", r.Kind, r.Left))
}

// MayReadUser decides whether the actor may read user u: themselves (even
// while pending), the SAOR, a VOR for its clients, an MOR for its employees.
func MayReadUser(a Actor, u User) error {
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
	case a.User.Type == MOR && a.Has(Employee, a.User.ID, u.ID):
		return nil
	}
	return forbid(a, fmt.Sprintf("may not read user %d", u.ID))
}
