package rx

import (
	"context"
	"time"
)

// Today lists the farm's work for today (in Service.Location): every task
// of MOR mor still to be done with doAt before the end of the day,
// overdue ones from earlier days included, by doAt, with statuses as of
// now.
func (s *Service) Today(ctx context.Context, a Actor, mor UserID) ([]Task, error) {
	const op = "today's tasks"
	if err := MayReadFarm(a, mor); err != nil {
		return nil, withOp(op, err)
	}
	now := s.now()
	local := now.In(s.loc())
	end := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, s.loc())
	tasks, err := s.Store.DueTasks(ctx, mor, end.UTC())
	if err != nil {
		return nil, storeErr(op, userInput(mor), err)
	}
	for i := range tasks {
		tasks[i].Status = tasks[i].StatusAt(now, s.grace())
	}
	return tasks, nil
}

// Withholds lists the withholds of MOR mor that include the present or the
// future (the VCPR withholds operation): animals whose meat or milk may not
// be sold now, or will not be once a started case's doses are given.
func (s *Service) Withholds(ctx context.Context, a Actor, mor UserID) ([]Withhold, error) {
	const op = "withholds"
	if err := MayReadFarm(a, mor); err != nil {
		return nil, withOp(op, err)
	}
	now := s.now()
	ws, err := s.Store.Withholds(ctx, mor, now)
	if err != nil {
		return nil, storeErr(op, userInput(mor), err)
	}
	// The store also returns withholds whose planned release has passed
	// while a dose is still to be given; as of now they may still hold.
	out := ws[:0]
	for _, w := range ws {
		if w = w.AsOf(now); w.Release().After(now) {
			out = append(out, w)
		}
	}
	return out, nil
}

// Clear answers whether animal (or group) animalID of MOR mor may be
// shipped for slaughter (Meat) or its milk go into the tank (Milk) at time
// at — and if not, until when and because of which case and dose. A group
// case holds each animal it lists among its members (and its group ID).
// HerdClearance answers the same for every animal of the farm at once.
func (s *Service) Clear(ctx context.Context, a Actor, mor UserID, animalID string, c Commodity, at time.Time) (Clearance, error) {
	const op = "clearance"
	if c != Meat && c != Milk {
		return Clearance{}, fail(op, "commodity "+quote(string(c)), "must be meat or milk", ErrInvalid)
	}
	if animalID == "" {
		return Clearance{}, fail(op, "animalId", "is required", ErrInvalid)
	}
	if at.IsZero() {
		at = s.now()
	}
	if err := MayReadFarm(a, mor); err != nil {
		return Clearance{}, withOp(op, err)
	}
	ws, err := s.Store.AnimalWithholds(ctx, mor, animalID, at.UTC())
	if err != nil {
		return Clearance{}, storeErr(op, "animal "+quote(animalID), err)
	}
	return Clear(animalID, c, at.UTC(), s.now(), ws), nil
}
