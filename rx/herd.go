package rx

import (
	"context"
	"slices"
	"strings"
	"time"
)

// HerdClearance answers Clear for every animal of MOR mor at once: which
// animals may be shipped for slaughter (Meat), or have their milk go into
// the tank (Milk), at time at — and for each one held, until when and
// because of which case and dose. Zero at means now.
//
// The herd is every animal the farm's cases name (Store.Herd): the animal
// of each one-animal case, each member of a group case, and the group ID
// of a group case that lists no members. An animal never enrolled is not
// in it, and is not held by any case. The answer is sorted by animal ID;
// each Clearance is what Clear returns for that animal, and like Clear it
// holds an animal whose deciding dose is overdue as if the dose were given
// now. It costs one query, whatever the farm's history.
func (s *Service) HerdClearance(ctx context.Context, a Actor, mor UserID, c Commodity, at time.Time) ([]Clearance, error) {
	const op = "herd clearance"
	if c != Meat && c != Milk {
		return nil, fail(op, "commodity "+quote(string(c)), "must be meat or milk", ErrInvalid)
	}
	now := s.now()
	if at.IsZero() {
		at = now
	}
	at = at.UTC()
	if err := MayReadFarm(a, mor); err != nil {
		return nil, withOp(op, err)
	}
	herd, err := s.Store.Herd(ctx, mor, at)
	if err != nil {
		return nil, storeErr(op, userInput(mor), err)
	}
	out := make([]Clearance, len(herd))
	for i := range herd {
		out[i] = Clear(herd[i].AnimalID, c, at, now, herd[i].Withholds)
	}
	// Byte-wise, so both engines answer in one order whatever their
	// collation.
	slices.SortFunc(out, func(a, b Clearance) int { return strings.Compare(a.AnimalID, b.AnimalID) })
	return out, nil
}
