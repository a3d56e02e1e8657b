package protocol

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v
}

func hrsPtr(n int64) *Number { v := Int(n); return &v }

// flunixinDoses are the doses of the example: flunixin IV q24h × 3
// from 2024-03-01T06:00Z with meat 96 h and milk 36 h.
func flunixinDoses(t testing.TB) []Administration {
	rule, err := HoursRule(hrsPtr(96), hrsPtr(36))
	require.NoError(t, err)
	return []Administration{
		{Ref: "d1", Product: "flunixin", At: mustTime(t, "2024-03-01T06:00:00Z"), Rule: rule},
		{Ref: "d2", Product: "flunixin", At: mustTime(t, "2024-03-02T06:00:00Z"), Rule: rule},
		{Ref: "d3", Product: "flunixin", At: mustTime(t, "2024-03-03T06:00:00Z"), Rule: rule},
	}
}

func TestWithdrawalFlunixinExample(t *testing.T) {
	w, err := Withdrawal(flunixinDoses(t), nil, WithholdOptions{})
	require.NoError(t, err)
	require.Equal(t, mustTime(t, "2024-03-04T18:00:00Z"), w.Milk.Until)
	require.Equal(t, mustTime(t, "2024-03-07T06:00:00Z"), w.Meat.Until)
	require.Equal(t, "d3", w.Meat.Ref)
	require.Equal(t, 2, w.Milk.Cause)
	require.False(t, w.Meat.Open)
}

func TestWithdrawalAcrossProducts(t *testing.T) {
	flx, err := HoursRule(hrsPtr(96), hrsPtr(36))
	require.NoError(t, err)
	// Penicillin G procaine (21 CFR 522.1696a(d)(2)): meat 10 days, milk 48 h.
	pen, err := HoursRule(hrsPtr(240), hrsPtr(48))
	require.NoError(t, err)
	zero, err := HoursRule(hrsPtr(0), hrsPtr(0))
	require.NoError(t, err)
	admins := []Administration{
		{Ref: "pen1", Product: "penicillin", At: mustTime(t, "2024-03-01T06:00:00Z"), Rule: pen},
		{Ref: "flx2", Product: "flunixin", At: mustTime(t, "2024-03-05T06:00:00Z"), Rule: flx},
		{Ref: "flx1", Product: "flunixin", At: mustTime(t, "2024-03-04T06:00:00Z"), Rule: flx},
		{Ref: "zero", Product: "calcium", At: mustTime(t, "2024-03-06T00:00:00Z"), Rule: zero},
	}
	w, err := Withdrawal(admins, nil, WithholdOptions{})
	require.NoError(t, err)
	// Meat: penicillin 03-01 06:00 + 240 h = 03-11 06:00 beats flunixin 03-09 06:00.
	require.Equal(t, mustTime(t, "2024-03-11T06:00:00Z"), w.Meat.Until)
	require.Equal(t, "pen1", w.Meat.Ref)
	// Milk: flunixin 03-05 06:00 + 36 h = 03-06 18:00 beats penicillin 03-03 06:00.
	require.Equal(t, mustTime(t, "2024-03-06T18:00:00Z"), w.Milk.Until)
	require.Equal(t, "flx2", w.Milk.Ref)
	require.Equal(t, 1, w.Milk.Cause)

	// Zero withdrawal alone releases at the dose itself.
	w, err = Withdrawal(admins[3:], nil, WithholdOptions{})
	require.NoError(t, err)
	require.Equal(t, mustTime(t, "2024-03-06T00:00:00Z"), w.Meat.Until)
	require.True(t, w.Meat.Set)
}

