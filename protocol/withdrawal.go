package protocol

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxWithdrawalHours bounds a withdrawal period: ten years. Anything longer
// (VCPR test suites send -85044115 and its positive cousins) is a data
// error, not a regimen.
const MaxWithdrawalHours = 87600

// EventKind names an event in an animal's life that a withdrawal term can
// count from.
type EventKind string

// Calving is the event dry-cow products count from: "milk may not be used
// for 96 hours after calving".
const Calving EventKind = "calving"

// Event is an event recorded on the animal, such as a calving.
type Event struct {
	Kind EventKind
	At   time.Time
}

// Term is one withdrawal condition: meat or milk may not be sold until
// Period has elapsed after the administration (Event empty) or after the
// first Event of that kind at or after the administration. A term whose
// event has not been recorded keeps the withhold open.
type Term struct {
	Event  EventKind
	Period time.Duration
}

// String reads "96h after administration" or "96h after calving".
func (t Term) String() string {
	from := "administration"
	if t.Event != "" {
		from = string(t.Event)
	}
	return formatHours(t.Period) + " after " + from
}

func formatHours(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return d.String()
}

// WithdrawalRule is the meat and milk withdrawal of one administration;
// each commodity is released when all its terms are satisfied. A rule with
// no terms for a commodity sets no withhold for it (and says nothing about
// whether it is safe: see Release.Set).
type WithdrawalRule struct {
	Meat []Term
	Milk []Term
}

// HoursRule returns the rule of a label or treatment that gives meat and
// milk withdrawal in hours after the last dose (VCPR wtMeatHrs/wtMilkHrs).
// Nil means "no withhold of this kind". Hours must lie in [0, 87600];
// fractions of an hour are allowed.
func HoursRule(meatHrs, milkHrs *Number) (WithdrawalRule, error) {
	var r WithdrawalRule
	if meatHrs != nil {
		d, err := hoursDuration("wtMeatHrs", *meatHrs)
		if err != nil {
			return WithdrawalRule{}, err
		}
		r.Meat = []Term{{Period: d}}
	}
	if milkHrs != nil {
		d, err := hoursDuration("wtMilkHrs", *milkHrs)
		if err != nil {
			return WithdrawalRule{}, err
		}
		r.Milk = []Term{{Period: d}}
	}
	return r, nil
}

// hoursDuration converts a withdrawal in hours to an exact duration,
// rounding up to the next nanosecond if it does not divide.
func hoursDuration(field string, h Number) (time.Duration, error) {
	if h.Sign() < 0 || h.Cmp(Int(MaxWithdrawalHours)) > 0 {
		return 0, fieldErr(field, h.String(), fmt.Sprintf("must be between 0 and %d", MaxWithdrawalHours), ErrInvalid)
	}
	ns, err := h.Mul(Int(int64(time.Hour)))
	if err != nil {
		return 0, fieldErr(field, h.String(), err.Error(), ErrInvalid)
	}
	return time.Duration(ns.Ceil()), nil
}

// Administration is one dose actually given (or planned): the product, when,
// and the withdrawal rule it carries. Ref is the caller's name for it (a
// task id, "treatments[0]#3") and is echoed in the Release it determines.
type Administration struct {
	Ref     string
	Product string
	At      time.Time
	Rule    WithdrawalRule
}

// Clock is a time of day in the farm's time zone, such as a milking at
// 05:00.
type Clock struct {
	Hour, Minute int
}

// WithholdPolicy names a farm's rule for turning a withdrawal period of
// n hours into a release time. The policies differ only across a
// daylight-saving change or when n is not a whole number of days; each is
// shown across both US changes of 2024 (America/Chicago, 10 March and 3
// November) in the examples of WithholdOptions.
type WithholdPolicy string

