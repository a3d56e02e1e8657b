package webhook

import "time"

// initialInFlight is where a subscription's adaptive in-flight cap starts,
// before the dispatcher has seen how its receiver answers.
const initialInFlight = 4

// inflightCap is one subscription's adaptive in-flight cap, grown and
// shrunk as TCP's congestion window is (AIMD): while attempts succeed
// faster than the slow threshold it grows, by one per success at first
// (slow start: it doubles every round trip), then by one per round trip;
// a failed or slow attempt halves it, at most once per round trip, so that
// the answers of one overloaded round cut it once. It never leaves
// [1, ceiling].
//
// A fast receiver thus gets many deliveries in flight within a second,
// and a slow or failing one soon holds one or two workers only, leaving
// the rest to the other subscriptions.
type inflightCap struct {
	cap       float64
	ceiling   int
	growing   bool      // still in slow start: no cut yet
	fast      bool      // the last attempt succeeded within a quarter of the slow threshold
	lastCut   time.Time // when the cap was last halved
	lastRound time.Duration
}

func newInflightCap(ceiling int) *inflightCap {
	return &inflightCap{cap: float64(min(initialInFlight, ceiling)), ceiling: ceiling, growing: true}
}

// limit is the cap as a number of deliveries.
func (c *inflightCap) limit() int { return max(1, int(c.cap)) }

// setCeiling applies a subscription's ceiling, which an update may change.
func (c *inflightCap) setCeiling(ceiling int) {
	c.ceiling = ceiling
	c.cap = min(c.cap, float64(ceiling))
}

// observe adjusts the cap to an attempt that ended at now after latency:
// ok when the receiver accepted it.
func (c *inflightCap) observe(ok bool, latency, slow time.Duration, now time.Time) {
	c.fast = ok && latency <= slow/4
	if ok && latency <= slow {
		if c.growing {
			c.cap++
		} else {
			c.cap += 1 / c.cap
		}
		c.cap = min(c.cap, float64(c.ceiling))
		return
	}
	c.growing = false
	// One cut per round trip: the attempts in flight when the first slow
	// answer came were sent under the old cap and say nothing new.
	if !c.lastCut.IsZero() && now.Sub(c.lastCut) < max(latency, c.lastRound) {
		return
	}
	c.lastCut, c.lastRound = now, latency
	c.cap = max(1, c.cap/2)
}