func TestWithdrawalRejectsAbsurdHours(t *testing.T) {
	for _, h := range []int64{-85044115, -1, 87601, 85044115} {
		_, err := HoursRule(hrsPtr(h), nil)
		require.ErrorIs(t, err, ErrInvalid, "hours %d", h)
	}
	_, err := HoursRule(hrsPtr(87600), hrsPtr(0))
	require.NoError(t, err)
	_, err = HoursRule(nil, hrsPtr(-85044115))
	require.EqualError(t, err, "protocol: wtMilkHrs -85044115: must be between 0 and 87600")
}

func TestWithdrawalEventRelative(t *testing.T) {
	// A dry-cow product: meat not within 60 days of treatment nor within 24
	// hours after calving; milk 96 hours after calving.
	rule := WithdrawalRule{
		Meat: []Term{{Period: 60 * 24 * time.Hour}, {Event: Calving, Period: 24 * time.Hour}},
		Milk: []Term{{Event: Calving, Period: 96 * time.Hour}},
	}
	admins := []Administration{{Ref: "dry-off", Product: "dry cow", At: mustTime(t, "2024-01-10T08:00:00Z"), Rule: rule}}

	w, err := Withdrawal(admins, nil, WithholdOptions{})
	require.NoError(t, err)
	require.True(t, w.Meat.Open)
	require.Equal(t, Calving, w.Meat.WaitingFor)
	require.True(t, w.Milk.Open)
	require.True(t, w.Milk.Until.IsZero())

	// A calving before the treatment belongs to the previous lactation.
	old := []Event{{Kind: Calving, At: mustTime(t, "2023-03-01T00:00:00Z")}}
	w, err = Withdrawal(admins, old, WithholdOptions{})
	require.NoError(t, err)
	require.True(t, w.Milk.Open)

	// Calving 50 days after dry-off: meat still held by the 60-day term.
	calved := []Event{{Kind: Calving, At: mustTime(t, "2024-02-29T04:00:00Z")}}
	w, err = Withdrawal(admins, calved, WithholdOptions{})
	require.NoError(t, err)
	require.False(t, w.Meat.Open)
	require.Equal(t, mustTime(t, "2024-03-10T08:00:00Z"), w.Meat.Until)
	require.Equal(t, mustTime(t, "2024-03-04T04:00:00Z"), w.Milk.Until)
	require.Equal(t, Calving, w.Milk.Term.Event)

	// Calving 70 days after: the 24-hour post-calving term decides.
	late := []Event{{Kind: Calving, At: mustTime(t, "2024-03-20T10:00:00Z")}}
	w, err = Withdrawal(admins, late, WithholdOptions{})
	require.NoError(t, err)
	require.Equal(t, mustTime(t, "2024-03-21T10:00:00Z"), w.Meat.Until)
	require.Equal(t, Calving, w.Meat.Term.Event)
}

func TestWithdrawalMilkings(t *testing.T) {
	opt := WithholdOptions{Milkings: []Clock{{5, 0}, {17, 0}}}
	w, err := Withdrawal(flunixinDoses(t), nil, opt)
	require.NoError(t, err)
	// Milk ends 03-04 18:00; the next milking is 03-05 05:00.
	require.Equal(t, mustTime(t, "2024-03-05T05:00:00Z"), w.Milk.Until)
	// Discarded: 03-01 17:00, then 05:00 and 17:00 on 03-02, 03-03, 03-04.
	require.Equal(t, 7, w.Milk.DiscardedMilkings)
	// Meat is not moved by milkings.
	require.Equal(t, mustTime(t, "2024-03-07T06:00:00Z"), w.Meat.Until)

	// A milking exactly at the end is the release milking.
	opt3 := WithholdOptions{Milkings: []Clock{{2, 0}, {10, 0}, {18, 0}}}
	w, err = Withdrawal(flunixinDoses(t), nil, opt3)
	require.NoError(t, err)
	require.Equal(t, mustTime(t, "2024-03-04T18:00:00Z"), w.Milk.Until)
	// 03-01 10:00, 18:00; 3 on each of 03-02, 03-03; 03-04 02:00, 10:00.
	require.Equal(t, 10, w.Milk.DiscardedMilkings)
}

