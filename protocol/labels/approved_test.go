package labels_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
)

func approved(t *testing.T) []labels.Cited {
	t.Helper()
	cs, err := labels.Approved()
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// claimFields are the JSON names a Cited.Unverified entry may use.
var claimFields = []string{"fdaSpecies", "diagnosis", "product", "route", "sequenceFunction",
	"sizeFunction", "wtMeatHrs", "wtMilkHrs", "ndc", "generic", "isRx", "prevention"}

func TestApprovedAreCited(t *testing.T) {
	cs := approved(t)
	if len(cs) < 150 {
		t.Errorf("%d claims in the shipped set, want at least 150", len(cs))
	}
	ids := map[int64]string{}
	dxByName := map[string]int64{}
	nameByDx := map[int64]string{}
	for i, c := range cs {
		where := fmt.Sprintf("claim %d (%s, %q)", c.Claim.ID, c.CFR, c.Claim.Diagnosis)
		if want := int64(labels.FirstID + i); c.Claim.ID != want {
			t.Errorf("%s: id %d, want %d (claims are numbered in file order from FirstID)", where, c.Claim.ID, want)
		}
		if prev, dup := ids[c.Claim.ID]; dup {
			t.Errorf("%s: id already used by %s", where, prev)
		}
		ids[c.Claim.ID] = c.CFR
		if !strings.HasPrefix(c.CFR, "21 CFR 5") && !strings.Contains(c.Claim.NDC, "NADA") {
			t.Errorf("%s: names neither a 21 CFR section nor an application number", where)
		}
		if len(c.Sources) == 0 || c.Note == "" {
			t.Errorf("%s: %d sources, note %d bytes; every claim names its source", where, len(c.Sources), len(c.Note))
		}
		for _, s := range c.Sources {
			if !strings.Contains(s, "http") {
				t.Errorf("%s: source %q has no address", where, s)
			}
		}
		for _, f := range c.Unverified {
			if !slices.Contains(claimFields, f) {
				t.Errorf("%s: unverified field %q is not a claim field", where, f)
			}
		}
		if c.Claim.DxID < labels.FirstDxID {
			t.Errorf("%s: dxId %d below FirstDxID", where, c.Claim.DxID)
		}
		if id, ok := dxByName[c.Claim.Diagnosis]; ok && id != c.Claim.DxID {
			t.Errorf("%s: dxId %d, but the same indication is dxId %d elsewhere", where, c.Claim.DxID, id)
		}
		if name, ok := nameByDx[c.Claim.DxID]; ok && name != c.Claim.Diagnosis {
			t.Errorf("%s: dxId %d also names %q", where, c.Claim.DxID, name)
		}
		dxByName[c.Claim.Diagnosis], nameByDx[c.Claim.DxID] = c.Claim.DxID, c.Claim.Diagnosis
		for _, s := range c.Claim.FDASpecies {
			if !s.Valid() {
				t.Errorf("%s: species %q is not an FDA class", where, s)
			}
		}
		if r, ok := protocol.ParseRoute(c.Claim.Route); !ok {
			t.Errorf("%s: route %q is not a known route (%q)", where, c.Claim.Route, r)
		}
		if c.Claim.Generic == "" || c.Claim.Product == "" || c.Claim.Dose == "" {
			t.Errorf("%s: generic %q, product %q, dose text %q", where, c.Claim.Generic, c.Claim.Product, c.Claim.Dose)
		}
		if _, err := c.Rule(); err != nil {
			t.Errorf("%s: rule: %v", where, err)
		}
	}
}

// TestApprovedClaimsValidate gives each claim's dose and schedule to a
// protocol with the claim as its label: the size and sequence functions
// must decode and pass protocol.Validate, and the label's own withdrawal
// must not be below itself.
func TestApprovedClaimsValidate(t *testing.T) {
	for _, c := range approved(t) {
		l := c.Claim
		if l.SizeFunction == nil || l.SequenceFunction == nil {
			t.Errorf("claim %d (%s): size %v, sequence %v", l.ID, c.CFR, l.SizeFunction, l.SequenceFunction)
			continue
		}
		if err := protocol.Validate(onLabelProtocol(l), []protocol.LabelClaim{l}); err != nil {
			t.Errorf("claim %d (%s): %v", l.ID, c.CFR, err)
		}
	}
}

// TestVerifiedClaimsHaveBothWithdrawals reads the raw file: a verified
// claim states wtMeatHrs and wtMilkHrs (0 where the label sets none), so a
// missing figure is not silently read as zero.
func TestVerifiedClaimsHaveBothWithdrawals(t *testing.T) {
	data, err := os.ReadFile("approved.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw []struct {
		CFR        string                     `json:"cfr"`
		Unverified []string                   `json:"unverified"`
		Claim      map[string]json.RawMessage `json:"claim"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for i, r := range raw {
		if len(r.Unverified) > 0 {
			continue
		}
		for _, k := range []string{"wtMeatHrs", "wtMilkHrs"} {
			v, ok := r.Claim[k]
			if !ok {
				t.Errorf("claim %d (%s): verified but has no %s", i, r.CFR, k)
				continue
			}
			var n protocol.Number
			if err := json.Unmarshal(v, &n); err != nil || n.Sign() < 0 {
				t.Errorf("claim %d (%s): %s %s: %v", i, r.CFR, k, v, err)
			}
		}
	}
}

func TestDefaultIsTheVerifiedSet(t *testing.T) {
	cs := approved(t)
	def, err := labels.Default()
	if err != nil {
		t.Fatal(err)
	}
	var verified, unverified int
	inDefault := map[int64]bool{}
	for _, l := range def {
		inDefault[l.ID] = true
	}
	for _, c := range cs {
		if c.Verified() {
			verified++
		} else {
			unverified++
		}
		if inDefault[c.Claim.ID] != c.Verified() {
			t.Errorf("claim %d (%s): in Default %v, verified %v", c.Claim.ID, c.CFR, inDefault[c.Claim.ID], c.Verified())
		}
	}
	if len(def) != verified || unverified == 0 && len(def) != len(cs) {
		t.Errorf("Default has %d claims; %d verified, %d unverified", len(def), verified, unverified)
	}
	t.Logf("%d verified claims, %d unverified", verified, unverified)
}

// TestApprovedFigures spot-checks claims against the regulation text the
// notes cite; the expected figures are copied from those paragraphs.
func TestApprovedFigures(t *testing.T) {
	tests := []struct {
		cfr, diagnosis, route string
		species               protocol.Species
		meat, milk            int64
		prevention            bool
	}{
		// 522.812(e)(2)(iii): 28 days; not for female dairy 20 months or older.
		{"21 CFR 522.812(e)(2)(i)(A)", "Bovine respiratory disease, treatment", "SC", protocol.BeefCattle, 672, 0, false},
		{"21 CFR 522.812(e)(2)(i)(A)", "Bovine respiratory disease, control in cattle at high risk", "SC", protocol.BeefCattle, 672, 0, true},
		// 522.812(e)(3)(ii): 5 days after a single injection.
		{"21 CFR 522.812(e)(3)(i)(A)", "Swine respiratory disease, treatment and control", "IM", protocol.Swine, 120, 0, true},
		// 522.955(d)(1)(i)(C): 44 days.
		{"21 CFR 522.955(d)(1)(i)", "Bovine respiratory disease, treatment", "SC", protocol.BeefCattle, 1056, 0, false},
		// 522.313a(d)(2)(iii): 13 days; lactating dairy cattle on label.
		{"21 CFR 522.313a(d)(2)", "Bovine respiratory disease, treatment", "SC", protocol.DairyCattle, 312, 0, false},
		// 522.313c(e)(5): day-old chicks, control of early mortality.
		{"21 CFR 522.313c(e)(5)", "Early mortality associated with E. coli in day-old chicks, control", "SC", protocol.ChickensBroilers, 0, 0, true},
		// 522.88(d)(2)(iii): 25 days, 96 hours.
		{"21 CFR 522.88(d)(2)", "Acute necrotic pododermatitis (foot rot), treatment", "IM", protocol.DairyCattle, 600, 96, false},
		// 522.90b(d)(2)(iii): 144 hours, 48 hours.
		{"21 CFR 522.90b(d)(2)", "Bacterial pneumonia (shipping fever, calf pneumonia, bovine pneumonia), treatment", "IM", protocol.DairyCattle, 144, 48, false},
		// 522.970(e)(3)(iii): swine 12 days.
		{"21 CFR 522.970(e)(3)", "Pyrexia associated with swine respiratory disease", "IM", protocol.Swine, 288, 0, false},
		// 522.1696b(d)(2)(iii)(A): sheep 8 days, milk 48 hours.
		{"21 CFR 522.1696b(d)(2)(iii)(A)", "Bacterial pneumonia (shipping fever) caused by Pasteurella multocida, treatment", "IM", protocol.Sheep, 192, 48, false},
		// 522.1044(d)(2)(iii): poults, 9 weeks.
		{"21 CFR 522.1044(d)(2)", "Early mortality due to Arizona paracolon infection in 1- to 3-day-old poults, prevention", "SC", protocol.Turkeys, 1512, 0, true},
	}
	cs := approved(t)
	for _, tt := range tests {
		t.Run(tt.cfr+" "+tt.route+" "+string(tt.species), func(t *testing.T) {
			i := slices.IndexFunc(cs, func(c labels.Cited) bool {
				return c.CFR == tt.cfr && c.Claim.Diagnosis == tt.diagnosis && c.Claim.Route == tt.route && c.Claim.FDASpecies.Covers(tt.species)
			})
			if i < 0 {
				t.Fatalf("no claim of %s for %q by %s in %s", tt.cfr, tt.diagnosis, tt.route, tt.species)
			}
			l := cs[i].Claim
			if l.WtMeatHrs.Cmp(protocol.Int(tt.meat)) != 0 || l.WtMilkHrs.Cmp(protocol.Int(tt.milk)) != 0 || l.Prevention != tt.prevention {
				t.Errorf("claim %d: meat %s, milk %s, prevention %v; want %d, %d, %v", l.ID, l.WtMeatHrs, l.WtMilkHrs, l.Prevention, tt.meat, tt.milk, tt.prevention)
			}
			if !cs[i].Verified() {
				t.Errorf("claim %d is unverified (%v)", l.ID, cs[i].Unverified)
			}
		})
	}
}

// onLabelProtocol is a protocol of one treatment that copies l: its
// classes, indication, route, dose, schedule and withdrawal.
func onLabelProtocol(l protocol.LabelClaim) *protocol.Protocol {
	p := &protocol.Protocol{Name: "On-label " + l.Product, Status: protocol.StatusPrescribed,
		Diagnoses: []protocol.Diagnosis{{Name: l.Diagnosis}}}
	for _, s := range l.FDASpecies {
		p.Eligibilities = append(p.Eligibilities, protocol.Eligibility{Name: string(s), FDASpecies: s})
	}
	id, meat, milk := l.ID, l.WtMeatHrs, l.WtMilkHrs
	p.Treatments = []protocol.Treatment{{LabelID: &id, Product: l.Product, Route: l.Route,
		SizeFunction: l.SizeFunction, SequenceFunction: l.SequenceFunction, WtMeatHrs: &meat, WtMilkHrs: &milk}}
	return p
}

// TestDefaultClassifiesOnLabel: every verified claim, used exactly as
// labelled, is ONLABEL against the default set, so no lawful on-label use
// is refused as extra-label.
func TestDefaultClassifiesOnLabel(t *testing.T) {
	def, err := labels.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range def {
		cs := protocol.Classify(onLabelProtocol(l), def, protocol.Use{Prevention: l.Prevention})
		if cs[0].Class != protocol.OnLabel || cs[0].Prohibited() {
			t.Errorf("claim %d (%s, %s): %s, findings %+v", l.ID, l.Product, l.Diagnosis, cs[0].Class, cs[0].Findings)
		}
	}
}

// TestCephalosporinPreventionFollowsTheClaim: ceftiofur crystalline free
// acid for BRD in beef cattle (21 CFR 522.313a(d)(2)) has a treatment claim
// and a control claim. Used for prevention at the labelled dose, it is
// lawful under the control claim and prohibited under the treatment claim
// (21 CFR 530.41(a)(13)(i)), so Prevention must be set exactly where the
// indication covers control.
func TestCephalosporinPreventionFollowsTheClaim(t *testing.T) {
	def, err := labels.Default()
	if err != nil {
		t.Fatal(err)
	}
	find := func(dx string) protocol.LabelClaim {
		t.Helper()
		i := slices.IndexFunc(def, func(l protocol.LabelClaim) bool {
			return l.Generic == "CEFTIOFUR" && l.Diagnosis == dx && l.FDASpecies.Covers(protocol.BeefCattle)
		})
		if i < 0 {
			t.Fatalf("no ceftiofur claim %q for beef cattle", dx)
		}
		return def[i]
	}
	tests := []struct {
		dx         string
		prevention bool
		want       protocol.AmducaClass
		prohibited bool
	}{
		{"Bovine respiratory disease, treatment", false, protocol.OnLabel, false},
		{"Bovine respiratory disease, treatment", true, protocol.OffLabel, true},
		{"Bovine respiratory disease, control in cattle at high risk", true, protocol.OnLabel, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/prevention=%v", tt.dx, tt.prevention), func(t *testing.T) {
			l := find(tt.dx)
			p := onLabelProtocol(l)
			p.Eligibilities = []protocol.Eligibility{{Name: "Feeder steers", FDASpecies: protocol.BeefCattle}}
			c := protocol.Classify(p, def, protocol.Use{Prevention: tt.prevention})[0]
			if c.Class != tt.want || c.Prohibited() != tt.prohibited {
				t.Errorf("claim %d: class %s, prohibited %v; want %s, %v; findings %+v", l.ID, c.Class, c.Prohibited(), tt.want, tt.prohibited, c.Findings)
			}
		})
	}
}
