package protocol

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func labelID(n int64) *int64 { return &n }

// protocolFor builds a one-treatment protocol for class s from a label
// claim, following the label unless the test changes it.
func protocolFor(c LabelClaim, s Species) *Protocol {
	meat, milk := c.WtMeatHrs, c.WtMilkHrs
	return &Protocol{
		Name: "test", Status: StatusPrescribed, OwnerID: 1,
		Eligibilities: []Eligibility{{Name: string(s), FDASpecies: s}},
		Treatments: []Treatment{{
			LabelID: labelID(c.ID), Product: c.Product, Route: c.Route,
			SizeFunction: c.SizeFunction, SequenceFunction: c.SequenceFunction,
			WtMeatHrs: &meat, WtMilkHrs: &milk,
		}},
	}
}

func claimByID(t *testing.T, id int64) (LabelClaim, []LabelClaim) {
	all := claims(loadLabels(t))
	for _, c := range all {
		if c.ID == id {
			return c, all
		}
	}
	t.Fatalf("no claim %d", id)
	return LabelClaim{}, nil
}

func deviations(c Classification) []Deviation {
	var out []Deviation
	for _, f := range c.Findings {
		if f.Deviation != "" {
			out = append(out, f.Deviation)
		}
	}
	return out
}

func TestClassifyOnAndOffLabel(t *testing.T) {
	flx, all := claimByID(t, 1)
	tests := []struct {
		name   string
		change func(p *Protocol)
		class  AmducaClass
		devs   []Deviation
	}{
		{"as labeled", func(*Protocol) {}, OnLabel, nil},
		{"lower end of the range", func(p *Protocol) {
			p.Treatments[0].SizeFunction = &DoseByWeightFunction{Dose: DrugQuantity{Q(MustParseNumber("1.1"), Milligram)}, PerUnit: Q(Int(1), Kilogram)}
			p.Treatments[0].SequenceFunction = &SeqPerDay{Frequency: 1, TotalDoses: 3}
		}, OnLabel, nil},
		{"same dose per lb is within range", func(p *Protocol) {
			// 1 mg/lb = 2.2046… mg/kg: just above 2.2 mg/kg, so off-label.
			p.Treatments[0].SizeFunction = &DoseByWeightFunction{Dose: DrugQuantity{Q(Int(1), Milligram)}, PerUnit: Q(Int(1), Pound)}
		}, OffLabel, []Deviation{DeviatesDose}},
		{"IM route", func(p *Protocol) { p.Treatments[0].Route = "intramuscular" }, OffLabel, []Deviation{DeviatesRoute}},
		{"intravenously spelled out", func(p *Protocol) { p.Treatments[0].Route = "Intravenous" }, OnLabel, nil},
		{"five days", func(p *Protocol) { p.Treatments[0].SequenceFunction = &SeqPerDay{Frequency: 1, TotalDoses: 5} }, OffLabel, []Deviation{DeviatesDuration}},
		{"twice a day", func(p *Protocol) { p.Treatments[0].SequenceFunction = &SeqPerDay{Frequency: 2, TotalDoses: 2} }, OffLabel, []Deviation{DeviatesFrequency}},
		{"goats", func(p *Protocol) { p.Eligibilities = []Eligibility{{Name: "Goats", FDASpecies: Goats}} }, OffLabel, []Deviation{DeviatesSpecies}},
		{"other indication", func(p *Protocol) { p.Diagnoses = []Diagnosis{{ID: 77, Name: "Lameness"}} }, OffLabel, []Deviation{DeviatesIndication}},
		{"labeled indication", func(p *Protocol) { p.Diagnoses = []Diagnosis{{ID: 1001}} }, OnLabel, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := protocolFor(flx, DairyCattle)
			tt.change(p)
			cs := Classify(p, all, Use{})
			require.Len(t, cs, 1)
			require.Equal(t, tt.class, cs[0].Class)
			require.Equal(t, tt.devs, deviations(cs[0]))
		})
	}
}