func TestWithdrawalLocalDays(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	rule48, err := HoursRule(hrsPtr(48), nil)
	require.NoError(t, err)
	rule36, err := HoursRule(hrsPtr(36), nil)
	require.NoError(t, err)
	rule0, err := HoursRule(hrsPtr(0), nil)
	require.NoError(t, err)
	tests := []struct {
		name string
		at   string
		rule WithdrawalRule
		want string
	}{
		// Spring forward (2024-03-10 02:00 EST → 03:00 EDT). 48 elapsed
		// hours from local midnight end at 01:00 EDT; two calendar days end
		// at midnight EDT; the later (elapsed) is kept.
		{"spring forward keeps elapsed", "2024-03-09T05:00:00Z", rule48, "2024-03-11T05:00:00Z"},
		// Fall back (2024-11-03 02:00 EDT → 01:00 EST). 48 elapsed hours
		// from midnight EDT end at 23:00 EST; the calendar end is midnight
		// EST, an hour later.
		{"fall back keeps calendar", "2024-11-02T04:00:00Z", rule48, "2024-11-04T05:00:00Z"},
		// 36 h is two local days, rounded up to the next midnight:
		// 2024-06-01 10:00 EDT + 2 days = 06-03 10:00, up to 06-04 00:00 EDT.
		{"rounds up to local midnight", "2024-06-01T14:00:00Z", rule36, "2024-06-04T04:00:00Z"},
		{"zero stays zero", "2024-06-01T14:00:00Z", rule0, "2024-06-01T14:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admins := []Administration{{Product: "x", At: mustTime(t, tt.at), Rule: tt.rule}}
			w, err := Withdrawal(admins, nil, WithholdOptions{Location: ny, LocalDays: true})
			require.NoError(t, err)
			require.Equal(t, mustTime(t, tt.want), w.Meat.Until)
		})
	}
}

func TestWithdrawalErrors(t *testing.T) {
	ok, err := HoursRule(hrsPtr(96), nil)
	require.NoError(t, err)
	tests := []struct {
		name   string
		admins []Administration
		opt    WithholdOptions
		want   string
	}{
		{"missing time", []Administration{{Product: "x", Rule: ok}}, WithholdOptions{},
			"protocol: administrations[0].at: is required"},
		{"negative term", []Administration{{Product: "x", At: mustTime(t, "2024-01-01T00:00:00Z"), Rule: WithdrawalRule{Milk: []Term{{Period: -time.Hour}}}}}, WithholdOptions{},
			"protocol: administrations[0].rule.milk[0].period -1h: must be between 0 and 87600h"},
		{"bad milking", nil, WithholdOptions{Milkings: []Clock{{Hour: 24}}},
			"protocol: options.milkings[0] 24:00: must be a time of day"},
	}
	for _, tt := range tests {
		_, err := Withdrawal(tt.admins, nil, tt.opt)
		require.EqualError(t, err, tt.want, tt.name)
		require.ErrorIs(t, err, ErrInvalid)
	}
	// No administrations: nothing is held.
	w, err := Withdrawal(nil, nil, WithholdOptions{})
	require.NoError(t, err)
	require.False(t, w.Meat.Set)
	require.False(t, w.Milk.Set)
}

