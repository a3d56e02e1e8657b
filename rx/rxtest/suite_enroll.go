package rxtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// testIdempotentEnroll: eight goroutines enrolling the same cow with the
// same idempotency key make one case, use one fill and plan one case's
// tasks; each gets that case back.
func testIdempotentEnroll(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 9, time.Time{}) // 10 fills: only the key stops a second case
	const tries = 8
	ids := make([]int64, tries)
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			req := f.Cow(p.ID, "Bossie34")
			req.IdempotencyKey = "enroll-bossie34-2026-03-02"
			hx, err := f.Service.Enroll(ctx, f.Farm, req)
			ids[i], errs[i] = hx.ID, err
		})
	}
	wg.Wait()
	for i := range tries {
		require.NoError(t, errs[i], "try %d", i)
		require.Equal(t, ids[0], ids[i], "try %d returns the first case", i)
	}
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 1)
	require.Equal(t, "enroll-bossie34-2026-03-02", cases[0].IdempotencyKey)
	got, err := f.Service.Store.Prescription(ctx, p.ID, false)
	require.NoError(t, err)
	require.Equal(t, 1, got.FillsUsed)
	tasks, err := f.Service.Store.Tasks(ctx, ids[0])
	require.NoError(t, err)
	var doses, promises int
	for _, task := range tasks {
		if task.Kind == rx.DoseTaskKind {
			doses++
		} else {
			promises++
		}
	}
	require.Equal(t, []int{3, 2}, []int{doses, promises})

	// The replay answers the case as it is now, with its tasks and withhold.
	req := f.Cow(p.ID, "Bossie34")
	req.IdempotencyKey = "enroll-bossie34-2026-03-02"
	hx, err := f.Service.Enroll(ctx, f.Farm, req)
	require.NoError(t, err)
	require.Equal(t, ids[0], hx.ID)
	require.True(t, hx.Replayed)
	require.Len(t, hx.DoseTasks, 3)
	require.Equal(t, time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), hx.Withhold.MeatUntil)

	// The same key for another animal is a conflict naming the case.
	other := f.Cow(p.ID, "Clover")
	other.IdempotencyKey = req.IdempotencyKey
	_, err = f.Service.Enroll(ctx, f.Farm, other)
	require.ErrorIs(t, err, rx.ErrConflict)
	require.EqualError(t, err, fmt.Sprintf(`rx: enroll: idempotency key "enroll-bossie34-2026-03-02": already used for case %d (animal "Bossie34" under prescription %s)`, ids[0], p.ID))
	// Keys are per user: the veterinarian's own key of the same text is
	// another request.
	vet := f.Cow(p.ID, "Clover")
	vet.IdempotencyKey = req.IdempotencyKey
	hv, err := f.Service.Enroll(ctx, f.Vet, vet)
	require.NoError(t, err)
	require.NotEqual(t, ids[0], hv.ID)
	// A key must be printable ASCII of at most 255 characters.
	for _, key := range []string{"tab\there", "ü", string(make([]byte, 256))} {
		bad := f.Cow(p.ID, "Daisy")
		bad.IdempotencyKey = key
		_, err = f.Service.Enroll(ctx, f.Farm, bad)
		require.ErrorIs(t, err, rx.ErrInvalid, "%q", key)
	}

	// A retry after the enrollment used the last fill still answers the
	// case rather than "used up".
	q := f.Prescribe(t, 0, time.Time{})
	last := f.Cow(q.ID, "Daisy")
	last.IdempotencyKey = "daisy-1"
	first, err := f.Service.Enroll(ctx, f.Farm, last)
	require.NoError(t, err)
	require.False(t, first.Replayed)
	again, err := f.Service.Enroll(ctx, f.Farm, last)
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID)
	last.IdempotencyKey = "daisy-2"
	_, err = f.Service.Enroll(ctx, f.Farm, last)
	require.ErrorIs(t, err, rx.ErrUsedUp)
}

