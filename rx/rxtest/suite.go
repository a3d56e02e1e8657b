package rxtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// TestStore runs the conformance suite against the stores newStore
// returns. Each subtest calls newStore once; the stores may share one
// database, as the subtests' user names differ.
//
// The suite drives the store through rx.Service, so it checks what rx
// relies on: atomic enrollment, conditional task updates, locked reads
// that serialise concurrent enrollments and executions, and the queries.
func TestStore(t *testing.T, newStore func(t *testing.T) rx.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *Fixture)
	}{
		{"Users", testUsers},
		{"PrescriptionSnapshot", testSnapshot},
		{"Enroll", testEnroll},
		{"LateDoseMovesWithhold", testLateDose},
		{"CalvingResolvesOpenWithhold", testCalving},
		{"SkipAndDoubleExecute", testSkip},
		{"Refills", testRefills},
		{"ExpiryAndRenewal", testRenewal},
		{"Recall", testRecall},
		{"Decline", testDecline},
		{"BadInputChangesNothing", testBadInput},
		{"ProhibitedUse", testProhibitedUse},
		{"GroupMembers", testGroupMembers},
		{"FarmQueries", testFarmQueries},
		{"Records", testRecords},
		{"ConcurrentEnrollments", testConcurrentEnroll},
		{"ConcurrentExecutions", testConcurrentExecute},
		{"IdempotentEnrollment", testIdempotentEnroll},
		{"OpenCaseRefusedUnlessNewCourse", testOpenCase},
		{"GroupCaseListsItsAnimals", testGroupListsAnimals},
		{"GroupEligibilityPerMember", testGroupEligibility},
		{"DoseBeforeEarlierDoseRefused", testDoseOrder},
		{"HerdClearance", testHerdClearance},
		{"UnidentifiedProductNeedsConfirmation", testUnidentified},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFixture(t, newStore(t), fmt.Sprintf("s%02d", i))
			tc.fn(t, f)
		})
	}
}

var ctx = context.Background()

func testUsers(t *testing.T, f *Fixture) {
	s := f.Service
	// Duplicate uname is a conflict and creates nothing.
	_, err := s.AddUser(ctx, f.Vet, rx.User{Uname: f.Farm.User.Uname, Type: rx.MOR, Firstname: "Dup", Lastname: "Dup"}, rx.Client)
	require.ErrorIs(t, err, rx.ErrConflict)
	// The relations the fixture made.
	require.True(t, f.Farm.Has(rx.Client, f.Vet.ID(), f.Farm.ID()))
	require.True(t, f.Tech.Has(rx.Employee, f.Farm.ID(), f.Tech.ID()))
	require.Len(t, f.Other.Relations, 0)
	// A VOR reads its client but not another's; the TOR reads itself.
	_, err = s.User(ctx, f.Vet, f.Farm.ID())
	require.NoError(t, err)
	_, err = s.User(ctx, f.Other, f.Farm.ID())
	require.ErrorIs(t, err, rx.ErrForbidden)
	_, err = s.User(ctx, f.Vet, 999999)
	require.ErrorIs(t, err, rx.ErrNotFound)

	// Sandbox client: a CLIENT MOR of the VOR, deletable only by it.
	sb, err := s.CreateSandboxClient(ctx, f.Other, "sandbox-"+f.Other.User.Uname)
	require.NoError(t, err)
	require.Equal(t, rx.MOR, sb.Type)
	require.Equal(t, f.Other.ID(), sb.SandboxOf)
	other, err := s.Actor(ctx, f.Other.ID())
	require.NoError(t, err)
	p, err := s.Prescribe(ctx, other, rx.PrescriptionRequest{Protocol: Flunixin(), MOR: sb.ID})
	require.NoError(t, err)
	require.ErrorIs(t, s.DeleteSandboxClient(ctx, f.Vet, sb.ID), rx.ErrForbidden)
	require.ErrorIs(t, s.DeleteSandboxClient(ctx, f.Vet, f.Farm.ID()), rx.ErrConflict)
	require.NoError(t, s.DeleteSandboxClient(ctx, other, sb.ID))
	_, err = f.Service.Store.User(ctx, sb.ID)
	require.ErrorIs(t, err, rx.ErrNotFound)
	// The prescription written to it stays.
	_, err = f.Service.Store.Prescription(ctx, p.ID, false)
	require.NoError(t, err)

	// Removal is reversible: the former type is kept.
	require.NoError(t, s.RemoveUser(ctx, f.Vet, f.Farm.ID()))
	u, err := f.Service.Store.User(ctx, f.Farm.ID())
	require.NoError(t, err)
	require.Equal(t, rx.Removed, u.Type)
	require.Equal(t, rx.MOR, u.RemovedType)
	removed, err := s.Actor(ctx, f.Farm.ID())
	require.NoError(t, err)
	_, err = s.Enroll(ctx, removed, f.Cow(p.ID, "x"))
	require.ErrorIs(t, err, rx.ErrForbidden)
}

