package rx

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// Event is something that happened to an animal that a withdrawal term
// counts from: a calving ends the wait of a dry-cow product's "milk 96
// hours after calving". Until it is recorded, such a release is open
// (Forever).
type Event struct {
	ID         int64              `json:"id"`
	MOR        UserID             `json:"morId"`
	AnimalID   string             `json:"animalId"`
	Kind       protocol.EventKind `json:"kind"`
	At         time.Time          `json:"at"`
	RecordedBy UserID             `json:"recordedBy"`
	RecordedAt time.Time          `json:"recordedAt"`
}

// MayRecordEvent decides whether the actor may record an event on an
// animal of MOR mor: the MOR, a TOR it employs, or its veterinarian.
func MayRecordEvent(a Actor, mor UserID) error {
	if err := acting(a); err != nil {
		return err
	}
	switch {
	case a.User.Type == MOR && a.User.ID == mor:
		return nil
	case a.employedBy(mor):
		return nil
	case a.User.Type == VOR && a.Has(Client, a.User.ID, mor):
		return nil
	}
	return forbid(a, fmt.Sprintf("not the farm of user %d, nor its employee or veterinarian", mor))
}

// RecordEvent records event kind (protocol.Calving) on animal animalID of
// MOR mor at time at, and recomputes the withholds of the animal's cases
// that are still in force, in one transaction. Returns those withholds.
func (s *Service) RecordEvent(ctx context.Context, a Actor, mor UserID, animalID string, kind protocol.EventKind, at time.Time) ([]Withhold, error) {
	const op = "record event"
	now := s.now()
	animalID = strings.TrimSpace(animalID)
	switch {
	case animalID == "":
		return nil, fail(op, "animalId", "is required", ErrInvalid)
	case kind != protocol.Calving:
		return nil, fail(op, "kind "+quote(string(kind)), "must be "+string(protocol.Calving), ErrInvalid)
	case at.IsZero() || at.After(now.Add(MaxClockSkew)):
		return nil, fail(op, "at "+at.UTC().Format(time.RFC3339), "is required and may not be in the future", ErrInvalid)
	}
	if err := MayRecordEvent(a, mor); err != nil {
		return nil, withOp(op, err)
	}
	var out []Withhold
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		e := Event{MOR: mor, AnimalID: animalID, Kind: kind, At: at.UTC(), RecordedBy: a.User.ID, RecordedAt: now}
		if err := s.Store.AddEvent(ctx, &e); err != nil {
			return err
		}
		// Withholds released before the event cannot change: a term
		// counts only events at or after its administration.
		ws, err := s.Store.AnimalWithholds(ctx, mor, animalID, at.UTC())
		if err != nil {
			return err
		}
		for _, w := range ws {
			c, err := s.Store.Case(ctx, w.CaseID, true)
			if err != nil {
				return err
			}
			p, err := s.Store.Prescription(ctx, c.RxID, false)
			if err != nil {
				return err
			}
			nw, err := s.rewithhold(ctx, &p, &c)
			if err != nil {
				return err
			}
			out = append(out, nw)
		}
		return nil
	})
	if err != nil {
		return nil, storeErr(op, "animal "+quote(animalID), err)
	}
	s.log().Info("rx: event recorded", "animal", animalID, "kind", kind, "by", a.User.ID)
	return out, nil
}

// events returns the protocol events of case c's animal.
func (s *Service) events(ctx context.Context, c *Case) ([]protocol.Event, error) {
	es, err := s.Store.Events(ctx, c.MOR, c.AnimalID)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.Event, len(es))
	for i, e := range es {
		out[i] = protocol.Event{Kind: e.Kind, At: e.At}
	}
	return out, nil
}
