package vetview

import (
	"time"
)

// MinEvery is the shortest interval a [Schedule] accepts. Servers poll the
// database for due runs, so a shorter interval would only add load.
const MinEvery = 10 * time.Millisecond

// Schedule says when a job runs: every Every (an interval), or at the
// instants a cron expression names. Exactly one of the two is set.
//
// An interval schedule runs on a grid: a job that runs every 5 minutes and
// first ran at 10:02 runs at 10:07, 10:12, … whatever each run's duration.
type Schedule struct {
	// Every is the interval between two runs ("runs every").
	Every time.Duration
	// Cron is a five-field cron expression, evaluated in UTC or in the
	// time zone of its CRON_TZ= prefix; see [Cron].
	Cron string
}

// Every returns an interval schedule.
func Every(d time.Duration) Schedule { return Schedule{Every: d} }

// CronSchedule returns a cron schedule. The expression is checked by
// [Schedule.Validate], when the job is configured.
func CronSchedule(expr string) Schedule { return Schedule{Cron: expr} }

// Validate reports an [*InvalidError] unless exactly one of Every and Cron
// is set and the one set is valid.
func (s Schedule) Validate() error {
	_, err := s.compile()
	return err
}

// String describes the schedule: "every 5m0s" or "cron 0 6 * * 1-5".
func (s Schedule) String() string {
	if s.Cron != "" {
		return "cron " + s.Cron
	}
	return "every " + s.Every.String()
}

// compiledSchedule is a validated schedule, ready to compute run times.
type compiledSchedule struct {
	every time.Duration
	cron  Cron
}

func (s Schedule) compile() (compiledSchedule, error) {
	switch {
	case s.Every != 0 && s.Cron != "":
		return compiledSchedule{}, invalid("schedule", "every "+s.Every.String()+", cron "+s.Cron, "set either an interval or a cron expression, not both")
	case s.Cron != "":
		c, err := ParseCron(s.Cron)
		if err != nil {
			return compiledSchedule{}, err
		}
		return compiledSchedule{cron: c}, nil
	case s.Every < 0:
		return compiledSchedule{}, invalid("schedule.every", s.Every.String(), "must be positive")
	case s.Every == 0:
		return compiledSchedule{}, invalid("schedule", "", "set an interval (every) or a cron expression")
	case s.Every < MinEvery:
		return compiledSchedule{}, invalid("schedule.every", s.Every.String(), "must be at least "+MinEvery.String())
	}
	return compiledSchedule{every: s.Every}, nil
}

// First returns the first run time of a job configured at now: one
// interval later for an interval schedule, the next matching instant for a
// cron schedule. It returns the zero time for an invalid schedule.
func (s Schedule) First(now time.Time) time.Time {
	c, err := s.compile()
	if err != nil {
		return time.Time{}
	}
	if c.every != 0 {
		return now.UTC().Add(c.every)
	}
	return c.cron.Next(now)
}

// Next returns the run time that follows a run scheduled at prev, when the
// scheduler asks at now (normally when that run finished).
//
// Missed occurrences are skipped, never run in a burst: after downtime, a
// job that runs every minute runs once, at the next instant of its grid
// after now, not once per minute missed. Next is always after now and
// after prev. It returns the zero time for an invalid schedule.
func (s Schedule) Next(prev, now time.Time) time.Time {
	c, err := s.compile()
	if err != nil {
		return time.Time{}
	}
	prev, now = prev.UTC(), now.UTC()
	if c.every != 0 {
		next := prev.Add(c.every)
		if !next.After(now) {
			// Skip every occurrence that is already due: the next one on
			// the grid strictly after now.
			missed := now.Sub(prev) / c.every
			next = prev.Add((missed + 1) * c.every)
		}
		return next
	}
	if now.Before(prev) {
		now = prev
	}
	return c.cron.Next(now)
}
