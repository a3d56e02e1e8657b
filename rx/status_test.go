package rx_test

import (
	"errors"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
)

func TestCheckTransition(t *testing.T) {
	all := []rx.Status{rx.Requested, rx.Prescribed, rx.Initiated, rx.Recalled, rx.Declined}
	allowed := map[[2]rx.Status]bool{
		{rx.Requested, rx.Prescribed}: true,
		{rx.Requested, rx.Recalled}:   true,
		{rx.Requested, rx.Declined}:   true,
		{rx.Prescribed, rx.Initiated}: true,
		{rx.Prescribed, rx.Recalled}:  true,
		{rx.Prescribed, rx.Declined}:  true,
		{rx.Initiated, rx.Initiated}:  true,
		{rx.Initiated, rx.Recalled}:   true,
		{rx.Initiated, rx.Declined}:   true,
	}
	for _, from := range all {
		for _, to := range all {
			err := rx.CheckTransition(from, to)
			if want := allowed[[2]rx.Status{from, to}]; want != (err == nil) {
				t.Errorf("%s → %s: err %v, want allowed=%v", from, to, err, want)
			}
			if err != nil && !errors.Is(err, rx.ErrConflict) {
				t.Errorf("%s → %s: %v is not ErrConflict", from, to, err)
			}
		}
	}
	if err := rx.CheckTransition(rx.Recalled, rx.Prescribed); err.Error() != "rx: status RECALLED: cannot become PRESCRIBED" {
		t.Errorf("message: %v", err)
	}
}

func TestUsable(t *testing.T) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		p    rx.Prescription
		want error
	}{
		{"fresh", rx.Prescription{Status: rx.Prescribed}, nil},
		{"second fill of one refill", rx.Prescription{Status: rx.Initiated, Refills: 1, FillsUsed: 1}, nil},
		{"used up", rx.Prescription{Status: rx.Initiated, Refills: 1, FillsUsed: 2}, rx.ErrUsedUp},
		{"no refills, one case", rx.Prescription{Status: rx.Initiated, FillsUsed: 1}, rx.ErrUsedUp},
		{"expires in a second", rx.Prescription{Status: rx.Prescribed, Expiration: now.Add(time.Second)}, nil},
		{"expires now", rx.Prescription{Status: rx.Prescribed, Expiration: now}, rx.ErrExpired},
		{"recalled", rx.Prescription{Status: rx.Recalled}, rx.ErrRecalled},
		{"declined", rx.Prescription{Status: rx.Declined}, rx.ErrDeclined},
		{"renewal not approved", rx.Prescription{Status: rx.Requested}, rx.ErrNotActive},
		{"recalled beats expired", rx.Prescription{Status: rx.Recalled, Expiration: now}, rx.ErrRecalled},
		{"expired beats used up", rx.Prescription{Status: rx.Initiated, FillsUsed: 1, Expiration: now}, rx.ErrExpired},
	}
	for _, tc := range tests {
		err := tc.p.Usable(now)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestRenewable(t *testing.T) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		p    rx.Prescription
		ok   bool
	}{
		{"expired", rx.Prescription{Status: rx.Initiated, Expiration: now.Add(-time.Hour)}, true},
		{"expires in 29 days", rx.Prescription{Status: rx.Prescribed, Expiration: now.Add(29 * 24 * time.Hour)}, true},
		{"expires in 31 days", rx.Prescription{Status: rx.Prescribed, Expiration: now.Add(31 * 24 * time.Hour)}, false},
		{"never expires, fills left", rx.Prescription{Status: rx.Initiated, Refills: 2, FillsUsed: 2}, false},
		{"used up", rx.Prescription{Status: rx.Initiated, Refills: 2, FillsUsed: 3}, true},
		{"recalled", rx.Prescription{Status: rx.Recalled, FillsUsed: 1}, false},
		{"a renewal request", rx.Prescription{Status: rx.Requested, FillsUsed: 1}, false},
	}
	for _, tc := range tests {
		if err := tc.p.Renewable(now); (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
