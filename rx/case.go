package rx

import (
	"encoding/json"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// Case is the use of a prescription on one animal or one group (VCPR
// Case). Its tasks and withhold are created with it, in one write, by
// Service.Enroll; after that only its tasks change.
type Case struct {
	ID         int64             `json:"id"`
	RxID       string            `json:"rxId"`
	AnimalID   string            `json:"animalId"`
	Initiation time.Time         `json:"initiationTime"`
	Note       string            `json:"note,omitempty"`
	MOR        UserID            `json:"morId,omitempty"`
	Data       protocol.CaseData `json:"caseData"`

	// vetlink members, for the records of 21 CFR 530.5.
	VOR UserID `json:"vorId,omitempty"`
	// Species is the FDA class the animal was enrolled as (eligibility was
	// checked against it).
	Species protocol.Species `json:"species,omitempty"`
	// Head is the number of animals in the case: 1 for one animal, more
	// for a group.
	Head int `json:"head,omitempty"`
	// Members are the animals of a group case, when the farm listed them
	// (see EnrollRequest.Members).
	Members    []string  `json:"members,omitempty"`
	EnrolledBy UserID    `json:"enrolledBy,omitempty"`
	Created    time.Time `json:"created,omitzero"`
	// IdempotencyKey is the key the enrollment carried
	// (EnrollRequest.IdempotencyKey); empty when none. It is kept with the
	// case, unique per farm and enrolling user, and not sent on the wire.
	IdempotencyKey string `json:"-"`
}

// UnmarshalJSON reads a VCPR Case, choosing the CaseData variant by its
// "_type".
func (c *Case) UnmarshalJSON(b []byte) error {
	type plain Case
	var v struct {
		plain
		Data json.RawMessage `json:"caseData"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	d, err := protocol.DecodeCaseData(v.Data)
	if err != nil {
		return err
	}
	*c = Case(v.plain)
	c.Data = d
	return nil
}

// CaseHx is a case with its tasks and withhold (VCPR CaseHx). Task
// statuses are as of the moment it was read: DUE and OVERDUE are derived
// from the clock.
type CaseHx struct {
	Case
	DoseTasks    []Task    `json:"doseTasks"`
	PromiseTasks []Task    `json:"promiseTasks"`
	Withhold     *Withhold `json:"Withhold,omitempty"`

	// Replayed is set by Service.Enroll when the request's idempotency
	// key found the case an earlier request enrolled: nothing was written,
	// so a caller announcing the enrollment (a webhook) stays silent. It is
	// not sent on the wire.
	Replayed bool `json:"-"`
}

// MarshalJSON writes the case members and the task lists side by side, as
// the VCPR allOf does.
func (h CaseHx) MarshalJSON() ([]byte, error) {
	c, err := json.Marshal(h.Case)
	if err != nil {
		return nil, err
	}
	type rest struct {
		DoseTasks    []Task    `json:"doseTasks"`
		PromiseTasks []Task    `json:"promiseTasks"`
		Withhold     *Withhold `json:"Withhold,omitempty"`
	}
	r, err := json.Marshal(rest{nonNil(h.DoseTasks), nonNil(h.PromiseTasks), h.Withhold})
	if err != nil {
		return nil, err
	}
	// Join {"id":…} and {"doseTasks":…} into one object.
	out := append(c[:len(c)-1:len(c)-1], ',')
	return append(out, r[1:]...), nil
}

// UnmarshalJSON reads a VCPR CaseHx.
func (h *CaseHx) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &h.Case); err != nil {
		return err
	}
	var r struct {
		DoseTasks    []Task    `json:"doseTasks"`
		PromiseTasks []Task    `json:"promiseTasks"`
		Withhold     *Withhold `json:"Withhold"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	h.DoseTasks, h.PromiseTasks, h.Withhold = r.DoseTasks, r.PromiseTasks, r.Withhold
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