// The withhold policies farms use.
const (
	// ElapsedHours releases exactly n elapsed hours after the
	// administration, whatever the local clock does. It is what VCPR's
	// wtMeatHrs and wtMilkHrs mean, and the default (the empty policy).
	// 48 h from Sat 9 March 08:00 CST is Mon 11 March 09:00 CDT; from Sat
	// 2 November 08:00 CDT it is Mon 4 November 07:00 CST.
	ElapsedHours WithholdPolicy = "elapsed-hours"
	// CalendarDays counts ⌈n/24⌉ whole local calendar days and releases at
	// the same local clock time as the administration: 48 h from Sat 08:00
	// is Mon 08:00 local on both weekends, an hour before ElapsedHours in
	// spring (only 47 hours have passed) and an hour after it in autumn. A
	// clock time that occurs twice (fall back) is read as the later
	// instant; one skipped by spring forward is read with the offset before
	// the change (02:30 becomes 03:30 daylight time).
	CalendarDays WithholdPolicy = "calendar-days"
	// LaterOfHoursAndDays releases at the later of ElapsedHours and
	// CalendarDays, the conservative reading when a label says "48 hours"
	// and the farm counts days: Mon 11 March 09:00 CDT and Mon 4 November
	// 08:00 CST.
	LaterOfHoursAndDays WithholdPolicy = "later-of-hours-and-days"
	// LocalMidnight counts ⌈n/24⌉ local calendar days, rounds their end up
	// to the next local midnight, and never releases before ElapsedHours:
	// Tue 12 March 00:00 CDT and Tue 5 November 00:00 CST. It is the rule of
	// the former WithholdOptions.LocalDays.
	LocalMidnight WithholdPolicy = "local-midnight"
)

// WithholdPolicies returns every policy, the default first.
func WithholdPolicies() []WithholdPolicy {
	return []WithholdPolicy{ElapsedHours, CalendarDays, LaterOfHoursAndDays, LocalMidnight}
}

// ParseWithholdPolicy reads a policy by name ("elapsed-hours",
// "calendar-days", "later-of-hours-and-days", "local-midnight"), ignoring
// case. The empty name is ElapsedHours.
func ParseWithholdPolicy(name string) (WithholdPolicy, error) {
	if strings.TrimSpace(name) == "" {
		return ElapsedHours, nil
	}
	for _, p := range WithholdPolicies() {
		if strings.EqualFold(strings.TrimSpace(name), string(p)) {
			return p, nil
		}
	}
	return "", fieldErr("options.policy", fmt.Sprintf("%q", name), "must be one of elapsed-hours, calendar-days, later-of-hours-and-days, local-midnight", ErrInvalid)
}

// WithholdOptions are a farm's rules for turning withdrawal periods into
// release times. The zero value counts elapsed hours in UTC and releases
// at the exact end instant, which is what VCPR's wtMeatHrs/wtMilkHrs mean.
type WithholdOptions struct {
	// Location is the farm's time zone, used by the calendar policies and
	// Milkings. Nil means UTC.
	Location *time.Location

	// Policy is the farm's rule for the end of a withdrawal period; empty
	// means ElapsedHours. A zero period ends at the administration under
	// every policy.
	Policy WithholdPolicy

	// LocalDays is the former spelling of Policy: LocalMidnight, kept so
	// that existing callers keep their rule. It may not be combined with
	// another Policy.
	//
	// Deprecated: set Policy to LocalMidnight.
	LocalDays bool

	// Milkings are the farm's milking times (2 or 3 a day, say). When set,
	// milk is released at the first milking at or after the end of the
	// withdrawal, and Release.DiscardedMilkings counts the milkings after
	// the first administration and before the release that must be
	// discarded.
	Milkings []Clock
}

// policy returns the effective policy.
func (o *WithholdOptions) policy() WithholdPolicy {
	if o.Policy == "" {
		if o.LocalDays {
			return LocalMidnight
		}
		return ElapsedHours
	}
	return o.Policy
}

func (o *WithholdOptions) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// Release is when meat or milk from the animal may be sold again, and why.
type Release struct {
	// Set reports whether any administration has a term for this
	// commodity. When false, nothing here applies.
	Set bool

	// Until is the release instant (in UTC). It is zero while Open.
	Until time.Time

	// Open is true while a term waits for an event that has not been
	// recorded (WaitingFor, such as Calving); recording it resolves Until.
	Open       bool
	WaitingFor EventKind

	// Cause is the index in the administrations of the one that determines
	// Until (or keeps the release open); Ref, Product, Given (its time) and
	// Term describe it.
	// Ties go to the later administration. Meaningful only when Set.
	Cause   int
	Ref     string
	Product string
	Given   time.Time
	Term    Term

	// DiscardedMilkings is the number of milkings whose milk must be
	// discarded (milk only, and only when WithholdOptions.Milkings is set).
	DiscardedMilkings int
}