func testSnapshot(t *testing.T, f *Fixture) {
	proto := Flunixin()
	p, err := f.Service.Prescribe(ctx, f.Vet, rx.PrescriptionRequest{Protocol: proto, MOR: f.Farm.ID(), Refills: 2,
		Metadata: []protocol.Metadata{{Key: "lot", Value: "A1"}}})
	require.NoError(t, err)
	require.NoError(t, rx.CheckID(p.ID))
	require.Equal(t, rx.Prescribed, p.Status)
	// Editing the caller's protocol afterwards changes nothing stored.
	proto.Name = "edited"
	proto.Treatments[0].Route = "IM"
	got, err := f.Service.Prescription(ctx, f.Farm, p.ID)
	require.NoError(t, err)
	require.Equal(t, "Flunixin, three daily doses, for fever in lactating cows", got.Protocol.Name)
	require.Equal(t, "IV", got.Protocol.Treatments[0].Route)
	require.Equal(t, 2, got.Refills)
	require.Equal(t, Start, got.Created)
	// Metadata is the one editable part, by the prescriber only.
	_, err = f.Service.SetMetadata(ctx, f.Farm, p.ID, nil)
	require.ErrorIs(t, err, rx.ErrForbidden)
	got, err = f.Service.SetMetadata(ctx, f.Vet, p.ID, []protocol.Metadata{{Key: "lot", Value: "B2"}})
	require.NoError(t, err)
	require.Equal(t, []protocol.Metadata{{Key: "lot", Value: "B2"}}, got.Metadata)
	// Who reads: prescriber, client, its employee; not another vet.
	for _, a := range []rx.Actor{f.Vet, f.Farm, f.Tech, f.Admin} {
		_, err := f.Service.Prescription(ctx, a, p.ID)
		require.NoError(t, err, a.User.Uname)
	}
	_, err = f.Service.Prescription(ctx, f.Other, p.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	// Listing by and to.
	by, err := f.Service.Prescriptions(ctx, f.Vet)
	require.NoError(t, err)
	require.Len(t, by, 1)
	to, err := f.Service.Prescriptions(ctx, f.Tech)
	require.NoError(t, err)
	require.Len(t, to, 1)
	// Another vet may not prescribe to a farm that is not its client.
	_, err = f.Service.Prescribe(ctx, f.Other, rx.PrescriptionRequest{Protocol: Flunixin(), MOR: f.Farm.ID()})
	require.ErrorIs(t, err, rx.ErrForbidden)
}

func testEnroll(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	require.NotZero(t, hx.ID)
	require.Equal(t, "Bossie34", hx.AnimalID)
	require.Len(t, hx.DoseTasks, 3)
	require.Len(t, hx.PromiseTasks, 2)
	day := 24 * time.Hour
	for i, want := range []time.Time{Start, Start.Add(day), Start.Add(2 * day)} {
		d := hx.DoseTasks[i]
		require.Equal(t, want, d.DoAt, "dose %d", i+1)
		require.Equal(t, "1320 mg", d.Dose.String())
		require.Equal(t, "IV", d.Route)
		require.Equal(t, "Flunixin meglumine 50 mg/mL", d.Product)
		require.Equal(t, f.Farm.ID(), d.MOR)
		require.Equal(t, f.Vet.ID(), d.VOR)
	}
	// The first dose is due now; the later ones are still REQUIRED.
	require.Equal(t, rx.TaskDue, hx.DoseTasks[0].Status)
	require.Equal(t, rx.TaskRequired, hx.DoseTasks[1].Status)
	require.Equal(t, Start, hx.PromiseTasks[0].DoAt)
	require.Equal(t, int64(21), hx.PromiseTasks[0].PromID)
	require.Equal(t, Start.Add(36*time.Hour), hx.PromiseTasks[1].DoAt)
	// Withhold from the planned last dose (4 March 06:00): meat +96 h, milk +36 h.
	require.Equal(t, time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), hx.Withhold.MeatUntil)
	require.Equal(t, time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC), hx.Withhold.MilkUntil)
	require.True(t, hx.Withhold.Meat.Planned)
	require.Equal(t, hx.DoseTasks[2].ID, hx.Withhold.Meat.TaskID)
	// One fill used, status INITIATED.
	got, err := f.Service.Prescription(ctx, f.Vet, p.ID)
	require.NoError(t, err)
	require.Equal(t, rx.Initiated, got.Status)
	require.Equal(t, 1, got.FillsUsed)
	// The case history reads back what Enroll returned.
	back, err := f.Service.CaseHx(ctx, f.Tech, hx.ID)
	require.NoError(t, err)
	require.Equal(t, hx.Withhold.MeatUntil, back.Withhold.MeatUntil)
	require.Len(t, back.DoseTasks, 3)
	require.Equal(t, "1320 mg", back.DoseTasks[2].Dose.String())
	_, err = f.Service.CaseHx(ctx, f.Other, hx.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	cases, err := f.Service.Cases(ctx, f.Vet, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 1)
	require.Equal(t, "models.WeightData", cases[0].Data.TypeName())
	// The TOR executes but does not enroll.
	_, err = f.Service.Enroll(ctx, f.Tech, f.Cow(p.ID, "Daisy"))
	require.ErrorIs(t, err, rx.ErrForbidden)
}

