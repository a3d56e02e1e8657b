package rx

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/vetlink/vetlink/protocol"
)

func rxInput(id string) string { return "prescription " + id }

// snapshot returns a deep copy of p through its JSON form, so that the
// prescription shares nothing with the caller's protocol.
func snapshot(p *protocol.Protocol) (protocol.Protocol, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return protocol.Protocol{}, err
	}
	var c protocol.Protocol
	err = json.Unmarshal(b, &c)
	return c, err
}

// Prescribe writes a prescription of req.Protocol from the acting VOR to
// the MOR req.MOR. The protocol must validate (protocol.Validate) and is
// stored as an immutable snapshot; Refills must lie in [0, MaxRefills];
// an Expiration, when set, must be in the future. The new prescription is
// PRESCRIBED and gets a fresh random ID.
//
// A treatment whose product the drug dictionary cannot identify
// (protocol.Identify) is refused with ErrUnidentified (and ErrInvalid)
// when any of its eligible classes is a food animal (FoodAnimal), unless
// req.Confirmations records the veterinarian's confirmation of its active
// ingredient; a confirmed ingredient is then checked against the
// prohibitions like any other (ErrProhibited). The confirmations are
// stored on the prescription, and a renewal keeps them.
func (s *Service) Prescribe(ctx context.Context, a Actor, req PrescriptionRequest) (Prescription, error) {
	const op = "prescribe"
	now := s.now()
	switch {
	case req.Refills < 0 || req.Refills > MaxRefills:
		return Prescription{}, fail(op, fmt.Sprintf("refills %d", req.Refills), fmt.Sprintf("must be between 0 and %d", MaxRefills), ErrInvalid)
	case !req.Expiration.IsZero() && !req.Expiration.After(now):
		return Prescription{}, fail(op, "expiration "+req.Expiration.UTC().Format("2006-01-02T15:04:05Z"), "must be in the future", ErrInvalid)
	case req.Status != "" && req.Status != Prescribed:
		return Prescription{}, fail(op, "status "+string(req.Status), "a new prescription is PRESCRIBED", ErrInvalid)
	}
	claims, err := s.LabelClaims(ctx)
	if err != nil {
		return Prescription{}, withOp(op, err)
	}
	if err := protocol.Validate(&req.Protocol, claims); err != nil {
		return Prescription{}, invalid(op, "protocol "+quote(req.Protocol.Name), err)
	}
	if err := checkConfirmations(&req.Protocol, req.Confirmations); err != nil {
		return Prescription{}, withOp(op, err)
	}
	if why := prohibitedUse(&req.Protocol, claims, req.Confirmations, nil, now); why != "" {
		return Prescription{}, fail(op, "protocol "+quote(req.Protocol.Name), why, ErrProhibited)
	}
	if why := unidentifiedUse(&req.Protocol, claims, req.Confirmations, nil); why != "" {
		return Prescription{}, unidentified(op, "protocol "+quote(req.Protocol.Name), why)
	}
	snap, err := snapshot(&req.Protocol)
	if err != nil {
		return Prescription{}, invalid(op, "protocol "+quote(req.Protocol.Name), err)
	}
	client, err := s.Store.User(ctx, req.MOR)
	if err != nil {
		return Prescription{}, storeErr(op, userInput(req.MOR), err)
	}
	if err := MayPrescribe(a, client); err != nil {
		return Prescription{}, withOp(op, err)
	}
	p := Prescription{
		ID: NewID(), Protocol: snap, VOR: a.User.ID, MOR: client.ID,
		Refills: req.Refills, Expiration: req.Expiration.UTC(), Created: now,
		Metadata: slices.Clone(req.Metadata), Status: Prescribed, Confirmations: slices.Clone(req.Confirmations),
	}
	if err := s.Store.CreatePrescription(ctx, &p); err != nil {
		return Prescription{}, storeErr(op, rxInput(p.ID), err)
	}
	s.log().Info("rx: prescribed", "rx", p.ID, "vor", p.VOR, "mor", p.MOR, "refills", p.Refills)
	return p, nil
}

