package vetview_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/vetview"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCronNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr  string
		after string
		want  string
	}{
		{"*/15 * * * *", "2026-03-02 09:07:30", "2026-03-02 09:15:00"},
		{"*/15 * * * *", "2026-03-02 09:15:00", "2026-03-02 09:30:00"}, // strictly after
		{"0 6 * * 1-5", "2026-03-06 07:00:00", "2026-03-09 06:00:00"},  // Friday -> Monday
		{"0 0 29 2 *", "2026-03-01 00:00:00", "2028-02-29 00:00:00"},   // leap day
		{"30 8 1,15 * *", "2026-03-15 08:30:00", "2026-04-01 08:30:00"},
		{"0 12 13 * 5", "2026-03-02 00:00:00", "2026-03-06 12:00:00"}, // the 13th or a Friday
		{"0 12 13 * *", "2026-03-02 00:00:00", "2026-03-13 12:00:00"},
		{"@hourly", "2026-03-02 09:00:00", "2026-03-02 10:00:00"},
		{"@daily", "2026-03-02 09:00:00", "2026-03-03 00:00:00"},
		{"@weekly", "2026-03-02 09:00:00", "2026-03-08 00:00:00"},
		{"@monthly", "2026-03-02 09:00:00", "2026-04-01 00:00:00"},
		{"@yearly", "2026-03-02 09:00:00", "2027-01-01 00:00:00"},
		{"0 0 * * 7", "2026-03-02 00:00:00", "2026-03-08 00:00:00"}, // 7 is Sunday
		{"0 0 1 jan *", "2026-03-02 00:00:00", "2027-01-01 00:00:00"},
		{"59 23 31 12 *", "2026-12-31 23:59:00", "2027-12-31 23:59:00"},
		{"5/20 * * * *", "2026-03-02 09:46:00", "2026-03-02 10:05:00"},
		{"0 9-17/4 * * MON-fri", "2026-03-02 17:00:00", "2026-03-03 09:00:00"},
		{"0 9-17/4 * * MON-fri", "2026-03-02 09:30:00", "2026-03-02 13:00:00"},
		{"  0   0  * * *  ", "2026-03-02 09:00:00", "2026-03-03 00:00:00"},
		{"0 0 31 * *", "2026-04-01 00:00:00", "2026-05-31 00:00:00"}, // April has no 31st
	}
	for _, tt := range tests {
		t.Run(tt.expr+" after "+tt.after, func(t *testing.T) {
			c, err := vetview.ParseCron(tt.expr)
			require.NoError(t, err)
			require.Equal(t, at(tt.want), c.Next(at(tt.after)))
		})
	}
}

func TestCronNextIsUTC(t *testing.T) {
	t.Parallel()
	nyc := time.FixedZone("EST", -5*3600)
	c := vetview.MustParseCron("0 6 * * *")
	// 2026-03-02 02:00 EST is 07:00 UTC: the next 06:00 UTC is the next day.
	got := c.Next(time.Date(2026, 3, 2, 2, 0, 0, 0, nyc))
	require.Equal(t, at("2026-03-03 06:00:00"), got)
	require.Equal(t, time.UTC, got.Location())
}

func TestParseCronRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want string
	}{
		{"", "must have 5 fields"},
		{"* * * *", "must have 5 fields (minute hour day-of-month month day-of-week), has 4"},
		{"* * * * * *", "has 6"},
		{"60 * * * *", "minute value 60: must be between 0 and 59"},
		{"* 24 * * *", "hour value 24: must be between 0 and 23"},
		{"* * 0 * *", "day of month value 0: must be between 1 and 31"},
		{"* * * 13 *", "month value 13: must be between 1 and 12"},
		{"* * * * 8", "day of week value 8: must be between 0 and 7"},
		{"*/0 * * * *", `minute step "0": must be a positive number`},
		{"5-1 * * * *", `minute range "5-1": start is after end`},
		{"a * * * *", `minute value "a": not a number`},
		{"1,,2 * * * *", `minute value "": not a number`},
		{"* * * foo *", `month value "foo": not a number`},
		{"0 0 30 2 *", "never fires"},
		{"0 0 31 4 *", "never fires"},
		{"@every 5m", "must have 5 fields"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := vetview.ParseCron(tt.expr)
			require.ErrorIs(t, err, vetview.ErrInvalid)
			var inv *vetview.InvalidError
			require.True(t, errors.As(err, &inv))
			require.Equal(t, "cron", inv.Field)
			require.Equal(t, tt.expr, inv.Value)
			require.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCronString(t *testing.T) {
	t.Parallel()
	require.Equal(t, "0 0 * * 0", vetview.MustParseCron("@weekly").String())
	require.Equal(t, "*/5 6-18 * * mon-fri", vetview.MustParseCron(" */5  6-18 * *   mon-fri").String())
	require.True(t, vetview.Cron{}.Next(at("2026-03-02 09:00:00")).IsZero(), "the zero Cron never fires")
}

// FuzzParseCron checks that a parsed expression is canonical (parsing its
// String gives the same schedule) and that Next moves forward, to a whole
// minute.
func FuzzParseCron(f *testing.F) {
	for _, seed := range []string{
		"* * * * *", "*/15 * * * *", "0 6 * * 1-5", "0 0 29 2 *", "30 8 1,15 * *",
		"0 12 13 * 5", "@hourly", "5/20 * * * *", "0 9-17/4 * * MON-fri", "0 0 30 2 *", "60 * * * *",
	} {
		f.Add(seed, int64(1772442000))
	}
	f.Fuzz(func(t *testing.T, expr string, unix int64) {
		c, err := vetview.ParseCron(expr)
		if err != nil {
			return
		}
		again, err := vetview.ParseCron(c.String())
		if err != nil {
			t.Fatalf("String %q of %q does not parse: %v", c.String(), expr, err)
		}
		from := time.Unix(unix%(1<<34), 0).UTC()
		next := c.Next(from)
		if next.IsZero() {
			return // e.g. a 29 February beyond the horizon
		}
		if !next.After(from) || next.Second() != 0 || next.Nanosecond() != 0 {
			t.Fatalf("%q.Next(%v) = %v: want a whole minute after it", expr, from, next)
		}
		if got := again.Next(from); !got.Equal(next) {
			t.Fatalf("%q and its String %q disagree: %v vs %v", expr, c.String(), next, got)
		}
		if got := c.Next(next.Add(-time.Minute)); !got.Equal(next) {
			t.Fatalf("%q: no match between %v and %v, but Next(%v) = %v", expr, from, next, next.Add(-time.Minute), got)
		}
	})
}