func testLateDose(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	day := 24 * time.Hour
	// Dose 1 on time by the TOR, dose 2 two hours late.
	f.Clock.Set(Start.Add(10 * time.Minute))
	_, err = f.Service.Execute(ctx, f.Tech, rx.Execution{TaskID: hx.DoseTasks[0].ID, At: Start})
	require.NoError(t, err)
	f.Clock.Set(Start.Add(day + 3*time.Hour))
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[1].ID, At: Start.Add(day + 2*time.Hour)})
	require.NoError(t, err)
	// Dose 3 given 14 h late: the withhold counts from the actual time.
	given := time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)
	f.Clock.Set(given.Add(time.Hour))
	got, err := f.Service.Execute(ctx, f.Tech, rx.Execution{TaskID: hx.DoseTasks[2].ID, At: given, Note: "cow was out on pasture"})
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 8, 20, 0, 0, 0, time.UTC), got.Withhold.MeatUntil)
	require.Equal(t, time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC), got.Withhold.MilkUntil)
	require.False(t, got.Withhold.Meat.Planned)
	require.Equal(t, given, got.Withhold.Meat.Given)
	// Lateness is visible on each task.
	require.Equal(t, time.Duration(0), got.DoseTasks[0].Delay())
	require.Equal(t, 2*time.Hour, got.DoseTasks[1].Delay())
	require.Equal(t, 14*time.Hour, got.DoseTasks[2].Delay())
	require.Equal(t, f.Tech.ID(), got.DoseTasks[2].DoneBy)
	require.Equal(t, rx.TaskExecuted, got.DoseTasks[2].Status)
	// The stored withhold moved too.
	w, err := f.Service.Store.Withhold(ctx, hx.ID)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 8, 20, 0, 0, 0, time.UTC), w.MeatUntil)
	_ = day
}

func testSkip(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	// Skipping the last dose: the withhold now counts from dose 2 (3 March 06:00).
	_, err = f.Service.Skip(ctx, f.Farm, hx.DoseTasks[2].ID, "")
	require.ErrorIs(t, err, rx.ErrInvalid)
	got, err := f.Service.Skip(ctx, f.Farm, hx.DoseTasks[2].ID, "animal sold before treatment ended")
	require.NoError(t, err)
	require.Equal(t, rx.TaskCancelled, got.DoseTasks[2].Status)
	require.Equal(t, "animal sold before treatment ended", got.DoseTasks[2].Note)
	require.Equal(t, time.Date(2026, 3, 7, 6, 0, 0, 0, time.UTC), got.Withhold.MeatUntil)
	// A task ends once.
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[2].ID})
	require.ErrorIs(t, err, rx.ErrConflict)
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[0].ID})
	require.NoError(t, err)
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[0].ID})
	require.ErrorIs(t, err, rx.ErrConflict)
	// Promise data must fit the promise.
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.PromiseTasks[0].ID})
	require.ErrorIs(t, err, rx.ErrInvalid)
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.PromiseTasks[0].ID, Data: &rx.PData{Kind: rx.PDataBoolean, Bool: true}})
	require.ErrorIs(t, err, rx.ErrInvalid)
	got, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.PromiseTasks[0].ID, Data: &rx.PData{Kind: rx.PDataString, Text: "left ear 3321"}})
	require.NoError(t, err)
	require.Equal(t, "left ear 3321", got.PromiseTasks[0].Data.Text)
	require.Equal(t, int64(21), got.PromiseTasks[0].Data.PromiseID)
	// Not in the future, not before the case, not by a stranger.
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[1].ID, At: Start.Add(time.Hour)})
	require.ErrorIs(t, err, rx.ErrInvalid)
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[1].ID, At: Start.Add(-time.Hour)})
	require.ErrorIs(t, err, rx.ErrInvalid)
	_, err = f.Service.Execute(ctx, f.Other, rx.Execution{TaskID: hx.DoseTasks[1].ID})
	require.ErrorIs(t, err, rx.ErrForbidden)
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: 987654321})
	require.ErrorIs(t, err, rx.ErrNotFound)
}

func testRefills(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 1, time.Time{}) // 2 fills
	for _, cow := range []string{"A", "B"} {
		_, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, cow))
		require.NoError(t, err)
	}
	_, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "C"))
	require.ErrorIs(t, err, rx.ErrUsedUp)
	require.EqualError(t, err, "rx: enroll: prescription "+p.ID+": all 2 fills used (1 refills)")
	cases, err := f.Service.Cases(ctx, f.Farm, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 2)
	// Used up: a renewal may be requested.
	r, err := f.Service.RequestRenewal(ctx, f.Farm, rx.RenewRequest{Prescription: p.ID, Refill: 3})
	require.NoError(t, err)
	require.Equal(t, rx.Requested, r.Status)
	require.Equal(t, 3, r.Refills)
	require.Equal(t, Start.Add(rx.DefaultRenewal), r.Expiration)
	require.Equal(t, p.ID, r.RenewalOf)
}

