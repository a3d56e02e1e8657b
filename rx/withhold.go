package rx

import (
	"time"
)

// Forever stands for a release that cannot be computed yet: a term waits
// for an event (a calving) that has not been recorded. It sorts after every
// real instant, so such a withhold is "under withhold" at every time.
var Forever = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// Withhold is when meat and milk from a case's animal may be sold again
// (VCPR Withhold), with the dose that decides each release.
//
// It is computed by protocol.Withdrawal from the case's doses: executed
// doses at the time they were actually given, doses still to be given at
// their planned time, skipped (CANCELLED) and RECALLED doses not at all.
// Executing or skipping a dose recomputes it. A commodity with no
// withdrawal is released at Initiated, so both times are always set.
type Withhold struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"caseId"`
	AnimalID  string    `json:"animalId"`
	Initiated time.Time `json:"initiated"`
	MeatUntil time.Time `json:"wtMeatUntil"`
	MilkUntil time.Time `json:"wtMilkUntil"`
	WtNote    string    `json:"wtNote,omitempty"`
	Note      string    `json:"note,omitempty"`

	// vetlink members: whose withhold, under which prescription, and why.
	MOR  UserID `json:"morId,omitempty"`
	RxID string `json:"rxId,omitempty"`
	Meat Cause  `json:"meatCause,omitzero"`
	Milk Cause  `json:"milkCause,omitzero"`
}

// Until returns the release of meat or of milk.
func (w *Withhold) Until(c Commodity) time.Time {
	if c == Milk {
		return w.MilkUntil
	}
	return w.MeatUntil
}

// cause returns the cause of the release of c.
func (w *Withhold) cause(c Commodity) Cause {
	if c == Milk {
		return w.Milk
	}
	return w.Meat
}

// Release is the later of the meat and milk releases: after it the
// withhold no longer matters.
func (w *Withhold) Release() time.Time {
	if w.MilkUntil.After(w.MeatUntil) {
		return w.MilkUntil
	}
	return w.MeatUntil
}

// AsOf returns w as it stands at now: a release decided by a dose not
// given yet whose planned time has passed is moved as if the dose were
// given at now, the earliest it still can be. A dose forgotten on the farm
// thus keeps the animal held, its release moving with the clock, until the
// dose is recorded or skipped; a dose still ahead of now keeps its planned
// release.
func (w Withhold) AsOf(now time.Time) Withhold {
	w.MeatUntil = overdue(w.MeatUntil, w.Meat, now)
	w.MilkUntil = overdue(w.MilkUntil, w.Milk, now)
	return w
}

// overdue moves until, decided by cause, to account for a planned dose
// not given by now: its release is at least as far after now as the planned
// release is after the planned time.
func overdue(until time.Time, cause Cause, now time.Time) time.Time {
	if cause.Planned && !cause.Given.IsZero() && now.After(cause.Given) && until.After(cause.Given) && !until.Equal(Forever) {
		return until.Add(now.Sub(cause.Given))
	}
	return until
}

// Cause is the dose that decides a release.
type Cause struct {
	// TaskID is the dose task; Product is its product; Given is when it was
	// given (or is planned, when Planned is set).
	TaskID  int64     `json:"taskId,omitempty"`
	Product string    `json:"product,omitempty"`
	Given   time.Time `json:"given,omitzero"`
	// Term is the withdrawal term applied, "96h after administration".
	Term string `json:"term,omitempty"`
	// Planned is set when the deciding dose has not been given yet: the
	// release is at least this late, and moves if the dose is late.
	Planned bool `json:"planned,omitempty"`
	// WaitingFor names the event (calving) the release waits for; Until
	// is then Forever.
	WaitingFor string `json:"waitingFor,omitempty"`
}

// IsZero reports whether no dose decides the release.
func (c Cause) IsZero() bool { return c == Cause{} }

// Commodity is what a withhold holds back: meat (slaughter) or milk.
type Commodity string

// The commodities.
const (
	Meat Commodity = "meat"
	Milk Commodity = "milk"
)

// Clearance answers "may animal X go to slaughter, or its milk into the
// tank, at time At?" for one commodity.
type Clearance struct {
	AnimalID  string    `json:"animalId"`
	Commodity Commodity `json:"commodity"`
	At        time.Time `json:"at"`
	// Allowed is true when no withhold of the animal covers At.
	Allowed bool `json:"allowed"`
	// Until is the latest release among the withholds covering At
	// (Forever while a release waits for an event); zero when Allowed.
	Until time.Time `json:"until,omitzero"`
	// Because is the withhold deciding Until, and Cause its dose.
	CaseID int64  `json:"caseId,omitempty"`
	RxID   string `json:"rxId,omitempty"`
	Cause  Cause  `json:"cause,omitzero"`
	// GroupID is set when the deciding case is a group case the animal is
	// a member of: the group's animalId.
	GroupID string `json:"groupId,omitempty"`
	// Pending is set when a dose of some covering case is still to be
	// given: the release may move later.
	Pending bool `json:"pending,omitempty"`
}

// Clear decides a clearance from the animal's withholds. Withholds that do
// not cover at are ignored; among the others the latest release decides.
//
// now is the present. A release decided by a dose not given yet is taken
// from its planned time only while that time is still ahead of now. Once the
// dose is overdue, Clear assumes it is given now (the earliest it still can
// be), so an animal whose last dose was forgotten is never cleared on the
// strength of a dose that did not happen; recording or skipping the dose
// settles the release.
func Clear(animal string, c Commodity, at, now time.Time, ws []Withhold) Clearance {
	out := Clearance{AnimalID: animal, Commodity: c, At: at, Allowed: true}
	for i := range ws {
		w := &ws[i]
		cause := w.cause(c)
		until := overdue(w.Until(c), cause, now)
		if !until.After(at) || w.Initiated.After(at) {
			continue
		}
		if cause.Planned {
			out.Pending = true
		}
		if out.Allowed || until.After(out.Until) {
			out.Allowed = false
			out.Until, out.CaseID, out.RxID, out.Cause = until, w.CaseID, w.RxID, cause
			out.GroupID = ""
			if w.AnimalID != animal {
				out.GroupID = w.AnimalID
			}
		}
	}
	return out
}
