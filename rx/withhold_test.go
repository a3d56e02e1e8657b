package rx_test

import (
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
)

func TestClear(t *testing.T) {
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	// Two cases of cow 34: flunixin (meat to 8 March 06:00, milk to 5
	// March 18:00, last dose given) and a later penicillin case still in
	// progress whose last dose is planned for 8 March 00:00 (meat 96 h to
	// 12 March, milk 36 h to 9 March 12:00).
	ws := []rx.Withhold{
		{CaseID: 1, RxID: "A", Initiated: day(2, 6), MeatUntil: day(8, 6), MilkUntil: day(5, 18),
			Meat: rx.Cause{TaskID: 3, Product: "flunixin"}, Milk: rx.Cause{TaskID: 3, Product: "flunixin"}},
		{CaseID: 2, RxID: "B", Initiated: day(6, 12), MeatUntil: day(12, 0), MilkUntil: day(9, 12),
			Meat: rx.Cause{TaskID: 9, Product: "penicillin", Given: day(8, 0), Planned: true},
			Milk: rx.Cause{TaskID: 9, Product: "penicillin", Given: day(8, 0), Planned: true}},
	}
	tests := []struct {
		name    string
		c       rx.Commodity
		at      time.Time
		allowed bool
		until   time.Time
		caseID  int64
		pending bool
		now     time.Time // zero: 7 March 00:00, before the last penicillin dose is due
	}{
		{"milk during flunixin", rx.Milk, day(4, 0), false, day(5, 18), 1, false, time.Time{}},
		{"milk at the exact release", rx.Milk, day(5, 18), true, time.Time{}, 0, false, time.Time{}},
		{"milk between the cases", rx.Milk, day(6, 0), true, time.Time{}, 0, false, time.Time{}},
		{"milk during penicillin", rx.Milk, day(7, 0), false, day(9, 12), 2, true, time.Time{}},
		{"meat when both cover: the later release decides", rx.Meat, day(7, 0), false, day(12, 0), 2, true, time.Time{}},
		{"meat before penicillin began", rx.Meat, day(6, 0), false, day(8, 6), 1, false, time.Time{}},
		// The last penicillin dose is overdue and not recorded: it cannot be
		// given before the question's time, so the release moves with it.
		{"meat after every release, as planned", rx.Meat, day(12, 0), true, time.Time{}, 0, false, time.Time{}},
		// Asked on 9 March, the last penicillin dose (due 8 March) is overdue
		// and not recorded: it cannot be given before now, so the release
		// moves with the clock.
		{"meat with the last dose overdue", rx.Meat, day(12, 0), false, day(13, 0), 2, true, day(9, 0)},
		{"milk with the last dose overdue", rx.Milk, day(9, 6), false, day(10, 12), 2, true, day(9, 0)},
		{"before any case", rx.Meat, day(1, 0), true, time.Time{}, 0, false, time.Time{}},
	}
	for _, tc := range tests {
		now := tc.now
		if now.IsZero() {
			now = day(7, 0)
		}
		got := rx.Clear("34", tc.c, tc.at, now, ws)
		if got.Allowed != tc.allowed || !got.Until.Equal(tc.until) || got.CaseID != tc.caseID || got.Pending != tc.pending {
			t.Errorf("%s: got allowed=%v until=%s case=%d pending=%v, want %v %s %d %v", tc.name,
				got.Allowed, got.Until, got.CaseID, got.Pending, tc.allowed, tc.until, tc.caseID, tc.pending)
		}
	}
}
