package protocol

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func loadProtocol(t testing.TB, name string) *Protocol {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	var p Protocol
	require.NoError(t, json.Unmarshal(data, &p))
	return &p
}

func TestPlanFlunixin(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	plan, err := Plan(p, CaseInput{
		Initiation: mustTime(t, "2024-03-01T06:00:00Z"),
		Weight:     Q(Int(600), Kilogram),
		Products: map[string]Product{
			"Banamine (flunixin meglumine) 50 mg/mL": {
				Concentration: Concentration{Amount: Q(Int(50), Milligram), Per: Q(Int(1), Milliliter)},
			},
		},
	})
	require.NoError(t, err)
	require.Len(t, plan.Doses, 3)
	wantAt := []string{"2024-03-01T06:00:00Z", "2024-03-02T06:00:00Z", "2024-03-03T06:00:00Z"}
	for i, d := range plan.Doses {
		require.Equal(t, mustTime(t, wantAt[i]), d.At)
		require.Equal(t, i+1, d.Seq)
		require.Equal(t, "1320 mg", d.Dose.String())
		require.Equal(t, "26.4 ml", d.Volume.String())
		require.Equal(t, 0, d.Sites, "no site limit given")
		require.Equal(t, "IV", d.Route)
	}
	require.Equal(t, mustTime(t, "2024-03-04T18:00:00Z"), plan.Withholds.Milk.Until)
	require.Equal(t, mustTime(t, "2024-03-07T06:00:00Z"), plan.Withholds.Meat.Until)
	require.Equal(t, 2, plan.Withholds.Meat.Cause)
	require.Equal(t, "T-1", plan.Withholds.Meat.Ref)

	require.Len(t, plan.Promises, 2)
	require.Equal(t, mustTime(t, "2024-03-01T06:00:00Z"), plan.Promises[0].Due)
	require.Equal(t, mustTime(t, "2024-03-02T18:00:00Z"), plan.Promises[1].Due)

	// The second dose is given 5 hours late: recompute from the actual doses.
	admins := append([]Administration(nil), plan.Administrations...)
	admins[2].At = mustTime(t, "2024-03-03T11:00:00Z")
	w, err := Withdrawal(admins, nil, WithholdOptions{})
	require.NoError(t, err)
	require.Equal(t, mustTime(t, "2024-03-04T23:00:00Z"), w.Milk.Until)
	require.Equal(t, mustTime(t, "2024-03-07T11:00:00Z"), w.Meat.Until)
}

func TestPlanErrors(t *testing.T) {
	p := loadProtocol(t, "protocol_flunixin.json")
	_, err := Plan(p, CaseInput{Initiation: mustTime(t, "2024-03-01T06:00:00Z")})
	require.ErrorIs(t, err, ErrMissingInput)
	require.EqualError(t, err, "protocol: case.weight: is required for a dose by weight")

	_, err = Plan(p, CaseInput{Weight: Q(Int(600), Kilogram)})
	require.ErrorIs(t, err, ErrMissingInput)

	bad := *p
	bad.Treatments = []Treatment{p.Treatments[0]}
	bad.Treatments[0].SequenceFunction = &SeqPerDay{Frequency: 0, TotalDoses: 3}
	_, err = Plan(&bad, CaseInput{Initiation: mustTime(t, "2024-03-01T06:00:00Z"), Weight: Q(Int(600), Kilogram)})
	require.EqualError(t, err, "protocol: treatments[0].sequenceFunction.frequency 0: must be between 1 and 24 per day")
}

func TestProtocolWithdrawalRule(t *testing.T) {
	p := &Protocol{WtMeatHrs: hrsPtr(120), Treatments: []Treatment{{WtMeatHrs: hrsPtr(96), WtMilkHrs: hrsPtr(36)}}}
	r, err := p.WithdrawalRule(0, Product{Withdrawal: &WithdrawalRule{
		Milk: []Term{{Event: Calving, Period: 96 * time.Hour}, {Period: 24 * time.Hour}},
	}})
	require.NoError(t, err)
	// Protocol-level 120 h beats the treatment's 96 h; the product's 24 h
	// milk term is shorter than 36 h; its calving term is added.
	require.Equal(t, []Term{{Period: 120 * time.Hour}}, r.Meat)
	require.Equal(t, []Term{{Period: 36 * time.Hour}, {Event: Calving, Period: 96 * time.Hour}}, r.Milk)

	p.Treatments[0].WtMilkHrs = hrsPtr(-85044115)
	_, err = p.WithdrawalRule(0, Product{})
	require.EqualError(t, err, "protocol: treatments[0].wtMilkHrs -85044115: must be between 0 and 87600")
	_, err = p.WithdrawalRule(3, Product{})
	require.ErrorIs(t, err, ErrInvalid)
}
