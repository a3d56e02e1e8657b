package webhook

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultSchedule is the wait before each attempt of a delivery: the first
// at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, about
// 33 hours in all.
var DefaultSchedule = []time.Duration{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// Defaults of [Policy].
const (
	DefaultJitter        = 0.2
	DefaultThrottleWait  = 60 * time.Second
	DefaultMaxRetryAfter = 24 * time.Hour
	DefaultDisableAfter  = 120 * time.Hour
)

// A Policy decides what follows an attempt: success, a retry and when,
// giving up, or disabling the subscription. Its zero value is the default
// policy; it is a pure value with no clock of its own.
type Policy struct {
	// Schedule[i] is the wait before attempt i+1 (so Schedule[0] is the
	// wait before the first). Its length is the number of attempts. Nil
	// means DefaultSchedule.
	Schedule []time.Duration
	// Retries is how many times a delivery is tried again after its first
	// attempt fails. Zero means len(Schedule)-1 (7 with DefaultSchedule);
	// negative means none. Beyond the schedule, each retry waits the
	// schedule's last wait: Retries 10 with DefaultSchedule tries 11 times,
	// as the practice-management cloud does, the last three 10 h apart.
	Retries int
	// Jitter spreads each wait by up to ± this fraction, so that retries of
	// many deliveries do not arrive together. Zero means DefaultJitter;
	// negative means none.
	Jitter float64
	// ThrottleWait is the least wait after a 429 Too Many Requests or a
	// timeout. Zero means DefaultThrottleWait.
	ThrottleWait time.Duration
	// MaxRetryAfter bounds the wait a Retry-After header can ask for. Zero
	// means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// DisableAfter disables a subscription whose receiver has failed every
	// attempt for this long. Zero means DefaultDisableAfter.
	DisableAfter time.Duration
	// Rand returns a number in [0, 1) for the jitter; nil means math/rand/v2.
	Rand func() float64
}

// A Result is what one attempt got.
type Result struct {
	StatusCode int           // 0 when no response arrived
	Err        error         // transport error, if any
	Timeout    bool          // the attempt ran out of time
	RetryAfter time.Duration // from the Retry-After header; 0 when absent
}

// Verdict is the kind of a [Decision].
type Verdict int

// The verdicts.
const (
	// Delivered: the receiver accepted the delivery.
	Delivered Verdict = iota
	// Retry: try again at Decision.At.
	Retry
	// GiveUp: the retries are exhausted; the delivery failed.
	GiveUp
	// Disable: the subscription must be disabled (410 Gone, or failing for
	// longer than DisableAfter); the delivery failed.
	Disable
)

func (v Verdict) String() string {
	switch v {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case GiveUp:
		return "give up"
	case Disable:
		return "disable"
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// A Decision is what a Policy decided after an attempt.
type Decision struct {
	Verdict Verdict
	At      time.Time // the next attempt, for Retry
	Reason  string    // why the attempt failed, for the log; "" when delivered
}

// Decide returns what follows attempt number attempt (1 for the first) of
// a delivery, which got r at now. strict200 is the subscription's option;
// failingSince is when the subscription's current run of failures began
// (zero if its last attempt succeeded).
func (p Policy) Decide(attempt int, r Result, strict200 bool, failingSince, now time.Time) Decision {
	if r.Err == nil && success(r.StatusCode, strict200) {
		return Decision{Verdict: Delivered}
	}
	reason := failureReason(r, strict200)
	if r.StatusCode == http.StatusGone {
		return Decision{Verdict: Disable, Reason: reason + "; the receiver asked for the subscription to end"}
	}
	if failingSince.IsZero() {
		failingSince = now
	}
	if now.Sub(failingSince) >= p.disableAfter() {
		return Decision{Verdict: Disable, Reason: reason + "; failing since " + failingSince.UTC().Format(time.RFC3339)}
	}
	if attempt >= p.attempts() {
		return Decision{Verdict: GiveUp, Reason: reason + "; no attempts left"}
	}
	wait := p.jitter(p.wait(attempt))
	if r.StatusCode == http.StatusTooManyRequests || r.Timeout {
		wait = max(wait, p.throttleWait())
	}
	if r.RetryAfter > 0 {
		wait = max(wait, min(r.RetryAfter, p.maxRetryAfter()))
	}
	return Decision{Verdict: Retry, At: now.Add(wait), Reason: reason}
}

// FirstWait returns the wait before the first attempt of a new delivery.
func (p Policy) FirstWait() time.Duration { return p.jitter(p.schedule()[0]) }

func success(status int, strict200 bool) bool {
	if strict200 {
		return status == http.StatusOK
	}
	return status >= 200 && status <= 299
}

func failureReason(r Result, strict200 bool) string {
	switch {
	case r.Timeout:
		return "timed out"
	case r.Err != nil:
		return r.Err.Error()
	case r.StatusCode >= 300 && r.StatusCode <= 399:
		return "status " + strconv.Itoa(r.StatusCode) + ": redirects are not followed"
	case strict200 && r.StatusCode >= 200 && r.StatusCode <= 299:
		return "status " + strconv.Itoa(r.StatusCode) + ": the subscription accepts only 200"
	}
	return "status " + strconv.Itoa(r.StatusCode)
}

// attempts is how many attempts a delivery gets in all.
func (p Policy) attempts() int {
	switch {
	case p.Retries < 0:
		return 1
	case p.Retries == 0:
		return len(p.schedule())
	}
	return p.Retries + 1
}

// wait is the wait before attempt i+1: Schedule[i], or the schedule's last
// wait beyond it.
func (p Policy) wait(i int) time.Duration {
	sched := p.schedule()
	return sched[min(i, len(sched)-1)]
}

func (p Policy) schedule() []time.Duration {
	if len(p.Schedule) == 0 {
		return DefaultSchedule
	}
	return p.Schedule
}

func (p Policy) jitter(d time.Duration) time.Duration {
	j := p.Jitter
	if j == 0 {
		j = DefaultJitter
	}
	if j < 0 || d <= 0 {
		return d
	}
	r := rand.Float64
	if p.Rand != nil {
		r = p.Rand
	}
	return time.Duration(float64(d) * (1 + j*(2*r()-1)))
}

func (p Policy) throttleWait() time.Duration {
	if p.ThrottleWait <= 0 {
		return DefaultThrottleWait
	}
	return p.ThrottleWait
}

func (p Policy) maxRetryAfter() time.Duration {
	if p.MaxRetryAfter <= 0 {
		return DefaultMaxRetryAfter
	}
	return p.MaxRetryAfter
}

func (p Policy) disableAfter() time.Duration {
	if p.DisableAfter <= 0 {
		return DefaultDisableAfter
	}
	return p.DisableAfter
}

// ParseRetryAfter reads a Retry-After header value (RFC 9110 section
// 10.2.3): a number of seconds, or an HTTP date, relative to now, at most a
// year. It returns 0 for an absent or unreadable value, or a date in the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	// A year bounds what either form can ask for, before any policy bound.
	const year = 365 * 24 * time.Hour
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(year/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), year)
	}
	return 0
}
