package webhook

import (
	"math"
	"time"
)

// tokenBucket limits one subscription's deliveries to rate a second, with
// bursts of up to burst: a delivery takes a token, and the bucket refills
// at rate. A delivery finding it empty is scheduled for when its token
// will be there, so the dispatcher never sends faster than the receiver
// asked, and never drops anything for it.
type tokenBucket struct {
	rate   float64 // tokens a second; > 0
	burst  float64
	tokens float64 // may be negative: tokens promised to scheduled deliveries
	last   time.Time
}

func newTokenBucket(rate float64, now time.Time) *tokenBucket {
	burst := max(1, math.Ceil(rate))
	return &tokenBucket{rate: rate, burst: burst, tokens: burst, last: now}
}

// setRate applies a rate an update of the subscription changed.
func (b *tokenBucket) setRate(rate float64) {
	b.rate = rate
	b.burst = max(1, math.Ceil(rate))
	b.tokens = min(b.tokens, b.burst)
}

func (b *tokenBucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// reserve takes a token and returns when the delivery may be sent: now,
// or later when the bucket is empty.
func (b *tokenBucket) reserve(now time.Time) time.Time {
	b.refill(now)
	b.tokens--
	if b.tokens >= 0 {
		return now
	}
	return now.Add(time.Duration(-b.tokens / b.rate * float64(time.Second)))
}

// available is how many deliveries could be sent at now without waiting.
func (b *tokenBucket) available(now time.Time) int {
	b.refill(now)
	return max(0, int(b.tokens))
}
