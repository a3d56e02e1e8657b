package rx

import (
	"fmt"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// Prescription is a protocol prescribed by a VOR to a MOR (VCPR
// Prescription).
//
// Protocol is a snapshot taken when the prescription was written: later
// edits of the protocol never change it, and the store never updates it.
// Of the rest only Metadata may be edited; Status and FillsUsed change only
// through the Service's transitions.
type Prescription struct {
	ID       string            `json:"rxId"`
	Protocol protocol.Protocol `json:"protocol"`
	VOR      UserID            `json:"vorId"`
	MOR      UserID            `json:"morId"`
	// Refills is the number of fills after the first (see Fills).
	Refills int `json:"refills"`
	// Expiration is when the prescription stops allowing new cases; zero
	// means it never expires.
	Expiration time.Time           `json:"expiration,omitzero"`
	Created    time.Time           `json:"created,omitzero"`
	Metadata   []protocol.Metadata `json:"metadata,omitzero"`
	Status     Status              `json:"status"`

	// FillsUsed counts the cases enrolled under the prescription.
	FillsUsed int `json:"fillsUsed"`
	// RenewalOf is the prescription a REQUESTED renewal would replace.
	RenewalOf string `json:"renewalOf,omitempty"`
	// RequestedBy is the client who asked for a REQUESTED renewal.
	RequestedBy UserID `json:"requestedBy,omitempty"`
	// Confirmations record the active ingredients the veterinarian
	// confirmed, when prescribing, for treatments whose product the drug
	// dictionary cannot identify (protocol.Identify). Without one such a
	// treatment is not prescribed, nor enrolled, for a food animal. A
	// vetlink addition to the VCPR Prescription.
	Confirmations []protocol.Confirmation `json:"confirmations,omitempty"`

	// Version increases with every update; the store writes an update
	// only over the version it read (optimistic concurrency on top of the
	// row lock).
	Version int64 `json:"-"`
}

// Fills is the number of cases the prescription allows: the first fill plus
// its refills. The rule, enforced atomically at enrollment: every case
// enrolled uses one fill, whether it is one animal or a group; a
// prescription with Refills 2 allows 3 cases.
func (p *Prescription) Fills() int { return 1 + p.Refills }

// FillsLeft is the number of cases that may still be enrolled, ignoring
// status and expiry.
func (p *Prescription) FillsLeft() int { return max(0, p.Fills()-p.FillsUsed) }

// Expired reports whether the prescription has expired at now.
func (p *Prescription) Expired(now time.Time) bool {
	return !p.Expiration.IsZero() && !now.Before(p.Expiration)
}

// Usable reports whether a new case may be enrolled at now: the status is
// PRESCRIBED or INITIATED, it has not expired, and a fill is left. The
// error names the reason: ErrRecalled, ErrDeclined, ErrNotActive,
// ErrExpired or ErrUsedUp.
func (p *Prescription) Usable(now time.Time) error {
	in := "prescription " + p.ID
	switch p.Status {
	case Recalled:
		return fail("", in, "recalled by the veterinarian", ErrRecalled)
	case Declined:
		return fail("", in, "declined by the client", ErrDeclined)
	case Prescribed, Initiated:
	default:
		return fail("", in, fmt.Sprintf("status %s allows no case", p.Status), ErrNotActive)
	}
	if p.Expired(now) {
		return fail("", in, "expired at "+p.Expiration.UTC().Format(time.RFC3339), ErrExpired)
	}
	if p.FillsLeft() == 0 {
		return fail("", in, fmt.Sprintf("all %d fills used (%d refills)", p.Fills(), p.Refills), ErrUsedUp)
	}
	return nil
}

// Renewable reports whether a renewal may be requested at now: the
// prescription is neither recalled nor declined and is expired, used up,
// or within 30 days of expiry.
func (p *Prescription) Renewable(now time.Time) error {
	in := "prescription " + p.ID
	switch {
	case p.Status.Final():
		return fail("", in, fmt.Sprintf("status %s cannot be renewed", p.Status), ErrConflict)
	case p.Status == Requested:
		return fail("", in, "is itself a renewal request", ErrConflict)
	case p.Expired(now.Add(RenewalWindow)) || p.FillsLeft() == 0:
		return nil
	}
	return fail("", in, "still valid: renew when expired, used up, or within 30 days of expiry", ErrConflict)
}

// RenewalWindow is how long before expiry a renewal may be requested.
const RenewalWindow = 30 * 24 * time.Hour

// PrescriptionRequest is what a VOR sends to prescribe (VCPR
// PrescriptionRequest). The email flags are for the caller: rx sends no mail.
type PrescriptionRequest struct {
	Protocol      protocol.Protocol   `json:"protocol"`
	MOR           UserID              `json:"morId"`
	Refills       int                 `json:"refills"`
	Expiration    time.Time           `json:"expiration,omitzero"`
	EmailToClient bool                `json:"emailToClient,omitempty"`
	EmailToVOR    bool                `json:"emailToVOR,omitempty"`
	Metadata      []protocol.Metadata `json:"metadata,omitzero"`
	Status        Status              `json:"status,omitempty"`
	// Confirmations are the veterinarian's confirmations of the active
	// ingredient of treatments the drug dictionary cannot identify; each
	// names a treatment (its index) and one or more ingredients. Stored on
	// the prescription (Prescription.Confirmations). A vetlink addition.
	Confirmations []protocol.Confirmation `json:"confirmations,omitempty"`
}

// RenewRequest is a client's request to renew a prescription (VCPR
// RenewRequest, without the message envelope's _type).
type RenewRequest struct {
	From         UserID            `json:"from"`
	To           UserID            `json:"to"`
	Subject      string            `json:"subject"`
	Message      string            `json:"message"`
	Prescription string            `json:"prescription"`
	Extend       protocol.Duration `json:"extend,omitzero"`
	Refill       int               `json:"refill"`
}

// DefaultRenewal is the extension a renewal asks for when Extend is zero
// (the VCPR default PT183D).
const DefaultRenewal = 183 * 24 * time.Hour

// MaxRefills bounds the refills of one prescription.
const MaxRefills = 100