func testRenewal(t *testing.T, f *Fixture) {
	exp := Start.Add(10 * 24 * time.Hour)
	p := f.Prescribe(t, 5, exp)
	// Still valid and 10 days from expiry: within the 30-day window.
	_, err := f.Service.RequestRenewal(ctx, f.Tech, rx.RenewRequest{Prescription: p.ID})
	require.ErrorIs(t, err, rx.ErrForbidden)
	f.Clock.Set(exp)
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Late"))
	require.ErrorIs(t, err, rx.ErrExpired)
	r, err := f.Service.RequestRenewal(ctx, f.Farm, rx.RenewRequest{Prescription: p.ID, Refill: 1, Extend: protocol.DurationOf(90 * 24 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, exp.Add(90*24*time.Hour), r.Expiration)
	// Not usable until the vet approves it.
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(r.ID, "Late"))
	require.ErrorIs(t, err, rx.ErrNotActive)
	_, err = f.Service.Approve(ctx, f.Farm, r.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	r, err = f.Service.Approve(ctx, f.Vet, r.ID)
	require.NoError(t, err)
	require.Equal(t, rx.Prescribed, r.Status)
	_, err = f.Service.Approve(ctx, f.Vet, r.ID)
	require.ErrorIs(t, err, rx.ErrConflict)
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(r.ID, "Late"))
	require.NoError(t, err)
	// A fresh prescription far from expiry is not renewable yet.
	q := f.Prescribe(t, 0, exp.Add(365*24*time.Hour))
	_, err = f.Service.RequestRenewal(ctx, f.Farm, rx.RenewRequest{Prescription: q.ID})
	require.ErrorIs(t, err, rx.ErrConflict)
}

func testRecall(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 3, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	f.Clock.Set(Start.Add(time.Hour))
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[0].ID, At: Start})
	require.NoError(t, err)
	_, err = f.Service.Recall(ctx, f.Farm, p.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	_, err = f.Service.Recall(ctx, f.Other, p.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	got, err := f.Service.Recall(ctx, f.Vet, p.ID)
	require.NoError(t, err)
	require.Equal(t, rx.Recalled, got.Status)
	back, err := f.Service.CaseHx(ctx, f.Farm, hx.ID)
	require.NoError(t, err)
	require.Equal(t, rx.TaskExecuted, back.DoseTasks[0].Status)
	require.Equal(t, rx.TaskRecalled, back.DoseTasks[1].Status)
	require.Equal(t, rx.TaskRecalled, back.DoseTasks[2].Status)
	require.Equal(t, rx.TaskRecalled, back.PromiseTasks[1].Status)
	// Only the given dose counts now: 2 March 06:00 + 96 h.
	require.Equal(t, time.Date(2026, 3, 6, 6, 0, 0, 0, time.UTC), back.Withhold.MeatUntil)
	// Final: no new case, no execution, no second recall, no decline.
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Daisy"))
	require.ErrorIs(t, err, rx.ErrRecalled)
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: hx.DoseTasks[1].ID})
	require.ErrorIs(t, err, rx.ErrRecalled)
	_, err = f.Service.Recall(ctx, f.Vet, p.ID)
	require.ErrorIs(t, err, rx.ErrConflict)
	_, err = f.Service.Decline(ctx, f.Farm, p.ID)
	require.ErrorIs(t, err, rx.ErrConflict)
}

