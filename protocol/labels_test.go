package protocol

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// labelFixture is one entry of labels/labels.json: a real label claim
// with the 21 CFR section it comes from, and for dry-cow products the
// event-relative withdrawal terms VCPR's hours cannot express.
type labelFixture struct {
	CFR   string `json:"cfr"`
	Note  string `json:"note"`
	Terms *struct {
		Meat []fixtureTerm `json:"meat"`
		Milk []fixtureTerm `json:"milk"`
	} `json:"terms"`
	Claim LabelClaim `json:"claim"`
}

type fixtureTerm struct {
	Event EventKind `json:"event"`
	Hours int64     `json:"hours"`
}

func (f labelFixture) rule(t testing.TB) WithdrawalRule {
	if f.Terms == nil {
		meat, milk := f.Claim.WtMeatHrs, f.Claim.WtMilkHrs
		r, err := HoursRule(&meat, &milk)
		require.NoError(t, err)
		return r
	}
	var r WithdrawalRule
	for _, x := range f.Terms.Meat {
		r.Meat = append(r.Meat, Term{Event: x.Event, Period: time.Duration(x.Hours) * time.Hour})
	}
	for _, x := range f.Terms.Milk {
		r.Milk = append(r.Milk, Term{Event: x.Event, Period: time.Duration(x.Hours) * time.Hour})
	}
	return r
}

func loadLabels(t testing.TB) []labelFixture {
	t.Helper()
	data, err := os.ReadFile("labels/labels.json")
	require.NoError(t, err)
	var out []labelFixture
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

func claims(fx []labelFixture) []LabelClaim {
	out := make([]LabelClaim, len(fx))
	for i, f := range fx {
		out[i] = f.Claim
	}
	return out
}

func TestLabelFixturesAreCitedAndWellFormed(t *testing.T) {
	fx := loadLabels(t)
	generics := map[string]bool{}
	for _, f := range fx {
		require.True(t, strings.HasPrefix(f.CFR, "21 CFR 5"), "claim %d must cite 21 CFR", f.Claim.ID)
		require.NotEmpty(t, f.Claim.FDASpecies)
		for _, s := range f.Claim.FDASpecies {
			require.True(t, s.Valid(), "claim %d species %q", f.Claim.ID, s)
		}
		var probs Problems
		validateSize(&probs, "sizeFunction", f.Claim.SizeFunction)
		validateSequence(&probs, "sequenceFunction", f.Claim.SequenceFunction)
		require.Empty(t, probs, "claim %d", f.Claim.ID)
		generics[strings.Fields(strings.ToLower(f.Claim.Generic))[0]] = true
	}
	for _, g := range []string{"flunixin", "tulathromycin", "ceftiofur", "cloxacillin", "penicillin", "oxytetracycline", "sulfadimethoxine"} {
		require.True(t, generics[g], "testdata must hold a %s claim", g)
	}
}

func TestLabelDosesForA600KgCow(t *testing.T) {
	fx := loadLabels(t)
	byID := map[int64]labelFixture{}
	for _, f := range fx {
		byID[f.Claim.ID] = f
	}
	in := &CaseInput{Weight: Q(Int(600), Kilogram), PreferredRate: Q(MustParseNumber("2.2"), Milligram)}
	tests := []struct {
		id    int64
		first string
		later string
	}{
		{1, "1320 mg", "1320 mg"},   // flunixin 2.2 mg/kg
		{2, "1500 mg", "1500 mg"},   // tulathromycin 2.5 mg/kg
		{4, "1320 mg", "1320 mg"},   // ceftiofur 2.2 mg/kg
		{5, "500 mg", "500 mg"},     // cloxacillin, one tube
		{8, "33000 mg", "16500 mg"}, // sulfadimethoxine 55 then 27.5 mg/kg
	}
	for _, tt := range tests {
		f := byID[tt.id]
		first, err := DoseSize(f.Claim.SizeFunction, in, 0)
		require.NoError(t, err, f.CFR)
		later, err := DoseSize(f.Claim.SizeFunction, in, 1)
		require.NoError(t, err, f.CFR)
		require.Equal(t, tt.first, first.String(), f.CFR)
		require.Equal(t, tt.later, later.String(), f.CFR)
	}
	// Penicillin G procaine, 1 ml per 100 lb: 600 kg is 1322.77… lb.
	pen, err := DoseSize(byID[6].Claim.SizeFunction, in, 0)
	require.NoError(t, err)
	require.Equal(t, "13.23 ml", pen.Format(2))
	// Oxytetracycline 9 mg/lb at 200 mg/ml for a 1000 lb steer: 9000 mg, 45 ml, 5 sites of ≤10 ml.
	oxy, err := DoseSize(byID[7].Claim.SizeFunction, &CaseInput{Weight: Q(Int(1000), Pound)}, 0)
	require.NoError(t, err)
	require.Equal(t, "9000 mg", oxy.String())
	vol, sites, err := Product{Concentration: Concentration{Q(Int(200), Milligram), Q(Int(1), Milliliter)}, MaxPerSite: Q(Int(10), Milliliter)}.Measure(oxy)
	require.NoError(t, err)
	require.Equal(t, "45 ml", vol.String())
	require.Equal(t, 5, sites)
}

func TestDryCowWithdrawalFromLabel(t *testing.T) {
	var clox labelFixture
	for _, f := range loadLabels(t) {
		if f.Claim.ID == 5 {
			clox = f
		}
	}
	rule := clox.rule(t)
	admins := []Administration{{Ref: "dry-off", Product: clox.Claim.Product, At: mustTime(t, "2024-05-01T07:00:00Z"), Rule: rule}}
	w, err := Withdrawal(admins, nil, WithholdOptions{})
	require.NoError(t, err)
	// 21 CFR 526.464(d)(3): no slaughter until 30 days after the latest infusion.
	require.Equal(t, mustTime(t, "2024-05-31T07:00:00Z"), w.Meat.Until)
	// Milk stays held while the cow is dry: the term waits for calving.
	require.True(t, w.Milk.Open)
	require.Equal(t, Calving, w.Milk.WaitingFor)
	// 526.464 sets no discard after calving, so milk is released at calving.
	w, err = Withdrawal(admins, []Event{{Kind: Calving, At: mustTime(t, "2024-06-20T22:00:00Z")}}, WithholdOptions{})
	require.NoError(t, err)
	require.False(t, w.Milk.Open)
	require.Equal(t, mustTime(t, "2024-06-20T22:00:00Z"), w.Milk.Until)
}

func TestLabelClaimsRoundTrip(t *testing.T) {
	data, err := os.ReadFile("labels/labels.json")
	require.NoError(t, err)
	var raw []struct {
		Claim json.RawMessage `json:"claim"`
	}
	require.NoError(t, json.Unmarshal(data, &raw))
	for _, r := range raw {
		var c LabelClaim
		require.NoError(t, json.Unmarshal(r.Claim, &c))
		out, err := json.Marshal(&c)
		require.NoError(t, err)
		require.JSONEq(t, string(r.Claim), string(out))
	}
}
