package rx_test

import (
	"errors"
	"testing"

	"github.com/vetlink/vetlink/rx"
)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		id := rx.NewID()
		if err := rx.CheckID(id); err != nil {
			t.Fatalf("NewID() = %q: %v", id, err)
		}
		if seen[id] {
			t.Fatalf("NewID repeated %q", id)
		}
		seen[id] = true
		for _, c := range id {
			counts[c]++
		}
	}
	// 32,000 characters over 62 symbols: about 516 each. A biased
	// generator (byte % 62 without rejection) would give the first eight
	// symbols a third more.
	for c, n := range counts {
		if n < 380 || n > 660 {
			t.Errorf("character %q appeared %d times, want about 516", c, n)
		}
	}
	if len(counts) != 62 {
		t.Errorf("%d distinct characters, want 62", len(counts))
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"Vi1y9kbpEj7Upqy7", true},
		{"LhSWzi5HQ0JmZgR9", true},
		{"Vi1y9kbpEj7Upqy", false},
		{"Vi1y9kbpEj7Upqy77", false},
		{"Vi1y9kbp-j7Upqy7", false},
		{"../../etc/passwd", false},
		{"", false},
		{"Vi1y9kbpEj7Upqyé", false},
	}
	for _, tc := range tests {
		err := rx.CheckID(tc.id)
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("CheckID(%q) = %v, want ok=%v", tc.id, err, tc.ok)
		}
	}
}