func testDecline(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	_, err := f.Service.Decline(ctx, f.Vet, p.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	_, err = f.Service.Decline(ctx, f.Tech, p.ID)
	require.ErrorIs(t, err, rx.ErrForbidden)
	got, err := f.Service.Decline(ctx, f.Farm, p.ID)
	require.NoError(t, err)
	require.Equal(t, rx.Declined, got.Status)
	_, err = f.Service.Enroll(ctx, f.Vet, f.Cow(p.ID, "Daisy"))
	require.ErrorIs(t, err, rx.ErrDeclined)
	_, err = f.Service.Recall(ctx, f.Vet, p.ID)
	require.ErrorIs(t, err, rx.ErrConflict)
	_, err = f.Service.RequestRenewal(ctx, f.Farm, rx.RenewRequest{Prescription: p.ID})
	require.ErrorIs(t, err, rx.ErrConflict)
}

// testBadInput checks that every rejected enrollment leaves the
// prescription and its cases exactly as they were.
func testBadInput(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	before, err := f.Service.Store.Prescription(ctx, p.ID, false)
	require.NoError(t, err)
	heifer := f.Cow(p.ID, "Heifer7")
	heifer.Animal.Class = protocol.DairyHeifers
	noWeight := f.Cow(p.ID, "NoWeight")
	noWeight.Data = &protocol.NoData{}
	gram := f.Cow(p.ID, "Gram")
	gram.Data = &protocol.WeightData{Weight: protocol.Q(protocol.Int(5), protocol.Milliliter)}
	early := f.Cow(p.ID, "Early")
	early.Initiation = Start.Add(-time.Hour)
	tests := []struct {
		name string
		a    rx.Actor
		req  rx.EnrollRequest
		want []error
	}{
		{"unknown prescription", f.Farm, f.Cow("AAAAAAAAAAAAAAAA", "x"), []error{rx.ErrNotFound}},
		{"malformed ID", f.Farm, f.Cow("../etc/passwd", "x"), []error{rx.ErrInvalid}},
		{"wrong party", f.Other, f.Cow(p.ID, "x"), []error{rx.ErrForbidden}},
		{"no animal", f.Farm, f.Cow(p.ID, " "), []error{rx.ErrInvalid}},
		{"not eligible", f.Farm, heifer, []error{rx.ErrInvalid, protocol.ErrNotEligible}},
		{"missing weight", f.Farm, noWeight, []error{rx.ErrInvalid, protocol.ErrMissingInput}},
		{"weight in ml", f.Farm, gram, []error{rx.ErrInvalid}},
		{"before prescription", f.Farm, early, []error{rx.ErrInvalid}},
	}
	for _, tc := range tests {
		_, err := f.Service.Enroll(ctx, tc.a, tc.req)
		for _, want := range tc.want {
			require.ErrorIs(t, err, want, tc.name)
		}
		var e *rx.Error
		require.True(t, errors.As(err, &e), tc.name)
		require.Equal(t, "enroll", e.Op, tc.name)
	}
	// A protocol whose case definition requires an identified animal
	// refuses a group case.
	proto := Flunixin()
	proto.CaseDefinition = &protocol.CaseDefinition{RequireID: true}
	q, err := f.Service.Prescribe(ctx, f.Vet, rx.PrescriptionRequest{Protocol: proto, MOR: f.Farm.ID()})
	require.NoError(t, err)
	group := f.Cow(q.ID, "pen 4")
	group.Members = []string{"Cow1", "Cow2"}
	_, err = f.Service.Enroll(ctx, f.Farm, group)
	require.ErrorIs(t, err, rx.ErrInvalid)
	require.EqualError(t, err, "rx: enroll: head 2: the protocol's case definition requires one identified animal per case")

	after, err := f.Service.Store.Prescription(ctx, p.ID, false)
	require.NoError(t, err)
	require.Equal(t, before, after)
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Empty(t, cases)
}

// phenylbutazone is the product of the suite's phenylbutazone protocols,
// 200 mg/ml.
var phenylbutazone = map[string]protocol.Product{"Phenylbutazone 200 mg/mL": {Concentration: protocol.Concentration{
	Amount: protocol.Q(protocol.Int(200), protocol.Milligram), Per: protocol.Q(protocol.Int(1), protocol.Milliliter)}}}

// testProhibitedUse checks the AMDUCA prohibitions: a drug banned from
// extra-label use in food animals cannot be prescribed, and a conditional
// ban (phenylbutazone in female dairy cattle 20 months of age or older) is
// resolved per animal at enrollment, refusing the case and storing nothing.
func testProhibitedUse(t *testing.T, f *Fixture) {
	withDrug := func(product string, classes ...protocol.Species) protocol.Protocol {
		p := Flunixin()
		p.Treatments[0].Product = product
		p.Eligibilities = nil
		for i, c := range classes {
			p.Eligibilities = append(p.Eligibilities, protocol.Eligibility{ID: int64(i + 1), Name: string(c), FDASpecies: c})
		}
		return p
	}
	prescribe := func(p protocol.Protocol) (rx.Prescription, error) {
		return f.Service.Prescribe(ctx, f.Vet, rx.PrescriptionRequest{Protocol: p, MOR: f.Farm.ID(), Refills: 3})
	}

	_, err := prescribe(withDrug("Chloramphenicol 250 mg/mL", protocol.BeefCattle))
	require.ErrorIs(t, err, rx.ErrProhibited)
	require.ErrorContains(t, err, "21 CFR 530.41(a)(1)")
	_, err = prescribe(withDrug("Phenylbutazone 200 mg/mL", protocol.DairyCattle))
	require.ErrorIs(t, err, rx.ErrProhibited, "prohibited outright in lactating dairy cattle")
	require.ErrorContains(t, err, "21 CFR 530.41(a)(12)")
	list, err := f.Service.Prescriptions(ctx, f.Vet)
	require.NoError(t, err)
	require.Empty(t, list, "a refused prescription is not stored")

	// Allowed for heifers and beef cattle, so prescribing succeeds and each
	// animal is checked when it is enrolled.
	p, err := prescribe(withDrug("Phenylbutazone 200 mg/mL", protocol.DairyHeifers, protocol.BeefCattle))
	require.NoError(t, err)
	animal := func(id string, class protocol.Species, born time.Time) rx.EnrollRequest {
		req := f.Cow(p.ID, id)
		req.Animal = protocol.Animal{Class: class, Female: true, Born: born}
		req.Products = phenylbutazone
		return req
	}
	tests := []struct {
		req    rx.EnrollRequest
		banned bool
	}{
		{animal("heifer-19-months", protocol.DairyHeifers, Start.AddDate(0, -19, 0)), false},
		{animal("heifer-20-months", protocol.DairyHeifers, Start.AddDate(0, -20, 0)), true},
		{animal("heifer-unknown-age", protocol.DairyHeifers, time.Time{}), true},
		{animal("beef-heifer-3-years", protocol.BeefCattle, Start.AddDate(-3, 0, 0)), false},
	}
	for _, tc := range tests {
		_, err := f.Service.Enroll(ctx, f.Farm, tc.req)
		if !tc.banned {
			require.NoError(t, err, tc.req.AnimalID)
			continue
		}
		require.ErrorIs(t, err, rx.ErrProhibited, tc.req.AnimalID)
		require.ErrorContains(t, err, "21 CFR 530.41(a)(12)", tc.req.AnimalID)
	}
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 2, "only the permitted animals were enrolled")
}

