package protocol_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

const flunixinProtocol = `{
  "ownerId": 7, "name": "Flunixin for fever", "status": "PRESCRIBED", "shareAll": false, "shareClonable": false,
  "eligibilities": [{"name": "Lactating dairy cows", "fdaSpecies": "DairyCattle"}],
  "treatments": [{
    "product": "Flunixin 50 mg/mL", "route": "IV", "wtMeatHrs": 96, "wtMilkHrs": 36,
    "sequenceFunction": {"_type": "models.SeqPerDay", "frequency": 1, "totalDoses": 3},
    "sizeFunction": {"_type": "models.DoseByWeightFunction",
      "dose": {"quantity": {"dimension": "Mass", "value": 2.2, "symbol": "mg"}},
      "perUnit": {"dimension": "Mass", "value": 1, "symbol": "kg"}}
  }]
}`

func ExamplePlan() {
	var p protocol.Protocol
	if err := json.Unmarshal([]byte(flunixinProtocol), &p); err != nil {
		panic(err)
	}
	plan, err := protocol.Plan(&p, protocol.CaseInput{
		Initiation: time.Date(2024, 3, 1, 6, 0, 0, 0, time.UTC),
		Weight:     protocol.Q(protocol.Int(600), protocol.Kilogram),
		Products: map[string]protocol.Product{
			"Flunixin 50 mg/mL": {Concentration: protocol.Concentration{
				Amount: protocol.Q(protocol.Int(50), protocol.Milligram),
				Per:    protocol.Q(protocol.Int(1), protocol.Milliliter),
			}},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, d := range plan.Doses {
		fmt.Printf("dose %d at %s: %s = %s %s\n", d.Seq, d.At.Format(time.RFC3339), d.Dose, d.Volume, d.Route)
	}
	fmt.Println("milk until", plan.Withholds.Milk.Until.Format(time.RFC3339))
	fmt.Println("meat until", plan.Withholds.Meat.Until.Format(time.RFC3339), "because of dose", plan.Withholds.Meat.Cause+1)
	// Output:
	// dose 1 at 2024-03-01T06:00:00Z: 1320 mg = 26.4 ml IV
	// dose 2 at 2024-03-02T06:00:00Z: 1320 mg = 26.4 ml IV
	// dose 3 at 2024-03-03T06:00:00Z: 1320 mg = 26.4 ml IV
	// milk until 2024-03-04T18:00:00Z
	// meat until 2024-03-07T06:00:00Z because of dose 3
}

func ExampleWithdrawal() {
	flunixin, _ := protocol.HoursRule(ptr(protocol.Int(96)), ptr(protocol.Int(36)))
	penicillin, _ := protocol.HoursRule(ptr(protocol.Int(240)), ptr(protocol.Int(48)))
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	given := []protocol.Administration{
		{Ref: "flunixin #1", Product: "flunixin", At: at("2024-03-01T06:00:00Z"), Rule: flunixin},
		{Ref: "penicillin #1", Product: "penicillin", At: at("2024-03-01T06:10:00Z"), Rule: penicillin},
		{Ref: "flunixin #2 (late)", Product: "flunixin", At: at("2024-03-02T11:00:00Z"), Rule: flunixin},
	}
	w, err := protocol.Withdrawal(given, nil, protocol.WithholdOptions{
		Milkings: []protocol.Clock{{Hour: 5}, {Hour: 17}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("meat:", w.Meat.Until.Format(time.RFC3339), "because of", w.Meat.Ref)
	fmt.Println("milk:", w.Milk.Until.Format(time.RFC3339), "because of", w.Milk.Ref, "-", w.Milk.DiscardedMilkings, "milkings discarded")
	// Output:
	// meat: 2024-03-11T06:10:00Z because of penicillin #1
	// milk: 2024-03-04T05:00:00Z because of flunixin #2 (late) - 5 milkings discarded
}

func ptr[T any](v T) *T { return &v }