// Withholds is the meat and milk release of an animal.
type Withholds struct {
	Meat Release
	Milk Release
}

// Withdrawal computes meat and milk release times from the administrations
// actually given, with the farm's options. Each term ends Period after its
// administration (or after its event), and each commodity is released at
// the latest end over every administration: per product that is the last
// administration; across products, the latest product. Call it again with
// the late dose added, or the calving recorded, to recompute.
//
// Administrations need not be sorted. Events count for an administration
// only if they happen at or after it.
func Withdrawal(admins []Administration, events []Event, opt WithholdOptions) (Withholds, error) {
	if err := opt.validate(); err != nil {
		return Withholds{}, err
	}
	var w Withholds
	first := time.Time{}
	for i := range admins {
		a := &admins[i]
		if a.At.IsZero() {
			return Withholds{}, fieldErr(fmt.Sprintf("administrations[%d].at", i), "", "is required", ErrInvalid)
		}
		if err := checkTerms(i, "meat", a.Rule.Meat); err != nil {
			return Withholds{}, err
		}
		if err := checkTerms(i, "milk", a.Rule.Milk); err != nil {
			return Withholds{}, err
		}
		if len(a.Rule.Milk) > 0 && (first.IsZero() || a.At.Before(first)) {
			first = a.At
		}
		accumulate(&w.Meat, i, a, a.Rule.Meat, events, &opt)
		accumulate(&w.Milk, i, a, a.Rule.Milk, events, &opt)
	}
	if w.Milk.Set && !w.Milk.Open && len(opt.Milkings) > 0 {
		w.Milk.Until = nextMilking(w.Milk.Until, &opt)
		w.Milk.DiscardedMilkings = countMilkings(first, w.Milk.Until, &opt)
	}
	return w, nil
}

func checkTerms(i int, kind string, terms []Term) error {
	for j, t := range terms {
		if t.Period < 0 || t.Period > MaxWithdrawalHours*time.Hour {
			return fieldErr(fmt.Sprintf("administrations[%d].rule.%s[%d].period", i, kind, j), formatHours(t.Period),
				fmt.Sprintf("must be between 0 and %dh", MaxWithdrawalHours), ErrInvalid)
		}
	}
	return nil
}

func (o *WithholdOptions) validate() error {
	if o.Policy != "" {
		if !slices.Contains(WithholdPolicies(), o.Policy) {
			return fieldErr("options.policy", fmt.Sprintf("%q", o.Policy), "must be one of elapsed-hours, calendar-days, later-of-hours-and-days, local-midnight", ErrInvalid)
		}
		if o.LocalDays && o.Policy != LocalMidnight {
			return fieldErr("options.localDays", "true", fmt.Sprintf("is the local-midnight policy and contradicts policy %q", o.Policy), ErrInvalid)
		}
	}
	if len(o.Milkings) > 24 {
		return fieldErr("options.milkings", strconv.Itoa(len(o.Milkings)), "at most 24 milkings a day", ErrInvalid)
	}
	for i, m := range o.Milkings {
		if m.Hour < 0 || m.Hour > 23 || m.Minute < 0 || m.Minute > 59 {
			return fieldErr(fmt.Sprintf("options.milkings[%d]", i), fmt.Sprintf("%02d:%02d", m.Hour, m.Minute), "must be a time of day", ErrInvalid)
		}
	}
	return nil
}

// accumulate folds the terms of administration i into r.
func accumulate(r *Release, i int, a *Administration, terms []Term, events []Event, opt *WithholdOptions) {
	for _, t := range terms {
		start := a.At
		open := false
		if t.Event != "" {
			ev, ok := firstEvent(events, t.Event, a.At)
			if ok {
				start = ev
			} else {
				open = true
			}
		}
		if !r.Set {
			r.Set = true
			r.Cause = -1
		}
		if open {
			// An open term dominates; among open terms keep the latest
			// administration as the cause.
			if !r.Open || !a.At.Before(admAt(r)) {
				r.Open, r.WaitingFor, r.Until = true, t.Event, time.Time{}
				setCause(r, i, a, t)
			}
			continue
		}
		if r.Open {
			continue
		}
		end := termEnd(start, t.Period, opt)
		if r.Cause < 0 || end.After(r.Until) || (end.Equal(r.Until) && !a.At.Before(admAt(r))) {
			r.Until = end
			setCause(r, i, a, t)
		}
	}
}

