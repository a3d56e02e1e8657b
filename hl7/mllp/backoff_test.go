package mllp

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		n        int
		min, max time.Duration
		lo, hi   time.Duration // the delay must fall in [lo, hi]
	}{
		{n: 1, min: 100 * ms, max: time.Second, lo: 50 * ms, hi: 100 * ms},
		{n: 2, min: 100 * ms, max: time.Second, lo: 100 * ms, hi: 200 * ms},
		{n: 4, min: 100 * ms, max: time.Second, lo: 400 * ms, hi: 800 * ms},
		{n: 5, min: 100 * ms, max: time.Second, lo: 500 * ms, hi: time.Second},
		{n: 60, min: 100 * ms, max: time.Second, lo: 500 * ms, hi: time.Second},
		{n: 1, min: 0, max: 0, lo: 50 * ms, hi: 100 * ms},                   // defaults
		{n: 30, min: 0, max: 0, lo: 15 * time.Second, hi: 30 * time.Second}, // default cap
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := backoff(tt.n, tt.min, tt.max)
			if d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d, %v, %v) = %v, want within [%v, %v]", tt.n, tt.min, tt.max, d, tt.lo, tt.hi)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("backoff(%d, %v, %v): %d distinct delays in 200 draws, want jitter", tt.n, tt.min, tt.max, len(seen))
		}
	}
}
