package protocol_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vetlink/vetlink/protocol"
)

func ExampleValidate() {
	var p protocol.Protocol
	if err := json.Unmarshal([]byte(flunixinProtocol), &p); err != nil {
		panic(err)
	}
	bad := protocol.Int(-85044115)
	p.Treatments[0].WtMeatHrs = &bad
	p.Treatments[0].Route = ""
	err := protocol.Validate(&p, nil)
	var probs protocol.Problems
	if errors.As(err, &probs) {
		for _, e := range probs {
			fmt.Println(e)
		}
	}
	// Output:
	// protocol: treatments[0].route: is required
	// protocol: treatments[0].wtMeatHrs -85044115: must be between 0 and 87600
}

func ExampleCheckEligibility() {
	var p protocol.Protocol
	if err := json.Unmarshal([]byte(flunixinProtocol), &p); err != nil {
		panic(err)
	}
	dryCow := protocol.Animal{Class: protocol.DairyClass(true), Female: true}
	heifer := protocol.Animal{Class: protocol.DairyClass(false), Female: true}
	fmt.Println(protocol.CheckEligibility(&p, dryCow))
	err := protocol.CheckEligibility(&p, heifer)
	fmt.Println(errors.Is(err, protocol.ErrNotEligible), err)
	// Output:
	// <nil>
	// true protocol: animal.class DairyHeifers: must be one of the protocol's eligible classes: DairyCattle
}

func ExampleClassify() {
	var p protocol.Protocol
	if err := json.Unmarshal([]byte(flunixinProtocol), &p); err != nil {
		panic(err)
	}
	id := int64(1)
	p.Treatments[0].LabelID = &id
	p.Treatments[0].Route = "IM" // the label allows IV only
	labels := []protocol.LabelClaim{{
		ID: 1, FDASpecies: protocol.SpeciesList{protocol.BeefCattle, protocol.DairyCattle},
		Route: "IV", WtMeatHrs: protocol.Int(96), WtMilkHrs: protocol.Int(36), Generic: "FLUNIXIN",
		SizeFunction: &protocol.DoseRangeByWeightFunction{
			Range: protocol.DrugQuantityRange{
				Min: protocol.DrugQuantity{Quantity: protocol.Q(protocol.MustParseNumber("1.1"), protocol.Milligram)},
				Max: protocol.DrugQuantity{Quantity: protocol.Q(protocol.MustParseNumber("2.2"), protocol.Milligram)},
			},
			PerUnit: protocol.Q(protocol.Int(1), protocol.Kilogram),
		},
		SequenceFunction: &protocol.SeqPerDayRange{Frequency: 1, MinDoses: 1, MaxDoses: 3},
	}}
	for _, c := range protocol.Classify(&p, labels, protocol.Use{}) {
		fmt.Println(c.Class)
		for _, f := range c.Findings {
			fmt.Printf("- %s (%s)\n", f.Why, f.Citation)
		}
	}
	// Output:
	// OFFLABEL
	// - route "IM" is not the label's "IV" (21 CFR 530.3(a))
	// - extra-label use in a food animal needs a substantially extended withdrawal set by the veterinarian (21 CFR 530.20(a)(2)(ii))
}

func ExampleDoseText() {
	s, err := protocol.DoseText(
		&protocol.DoseByWeightFunction{
			Dose:    protocol.DrugQuantity{Quantity: protocol.Q(protocol.Int(1), protocol.Milliliter)},
			PerUnit: protocol.Q(protocol.Int(100), protocol.Pound),
		},
		&protocol.SeqPerDayRange{Frequency: 1, MinDoses: 1, MaxDoses: 4},
		"IM",
	)
	fmt.Println(s, err)
	// Output:
	// 1 ml per 100 lb IM every 24 hours for 1 to 4 doses <nil>
}

func ExampleParseNDC() {
	n, _ := protocol.ParseNDC("0010-3495-01")
	eleven, _ := n.Eleven()
	fmt.Println(n.Config, eleven)
	billing, _ := protocol.ParseNDC(eleven)
	_, err := billing.Ten()
	fmt.Println(err)
	// Output:
	// 4-4-2 00010349501
	// protocol: ambiguous NDC configuration: 00010-3495-01 could be 0010-3495-01 or 00010-3495-1; give the configuration
}

func ExampleParseAppNumber() {
	a, _ := protocol.ParseAppNumber("ANADA200008")
	fmt.Println(a, "|", a.Compact())
	// Output: ANADA 200-008 | ANADA200008
}

func ExampleQuantity_In() {
	lb, _ := protocol.ParseQuantity("1320 lb", protocol.Mass)
	kg, _ := lb.In(protocol.Kilogram)
	fmt.Println(kg, "~", kg.Format(1))
	// Output: 598.7419284 kg ~ 598.7 kg
}

func ExampleEstimateByHalfLife() {
	label := protocol.Q(protocol.MustParseNumber("2.2"), protocol.Milligram)
	doubled := protocol.Q(protocol.MustParseNumber("4.4"), protocol.Milligram)
	e, _ := protocol.EstimateByHalfLife(protocol.Meat, 96*3600e9, 8*3600e9, label, doubled)
	fmt.Println(e)
	// Output: at least 120h (half-life extrapolation; estimate, needs a veterinarian's sign-off)
}