func TestClassifyDryCowIsNotNonLactating(t *testing.T) {
	// Tulathromycin is labeled for beef and non-lactating dairy cattle; a
	// dry cow is lactating dairy cattle in FDA terms.
	tul, all := claimByID(t, 2)
	cs := Classify(protocolFor(tul, DairyCattle), all, Use{})
	require.Equal(t, OffLabel, cs[0].Class)
	require.Equal(t, []Deviation{DeviatesSpecies}, deviations(cs[0]))
	cs = Classify(protocolFor(tul, DairyCattleNonLactating), all, Use{})
	require.Equal(t, OnLabel, cs[0].Class)
	// The swine claim proposes itself as a substitute for swine.
	cs = Classify(protocolFor(tul, Swine), all, Use{})
	require.Equal(t, OffLabel, cs[0].Class)
	sub, ok := cs[0].Findings[0].Remedy.(*SubstituteLabelClaimRemedy)
	require.True(t, ok)
	require.Equal(t, []int64{3}, sub.Substitutes)
}

func TestClassifyProhibitions(t *testing.T) {
	cef, all := claimByID(t, 4)
	sulfa, _ := claimByID(t, 8)
	tests := []struct {
		name      string
		p         *Protocol
		use       Use
		citations []string
	}{
		{"ceftiofur on label", protocolFor(cef, BeefCattle), Use{}, nil},
		// 530.41(a)(13)(i): prevention is prohibited whatever the dose,
		// unless the label's own indication covers prevention or control.
		{"ceftiofur for prevention on label regimen", protocolFor(cef, BeefCattle), Use{Prevention: true}, []string{"21 CFR 530.41(a)(13)"}},
		{"ceftiofur for prevention on a label claim for control", func() *Protocol {
			p := protocolFor(cef, BeefCattle)
			return p
		}(), Use{Prevention: true, Confirmations: nil}, nil},
		{"ceftiofur at a higher dose", func() *Protocol {
			p := protocolFor(cef, BeefCattle)
			p.Treatments[0].SizeFunction = &DoseByWeightFunction{Dose: DrugQuantity{Q(Int(5), Milligram)}, PerUnit: Q(Int(1), Kilogram)}
			return p
		}(), Use{}, []string{"21 CFR 530.41(a)(13)"}},
		{"ceftiofur for another indication at the label regimen", func() *Protocol {
			p := protocolFor(cef, BeefCattle)
			p.Diagnoses = []Diagnosis{{ID: 9, Name: "Metritis"}}
			return p
		}(), Use{}, []string{"21 CFR 530.20(a)(2)(ii)"}},
		{"ceftiofur off-label for prevention", func() *Protocol {
			p := protocolFor(cef, BeefCattle)
			p.Diagnoses = []Diagnosis{{ID: 9, Name: "Metritis"}}
			return p
		}(), Use{Prevention: true}, []string{"21 CFR 530.41(a)(13)"}},
		{"ceftiofur in goats", protocolFor(cef, Goats), Use{}, []string{"21 CFR 530.20(a)(2)(ii)"}},
		{"sulfadimethoxine off-label in lactating cows", func() *Protocol {
			p := protocolFor(sulfa, DairyCattle)
			p.Treatments[0].Route = "SC"
			return p
		}(), Use{}, []string{"21 CFR 530.41(a)(9)"}},
		{"sulfadimethoxine off-label in beef cattle", func() *Protocol {
			p := protocolFor(sulfa, BeefCattle)
			p.Treatments[0].Route = "SC"
			return p
		}(), Use{}, []string{"21 CFR 530.20(a)(2)(ii)"}},
		{"enrofloxacin without a label", &Protocol{Eligibilities: []Eligibility{{Name: "Cows", FDASpecies: DairyCattle}},
			Treatments: []Treatment{{Product: "Baytril 100 (enrofloxacin)", Route: "SC"}}}, Use{}, []string{"21 CFR 530.41(a)(10)"}},
		{"off-label by a lay person in feed", func() *Protocol {
			p := protocolFor(cef, Goats)
			return p
		}(), Use{LayPerson: true, InFeed: true}, []string{"21 CFR 530.11(a)", "21 CFR 530.11(b)"}},
		{"gentamicin sulfate is not a sulfonamide", &Protocol{Eligibilities: []Eligibility{{Name: "Cows", FDASpecies: DairyCattle}},
			Treatments: []Treatment{{Product: "Gentamicin sulfate 100 mg/mL", Route: "IM"}}}, Use{}, nil},
	}
	withControl := append([]LabelClaim(nil), all...)
	for k := range withControl {
		if withControl[k].ID == cef.ID {
			withControl[k].Prevention = true
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := all
			if strings.Contains(tt.name, "label claim for control") {
				labels = withControl
			}
			cs := Classify(tt.p, labels, tt.use)
			var got []string
			for _, f := range cs[0].Findings {
				if f.Prohibited || f.Citation == citeExtendedWithdrawal {
					got = append(got, f.Citation)
				}
			}
			require.Equal(t, tt.citations, got)
		})
	}
}