// Prescription returns prescription id if the actor may read it.
func (s *Service) Prescription(ctx context.Context, a Actor, id string) (Prescription, error) {
	const op = "read prescription"
	if err := CheckID(id); err != nil {
		return Prescription{}, withOp(op, err)
	}
	p, err := s.Store.Prescription(ctx, id, false)
	if err != nil {
		return Prescription{}, storeErr(op, rxInput(id), err)
	}
	if err := MayRead(a, &p); err != nil {
		return Prescription{}, withOp(op, err)
	}
	return p, nil
}

// Prescriptions lists the prescriptions written by the actor (a VOR) or
// to the actor (an MOR, or a TOR's employer); the SAOR sees all.
func (s *Service) Prescriptions(ctx context.Context, a Actor) ([]Prescription, error) {
	const op = "list prescriptions"
	if err := acting(a); err != nil {
		return nil, withOp(op, err)
	}
	var vor, mor UserID
	switch a.User.Type {
	case VOR:
		vor = a.User.ID
	case MOR:
		mor = a.User.ID
	case TOR:
		var out []Prescription
		for _, r := range a.Relations {
			if r.Kind == Employee && r.Right == a.User.ID {
				ps, err := s.Store.Prescriptions(ctx, 0, r.Left)
				if err != nil {
					return nil, storeErr(op, userInput(r.Left), err)
				}
				out = append(out, ps...)
			}
		}
		return out, nil
	}
	ps, err := s.Store.Prescriptions(ctx, vor, mor)
	return ps, storeErr(op, userInput(a.User.ID), err)
}

// change loads prescription id locked, lets fn modify it and writes it
// back, in one transaction.
func (s *Service) change(ctx context.Context, op, id string, fn func(ctx context.Context, p *Prescription) error) (Prescription, error) {
	if err := CheckID(id); err != nil {
		return Prescription{}, withOp(op, err)
	}
	var p Prescription
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.Store.Prescription(ctx, id, true); err != nil {
			return storeErr(op, rxInput(id), err)
		}
		if err := fn(ctx, &p); err != nil {
			return err
		}
		return s.Store.UpdatePrescription(ctx, &p)
	})
	if err != nil {
		return Prescription{}, storeErr(op, rxInput(id), err)
	}
	return p, nil
}

// SetMetadata replaces the metadata of prescription id, the only part of
// a prescription that may be edited. The prescribing VOR may do it, even
// after a recall.
func (s *Service) SetMetadata(ctx context.Context, a Actor, id string, md []protocol.Metadata) (Prescription, error) {
	const op = "set metadata"
	return s.change(ctx, op, id, func(ctx context.Context, p *Prescription) error {
		if a.User.Type != VOR || p.VOR != a.User.ID {
			return withOp(op, forbid(a, "only the prescribing veterinarian edits metadata"))
		}
		p.Metadata = slices.Clone(md)
		return nil
	})
}

// Recall ends prescription id at the prescribing VOR's request; Decline
// ends it at the client's. Both are final: no case may be enrolled after,
// and every task still REQUIRED under it becomes RECALLED, which also
// removes the doses not yet given from the withholds. Tasks already
// executed and their withholds stay as they are.
func (s *Service) Recall(ctx context.Context, a Actor, id string) (Prescription, error) {
	return s.end(ctx, "recall", a, id, Recalled, MayRecall)
}

// Decline ends prescription id at the request of the MOR it was written
// to. See Recall.
func (s *Service) Decline(ctx context.Context, a Actor, id string) (Prescription, error) {
	return s.end(ctx, "decline", a, id, Declined, MayDecline)
}