// testGroupMembers enrolls a pen with its animals listed and checks that a
// clearance for one of them finds the pen's withhold, that the members are
// stored in order, and that a malformed list is refused with nothing
// written.
func testGroupMembers(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 3, time.Time{})
	pen := f.Cow(p.ID, "pen 4")
	pen.Members = []string{"Cow12", " Cow3", "Cow7"}
	bad := []struct {
		name    string
		members []string
		head    int
	}{
		{"listed twice", []string{"Cow1", "Cow1"}, 0},
		{"the group itself", []string{"Cow1", "pen 4"}, 0},
		{"empty ID", []string{"Cow1", " "}, 0},
		{"head disagrees", []string{"Cow1", "Cow2"}, 3},
	}
	for _, tc := range bad {
		req := pen
		req.Members, req.Head = tc.members, tc.head
		_, err := f.Service.Enroll(ctx, f.Farm, req)
		require.ErrorIs(t, err, rx.ErrInvalid, tc.name)
	}
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Empty(t, cases, "refused enrollments store nothing")

	hx, err := f.Service.Enroll(ctx, f.Farm, pen)
	require.NoError(t, err)
	require.Equal(t, 3, hx.Case.Head, "head defaults to the members listed")
	require.Equal(t, []string{"Cow12", "Cow3", "Cow7"}, hx.Case.Members)
	stored, err := f.Service.Store.Case(ctx, hx.Case.ID, false)
	require.NoError(t, err)
	require.Equal(t, hx.Case.Members, stored.Members)
	cases, err = f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 1)
	require.Equal(t, hx.Case.Members, cases[0].Members)

	// A member is held by the pen's withhold; an animal not in the pen is
	// not.
	at := Start.Add(24 * time.Hour)
	c, err := f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Cow3", rx.Meat, at)
	require.NoError(t, err)
	require.False(t, c.Allowed)
	require.Equal(t, "pen 4", c.GroupID)
	require.Equal(t, hx.Case.ID, c.CaseID)
	c, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "pen 4", rx.Meat, at)
	require.NoError(t, err)
	require.False(t, c.Allowed)
	require.Empty(t, c.GroupID, "the group's own ID is not held as a member")
	c, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Cow99", rx.Meat, at)
	require.NoError(t, err)
	require.True(t, c.Allowed)

	// The treatment records name the pen's animals.
	_, err = f.Service.Execute(ctx, f.Tech, rx.Execution{TaskID: hx.DoseTasks[0].ID, At: Start})
	require.NoError(t, err)
	recs, err := f.Service.Records(ctx, f.Farm, f.Farm.ID(), Start, Start.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, "pen 4", recs[0].AnimalID)
	require.Equal(t, []string{"Cow12", "Cow3", "Cow7"}, recs[0].Members)
}