func TestPhenylbutazoneAge(t *testing.T) {
	p := &Protocol{Eligibilities: []Eligibility{{Name: "Heifers", FDASpecies: DairyHeifers}},
		Treatments: []Treatment{{Product: "Phenylbutazone 200 mg/mL", Route: "IV"}}}
	cs := Classify(p, nil, Use{})
	require.Equal(t, Unclassified, cs[0].Class)
	var cond *Finding
	for k := range cs[0].Findings {
		if cs[0].Findings[k].Citation == "21 CFR 530.41(a)(12)" {
			cond = &cs[0].Findings[k]
		}
	}
	require.NotNil(t, cond)
	require.True(t, cond.Conditional)
	require.False(t, cond.Prohibited)
	_, ok := cond.Remedy.(*RestrictionRemedy)
	require.True(t, ok)

	on := time.Date(2024, 11, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		animal Animal
		banned bool
	}{
		{"19 months", Animal{Class: DairyHeifers, Female: true, Born: time.Date(2023, 4, 16, 0, 0, 0, 0, time.UTC)}, false},
		{"exactly 20 months", Animal{Class: DairyHeifers, Female: true, Born: time.Date(2023, 3, 15, 0, 0, 0, 0, time.UTC)}, true},
		{"unknown age", Animal{Class: DairyHeifers, Female: true}, true},
		{"bull calf", Animal{Class: DairyHeifers, Female: false, Born: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"beef heifer", Animal{Class: BeefCattle, Female: true, Born: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
	}
	for _, tt := range tests {
		got := CheckProhibitedUse(cs[0], tt.animal, on)
		require.Equal(t, tt.banned, len(got) > 0, tt.name)
	}
	// In lactating dairy cattle it is prohibited outright.
	p.Eligibilities[0].FDASpecies = DairyCattle
	cs = Classify(p, nil, Use{})
	require.True(t, cs[0].Prohibited())
}

func TestAmducaTags(t *testing.T) {
	flx, all := claimByID(t, 1)
	p := protocolFor(flx, DairyCattle)
	p.Tags = []Tag{{ID: 4, Name: "MASTITIS", Color: "#000"}, {ID: -102, Name: "OFFLABEL"}}
	second := p.Treatments[0]
	second.Route = "IM"
	p.Treatments = append(p.Treatments, second)
	cs := AmducaTags(p, all, Use{})
	require.Equal(t, OnLabel, cs[0].Class)
	require.Equal(t, OffLabel, cs[1].Class)
	require.Equal(t, OnLabel, p.Treatments[0].Amduca)
	require.Equal(t, OffLabel, p.Treatments[1].Amduca)
	names := func(tags []Tag) []string {
		var out []string
		for _, t := range tags {
			out = append(out, t.Name)
		}
		return out
	}
	require.Equal(t, []string{"ONLABEL"}, names(p.Treatments[0].Tags))
	require.Equal(t, []string{"OFFLABEL", "EXTWDT"}, names(p.Treatments[1].Tags))
	require.Equal(t, []string{"MASTITIS", "ONLABEL", "OFFLABEL", "EXTWDT"}, names(p.Tags))
	// The OFFLABEL tag carries the route remedy; EXTWDT the affirmation promise.
	require.IsType(t, &JSONRemedy{}, p.Treatments[1].Tags[0].Fixes[0])
	require.IsType(t, &PromiseRemedy{}, p.Treatments[1].Tags[1].Fixes[0])
	// Running it twice changes nothing.
	AmducaTags(p, all, Use{})
	require.Equal(t, []string{"MASTITIS", "ONLABEL", "OFFLABEL", "EXTWDT"}, names(p.Tags))
}

func TestProhibitionsAreCited(t *testing.T) {
	list := Prohibitions()
	require.Len(t, list, 17)
	for _, p := range list {
		require.Regexp(t, `^21 CFR 530\.(41|11)\(`, p.Citation)
		require.NotEmpty(t, p.Drug)
	}
	list[0].Drug = "changed"
	require.Equal(t, "chloramphenicol", Prohibitions()[0].Drug, "Prohibitions returns a copy")
}

func TestForAnimalHeifersAndNonLactatingLabels(t *testing.T) {
	on := time.Date(2024, 11, 15, 0, 0, 0, 0, time.UTC)
	young := Animal{Class: DairyHeifers, Female: true, Born: time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC)}
	twenty := Animal{Class: DairyHeifers, Female: true, Born: time.Date(2023, 3, 15, 0, 0, 0, 0, time.UTC)}

	tul, all := claimByID(t, 2) // beef and non-lactating dairy cattle
	cs := Classify(protocolFor(tul, DairyHeifers), all, Use{})
	require.Equal(t, OnLabel, cs[0].Class)
	require.Len(t, cs[0].Findings, 1)
	require.True(t, cs[0].Findings[0].Conditional)
	require.IsType(t, &RestrictionRemedy{}, cs[0].Findings[0].Remedy)

	got := ForAnimal(cs[0], young, on)
	require.Equal(t, OnLabel, got.Class)
	require.Empty(t, got.Findings)

	got = ForAnimal(cs[0], twenty, on)
	require.Equal(t, OffLabel, got.Class)
	require.Equal(t, []Deviation{DeviatesSpecies}, deviations(got))
	require.Equal(t, citeExtendedWithdrawal, got.Findings[1].Citation)

	// A cephalosporin labeled for non-lactating dairy cattle becomes a
	// prohibited use in a heifer of 20 months: not approved for her class.
	cef, _ := claimByID(t, 4)
	cef.FDASpecies = SpeciesList{BeefCattle, DairyCattleNonLactating}
	cs = Classify(protocolFor(cef, DairyHeifers), []LabelClaim{cef}, Use{})
	require.Equal(t, OnLabel, cs[0].Class)
	require.Empty(t, CheckProhibitedUse(cs[0], young, on))
	banned := CheckProhibitedUse(cs[0], twenty, on)
	require.Len(t, banned, 1)
	require.Equal(t, "21 CFR 530.41(a)(13)", banned[0].Citation)
}

func TestForAnimalRederivesProhibitionsForTheAnimal(t *testing.T) {
	sulfa, all := claimByID(t, 8)
	p := protocolFor(sulfa, DairyCattle)
	p.Eligibilities = append(p.Eligibilities, Eligibility{Name: "Beef", FDASpecies: BeefCattle})
	p.Treatments[0].Route = "SC"
	cs := Classify(p, all, Use{})
	require.True(t, cs[0].Prohibited(), "off-label sulfonamide is prohibited for the lactating cows the protocol allows")
	on := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	steer := ForAnimal(cs[0], Animal{Class: BeefCattle}, on)
	require.False(t, steer.Prohibited())
	require.Equal(t, OffLabel, steer.Class)
	require.Equal(t, citeExtendedWithdrawal, steer.Findings[len(steer.Findings)-1].Citation)
	cow := ForAnimal(cs[0], Animal{Class: DairyCattle, Female: true}, on)
	require.True(t, cow.Prohibited())
}