func TestWithholdPolicies(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	hours := func(n int64) WithdrawalRule {
		r, err := HoursRule(hrsPtr(n), nil)
		require.NoError(t, err)
		return r
	}
	tests := []struct {
		name   string
		policy WithholdPolicy
		at     string
		rule   WithdrawalRule
		want   string
	}{
		{"default is elapsed", "", "2024-03-09T14:00:00Z", hours(48), "2024-03-11T14:00:00Z"},
		{"elapsed spring", ElapsedHours, "2024-03-09T14:00:00Z", hours(48), "2024-03-11T14:00:00Z"},
		{"elapsed fall", ElapsedHours, "2024-11-02T13:00:00Z", hours(48), "2024-11-04T13:00:00Z"},
		{"calendar spring is 47 h", CalendarDays, "2024-03-09T14:00:00Z", hours(48), "2024-03-11T13:00:00Z"},
		{"calendar fall is 49 h", CalendarDays, "2024-11-02T13:00:00Z", hours(48), "2024-11-04T14:00:00Z"},
		{"calendar rounds 36 h up to 2 days", CalendarDays, "2024-06-01T15:00:00Z", hours(36), "2024-06-03T15:00:00Z"},
		// 01:30 CDT on 2 Nov; 01:30 on 3 Nov happens at 06:30Z (CDT) and
		// 07:30Z (CST): the later is kept.
		{"calendar repeated hour takes the later", CalendarDays, "2024-11-02T06:30:00Z", hours(24), "2024-11-03T07:30:00Z"},
		// 02:30 CST on 9 Mar; 02:30 on 10 Mar does not exist: read with
		// the CST offset it is 08:30Z, 03:30 CDT.
		{"calendar skipped hour", CalendarDays, "2024-03-09T08:30:00Z", hours(24), "2024-03-10T08:30:00Z"},
		{"later spring keeps hours", LaterOfHoursAndDays, "2024-03-09T14:00:00Z", hours(48), "2024-03-11T14:00:00Z"},
		{"later fall keeps days", LaterOfHoursAndDays, "2024-11-02T13:00:00Z", hours(48), "2024-11-04T14:00:00Z"},
		{"midnight spring", LocalMidnight, "2024-03-09T14:00:00Z", hours(48), "2024-03-12T05:00:00Z"},
		{"midnight fall", LocalMidnight, "2024-11-02T13:00:00Z", hours(48), "2024-11-05T06:00:00Z"},
		{"zero stays zero", CalendarDays, "2024-06-01T15:00:00Z", hours(0), "2024-06-01T15:00:00Z"},
		{"zero stays zero at midnight", LocalMidnight, "2024-06-01T15:00:00Z", hours(0), "2024-06-01T15:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			admins := []Administration{{Product: "x", At: mustTime(t, tt.at), Rule: tt.rule}}
			w, err := Withdrawal(admins, nil, WithholdOptions{Location: chicago, Policy: tt.policy})
			require.NoError(t, err)
			require.Equal(t, mustTime(t, tt.want), w.Meat.Until)
		})
	}
	// LocalDays is LocalMidnight.
	admins := []Administration{{Product: "x", At: mustTime(t, "2024-03-09T14:00:00Z"), Rule: hours(48)}}
	w, err := Withdrawal(admins, nil, WithholdOptions{Location: chicago, LocalDays: true})
	require.NoError(t, err)
	require.Equal(t, mustTime(t, "2024-03-12T05:00:00Z"), w.Meat.Until)
	_, err = Withdrawal(admins, nil, WithholdOptions{Location: chicago, LocalDays: true, Policy: LocalMidnight})
	require.NoError(t, err)
	_, err = Withdrawal(admins, nil, WithholdOptions{LocalDays: true, Policy: CalendarDays})
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, `protocol: options.localDays true: is the local-midnight policy and contradicts policy "calendar-days"`)
	_, err = Withdrawal(admins, nil, WithholdOptions{Policy: "round-to-noon"})
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, `protocol: options.policy "round-to-noon": must be one of elapsed-hours, calendar-days, later-of-hours-and-days, local-midnight`)

	for _, p := range WithholdPolicies() {
		got, err := ParseWithholdPolicy(strings.ToUpper(string(p)))
		require.NoError(t, err)
		require.Equal(t, p, got)
	}
	got, err := ParseWithholdPolicy("")
	require.NoError(t, err)
	require.Equal(t, ElapsedHours, got)
	_, err = ParseWithholdPolicy("days")
	require.ErrorIs(t, err, ErrInvalid)
}
