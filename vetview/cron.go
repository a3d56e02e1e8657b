package vetview

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed five-field cron expression:
//
//	minute hour day-of-month month day-of-week
//
// Each field is "*", a number, a range "a-b", a list "a,b,c", or a step
// "*/n", "a-b/n" or "a/n" (a to the field's maximum). Months accept
// JAN-DEC and days of the week SUN-SAT (case-insensitive); day of week 7
// is Sunday, like 0. The shorthands @yearly (@annually), @monthly, @weekly,
// @daily (@midnight) and @hourly are accepted.
//
// As in Vixie cron, when both day of month and day of week are restricted
// (neither starts with "*"), a day matches if either matches.
//
// Expressions are evaluated in UTC unless prefixed with a time zone,
// "CRON_TZ=America/Chicago 0 6 * * *" (TZ= is accepted too), in which case
// the fields are wall-clock times in that IANA zone. At a daylight-saving
// change a wall-clock time that does not exist that day (02:30 when clocks
// jump from 02:00 to 03:00) does not run, and one that occurs twice (when
// clocks go back) runs once. Zones are read from the system's time zone
// database; a program for a system without one imports time/tzdata.
type Cron struct {
	expr                          string
	minute, hour, dom, month, dow uint64
	domRestricted, dowRestricted  bool
	loc                           *time.Location // nil: UTC
}

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] is the value min+i
}

var cronFields = [5]cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	// 7 is accepted as Sunday and folded onto 0 after parsing.
	{name: "day of week", min: 0, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

var cronShorthands = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// cronHorizon bounds the search for the next match. Eight years cover the
// longest gap between two 29 Februaries (2096 to 2104).
const cronHorizon = 8

// ParseCron parses a five-field cron expression. It fails with an
// [*InvalidError] naming the field and the rule it breaks, and refuses
// expressions that can never fire (such as "0 0 30 2 *").
func ParseCron(expr string) (Cron, error) {
	src := strings.TrimSpace(expr)
	var (
		loc    *time.Location
		prefix string
	)
	for _, key := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(src, key); ok {
			name, fields, _ := strings.Cut(rest, " ")
			l, err := time.LoadLocation(name)
			if err != nil || name == "" || name == "Local" {
				return Cron{}, invalid("cron", expr, fmt.Sprintf("time zone %q: not an IANA time zone name", name))
			}
			if name != "UTC" {
				loc, prefix = l, "CRON_TZ="+name+" "
			}
			src = strings.TrimSpace(fields)
			break
		}
	}
	if full, ok := cronShorthands[strings.ToLower(src)]; ok {
		src = full
	}
	parts := strings.Fields(src)
	if len(parts) != 5 {
		return Cron{}, invalid("cron", expr, fmt.Sprintf("must have 5 fields (minute hour day-of-month month day-of-week), has %d", len(parts)))
	}
	var sets [5]uint64
	for i, p := range parts {
		set, err := parseCronField(p, cronFields[i])
		if err != nil {
			return Cron{}, &InvalidError{Field: "cron", Value: expr, Rule: cronFields[i].name + " " + err.Error()}
		}
		sets[i] = set
	}
	if sets[4]&(1<<7) != 0 {
		sets[4] = sets[4]&^(1<<7) | 1
	}
	c := Cron{
		expr:   prefix + strings.Join(parts, " "),
		loc:    loc,
		minute: sets[0], hour: sets[1], dom: sets[2], month: sets[3], dow: sets[4],
		domRestricted: !strings.HasPrefix(parts[2], "*"),
		dowRestricted: !strings.HasPrefix(parts[4], "*"),
	}
	if c.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return Cron{}, invalid("cron", expr, "never fires (no such day)")
	}
	return c, nil
}

// MustParseCron is [ParseCron] for expressions known to be valid; it
// panics on an error.
func MustParseCron(expr string) Cron {
	c, err := ParseCron(expr)
	if err != nil {
		panic(err)
	}
	return c
}

// String returns the expression in its canonical five-field form, with its
// CRON_TZ= prefix when it has a time zone other than UTC.
func (c Cron) String() string { return c.expr }

