package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// IdempotencyKeyHeader names the header that makes a POST safe to retry
// in this client's eyes: RetryTransport retries a POST only when it
// carries one. The vetlink server honours it on the two enroll operations
// (enrollCase, deprecatedEnrollCase): the same key from the same user on
// the same farm answers the case the first request made, and enrolls
// nothing again. An API sends a fresh key (NewIdempotencyKey) on every
// enrollment whose params give none, kept across its retries. On other
// POSTs the server ignores the header, so a retried POST whose first
// attempt reached the server may be carried out twice: set it there only
// where that is harmless.
const IdempotencyKeyHeader = "Idempotency-Key"

// RetryPolicy says when and how long RetryTransport waits before sending
// a request again.
type RetryPolicy struct {
	// MaxRetries is how many times a request is sent again at most.
	MaxRetries int
	// MinWait and MaxWait bound the backoff: the n-th retry waits a
	// random time in [0, min(MaxWait, MinWait·2ⁿ)] ("full jitter"), or
	// what Retry-After says when that is longer.
	MinWait, MaxWait time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a longer one
	// ends the retries and the answer is returned.
	MaxRetryAfter time.Duration
	// AttemptTimeout, when positive, bounds each attempt, the reading of
	// its body included: a server that stalls mid-answer is asked again.
	AttemptTimeout time.Duration
	// Budget, when set, limits the retries of every request sharing it,
	// so a dead server is not hammered; nil means no limit but
	// MaxRetries.
	Budget *RetryBudget
}

// DefaultRetryPolicy is the policy of an API built without WithRetry:
// 3 retries waiting from 100 ms up to 5 s, Retry-After honoured up to a
// minute, and a budget of its own (NewRetryBudget(10, 0.1)).
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:    3,
		MinWait:       100 * time.Millisecond,
		MaxWait:       5 * time.Second,
		MaxRetryAfter: time.Minute,
		Budget:        NewRetryBudget(10, 0.1),
	}
}

// RetryBudget is a token bucket shared by requests: each retry takes a
// token, each answer that needs no retry puts back a fraction of one. A
// server failing every request soon gets each request once, with no
// retries, until it answers again (as gRPC's retry throttling).
type RetryBudget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
	refund float64
}

// NewRetryBudget returns a full budget of max retries that regains
// refund retries per successful answer.
func NewRetryBudget(max, refund float64) *RetryBudget {
	return &RetryBudget{tokens: max, max: max, refund: refund}
}

// take spends one retry; false when the budget is spent.
func (b *RetryBudget) take() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (b *RetryBudget) succeed() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.tokens = min(b.max, b.tokens+b.refund)
	b.mu.Unlock()
}

// RetryTransport sends a request again after a network error, a 429 or
// a 5xx answer (but 501, which will not change), waiting with jittered
// exponential backoff or what Retry-After says, until the policy's
// retries or budget are spent or the request's context is done.
//
// GET, HEAD, OPTIONS, PUT and DELETE are retried; a POST or PATCH only
// when it carries an Idempotency-Key header (see IdempotencyKeyHeader:
// the vetlink server honours it on enrollments only). A request whose body
// cannot be sent again (no GetBody) is never retried. The body of every
// retried method's answer is read before RoundTrip returns, so an answer
// cut off mid-body is retried too.
type RetryTransport struct {
	// Next sends each attempt; nil means http.DefaultTransport.
	Next   http.RoundTripper
	Policy RetryPolicy
	// Logger, when set, hears of each retry at debug level.
	Logger *slog.Logger
	// sleep waits d or until ctx is done; nil means a timer.
	sleep func(ctx context.Context, d time.Duration) error
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	if !retriable(req) {
		return next.RoundTrip(req)
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		resp, err := t.attempt(next, req, attempt)
		wait, again := t.verdict(resp, err)
		if !again {
			if err == nil {
				t.Policy.Budget.succeed()
			}
			return resp, err
		}
		if attempt >= t.Policy.MaxRetries || ctx.Err() != nil || !t.Policy.Budget.take() {
			return resp, err
		}
		backoff := t.backoff(attempt)
		wait = max(wait, backoff)
		if t.Logger != nil {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Logger.DebugContext(ctx, "vetlink client: retrying", "method", req.Method, "path", req.URL.Path,
				"attempt", attempt+1, "status", status, "err", err, "wait", wait)
		}
		if resp != nil {
			resp.Body.Close()
		}
		if serr := t.wait(ctx, wait); serr != nil {
			if err == nil {
				err = serr
			}
			return nil, err
		}
	}
}

// attempt sends req once, with a fresh body and the attempt timeout, and
// reads the answer's body.
func (t *RetryTransport) attempt(next http.RoundTripper, req *http.Request, n int) (*http.Response, error) {
	r := req
	ctx := req.Context()
	cancel := context.CancelFunc(func() {})
	if t.Policy.AttemptTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.Policy.AttemptTimeout)
	}
	defer cancel()
	r = req.Clone(ctx)
	if n > 0 && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = b
	}
	resp, err := next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.Request = req
	return resp, nil
}

// verdict says whether an attempt's outcome is worth another, and the
// least wait the server asked for.
func (t *RetryTransport) verdict(resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		return 0, !errors.Is(err, context.Canceled)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
	default:
		return 0, false
	}
	wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
	if ok && t.Policy.MaxRetryAfter > 0 && wait > t.Policy.MaxRetryAfter {
		return 0, false
	}
	return wait, true
}

// backoff is a random wait in [0, min(MaxWait, MinWait·2ⁿ)].
func (t *RetryTransport) backoff(n int) time.Duration {
	ceiling := t.Policy.MinWait << min(n, 30)
	if t.Policy.MaxWait > 0 && (ceiling > t.Policy.MaxWait || ceiling <= 0) {
		ceiling = t.Policy.MaxWait
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

func (t *RetryTransport) wait(ctx context.Context, d time.Duration) error {
	if t.sleep != nil {
		return t.sleep(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retriable says whether req may be sent more than once.
func retriable(req *http.Request) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get(IdempotencyKeyHeader) != ""
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}
