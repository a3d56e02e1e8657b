package rx

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// RxWithCases is a prescription with the cases enrolled under it (VCPR
// RxWithCases: the Prescription members and "cases" side by side).
type RxWithCases struct {
	Prescription
	Cases []Case `json:"cases"`
}

// RxQuery selects prescriptions with their cases (the VCPR rxWithCases
// operation). Zero members select everything the actor may read.
type RxQuery struct {
	VOR, MOR UserID
	// ProtocolID keeps prescriptions whose snapshot was taken of this
	// protocol.
	ProtocolID int64
	// EnrolledAfter and EnrolledBefore keep the cases initiated in
	// [EnrolledAfter, EnrolledBefore); when either is set, a prescription
	// with no case in that window is left out.
	EnrolledAfter, EnrolledBefore time.Time
	// Offset skips that many prescriptions; Limit 0 means no limit.
	Offset, Limit int
}

// PrescriptionsBy lists the prescriptions the acting user wrote, newest
// first: a VOR's own; nothing for anyone else, who prescribes nothing.
func (s *Service) PrescriptionsBy(ctx context.Context, a Actor) ([]Prescription, error) {
	if a.User.Type != VOR {
		if err := acting(a); err != nil {
			return nil, withOp("list prescriptions", err)
		}
		return []Prescription{}, nil
	}
	return s.Prescriptions(ctx, a)
}

// PrescriptionsTo lists the prescriptions written to the acting user's farm,
// newest first: an MOR's, a TOR's employer's; nothing for a VOR or the SAOR,
// to whom nobody prescribes.
func (s *Service) PrescriptionsTo(ctx context.Context, a Actor) ([]Prescription, error) {
	if a.User.Type != MOR && a.User.Type != TOR {
		if err := acting(a); err != nil {
			return nil, withOp("list prescriptions", err)
		}
		return []Prescription{}, nil
	}
	return s.Prescriptions(ctx, a)
}

// PrescriptionsOfProtocol lists the prescriptions the actor may list
// (Prescriptions) whose snapshot was taken of protocol px.
func (s *Service) PrescriptionsOfProtocol(ctx context.Context, a Actor, px int64) ([]Prescription, error) {
	ps, err := s.Prescriptions(ctx, a)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ps, func(p Prescription) bool { return p.Protocol.ID != px }), nil
}

// MyCases lists the cases of every prescription the actor may list
// (Prescriptions), newest prescription first, each prescription's cases in
// enrollment order.
func (s *Service) MyCases(ctx context.Context, a Actor) ([]Case, error) {
	rs, _, err := s.RxWithCases(ctx, a, RxQuery{})
	if err != nil {
		return nil, err
	}
	out := []Case{}
	for _, r := range rs {
		out = append(out, r.Cases...)
	}
	return out, nil
}

// RxWithCases lists the prescriptions q selects among those the actor may
// list (Prescriptions), newest first, each with its cases, and the number
// selected before paging. It reads one list of cases per prescription:
// a farm's prescriptions are counted in hundreds, not millions.
func (s *Service) RxWithCases(ctx context.Context, a Actor, q RxQuery) ([]RxWithCases, int, error) {
	const op = "list prescriptions with cases"
	ps, err := s.Prescriptions(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	window := !q.EnrolledAfter.IsZero() || !q.EnrolledBefore.IsZero()
	out := []RxWithCases{}
	for _, p := range ps {
		switch {
		case q.VOR != 0 && p.VOR != q.VOR,
			q.MOR != 0 && p.MOR != q.MOR,
			q.ProtocolID != 0 && p.Protocol.ID != q.ProtocolID:
			continue
		}
		cs, err := s.Store.Cases(ctx, p.ID)
		if err != nil {
			return nil, 0, storeErr(op, rxInput(p.ID), err)
		}
		if window {
			cs = slices.DeleteFunc(cs, func(c Case) bool {
				return (!q.EnrolledAfter.IsZero() && c.Initiation.Before(q.EnrolledAfter)) ||
					(!q.EnrolledBefore.IsZero() && !c.Initiation.Before(q.EnrolledBefore))
			})
			if len(cs) == 0 {
				continue
			}
		}
		if cs == nil {
			cs = []Case{}
		}
		out = append(out, RxWithCases{Prescription: p, Cases: cs})
	}
	total := len(out)
	out = out[min(max(q.Offset, 0), total):]
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, total, nil
}

// FarmWithholds lists the withholds in force now or later (Withholds) on
// the farms the actor works for or with: an MOR's own, those of the MORs
// employing a TOR, and those of a VOR's clients. The SAOR has no farm of
// its own and is refused.
func (s *Service) FarmWithholds(ctx context.Context, a Actor) ([]Withhold, error) {
	const op = "withholds"
	if err := acting(a); err != nil {
		return nil, withOp(op, err)
	}
	var farms []UserID
	switch a.User.Type {
	case MOR:
		farms = []UserID{a.User.ID}
	case TOR, VOR:
		kind := Employee
		if a.User.Type == VOR {
			kind = Client
		}
		for _, r := range a.Relations {
			switch {
			case a.User.Type == TOR && r.Kind == kind && r.Right == a.User.ID:
				farms = append(farms, r.Left)
			case a.User.Type == VOR && r.Kind == kind && r.Left == a.User.ID:
				farms = append(farms, r.Right)
			}
		}
	default:
		return nil, fail(op, userInput(a.User.ID), "only a farm's users and its veterinarians have a farm's withholds", ErrForbidden)
	}
	out := []Withhold{}
	for _, mor := range farms {
		ws, err := s.Withholds(ctx, a, mor)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// TaskCase returns the history of the case task id belongs to, if the
// actor may read its prescription: what a caller reads before executing the
// task, to tell afterwards what the execution changed.
func (s *Service) TaskCase(ctx context.Context, a Actor, id int64) (CaseHx, error) {
	t, err := s.Store.Task(ctx, id)
	if err != nil {
		return CaseHx{}, storeErr("read task", fmt.Sprintf("task %d", id), err)
	}
	return s.CaseHx(ctx, a, t.CaseID)
}