func testFarmQueries(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 5, time.Time{})
	a, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	f.Clock.Set(Start.Add(2 * time.Hour))
	b, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Clover"))
	require.NoError(t, err)
	// 09:00 on day 1: Bossie's dose 1 and tag promise, Clover's dose 1 and tag.
	f.Clock.Set(Start.Add(3 * time.Hour))
	today, err := f.Service.Today(ctx, f.Tech, f.Farm.ID())
	require.NoError(t, err)
	require.Len(t, today, 4)
	require.Equal(t, rx.TaskDue, today[0].Status)
	// Next day 11:00: yesterday's four tasks are overdue (grace 4 h), and
	// Bossie's dose 2 (06:00); Clover's dose 2 (08:00) is due until 12:00;
	// both rechecks (18:00, 20:00) are still required.
	f.Clock.Set(Start.Add(29 * time.Hour))
	today, err = f.Service.Today(ctx, f.Farm, f.Farm.ID())
	require.NoError(t, err)
	var overdue, due, required int
	for _, task := range today {
		switch task.Status {
		case rx.TaskOverdue:
			overdue++
		case rx.TaskDue:
			due++
		case rx.TaskRequired:
			required++
		}
	}
	require.Equal(t, []int{5, 1, 2}, []int{overdue, due, required})
	_, err = f.Service.Today(ctx, f.Other, f.Farm.ID())
	require.ErrorIs(t, err, rx.ErrForbidden)

	ws, err := f.Service.Withholds(ctx, f.Vet, f.Farm.ID())
	require.NoError(t, err)
	require.Len(t, ws, 2)
	require.Equal(t, a.ID, ws[0].CaseID)
	// Bossie's milk may not go in the tank on 5 March 12:00 (release 18:00), may on 6 March.
	c, err := f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Bossie34", rx.Milk, time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.False(t, c.Allowed)
	require.Equal(t, time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC), c.Until)
	require.Equal(t, a.ID, c.CaseID)
	require.Equal(t, a.DoseTasks[2].ID, c.Cause.TaskID)
	require.True(t, c.Pending)
	c, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Bossie34", rx.Milk, time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, c.Allowed)
	c, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Clover", rx.Meat, time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.False(t, c.Allowed)
	require.Equal(t, time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), c.Until)
	require.Equal(t, b.ID, c.CaseID)
	_, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Clover", "eggs", Start)
	require.ErrorIs(t, err, rx.ErrInvalid)
	// Past every planned release, but no dose was ever recorded: the last
	// doses (4 March) are overdue and could still be given now, so both
	// animals stay under withhold, their releases counted from now
	// (meat 96 h, milk 36 h), until the farm records or skips the doses.
	f.Clock.Set(time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC))
	ws, err = f.Service.Withholds(ctx, f.Farm, f.Farm.ID())
	require.NoError(t, err)
	require.Len(t, ws, 2)
	for _, w := range ws {
		require.Equal(t, time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC), w.MeatUntil, w.AnimalID)
		require.Equal(t, time.Date(2026, 3, 9, 20, 0, 0, 0, time.UTC), w.MilkUntil, w.AnimalID)
		require.True(t, w.Meat.Planned, w.AnimalID)
	}
	c, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Clover", rx.Meat, time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.False(t, c.Allowed, "an overdue dose not recorded keeps the animal held")
	require.Equal(t, time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC), c.Until)

	// The farm records Bossie's doses as given on time and skips Clover's
	// last one: Bossie is released as planned (long past), and Clover's
	// release follows from her second dose (3 March 08:00 + 96 h).
	for _, task := range a.DoseTasks {
		_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: task.ID, At: task.DoAt})
		require.NoError(t, err)
	}
	for _, task := range b.DoseTasks[:len(b.DoseTasks)-1] {
		_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: task.ID, At: task.DoAt})
		require.NoError(t, err)
	}
	_, err = f.Service.Skip(ctx, f.Farm, b.DoseTasks[len(b.DoseTasks)-1].ID, "refused the last dose")
	require.NoError(t, err)
	ws, err = f.Service.Withholds(ctx, f.Farm, f.Farm.ID())
	require.NoError(t, err)
	require.Empty(t, ws, "every release has passed once the doses are settled")
	c, err = f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Clover", rx.Meat, time.Date(2026, 3, 7, 7, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.False(t, c.Allowed)
	require.Equal(t, time.Date(2026, 3, 7, 8, 0, 0, 0, time.UTC), c.Until)
}

func testRecords(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	f.Clock.Set(Start.Add(time.Hour))
	_, err = f.Service.Execute(ctx, f.Tech, rx.Execution{TaskID: hx.DoseTasks[0].ID, At: Start.Add(30 * time.Minute)})
	require.NoError(t, err)
	recs, err := f.Service.Records(ctx, f.Vet, f.Farm.ID(), Start.Add(-24*time.Hour), Start.Add(24*time.Hour))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	r := recs[0]
	require.Equal(t, "Bossie34", r.AnimalID)
	require.Equal(t, "DairyCattle", r.Species)
	require.Equal(t, "fever of unknown origin", r.Condition)
	require.Equal(t, "1320 mg", r.Dose)
	require.Equal(t, "Tom Tech", r.Administrator)
	require.Equal(t, "Hannah Herd, DVM", r.Prescriber)
	require.Equal(t, Start.Add(30*time.Minute), r.Given)
	require.Equal(t, time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), r.MeatUntil)
	// The same records as JSON and CSV, for an inspector.
	js, err := json.Marshal(recs)
	require.NoError(t, err)
	require.Contains(t, string(js), `"animalId":"Bossie34"`)
	require.Contains(t, string(js), `"wtMeatUntil":"2026-03-08T06:00:00Z"`)
	var csv strings.Builder
	require.NoError(t, rx.WriteCSV(&csv, recs))
	require.Contains(t, csv.String(), "\nBossie34,1,,DairyCattle,fever of unknown origin,Flunixin meglumine 50 mg/mL,1320 mg,26.4 ml,IV,2026-03-02T06:30:00Z,")
	_, err = f.Service.Records(ctx, f.Other, f.Farm.ID(), Start, Start.Add(time.Hour))
	require.ErrorIs(t, err, rx.ErrForbidden)
}

