package protocol

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// FuzzDecodeValidatePlanClassify decodes a protocol and a case from JSON,
// validates, plans and classifies them, and checks the food-safety
// invariant of issue 11: a plan never carries a dose of mass, units or
// volume without a positive volume of product, and never a volume that is
// not a volume. Whatever the input, Plan either refuses it or keeps that
// promise; nothing panics.
func FuzzDecodeValidatePlanClassify(f *testing.F) {
	for _, name := range []string{"testdata/protocol_flunixin.json", "testdata/vcpr_example_protocol.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte(`{"_type":"models.WeightData","weight":{"value":600,"symbol":"kg"}}`), "", "50 mg", "1 ml", uint8(0))
	}
	flunixin, err := os.ReadFile("testdata/protocol_flunixin.json")
	if err != nil {
		f.Fatal(err)
	}
	weight := func(v, sym string) []byte {
		return []byte(`{"_type":"models.WeightData","weight":{"dimension":"Mass","value":` + v + `,"symbol":"` + sym + `"}}`)
	}
	one := func(size, seq string) []byte {
		return []byte(`{"name":"fuzz","status":"VALIDATED","treatments":[{"id":"T","product":"P","route":"IM","eligibilities":[{"name":"Beef","fdaSpecies":"BeefCattle"}],"wtMeatHrs":24,"sizeFunction":` + size + `,"sequenceFunction":` + seq + `}]}`)
	}
	perDay := `{"_type":"models.SeqPerDay","frequency":2,"totalDoses":3}`
	// The findings of issue 11, as seeds.
	f.Add(one(`{"_type":"models.LoadingDoseByWeightFunction","firstDose":{"quantity":{"value":60,"symbol":"mg"}},"followDose":{"quantity":{"value":30,"symbol":"ml"}},"perUnit":{"value":1,"symbol":"kg"}}`, perDay),
		weight("600", "kg"), "", "50 mg", "1 ml", uint8(0))
	f.Add(flunixin, weight("600", "kg"), "Banamine (flunixin meglumin) 50 mg/mL", "50 mg", "1 ml", uint8(0))
	f.Add(flunixin, weight("1322.7735731092084", "lb"), "", "50 mg", "1 ml", uint8(0))
	f.Add(flunixin, weight("1e15", "kg"), "", "50 mg", "1 ml", uint8(0))
	f.Add(flunixin, weight("600", "KG"), "ndc:NADA 101-479", "50 mg", "1 cc", uint8(0))
	f.Add(flunixin, weight("1", "ton"), "", "50 mg", "1 ml", uint8(0))
	f.Add(flunixin, weight("600", "kg"), "", "15 g", "1 ea", uint8(0))
	f.Add(flunixin, weight("600", "kg"), "", "300000 U", "1 ml", uint8(0))
	f.Add(flunixin, weight("600", "kg"), "", "0 mg", "1 ml", uint8(0))
	f.Add(flunixin, weight("600", "kg"), "", "50 mg", "0 ml", uint8(0))
	f.Add(flunixin, weight("600", "kg"), "", "", "", uint8(0))
	f.Add(one(`{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":3000000,"symbol":"U"}}}`, perDay), []byte(`null`), "", "300000 U", "1 ml", uint8(0))
	f.Add(one(`{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":2,"symbol":"ea"}}}`, perDay), []byte(`null`), "", "", "", uint8(0))
	f.Add(one(`{"_type":"models.DoseRangeFunction","range":{"min":{"quantity":{"value":1,"symbol":"ml"}},"max":{"quantity":{"value":2,"symbol":"ml"}}}}`, `{"_type":"models.SeqPerDayRange","frequency":1,"minDoses":1,"maxDoses":4}`),
		[]byte(`{"_type":"models.PreferredDoseData","preferredDose":{"quantity":{"value":1.5,"symbol":"mL"}}}`), "", "", "", uint8(3))
	f.Add([]byte(`{"name":"dosage only","status":"VALIDATED","treatments":[{"product":"P","route":"IV","dosage":{"sizeFunction":{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"value":2.2,"symbol":"mg"}},"perUnit":{"value":1,"symbol":"kg"}},"sequenceFunction":{"_type":"models.SeqSingleDose"}}}]}`),
		weight("600", "kg"), "", "50 mg", "1 ml", uint8(0))
	f.Add([]byte(`{"name":"dosage disagrees","status":"VALIDATED","treatments":[{"product":"P","route":"IV","sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":5,"symbol":"ml"}}},"sequenceFunction":{"_type":"models.SeqSingleDose"},"dosage":{"sizeFunction":{"_type":"models.FixedDoseFunction","dose":{"quantity":{"value":6,"symbol":"ml"}}}}}]}`),
		[]byte(`null`), "", "", "", uint8(0))

	f.Fuzz(func(t *testing.T, protocolJSON, caseJSON []byte, key, amount, per string, count uint8) {
		var p Protocol
		if err := json.Unmarshal(protocolJSON, &p); err != nil {
			return
		}
		_ = Validate(&p, nil)
		c := CaseInput{Initiation: time.Date(2024, 3, 9, 14, 0, 0, 0, time.UTC), DoseCount: int(count)}
		if d, err := DecodeCaseData(caseJSON); err == nil {
			if err := c.Apply(d); err != nil {
				return
			}
		}
		if a, err := ParseQuantity(amount, NoDimension); err == nil {
			if b, err := ParseQuantity(per, NoDimension); err == nil {
				prod := Product{Concentration: Concentration{Amount: a, Per: b}}
				c.Products = map[string]Product{}
				if key != "" {
					c.Products[key] = prod
				} else {
					for i := range p.Treatments {
						if p.Treatments[i].ID != "" {
							c.Products["id:"+p.Treatments[i].ID] = prod
						} else {
							c.Products[p.Treatments[i].Product] = prod
						}
					}
				}
			}
		}
		plan, err := Plan(&p, c)
		_ = Classify(&p, nil, Use{})
		if err != nil {
			return
		}
		for k, d := range plan.Doses {
			if d.Dose.IsZero() || d.Dose.Value.Sign() <= 0 {
				t.Fatalf("dose %d: planned dose %s is not positive", k, d.Dose)
			}
			switch d.Dose.Dimension() {
			case Mass, Activity, Volume:
				if d.Volume.IsZero() || d.Volume.Dimension() != Volume || d.Volume.Value.Sign() <= 0 {
					t.Fatalf("dose %d of %s: Volume %s is not a positive volume", k, d.Dose, d.Volume)
				}
			case Dimensionless:
				if !d.Volume.IsZero() {
					t.Fatalf("dose %d of %s counted in units of product has Volume %s", k, d.Dose, d.Volume)
				}
			default:
				t.Fatalf("dose %d: %s has no dimension", k, d.Dose)
			}
		}
	})
}
