package protocol

import (
	"encoding/json"
	"testing"
	"time"
)

// benchCase is a whole case: the flunixin protocol plus a loading-dose
// sulfadimethoxine treatment and a penicillin treatment dosed per 100 lb,
// for a 1320 lb cow on a farm with local-day rules and three milkings.
func benchCase(b *testing.B) (*Protocol, CaseInput) {
	b.Helper()
	p := loadProtocol(b, "protocol_flunixin.json")
	meat, milk := Int(120), Int(60)
	p.Treatments = append(p.Treatments,
		Treatment{Product: "Sulfadimethoxine 40%", Route: "IV", WtMeatHrs: &meat, WtMilkHrs: &milk,
			SizeFunction: &LoadingDoseByWeightFunction{
				FirstDose: DrugQuantity{Q(Int(55), Milligram)}, FollowDose: DrugQuantity{Q(MustParseNumber("27.5"), Milligram)}, PerUnit: Q(Int(1), Kilogram)},
			SequenceFunction: &SeqPerDayRange{Frequency: 1, MinDoses: 2, MaxDoses: 5}},
		Treatment{Product: "Penicillin G procaine", Route: "IM", WtMeatHrs: hrsPtr(240), WtMilkHrs: hrsPtr(48),
			SizeFunction:     &DoseByWeightFunction{Dose: DrugQuantity{Q(Int(1), Milliliter)}, PerUnit: Q(Int(100), Pound)},
			SequenceFunction: &SeqInterval{TotalDoses: 4, Interval: Hours(24)}},
	)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	in := CaseInput{
		Initiation: time.Date(2024, 3, 8, 11, 0, 0, 0, time.UTC),
		Weight:     Q(Int(1320), Pound),
		DoseCount:  5,
		Products: map[string]Product{
			"Banamine (flunixin meglumine) 50 mg/mL": {Concentration: Concentration{Q(Int(50), Milligram), Q(Int(1), Milliliter)}},
			"Sulfadimethoxine 40%":                   {Concentration: Concentration{Q(Int(400), Milligram), Q(Int(1), Milliliter)}},
			"Penicillin G procaine":                  {MaxPerSite: Q(Int(10), Milliliter)},
		},
		Withholds: WithholdOptions{Location: ny, LocalDays: true, Milkings: []Clock{{4, 30}, {12, 30}, {20, 30}}},
	}
	return p, in
}

// BenchmarkPlanCase computes a whole case: dose sizes and volumes, the
// schedule of 12 doses over three treatments, promise tasks and the
// withholds with the farm's rules.
func BenchmarkPlanCase(b *testing.B) {
	p, in := benchCase(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(p, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWithdrawal recomputes the withholds of the case from its 12
// administrations, as rx does after every recorded dose.
func BenchmarkWithdrawal(b *testing.B) {
	p, in := benchCase(b)
	plan, err := Plan(p, in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Withdrawal(plan.Administrations, nil, in.Withholds); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDoseSize evaluates one dose by weight with unit conversion.
func BenchmarkDoseSize(b *testing.B) {
	f := &DoseByWeightFunction{Dose: DrugQuantity{Q(MustParseNumber("2.2"), Milligram)}, PerUnit: Q(Int(1), Kilogram)}
	in := &CaseInput{Weight: Q(Int(1320), Pound)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DoseSize(f, in, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeProtocol decodes the flunixin protocol from VCPR JSON.
func BenchmarkDecodeProtocol(b *testing.B) {
	p := loadProtocol(b, "protocol_flunixin.json")
	data, err := json.Marshal(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var q Protocol
		if err := json.Unmarshal(data, &q); err != nil {
			b.Fatal(err)
		}
	}
}