// testOpenCase: without a key, an animal already in an open case of the
// same prescription is refused with a conflict naming the case, unless the
// request says it is a new course; once its doses are settled it may be
// enrolled again.
func testOpenCase(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 9, time.Time{})
	a, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.ErrorIs(t, err, rx.ErrConflict)
	require.EqualError(t, err, fmt.Sprintf(`rx: enroll: animal "Bossie34": already in open case %d of prescription %s (a dose still to be given); say it is a new course to enroll it again`, a.ID, p.ID))
	// A pen listing her is refused too, naming her.
	pen := f.Cow(p.ID, "pen 4")
	pen.Members = []string{"Cow3", "Bossie34"}
	_, err = f.Service.Enroll(ctx, f.Farm, pen)
	require.ErrorIs(t, err, rx.ErrConflict)
	require.ErrorContains(t, err, `animal "Bossie34": already in open case`)
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, cases, 1, "refused enrollments store nothing")
	// And a cow of the open pen is refused alone.
	pen.Members = []string{"Cow3", "Cow7"}
	g, err := f.Service.Enroll(ctx, f.Farm, pen)
	require.NoError(t, err)
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Cow7"))
	require.ErrorIs(t, err, rx.ErrConflict)
	require.ErrorContains(t, err, fmt.Sprintf("open case %d", g.ID))

	// Another prescription is another course.
	q := f.Prescribe(t, 0, time.Time{})
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(q.ID, "Bossie34"))
	require.NoError(t, err)
	// A new course says so.
	second := f.Cow(p.ID, "Bossie34")
	second.NewCourse = true
	b, err := f.Service.Enroll(ctx, f.Farm, second)
	require.NoError(t, err)
	require.NotEqual(t, a.ID, b.ID)
	// Once every dose of her cases is settled, she may be enrolled again.
	for _, hx := range []rx.CaseHx{a, b} {
		for _, d := range hx.DoseTasks {
			_, err := f.Service.Skip(ctx, f.Farm, d.ID, "course changed")
			require.NoError(t, err)
		}
	}
	_, err = f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
}

// testGroupListsAnimals: a group case names its animals; "12 head" alone
// is refused.
func testGroupListsAnimals(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 3, time.Time{})
	tests := []struct {
		name    string
		head    int
		members []string
		animals map[string]protocol.Animal
		want    string
	}{
		{"anonymous head", 12, nil, nil, "rx: enroll: head 12: a group case lists its animals in members"},
		{"described animal not a member", 0, []string{"Cow1", "Cow2"},
			map[string]protocol.Animal{"Cow9": {Class: protocol.DairyCattle, Female: true}},
			`rx: enroll: animals "Cow9": is not a member of the case`},
		{"animals without members", 0, nil,
			map[string]protocol.Animal{"Cow1": {Class: protocol.DairyCattle, Female: true}},
			"rx: enroll: animals: describe the members of a group case; this case lists none"},
	}
	for _, tc := range tests {
		req := f.Cow(p.ID, "pen 4")
		req.Head, req.Members, req.Animals = tc.head, tc.members, tc.animals
		_, err := f.Service.Enroll(ctx, f.Farm, req)
		require.ErrorIs(t, err, rx.ErrInvalid, tc.name)
		require.EqualError(t, err, tc.want, tc.name)
	}
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Empty(t, cases)
}

