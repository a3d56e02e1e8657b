package rx

import "fmt"

// Status is a VCPR PrescriptionStatus: where a prescription is in its life.
//
//	REQUESTED ──approve (VOR)──▶ PRESCRIBED ──first case──▶ INITIATED
//	    │                            │                          │
//	    └──────────── recall (VOR) ──┴──── decline (MOR) ───────┘
//	                        ▼                     ▼
//	                    RECALLED              DECLINED     (final)
//
// Expiry and used-up fills are not statuses: they follow from the clock and
// the fill count (see Prescription.Usable), so no job has to flip them.
type Status string

// The prescription statuses vetlink uses. VALIDATED, DEPRECATED and UNKNOWN
// are protocol statuses of the VCPR enum that a prescription never takes.
const (
	// Requested is a renewal the client asked for and the veterinarian has
	// not approved: no case may be enrolled under it yet.
	Requested Status = "REQUESTED"
	// Prescribed is a prescription with no case yet.
	Prescribed Status = "PRESCRIBED"
	// Initiated is a prescription with at least one case.
	Initiated Status = "INITIATED"
	// Recalled is final: the veterinarian withdrew it.
	Recalled Status = "RECALLED"
	// Declined is final: the client refused it.
	Declined Status = "DECLINED"
)

// Final reports whether no transition leaves s.
func (s Status) Final() bool { return s == Recalled || s == Declined }

// transitions lists every allowed status change.
var transitions = map[Status][]Status{
	Requested:  {Prescribed, Recalled, Declined},
	Prescribed: {Initiated, Recalled, Declined},
	Initiated:  {Recalled, Declined},
}

// CheckTransition reports whether a prescription may go from one status to
// another; it fails with ErrConflict naming both. Staying in INITIATED
// (a later case) is allowed.
func CheckTransition(from, to Status) error {
	if from == Initiated && to == Initiated {
		return nil
	}
	for _, s := range transitions[from] {
		if s == to {
			return nil
		}
	}
	return fail("", "status "+string(from), fmt.Sprintf("cannot become %s", to), ErrConflict)
}
