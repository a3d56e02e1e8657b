package mllp

import (
	"math/rand/v2"
	"time"
)

// Default reconnection delays of a Client.
const (
	DefaultBackoffMin = 100 * time.Millisecond
	DefaultBackoffMax = 30 * time.Second
)

// backoff returns how long to wait before retry number n (1 for the first
// retry): a delay drawn uniformly from [d/2, d], where d doubles from lo with
// each retry up to hi. The random half spreads out the clients of a receiver
// that restarts, so they do not all reconnect in the same instant.
func backoff(n int, lo, hi time.Duration) time.Duration {
	if lo <= 0 {
		lo = DefaultBackoffMin
	}
	if hi < lo {
		hi = max(lo, DefaultBackoffMax)
	}
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + rand.N(d/2+1)
}