func testConcurrentEnroll(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 4, time.Time{}) // 5 fills
	const tries = 12
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			_, errs[i] = f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, fmt.Sprintf("cow%02d", i)))
		})
	}
	wg.Wait()
	var ok, usedUp int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, rx.ErrUsedUp):
			usedUp++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	require.Equal(t, 5, ok)
	require.Equal(t, 7, usedUp)
	got, err := f.Service.Store.Prescription(ctx, p.ID, false)
	require.NoError(t, err)
	require.Equal(t, 5, got.FillsUsed)
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 5)
}

func testConcurrentExecute(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	f.Clock.Set(Start.Add(3 * 24 * time.Hour))
	// Eight people record the same dose at once: one wins.
	const tries = 8
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			_, errs[i] = f.Service.Execute(ctx, f.Tech, rx.Execution{TaskID: hx.DoseTasks[0].ID, At: Start})
		})
	}
	wg.Wait()
	var ok int
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			require.ErrorIs(t, err, rx.ErrConflict)
		}
	}
	require.Equal(t, 1, ok)
	// The other four tasks at once, each at its own time: no update is lost.
	others := append(hx.DoseTasks[1:], hx.PromiseTasks...)
	at := []time.Time{Start.Add(25 * time.Hour), Start.Add(50 * time.Hour), Start.Add(time.Minute), Start.Add(37 * time.Hour)}
	for i, task := range others {
		wg.Go(func() {
			e := rx.Execution{TaskID: task.ID, At: at[i]}
			switch task.PromiseKind {
			case protocol.StringPromise:
				e.Data = &rx.PData{Kind: rx.PDataString, Text: "tag 9"}
			case protocol.BooleanPromise:
				e.Data = &rx.PData{Kind: rx.PDataBoolean, Bool: true}
			}
			_, errs[i] = f.Service.Execute(ctx, f.Farm, e)
		})
	}
	wg.Wait()
	for i := range others {
		require.NoError(t, errs[i])
	}
	back, err := f.Service.CaseHx(ctx, f.Vet, hx.ID)
	require.NoError(t, err)
	for _, task := range append(back.DoseTasks, back.PromiseTasks...) {
		require.Equal(t, rx.TaskExecuted, task.Status, "task %d", task.ID)
	}
	// The withhold reflects the last actual dose, given at +50 h.
	require.Equal(t, Start.Add(50*time.Hour+96*time.Hour), back.Withhold.MeatUntil)
	require.Equal(t, Start.Add(50*time.Hour+36*time.Hour), back.Withhold.MilkUntil)
}

func testCalving(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	req := f.Cow(p.ID, "Dry9")
	// A product whose label adds "milk 96 h after calving" (a dry-cow use).
	req.Products = map[string]protocol.Product{FlunixinProduct: {
		Concentration: FlunixinConcentration,
		Withdrawal:    &protocol.WithdrawalRule{Milk: []protocol.Term{{Event: protocol.Calving, Period: 96 * time.Hour}}},
	}}
	hx, err := f.Service.Enroll(ctx, f.Farm, req)
	require.NoError(t, err)
	require.Equal(t, rx.Forever, hx.Withhold.MilkUntil)
	require.Equal(t, "calving", hx.Withhold.Milk.WaitingFor)
	require.Equal(t, time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), hx.Withhold.MeatUntil)
	c, err := f.Service.Clear(ctx, f.Farm, f.Farm.ID(), "Dry9", rx.Milk, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.False(t, c.Allowed)
	require.Equal(t, rx.Forever, c.Until)

	calved := time.Date(2026, 3, 12, 6, 0, 0, 0, time.UTC)
	f.Clock.Set(calved.Add(time.Hour))
	_, err = f.Service.RecordEvent(ctx, f.Other, f.Farm.ID(), "Dry9", protocol.Calving, calved)
	require.ErrorIs(t, err, rx.ErrForbidden)
	_, err = f.Service.RecordEvent(ctx, f.Tech, f.Farm.ID(), "Dry9", "birthday", calved)
	require.ErrorIs(t, err, rx.ErrInvalid)
	_, err = f.Service.RecordEvent(ctx, f.Tech, f.Farm.ID(), "Dry9", protocol.Calving, calved.Add(24*time.Hour))
	require.ErrorIs(t, err, rx.ErrInvalid)
	ws, err := f.Service.RecordEvent(ctx, f.Tech, f.Farm.ID(), "Dry9", protocol.Calving, calved)
	require.NoError(t, err)
	require.Len(t, ws, 1)
	// Milk: the later of 36 h after the last dose and 96 h after calving.
	require.Equal(t, time.Date(2026, 3, 16, 6, 0, 0, 0, time.UTC), ws[0].MilkUntil)
	require.Equal(t, "", ws[0].Milk.WaitingFor)
	back, err := f.Service.CaseHx(ctx, f.Farm, hx.ID)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 16, 6, 0, 0, 0, time.UTC), back.Withhold.MilkUntil)
}