// admAt is the time of the administration that currently causes r.
func admAt(r *Release) time.Time { return r.Given }

func setCause(r *Release, i int, a *Administration, t Term) {
	r.Cause, r.Ref, r.Product, r.Term, r.Given = i, a.Ref, a.Product, t, a.At
}

func firstEvent(events []Event, kind EventKind, notBefore time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, e := range events {
		if e.Kind != kind || e.At.Before(notBefore) {
			continue
		}
		if !found || e.At.Before(best) {
			best, found = e.At, true
		}
	}
	return best, found
}

// termEnd is start + period under the farm's policy.
func termEnd(start time.Time, period time.Duration, opt *WithholdOptions) time.Time {
	end := start.Add(period).UTC()
	// A zero withdrawal releases at the administration itself, under any
	// rule: there is no day to round up.
	if period == 0 {
		return end
	}
	loc := opt.loc()
	days := int((period + 24*time.Hour - 1) / (24 * time.Hour))
	switch opt.policy() {
	case CalendarDays:
		return sameClockDaysLater(start, days, loc)
	case LaterOfHoursAndDays:
		if cal := sameClockDaysLater(start, days, loc); cal.After(end) {
			return cal
		}
	case LocalMidnight:
		local := start.In(loc).AddDate(0, 0, days)
		if h, m, s := local.Clock(); h != 0 || m != 0 || s != 0 || local.Nanosecond() != 0 {
			y, mo, d := local.Date()
			local = time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
		}
		if local.After(end) {
			return local.UTC()
		}
	}
	return end
}

// sameClockDaysLater returns the instant days local calendar days after
// start at the same local clock time. When that clock time occurs twice
// (the repeated hour of a fall-back day) the later instant is returned;
// when it does not occur (the spring-forward gap) it is read with the
// offset before the change, which lands as far past the gap as the clock
// time was into it (02:30 becomes 03:30 daylight time).
func sameClockDaysLater(start time.Time, days int, loc *time.Location) time.Time {
	l := start.In(loc)
	y, mo, d := l.Date()
	h, mi, s := l.Clock()
	ns := l.Nanosecond()
	t := time.Date(y, mo, d+days, h, mi, s, ns, loc)
	// In a repeated hour time.Date picks one reading; try the offsets in
	// force a few hours either side and keep the latest that shows the
	// same local clock.
	// In a skipped hour no reading shows it; time.Date then lands before
	// the gap, so take the latest reading instead, which is past it.
	th, tmi, ts := t.Clock()
	skipped := th != h || tmi != mi || ts != s
	for _, probe := range []time.Duration{-6 * time.Hour, 6 * time.Hour} {
		_, off := t.Add(probe).Zone()
		cand := time.Date(y, mo, d+days, h, mi, s, ns, time.FixedZone("", off)).In(loc)
		ch, cmi, cs := cand.Clock()
		same := ch == h && cmi == mi && cs == s
		if cand.After(t) && (same || skipped) {
			t = cand
		}
	}
	return t.UTC()
}

// nextMilking returns the first milking at or after t.
func nextMilking(t time.Time, opt *WithholdOptions) time.Time {
	loc := opt.loc()
	lt := t.In(loc)
	y, mo, d := lt.Date()
	for day := 0; day < 3; day++ {
		var best time.Time
		for _, m := range opt.Milkings {
			c := time.Date(y, mo, d+day, m.Hour, m.Minute, 0, 0, loc)
			if !c.Before(t) && (best.IsZero() || c.Before(best)) {
				best = c
			}
		}
		if !best.IsZero() {
			return best.UTC()
		}
	}
	return t // unreachable with at least one milking a day
}

// countMilkings counts milkings strictly after from and strictly before to.
func countMilkings(from, to time.Time, opt *WithholdOptions) int {
	if from.IsZero() || !to.After(from) {
		return 0
	}
	loc := opt.loc()
	y, mo, d := from.In(loc).Date()
	n := 0
	for day := 0; ; day++ {
		dayStart := time.Date(y, mo, d+day, 0, 0, 0, 0, loc)
		if !dayStart.Before(to) {
			break
		}
		for _, m := range opt.Milkings {
			c := time.Date(y, mo, d+day, m.Hour, m.Minute, 0, 0, loc)
			if c.After(from) && c.Before(to) {
				n++
			}
		}
	}
	return n
}