// Location returns the time zone the expression is evaluated in.
func (c Cron) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

func parseCronField(s string, f cronField) (uint64, error) {
	var set uint64
	for item := range strings.SplitSeq(s, ",") {
		lo, hi, step := f.min, f.max, 1
		rng, stepText, hasStep := strings.Cut(item, "/")
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("step %q: must be a positive number", stepText)
			}
			step = n
		}
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if lo, err = cronValue(a, f); err != nil {
				return 0, err
			}
			if hi, err = cronValue(b, f); err != nil {
				return 0, err
			}
			if lo > hi {
				return 0, fmt.Errorf("range %q: start is after end", rng)
			}
		default:
			v, err := cronValue(rng, f)
			if err != nil {
				return 0, err
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

func cronValue(s string, f cronField) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("value %q: not a number", s)
	}
	if v < f.min || v > f.max {
		return 0, fmt.Errorf("value %d: must be between %d and %d", v, f.min, f.max)
	}
	return v, nil
}

// Next returns the first instant strictly after t that the expression
// matches, in UTC, or the zero time if there is none within eight years.
func (c Cron) Next(t time.Time) time.Time {
	if c.minute == 0 {
		return time.Time{} // the zero Cron never fires
	}
	if c.loc == nil {
		start := t.UTC().Truncate(time.Minute).Add(time.Minute)
		return c.nextWall(start, start.AddDate(cronHorizon, 0, 0))
	}
	// Search wall-clock minutes in the zone, written as UTC times so that
	// the calendar arithmetic sees no daylight-saving jumps, and map each
	// match back to an instant.
	w := t.In(c.loc)
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, time.UTC).Add(time.Minute)
	limit := wall.AddDate(cronHorizon, 0, 0)
	for {
		m := c.nextWall(wall, limit)
		if m.IsZero() {
			return m
		}
		// A wall-clock time clocks jumped over has no instant; one that
		// occurs twice runs at its first instant, and not at all when that
		// is not after t (it ran, or the search began between the two).
		if r, ok := wallInstant(m, c.loc); ok && r.After(t) {
			return r
		}
		wall = m.Add(time.Minute)
	}
}

// wallInstant returns the first instant, in UTC, at which the clocks of loc
// show the wall-clock time w (written in UTC), and false when they never
// do. time.Date does not say which of two instants it picks for a repeated
// wall-clock time, so the candidates are computed from the zone's offsets
// a day before and a day after (whatever the zone's own offset, the probes
// then fall on either side of a change near w: changes are months apart).
func wallInstant(w time.Time, loc *time.Location) (time.Time, bool) {
	var first time.Time
	for _, probe := range []time.Duration{-24 * time.Hour, 24 * time.Hour} {
		_, offset := w.Add(probe).In(loc).Zone()
		u := w.Add(-time.Duration(offset) * time.Second)
		if l := u.In(loc); l.Day() == w.Day() && l.Hour() == w.Hour() && l.Minute() == w.Minute() && (first.IsZero() || u.Before(first)) {
			first = u
		}
	}
	return first, !first.IsZero()
}

// nextWall returns the first minute at or after t, before limit, whose
// fields match, reading t's fields as they are (t is in UTC).
func (c Cron) nextWall(t, limit time.Time) time.Time {
	for t.Before(limit) {
		y, m, d := t.Date()
		switch {
		case c.month&(1<<uint(m)) == 0:
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dayMatches(t):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		case c.hour&(1<<uint(t.Hour())) == 0:
			t = time.Date(y, m, d, t.Hour()+1, 0, 0, 0, time.UTC)
		default:
			// The first matching minute at or after t's minute in this hour.
			rest := c.minute >> uint(t.Minute()) << uint(t.Minute())
			if rest == 0 {
				t = time.Date(y, m, d, t.Hour()+1, 0, 0, 0, time.UTC)
				continue
			}
			return time.Date(y, m, d, t.Hour(), bits.TrailingZeros64(rest), 0, 0, time.UTC)
		}
	}
	return time.Time{}
}

func (c Cron) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	if c.domRestricted && c.dowRestricted {
		return dom || dow
	}
	return dom && dow
}
