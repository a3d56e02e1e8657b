package webhook

import (
	"testing"
	"time"
)

func TestInflightCap(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	const slow = time.Second
	type step struct {
		ok      bool
		latency time.Duration
		at      time.Duration // after t0
		want    int           // limit after the step
	}
	tests := []struct {
		name    string
		ceiling int
		steps   []step
	}{
		{"slow start grows by one per success", 64, []step{
			{true, 10 * time.Millisecond, 0, 5}, {true, 10 * time.Millisecond, 0, 6}, {true, 10 * time.Millisecond, 0, 7}}},
		{"never above the ceiling", 6, []step{
			{true, time.Millisecond, 0, 5}, {true, time.Millisecond, 0, 6}, {true, time.Millisecond, 0, 6}}},
		{"starts at the ceiling when it is lower", 2, []step{{true, time.Millisecond, 0, 2}}},
		{"a failure halves", 64, []step{{false, 10 * time.Millisecond, 0, 2}}},
		{"a slow success halves", 64, []step{{true, 2 * time.Second, 0, 2}}},
		{"one cut per round trip", 64, []step{
			{false, 100 * time.Millisecond, 0, 2}, {false, 100 * time.Millisecond, 50 * time.Millisecond, 2},
			{false, 100 * time.Millisecond, 200 * time.Millisecond, 1}}},
		{"never below one", 64, []step{
			{false, time.Millisecond, 0, 2}, {false, time.Millisecond, time.Second, 1}, {false, time.Millisecond, 2 * time.Second, 1}}},
		// At 2, a round trip is about 2 successes: 2 + 1/2 + 1/2.5 = 2.9,
		// then 3.24.
		{"after a cut, one more per round trip", 64, []step{
			{false, time.Millisecond, 0, 2}, {true, time.Millisecond, 0, 2}, {true, time.Millisecond, 0, 2},
			{true, time.Millisecond, 0, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newInflightCap(tt.ceiling)
			for i, s := range tt.steps {
				c.observe(s.ok, s.latency, slow, t0.Add(s.at))
				if got := c.limit(); got != s.want {
					t.Fatalf("step %d: limit %d, want %d", i, got, s.want)
				}
			}
		})
	}
}

func TestTokenBucket(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rate float64
		at   []time.Duration // reservation times after t0
		want []time.Duration // when each may go, after t0
	}{
		{"a burst of the rate goes at once, then one per 1/rate", 2,
			[]time.Duration{0, 0, 0, 0}, []time.Duration{0, 0, 500 * time.Millisecond, time.Second}},
		{"the bucket refills", 2,
			[]time.Duration{0, 0, time.Second, time.Second}, []time.Duration{0, 0, time.Second, time.Second}},
		{"a fractional rate bursts one", 0.5,
			[]time.Duration{0, 0}, []time.Duration{0, 2 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTokenBucket(tt.rate, t0)
			for i, at := range tt.at {
				if got := b.reserve(t0.Add(at)).Sub(t0); got != tt.want[i] {
					t.Fatalf("reservation %d at %s: goes at %s, want %s", i, at, got, tt.want[i])
				}
			}
		})
	}
}
