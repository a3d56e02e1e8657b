package rx_test

import (
	"errors"
	"testing"

	"github.com/vetlink/vetlink/rx"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  *rx.Error
		want string
	}{
		{&rx.Error{Op: "enroll", Input: "prescription Vi1y9kbpEj7Upqy7", Rule: "expired at 2026-01-01T00:00:00Z", Err: rx.ErrExpired},
			"rx: enroll: prescription Vi1y9kbpEj7Upqy7: expired at 2026-01-01T00:00:00Z"},
		{&rx.Error{Op: "execute", Input: "task 7", Err: rx.ErrConflict}, "rx: execute: task 7: conflict"},
		{&rx.Error{Input: "animalId", Rule: "is required", Err: rx.ErrInvalid}, "rx: animalId: is required"},
		{&rx.Error{Op: "recall", Err: rx.ErrForbidden}, "rx: recall: forbidden"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.err, tc.err.Err) {
			t.Errorf("%q does not unwrap to its sentinel", tc.want)
		}
	}
}

func TestCheckRelation(t *testing.T) {
	types := []rx.UserType{rx.SAOR, rx.VOR, rx.MOR, rx.TOR, rx.FARM, rx.CLINIC}
	allowed := map[[3]string]bool{
		{"CLIENT", "VOR", "MOR"}:    true,
		{"EMPLOYEE", "MOR", "TOR"}:  true,
		{"MEMBER", "CLINIC", "VOR"}: true,
		{"MEMBER", "FARM", "MOR"}:   true,
	}
	for _, k := range []rx.RelationKind{rx.Client, rx.Employee, rx.Member} {
		for _, l := range types {
			for _, r := range types {
				err := rx.CheckRelation(k, l, r)
				if want := allowed[[3]string{string(k), string(l), string(r)}]; want != (err == nil) {
					t.Errorf("%s %s→%s: %v, want allowed=%v", k, l, r, err, want)
				}
			}
		}
	}
}

func TestUserValidate(t *testing.T) {
	ok := rx.User{Uname: "exampleUser", Type: rx.VOR, Firstname: "Ex", Lastname: "User"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	short := ok
	short.Uname = "shorty"
	bad := ok
	bad.Type = "VET"
	for _, u := range []rx.User{short, bad} {
		if err := u.Validate(); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", u, err)
		}
	}
	if n := (rx.User{Firstname: "Hannah", Lastname: "Herd", Suffix: "DVM"}).Name(); n != "Hannah Herd, DVM" {
		t.Errorf("Name() = %q", n)
	}
}