// testGroupEligibility: eligibility and the phenylbutazone age rule
// (21 CFR 530.41(a)(12)) are decided for each member of a group case.
func testGroupEligibility(t *testing.T, f *Fixture) {
	proto := Flunixin()
	proto.Treatments[0].Product = "Phenylbutazone 200 mg/mL"
	proto.Eligibilities = []protocol.Eligibility{
		{ID: 1, Name: "heifers", FDASpecies: protocol.DairyHeifers},
		{ID: 2, Name: "beef", FDASpecies: protocol.BeefCattle},
	}
	p, err := f.Service.Prescribe(ctx, f.Vet, rx.PrescriptionRequest{Protocol: proto, MOR: f.Farm.ID(), Refills: 5})
	require.NoError(t, err)
	heifer := func(months int) protocol.Animal {
		return protocol.Animal{Class: protocol.DairyHeifers, Female: true, Born: Start.AddDate(0, -months, 0)}
	}
	pen := func(animals map[string]protocol.Animal, members ...string) rx.EnrollRequest {
		req := f.Cow(p.ID, "pen 9")
		req.Animal = protocol.Animal{Class: protocol.DairyHeifers}
		req.Members, req.Animals, req.Products = members, animals, phenylbutazone
		return req
	}
	tests := []struct {
		name string
		req  rx.EnrollRequest
		want []error
		msg  string
	}{
		{"one member 20 months old", pen(map[string]protocol.Animal{"H1": heifer(19), "H2": heifer(20)}, "H1", "H2"),
			[]error{rx.ErrProhibited}, `rx: enroll: animal "H2" (member of "pen 9"): `},
		{"a member of unknown age", pen(map[string]protocol.Animal{"H1": heifer(19)}, "H1", "H3"),
			[]error{rx.ErrProhibited}, `rx: enroll: animal "H3" (member of "pen 9"): `},
		{"a member of an ineligible class", pen(map[string]protocol.Animal{"H1": heifer(12), "C1": {Class: protocol.DairyCattle, Female: true}}, "H1", "C1"),
			[]error{rx.ErrInvalid, protocol.ErrNotEligible}, `rx: enroll: animal "C1" (member of "pen 9"): `},
	}
	for _, tc := range tests {
		_, err := f.Service.Enroll(ctx, f.Farm, tc.req)
		for _, want := range tc.want {
			require.ErrorIs(t, err, want, tc.name)
		}
		require.ErrorContains(t, err, tc.msg, tc.name)
	}
	// The group's birth date would describe every member alike: refused.
	born := pen(nil, "H1", "H4")
	born.Animal.Born = Start.AddDate(0, -12, 0)
	_, err = f.Service.Enroll(ctx, f.Farm, born)
	require.ErrorIs(t, err, rx.ErrInvalid)
	require.EqualError(t, err, "rx: enroll: animal born 2025-03-02: a group case has no one birth date: give each member's in animals")
	cases, err := f.Service.Store.Cases(ctx, p.ID)
	require.NoError(t, err)
	require.Empty(t, cases, "refused enrollments store nothing")

	// Every member young enough, one of them a beef heifer described by
	// class only (the rule is for dairy females): enrolled.
	ok := pen(map[string]protocol.Animal{"H1": heifer(19), "H4": heifer(12), "B1": {Class: protocol.BeefCattle, Female: true}}, "H1", "H4", "B1")
	hx, err := f.Service.Enroll(ctx, f.Farm, ok)
	require.NoError(t, err)
	require.Equal(t, []string{"H1", "H4", "B1"}, hx.Members)
	require.Equal(t, 3, hx.Head)
}

// testDoseOrder: a dose recorded as given before an earlier dose of the
// same treatment (or after a later one) is refused, naming that dose, and
// changes nothing.
func testDoseOrder(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 0, time.Time{})
	hx, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	d := hx.DoseTasks
	day := 24 * time.Hour
	f.Clock.Set(Start.Add(3 * day))
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: d[1].ID, At: Start.Add(day)})
	require.NoError(t, err, "dose 2 may be recorded before dose 1 is")
	tests := []struct {
		name string
		task rx.Task
		at   time.Time
		want string
	}{
		{"dose 1 after dose 2", d[0], Start.Add(day + time.Hour),
			fmt.Sprintf("rx: execute: task %d (dose 1) at 2026-03-03T07:00:00Z: is after dose 2 of the same treatment, given at 2026-03-03T06:00:00Z (task %d): doses are given in order", d[0].ID, d[1].ID)},
		{"dose 3 before dose 2", d[2], Start.Add(12 * time.Hour),
			fmt.Sprintf("rx: execute: task %d (dose 3) at 2026-03-02T18:00:00Z: is before dose 2 of the same treatment, given at 2026-03-03T06:00:00Z (task %d): doses are given in order", d[2].ID, d[1].ID)},
	}
	for _, tc := range tests {
		_, err := f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: tc.task.ID, At: tc.at})
		require.ErrorIs(t, err, rx.ErrInvalid, tc.name)
		require.EqualError(t, err, tc.want, tc.name)
		got, err := f.Service.Store.Task(ctx, tc.task.ID)
		require.NoError(t, err)
		require.Equal(t, rx.TaskRequired, got.Status, tc.name)
	}
	w, err := f.Service.Store.Withhold(ctx, hx.ID)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC), w.MeatUntil, "the refused times moved nothing")
	// In order, and at the same instant as dose 2, both are accepted.
	_, err = f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: d[0].ID, At: Start})
	require.NoError(t, err)
	got, err := f.Service.Execute(ctx, f.Farm, rx.Execution{TaskID: d[2].ID, At: Start.Add(day)})
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 7, 6, 0, 0, 0, time.UTC), got.Withhold.MeatUntil)
}

