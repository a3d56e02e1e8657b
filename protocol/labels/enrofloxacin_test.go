package labels_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
)

// baytril is a BRD protocol for Baytril 100 (enrofloxacin 100 mg/mL) as a
// veterinarian writes it: 10 mg/kg SC once, 28-day slaughter withdrawal.
const baytril = `{
  "name": "Baytril 100 for BRD", "status": "PRESCRIBED", "ownerId": 1, "shareAll": false, "shareClonable": false,
  "diagnoses": [{"name": "Bovine respiratory disease, treatment"}],
  "eligibilities": [{"name": "Feedlot steers", "fdaSpecies": %q}],
  "treatments": [{
    "labelId": %d, "product": "Baytril 100", "route": "subcutaneous", "wtMeatHrs": 672, "wtMilkHrs": 0,
    "sequenceFunction": {"_type": "models.SeqSingleDose"},
    "sizeFunction": {"_type": "models.DoseByWeightFunction",
      "dose": {"quantity": {"dimension": "Mass", "value": %s, "symbol": "mg"}},
      "perUnit": {"dimension": "Mass", "value": 1, "symbol": "kg"}}
  }]
}`

// TestEnrofloxacinBRDIsOnLabel: the approved use of enrofloxacin in beef
// cattle for BRD (21 CFR 522.812(e)(2): 7.5 to 12.5 mg/kg SC once) is
// ONLABEL with the default label set, not refused as extra-label; a dose
// above the label or a lactating dairy cow is extra-label, and extra-label
// use of a fluoroquinolone is prohibited (21 CFR 530.41(a)(10)).
func TestEnrofloxacinBRDIsOnLabel(t *testing.T) {
	def, err := labels.Default()
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, l := range def {
		if l.Generic == "ENROFLOXACIN" && l.Diagnosis == "Bovine respiratory disease, treatment" && l.FDASpecies.Covers(protocol.BeefCattle) {
			if _, ok := l.SequenceFunction.(*protocol.SeqSingleDose); ok {
				id = l.ID
			}
		}
	}
	if id == 0 {
		t.Fatal("the default set has no single-dose enrofloxacin BRD claim for beef cattle")
	}
	tests := []struct {
		name       string
		species    protocol.Species
		dose       string
		want       protocol.AmducaClass
		prohibited bool
	}{
		{"labelled dose, beef cattle", protocol.BeefCattle, "10", protocol.OnLabel, false},
		{"lowest labelled dose", protocol.BeefCattle, "7.5", protocol.OnLabel, false},
		{"highest labelled dose", protocol.BeefCattle, "12.5", protocol.OnLabel, false},
		{"labelled dose, dairy heifers", protocol.DairyCattleNonLactating, "10", protocol.OnLabel, false},
		{"above the label", protocol.BeefCattle, "15", protocol.OffLabel, true},
		{"lactating dairy cattle", protocol.DairyCattle, "10", protocol.OffLabel, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p protocol.Protocol
			if err := json.Unmarshal(fmt.Appendf(nil, baytril, tt.species, id, tt.dose), &p); err != nil {
				t.Fatal(err)
			}
			if err := protocol.Validate(&p, def); err != nil {
				t.Fatalf("validate: %v", err)
			}
			c := protocol.Classify(&p, def, protocol.Use{})[0]
			if c.Class != tt.want || c.Prohibited() != tt.prohibited {
				t.Errorf("class %s, prohibited %v; want %s, %v; findings %+v", c.Class, c.Prohibited(), tt.want, tt.prohibited, c.Findings)
			}
		})
	}
	// With the handful of fixture claims (no enrofloxacin), the same use
	// was refused as extra-label: the reason the set ships.
	var p protocol.Protocol
	if err := json.Unmarshal(fmt.Appendf(nil, baytril, protocol.BeefCattle, id, "10"), &p); err != nil {
		t.Fatal(err)
	}
	if c := protocol.Classify(&p, nil, protocol.Use{})[0]; c.Class == protocol.OnLabel || !c.Prohibited() {
		t.Errorf("without label claims: class %s, prohibited %v; want a refused extra-label use", c.Class, c.Prohibited())
	}
}

func ExampleDefault() {
	claims, err := labels.Default()
	if err != nil {
		panic(err)
	}
	for _, l := range claims {
		if l.Generic == "ENROFLOXACIN" && l.FDASpecies.Covers(protocol.BeefCattle) && l.Prevention {
			fmt.Println(l.Product, "-", l.Diagnosis)
			fmt.Println(l.Dose, "| slaughter after", l.WtMeatHrs, "hours")
		}
	}
	// Output:
	// Enrofloxacin injection 100 mg/mL - Bovine respiratory disease, control in cattle at high risk
	// 7.5 mg per kg SC once (3.4 mL per 100 lb) | slaughter after 672 hours
}
