package protocol

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Duration is an ISO-8601 duration of the form PnDTnHnMnS (or PnW), such as
// "PT24H", "P1DT12H" or "PT0.5S", held as an exact time.Duration. A day is
// exactly 24 hours of elapsed time: VCPR durations are offsets for dose
// times and promises, not calendar arithmetic.
//
// Year and month designators are rejected because their length depends on
// the calendar. Negative durations are rejected. A decimal fraction is
// allowed on the last component only and must resolve to whole
// nanoseconds.
//
// A Duration remembers the text it was parsed from so that JSON round-trips
// unchanged ("P1D" stays "P1D", not "PT24H"); compare Durations with Std.
type Duration struct {
	d    time.Duration
	text string
}

// ErrDurationSyntax is returned for text that is not an ISO-8601 duration.
var ErrDurationSyntax = errors.New("protocol: invalid ISO-8601 duration")

// ErrCalendarDuration is returned for durations with year or month
// designators, whose length in hours is not fixed.
var ErrCalendarDuration = errors.New("protocol: calendar-dependent duration (years or months)")

// Hours returns a Duration of n whole hours, written "PTnH".
func Hours(n int64) Duration { return DurationOf(time.Duration(n) * time.Hour) }

// DurationOf returns d as a Duration; it is written in the canonical form
// produced by String.
func DurationOf(d time.Duration) Duration { return Duration{d: d} }

// Std returns the elapsed time.
func (d Duration) Std() time.Duration { return d.d }

// String returns the text the Duration was parsed from, or for Durations
// built in Go the canonical form: whole days as "PnD", the rest as
// "TnHnMnS" ("P1DT12H", "PT8H", "PT0S").
func (d Duration) String() string {
	if d.text != "" {
		return d.text
	}
	return formatDuration(d.d)
}

func formatDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	b := make([]byte, 0, 16)
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	b = append(b, 'P')
	if days := d / (24 * time.Hour); days > 0 {
		b = strconv.AppendInt(b, int64(days), 10)
		b = append(b, 'D')
		d -= days * 24 * time.Hour
	}
	if d == 0 {
		return string(b)
	}
	b = append(b, 'T')
	if h := d / time.Hour; h > 0 {
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, 'H')
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'M')
		d -= m * time.Minute
	}
	if d > 0 {
		s := d / time.Second
		ns := d - s*time.Second
		b = strconv.AppendInt(b, int64(s), 10)
		if ns > 0 {
			frac := strconv.FormatInt(int64(ns)+1e9, 10)[1:]
			for frac[len(frac)-1] == '0' {
				frac = frac[:len(frac)-1]
			}
			b = append(b, '.')
			b = append(b, frac...)
		}
		b = append(b, 'S')
	}
	return string(b)
}

// ParseDuration parses an ISO-8601 duration PnDTnHnMnS or PnW exactly.
func ParseDuration(s string) (Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return Duration{}, err
	}
	return Duration{d: d, text: s}, nil
}

func parseDuration(s string) (time.Duration, error) {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrDurationSyntax, s, why) }
	if s == "" {
		return 0, bad("empty")
	}
	if s[0] == '-' || s[0] == '+' {
		return 0, bad("signed durations are not allowed")
	}
	if s[0] != 'P' {
		return 0, bad("must start with P")
	}
	i := 1
	inTime := false
	seen := 0 // designators seen, to enforce order
	sawWeek := false
	var total time.Duration
	components := 0
	lastHadFraction := false
	for i < len(s) {
		if s[i] == 'T' {
			if inTime {
				return 0, bad("second T")
			}
			inTime = true
			i++
			if i == len(s) {
				return 0, bad("T without a time component")
			}
			continue
		}
		if lastHadFraction {
			return 0, bad("only the last component may have a fraction")
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		intPart := s[start:i]
		frac := ""
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			fs := i
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			frac = s[fs:i]
			if frac == "" {
				return 0, bad("empty fraction")
			}
			lastHadFraction = true
		}
		if intPart == "" {
			return 0, bad("missing number")
		}
		if i == len(s) {
			return 0, bad("number without designator")
		}
		des := s[i]
		i++
		if !inTime && (des == 'Y' || des == 'M') {
			return 0, fmt.Errorf("%w: %q", ErrCalendarDuration, s)
		}
		var unit time.Duration
		switch {
		case !inTime && des == 'W':
			unit = 7 * 24 * time.Hour
		case !inTime && des == 'D':
			unit = 24 * time.Hour
		case inTime && des == 'H':
			unit = time.Hour
		case inTime && des == 'M':
			unit = time.Minute
		case inTime && des == 'S':
			unit = time.Second
		default:
			return 0, bad("unexpected designator " + string(des))
		}
		rank := designatorRank(des, inTime)
		if rank <= seen {
			return 0, bad("designators out of order or repeated")
		}
		seen = rank
		if sawWeek {
			return 0, bad("weeks cannot be combined with other components")
		}
		sawWeek = des == 'W'
		v, err := componentValue(intPart, frac, unit)
		if err != nil {
			return 0, bad(err.Error())
		}
		if total > maxDuration-v {
			return 0, bad("too long")
		}
		total += v
		components++
	}
	if components == 0 {
		return 0, bad("no components")
	}
	return total, nil
}

// designatorRank orders the designators W < D < H < M < S.
func designatorRank(des byte, inTime bool) int {
	switch {
	case !inTime && des == 'W':
		return 1
	case !inTime && des == 'D':
		return 2
	case des == 'H':
		return 3
	case des == 'M':
		return 4
	}
	return 5
}

// maxDuration bounds parsed durations at 100 years, far beyond any dose
// offset or withdrawal period and well inside time.Duration's range.
const maxDuration = 100 * 366 * 24 * time.Hour

func componentValue(intPart, frac string, unit time.Duration) (time.Duration, error) {
	if len(intPart) > 12 {
		return 0, errors.New("number too large")
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, err
	}
	if time.Duration(n) > maxDuration/unit {
		return 0, errors.New("too long")
	}
	v := time.Duration(n) * unit
	if frac != "" {
		// frac/10^len(frac) × unit must be a whole number of nanoseconds.
		if len(frac) > 18 {
			return 0, errors.New("fraction too precise")
		}
		fn, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, err
		}
		f, err := Ratio(fn, pow10[len(frac)]).Mul(Int(int64(unit)))
		if err != nil || !f.IsInt() {
			return 0, errors.New("fraction is not a whole number of nanoseconds")
		}
		v += time.Duration(f.Num())
	}
	return v, nil
}

// MarshalText writes the ISO-8601 form (see String).
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses an ISO-8601 duration (see ParseDuration).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