// testHerdClearance: one call answers, for every animal of the farm,
// whether it may ship meat or milk at T and why not, as Clear would for
// each.
func testHerdClearance(t *testing.T, f *Fixture) {
	p := f.Prescribe(t, 9, time.Time{})
	q := f.Prescribe(t, 0, time.Time{})
	hour := time.Hour
	bossie, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
	require.NoError(t, err)
	f.Clock.Set(Start.Add(hour))
	penReq := f.Cow(p.ID, "pen 4")
	penReq.Members = []string{"Cow7", "Cow3"}
	pen, err := f.Service.Enroll(ctx, f.Farm, penReq)
	require.NoError(t, err)
	f.Clock.Set(Start.Add(2 * hour))
	cow3, err := f.Service.Enroll(ctx, f.Farm, f.Cow(q.ID, "Cow3"))
	require.NoError(t, err)
	old, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Old1"))
	require.NoError(t, err)
	for _, d := range old.DoseTasks {
		_, err := f.Service.Skip(ctx, f.Farm, d.ID, "treatment stopped")
		require.NoError(t, err)
	}

	type row struct {
		animal  string
		allowed bool
		until   time.Time
		caseID  int64
		group   string
	}
	march := func(day, h int) time.Time { return time.Date(2026, 3, day, h, 0, 0, 0, time.UTC) }
	tests := []struct {
		c    rx.Commodity
		at   time.Time
		want []row
	}{
		{rx.Meat, march(6, 0), []row{
			{"Bossie34", false, march(8, 6), bossie.ID, ""},
			{"Cow3", false, march(8, 8), cow3.ID, ""},
			{"Cow7", false, march(8, 7), pen.ID, "pen 4"},
			{"Old1", true, time.Time{}, 0, ""},
		}},
		{rx.Milk, march(5, 12), []row{
			{"Bossie34", false, march(5, 18), bossie.ID, ""},
			{"Cow3", false, march(5, 20), cow3.ID, ""},
			{"Cow7", false, march(5, 19), pen.ID, "pen 4"},
			{"Old1", true, time.Time{}, 0, ""},
		}},
		{rx.Milk, march(6, 0), []row{
			{"Bossie34", true, time.Time{}, 0, ""},
			{"Cow3", true, time.Time{}, 0, ""},
			{"Cow7", true, time.Time{}, 0, ""},
			{"Old1", true, time.Time{}, 0, ""},
		}},
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%s at %s", tc.c, tc.at.Format(time.RFC3339))
		got, err := f.Service.HerdClearance(ctx, f.Tech, f.Farm.ID(), tc.c, tc.at)
		require.NoError(t, err, name)
		var rows []row
		for _, c := range got {
			rows = append(rows, row{c.AnimalID, c.Allowed, c.Until, c.CaseID, c.GroupID})
			// The same answer as the one-animal query.
			one, err := f.Service.Clear(ctx, f.Farm, f.Farm.ID(), c.AnimalID, tc.c, tc.at)
			require.NoError(t, err)
			require.Equal(t, one, c, "%s: %s", name, c.AnimalID)
		}
		require.Equal(t, tc.want, rows, name)
	}
	// A forgotten dose keeps its animal held, as Clear does: on 8 March
	// 08:00 Bossie's last dose (4 March 06:00) was never recorded.
	f.Clock.Set(march(8, 8))
	got, err := f.Service.HerdClearance(ctx, f.Farm, f.Farm.ID(), rx.Meat, march(10, 0))
	require.NoError(t, err)
	require.Equal(t, "Bossie34", got[0].AnimalID)
	require.False(t, got[0].Allowed)
	require.Equal(t, march(12, 8), got[0].Until)
	require.True(t, got[0].Pending)

	_, err = f.Service.HerdClearance(ctx, f.Other, f.Farm.ID(), rx.Meat, Start)
	require.ErrorIs(t, err, rx.ErrForbidden)
	_, err = f.Service.HerdClearance(ctx, f.Farm, f.Farm.ID(), "eggs", Start)
	require.ErrorIs(t, err, rx.ErrInvalid)
	empty, err := f.Service.HerdClearance(ctx, f.Vet, f.Vet.ID(), rx.Meat, Start)
	require.ErrorIs(t, err, rx.ErrForbidden, "a VOR has no herd of its own")
	require.Empty(t, empty)
}

