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

// TestCronTimeZone evaluates expressions in a zone with daylight-saving
// time: the run follows the wall clock, a time that does not exist on the
// day clocks go forward is skipped, and one that occurs twice when they go
// back runs once.
func TestCronTimeZone(t *testing.T) {
	t.Parallel()
	// Europe/Berlin: CET (UTC+1), CEST (UTC+2) from 29 March 2026 02:00
	// (clocks jump to 03:00) to 25 October 2026 03:00 (back to 02:00).
	tests := []struct {
		name, expr, after string
		want              []string // successive runs, UTC
	}{
		{"follows the wall clock across the change", "CRON_TZ=Europe/Berlin 0 6 * * *", "2026-03-27 12:00:00",
			[]string{"2026-03-28 05:00:00", "2026-03-29 04:00:00", "2026-03-30 04:00:00"}},
		{"a time clocks jump over is skipped that day", "CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-27 12:00:00",
			[]string{"2026-03-28 01:30:00", "2026-03-30 00:30:00"}},
		{"a time that occurs twice runs once", "CRON_TZ=Europe/Berlin 30 2 * * *", "2026-10-23 12:00:00",
			[]string{"2026-10-24 00:30:00", "2026-10-25 00:30:00", "2026-10-26 01:30:00"}},
		{"every 30 minutes through the repeated hour", "TZ=Europe/Berlin */30 * * * *", "2026-10-25 00:10:00",
			[]string{"2026-10-25 00:30:00", "2026-10-25 02:00:00", "2026-10-25 02:30:00"}},
		{"a zone without daylight-saving time", "CRON_TZ=Asia/Kolkata 0 9 * * 1-5", "2026-03-06 04:00:00",
			[]string{"2026-03-09 03:30:00"}},
		{"UTC named explicitly", "CRON_TZ=UTC 0 6 * * *", "2026-03-02 07:00:00",
			[]string{"2026-03-03 06:00:00"}},
	}
	for _, tt := range tests {
		c, err := vetview.ParseCron(tt.expr)
		require.NoError(t, err, tt.name)
		got := at(tt.after)
		for i, want := range tt.want {
			got = c.Next(got)
			require.Equal(t, at(want), got, "%s: run %d", tt.name, i+1)
			require.Equal(t, time.UTC, got.Location(), tt.name)
		}
	}

	c := vetview.MustParseCron("TZ=America/Chicago  0 6 * * *")
	require.Equal(t, "CRON_TZ=America/Chicago 0 6 * * *", c.String())
	require.Equal(t, "America/Chicago", c.Location().String())
	require.Equal(t, "0 6 * * *", vetview.MustParseCron("CRON_TZ=UTC 0 6 * * *").String())

	for _, bad := range []string{"CRON_TZ=Mars/Olympus 0 6 * * *", "CRON_TZ= 0 6 * * *", "CRON_TZ=Local 0 6 * * *", "CRON_TZ=Europe/Berlin"} {
		_, err := vetview.ParseCron(bad)
		require.ErrorIs(t, err, vetview.ErrInvalid, bad)
	}
}

// FuzzCronNext checks, for any expression that parses, that successive
// runs are strictly increasing, whole minutes, and match the expression's
// own idea of the next run from one minute earlier.
func FuzzCronNext(f *testing.F) {
	f.Add("CRON_TZ=Europe/Berlin 30 2 * * *", int64(1792800000))
	f.Add("CRON_TZ=Australia/Lord_Howe */15 * * * *", int64(1775300000))
	f.Add("0 6 * * 1-5", int64(1772431200))
	f.Fuzz(func(t *testing.T, expr string, unix int64) {
		c, err := vetview.ParseCron(expr)
		if err != nil {
			return
		}
		prev := time.Unix(unix%(1<<33), 0).UTC()
		for range 5 {
			next := c.Next(prev)
			if next.IsZero() {
				return
			}
			if !next.After(prev) || next.Second() != 0 || next.Nanosecond() != 0 {
				t.Fatalf("%q: Next(%v) = %v", expr, prev, next)
			}
			if again := c.Next(next.Add(-time.Minute)); !again.Equal(next) && !next.Add(-time.Minute).Before(prev) {
				t.Fatalf("%q: Next(%v) = %v but Next(%v) = %v", expr, prev, next, next.Add(-time.Minute), again)
			}
			prev = next
		}
	})
}