func (s *Service) end(ctx context.Context, op string, a Actor, id string, to Status, may func(Actor, *Prescription) error) (Prescription, error) {
	now := s.now()
	p, err := s.change(ctx, op, id, func(ctx context.Context, p *Prescription) error {
		if err := may(a, p); err != nil {
			return withOp(op, err)
		}
		if err := CheckTransition(p.Status, to); err != nil {
			return withOp(op, err)
		}
		p.Status = to
		// Lock the cases before their tasks, in the order Execute does,
		// so that a recall and an execution never wait on each other.
		cases, err := s.Store.Cases(ctx, p.ID)
		if err != nil {
			return err
		}
		locked := make(map[int64]Case, len(cases))
		for _, c := range cases {
			if locked[c.ID], err = s.Store.Case(ctx, c.ID, true); err != nil {
				return err
			}
		}
		changed, err := s.Store.RecallTasks(ctx, p.ID, now)
		if err != nil {
			return err
		}
		for _, id := range changed {
			c := locked[id]
			if _, err := s.rewithhold(ctx, p, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.log().Info("rx: prescription ended", "rx", id, "status", to, "by", a.User.ID)
	}
	return p, err
}

// RequestRenewal asks the prescribing VOR to renew a prescription that is
// expired, used up or within RenewalWindow of expiry. It creates a
// REQUESTED prescription with the same protocol snapshot, req.Refill
// refills and an expiration req.Extend (DefaultRenewal when zero) from
// now; the VOR approves it (Approve) or recalls it, the MOR may decline it.
func (s *Service) RequestRenewal(ctx context.Context, a Actor, req RenewRequest) (Prescription, error) {
	const op = "request renewal"
	now := s.now()
	if err := CheckID(req.Prescription); err != nil {
		return Prescription{}, withOp(op, err)
	}
	if req.Refill < 0 || req.Refill > MaxRefills {
		return Prescription{}, fail(op, fmt.Sprintf("refill %d", req.Refill), fmt.Sprintf("must be between 0 and %d", MaxRefills), ErrInvalid)
	}
	extend := req.Extend.Std()
	if extend == 0 {
		extend = DefaultRenewal
	}
	if extend < 0 {
		return Prescription{}, fail(op, "extend "+req.Extend.String(), "must be positive", ErrInvalid)
	}
	var renewal Prescription
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		old, err := s.Store.Prescription(ctx, req.Prescription, true)
		if err != nil {
			return storeErr(op, rxInput(req.Prescription), err)
		}
		if err := MayRequestRenewal(a, &old); err != nil {
			return withOp(op, err)
		}
		if err := old.Renewable(now); err != nil {
			return withOp(op, err)
		}
		renewal = Prescription{
			ID: NewID(), Protocol: old.Protocol, VOR: old.VOR, MOR: old.MOR,
			Refills: req.Refill, Expiration: now.Add(extend), Created: now,
			Metadata: old.Metadata, Status: Requested, RenewalOf: old.ID, RequestedBy: a.User.ID,
			Confirmations: old.Confirmations,
		}
		return s.Store.CreatePrescription(ctx, &renewal)
	})
	if err != nil {
		return Prescription{}, storeErr(op, rxInput(req.Prescription), err)
	}
	return renewal, nil
}

// Approve turns a REQUESTED renewal into a PRESCRIBED prescription; only
// the prescribing VOR, still in a CLIENT relationship, may.
func (s *Service) Approve(ctx context.Context, a Actor, id string) (Prescription, error) {
	const op = "approve"
	return s.change(ctx, op, id, func(ctx context.Context, p *Prescription) error {
		if err := MayApprove(a, p); err != nil {
			return withOp(op, err)
		}
		if p.Status != Requested {
			return fail(op, rxInput(id), fmt.Sprintf("status %s is not a renewal request", p.Status), ErrConflict)
		}
		if p.Expired(s.now()) {
			return fail(op, rxInput(id), "the requested renewal has itself expired", ErrExpired)
		}
		p.Status = Prescribed
		return nil
	})
}