// testUnidentified: a product the drug dictionary cannot identify is not
// prescribed for a food animal, nor enrolled in one, unless the
// prescription records the veterinarian's confirmation of its active
// ingredient; a confirmed ingredient is checked against the prohibitions.
func testUnidentified(t *testing.T, f *Fixture) {
	const product = "Zyxomycin 100 mg/mL"
	withProduct := func(classes ...protocol.Species) protocol.Protocol {
		p := Flunixin()
		p.Treatments[0].Product = product
		p.Eligibilities = nil
		for i, c := range classes {
			p.Eligibilities = append(p.Eligibilities, protocol.Eligibility{ID: int64(i + 1), Name: string(c), FDASpecies: c})
		}
		return p
	}
	prescribe := func(p protocol.Protocol, conf ...protocol.Confirmation) (rx.Prescription, error) {
		return f.Service.Prescribe(ctx, f.Vet, rx.PrescriptionRequest{Protocol: p, MOR: f.Farm.ID(), Confirmations: conf})
	}
	tests := []struct {
		name    string
		proto   protocol.Protocol
		conf    []protocol.Confirmation
		want    []error
		message string
	}{
		{"food animal, unconfirmed", withProduct(protocol.DairyCattle), nil, []error{rx.ErrInvalid, rx.ErrUnidentified},
			`treatments[0] product "Zyxomycin 100 mg/mL": the drug dictionary cannot identify its active ingredient`},
		{"horses count as food animals", withProduct(protocol.Horses), nil, []error{rx.ErrInvalid, rx.ErrUnidentified}, "confirmations, treatment 0"},
		{"dogs and cattle", withProduct(protocol.Dogs, protocol.BeefCattle), nil, []error{rx.ErrUnidentified}, "treatments[0]"},
		{"confirmed as a prohibited drug", withProduct(protocol.BeefCattle), []protocol.Confirmation{{Treatment: 0, Ingredients: []string{"chloramphenicol"}}},
			[]error{rx.ErrProhibited}, "21 CFR 530.41(a)(1)"},
		{"confirmation of no treatment", withProduct(protocol.BeefCattle), []protocol.Confirmation{{Treatment: 1, Ingredients: []string{"oxytetracycline"}}},
			[]error{rx.ErrInvalid}, "confirmations[0].treatment 1: the protocol has treatments 0 to 0"},
		{"confirmation without ingredient", withProduct(protocol.BeefCattle), []protocol.Confirmation{{Treatment: 0}},
			[]error{rx.ErrInvalid}, "confirmations[0].ingredients: name at least one active ingredient"},
	}
	for _, tc := range tests {
		_, err := prescribe(tc.proto, tc.conf...)
		for _, want := range tc.want {
			require.ErrorIs(t, err, want, tc.name)
		}
		require.ErrorContains(t, err, tc.message, tc.name)
	}
	list, err := f.Service.Prescriptions(ctx, f.Vet)
	require.NoError(t, err)
	require.Empty(t, list, "a refused prescription is not stored")

	// Dogs alone need no confirmation.
	_, err = prescribe(withProduct(protocol.Dogs))
	require.NoError(t, err)

	// Confirmed: prescribed, the confirmation stored, the cow enrolled.
	conf := []protocol.Confirmation{{Treatment: 0, Ingredients: []string{"oxytetracycline"}}}
	p, err := prescribe(withProduct(protocol.DairyCattle), conf...)
	require.NoError(t, err)
	require.Equal(t, conf, p.Confirmations)
	stored, err := f.Service.Store.Prescription(ctx, p.ID, false)
	require.NoError(t, err)
	require.Equal(t, conf, stored.Confirmations)
	cow := f.Cow(p.ID, "Bossie34")
	cow.Products = map[string]protocol.Product{product: {Concentration: protocol.Concentration{
		Amount: protocol.Q(protocol.Int(100), protocol.Milligram), Per: protocol.Q(protocol.Int(1), protocol.Milliliter)}}}
	_, err = f.Service.Enroll(ctx, f.Farm, cow)
	require.NoError(t, err)

	// A prescription stored without the confirmation (written before the
	// rule) is refused at enrollment for a food animal.
	old := rx.Prescription{ID: rx.NewID(), Protocol: withProduct(protocol.DairyCattle), VOR: f.Vet.ID(), MOR: f.Farm.ID(),
		Created: Start, Status: rx.Prescribed}
	require.NoError(t, f.Service.Store.CreatePrescription(ctx, &old))
	require.Empty(t, old.Confirmations)
	cow.RxID = old.ID
	_, err = f.Service.Enroll(ctx, f.Farm, cow)
	require.ErrorIs(t, err, rx.ErrUnidentified)
	require.ErrorContains(t, err, `rx: enroll: animal "Bossie34": treatments[0] product "Zyxomycin 100 mg/mL"`)
}
