package protocol

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/protocol/drugs"
)

// classifyProduct classifies one unlabeled treatment of product in class s.
func classifyProduct(product, ndc string, s Species, use Use) Classification {
	p := &Protocol{Eligibilities: []Eligibility{{Name: string(s), FDASpecies: s}},
		Treatments: []Treatment{{Product: product, NDC: ndc, Route: "IM"}}}
	return Classify(p, nil, use)[0]
}

func citations(c Classification) []string {
	var out []string
	for _, f := range c.Findings {
		if f.Prohibited || f.Conditional {
			out = append(out, f.Citation)
		}
	}
	return out
}

// TestEvery53041EntryCatchesBrandAndSynonym checks, for each paragraph of
// 21 CFR 530.41, that a product named only by its brand and one named by
// a synonym or another spelling are both caught. Where the dictionary has
// no brand for the entry (DES, dimetridazole, ipronidazole, phenylbutazone)
// only names are tested.
func TestEvery53041EntryCatchesBrandAndSynonym(t *testing.T) {
	tests := []struct {
		cite    string
		species Species
		brand   string
		names   []string
	}{
		{"21 CFR 530.41(a)(1)", BeefCattle, "Chloromycetin", []string{"Chloramphenicol palmitate", "CHLORAMPHENICOL"}},
		{"21 CFR 530.41(a)(2)", BeefCattle, "Ventipulmin syrup", []string{"clenbuterol HCl"}},
		{"21 CFR 530.41(a)(3)", BeefCattle, "", []string{"stilboestrol implant", "diethylstilbestrol"}},
		{"21 CFR 530.41(a)(4)", Turkeys, "", []string{"Dimetridazole soluble powder"}},
		{"21 CFR 530.41(a)(5)", Turkeys, "", []string{"ipronidazole"}},
		{"21 CFR 530.41(a)(6)", Swine, "Flagyl 500 mg", []string{"ornidazole", "Tinidazole tablets"}},
		{"21 CFR 530.41(a)(7)", Swine, "Furoxone", []string{"furazolidone powder"}},
		{"21 CFR 530.41(a)(8)", Swine, "Furacin dressing", []string{"nitrofural ointment"}},
		{"21 CFR 530.41(a)(9)", DairyCattle, "Supra Sulfa III", []string{"sulfadimidine bolus", "sulphadoxine/trimethoprim"}},
		{"21 CFR 530.41(a)(10)", BeefCattle, "Baytril 100", []string{"moxifloxacin", "Advocin"}},
		{"21 CFR 530.41(a)(11)", BeefCattle, "Vancocin", []string{"avoparcin premix", "Teicoplanin"}},
		{"21 CFR 530.41(a)(12)", DairyCattle, "", []string{"bute paste", "Phenylbutazone 1 g tablets"}},
		{"21 CFR 530.41(a)(13)", Swine, "Excede", []string{"cefalexin", "cefuroxime axetil", "Naxcel"}},
		{"21 CFR 530.41(d)(1)", Turkeys, "Flumadine", []string{"amantadine hydrochloride"}},
		{"21 CFR 530.41(d)(2)", ChickensBroilers, "Tamiflu", []string{"Oseltamivir phosphate", "zanamivir"}},
	}
	for _, tt := range tests {
		texts := tt.names
		if tt.brand != "" {
			texts = append([]string{tt.brand}, texts...)
		}
		for _, text := range texts {
			t.Run(tt.cite+"/"+text, func(t *testing.T) {
				c := classifyProduct(text, "", tt.species, Use{})
				require.True(t, c.Identity.Identified(), "%q must be identified", text)
				require.Contains(t, citations(c), tt.cite)
				require.False(t, c.Unidentified())
			})
		}
	}
}

func TestBrandOnlyBaytril100IsFluoroquinolone(t *testing.T) {
	c := classifyProduct("Baytril 100", "", BeefCattle, Use{})
	require.Equal(t, ByBrand, c.Identity.By)
	require.Equal(t, "NADA 141-068", c.Identity.Product.Application)
	require.Equal(t, drugs.Fluoroquinolone, c.Identity.Ingredients[0].Class)
	require.True(t, c.Prohibited())
	require.Contains(t, c.Findings[len(c.Findings)-1].Why, "enrofloxacin")
}

func TestBrandOnlyExcedeIsCephalosporin(t *testing.T) {
	c := classifyProduct("Excede", "", Swine, Use{})
	require.Equal(t, []string{"21 CFR 530.41(a)(13)"}, citations(c))
	// Not approved for goats, but goats are outside 530.41(a)(13).
	require.Empty(t, citations(classifyProduct("Excede", "", Goats, Use{})))
}

func TestBrandOnlyChloromycetinIsChloramphenicol(t *testing.T) {
	require.Equal(t, []string{"21 CFR 530.41(a)(1)"}, citations(classifyProduct("Chloromycetin", "", Sheep, Use{})))
}

func TestSynonymSulfadimidine(t *testing.T) {
	c := classifyProduct("Sulfadimidine 33% solution", "", DairyCattle, Use{})
	require.Equal(t, "sulfamethazine", c.Identity.Ingredients[0].Name)
	require.Equal(t, []string{"21 CFR 530.41(a)(9)"}, citations(c))
}

func TestSulfadoxineMoxifloxacinCefuroximeOrnidazoleAreCaught(t *testing.T) {
	tests := []struct{ product, cite string }{
		{"sulfadoxine", "21 CFR 530.41(a)(9)"},
		{"moxifloxacin", "21 CFR 530.41(a)(10)"},
		{"cefuroxime", "21 CFR 530.41(a)(13)"},
		{"ornidazole", "21 CFR 530.41(a)(6)"},
	}
	for _, tt := range tests {
		require.Equal(t, []string{tt.cite}, citations(classifyProduct(tt.product, "", DairyCattle, Use{})), tt.product)
	}
}

func TestCephapirinIsNotACephalosporinBan(t *testing.T) {
	c := classifyProduct("Today (cephapirin sodium)", "", DairyCattle, Use{Prevention: true})
	require.True(t, c.Identity.Identified())
	require.Empty(t, citations(c))
}

func TestIdentifyByApplicationNumber(t *testing.T) {
	tests := []struct {
		name, product, ndc string
		want               string
	}{
		{"in the NDC member", "Injectable solution 100 mg/mL", "NADA 141-068", "enrofloxacin"},
		{"compact", "Sterile suspension", "NADA141209", "ceftiofur"},
		{"in the product text", "Sterile powder, NADA #140-338", "", "ceftiofur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := classifyProduct(tt.product, tt.ndc, BeefCattle, Use{})
			require.Equal(t, ByApplication, c.Identity.By)
			require.Equal(t, tt.want, c.Identity.Ingredients[0].Name)
			require.True(t, c.Prohibited())
		})
	}
}

func TestIdentifyByNDC(t *testing.T) {
	for _, ndc := range []string{"58198-0021-5", "58198-0021", "58198002105"} {
		c := classifyProduct("Antimicrobial injectable solution", ndc, BeefCattle, Use{})
		require.Equal(t, ByNDC, c.Identity.By, ndc)
		require.Equal(t, "Baytril 100", c.Identity.Product.Brand, ndc)
		require.Contains(t, citations(c), "21 CFR 530.41(a)(10)", ndc)
	}
}

func TestIdentifyUnitesEveryWay(t *testing.T) {
	// A brand and a different ingredient in the text: both count.
	id := Identify(&Treatment{Product: "Excede", Description: "with enrofloxacin"}, nil, nil)
	require.Equal(t, ByBrand, id.By)
	require.Len(t, id.Ingredients, 2)
}

func TestUnresolvedProductIsUnidentifiedNotAllowed(t *testing.T) {
	c := classifyProduct("Miracle Mix 500", "", BeefCattle, Use{})
	require.Equal(t, Unclassified, c.Class)
	require.False(t, c.Prohibited())
	require.True(t, c.Unidentified())
	var f Finding
	for _, x := range c.Findings {
		if x.Unidentified {
			f = x
		}
	}
	require.Equal(t, "treatments[0].product", f.Field)
	require.Contains(t, f.Why, "confirm the active ingredient")
	on := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got := CheckProhibitedUse(c, Animal{Class: BeefCattle}, on)
	require.Len(t, got, 1, "an unidentified product is never reported as allowed")
	require.True(t, got[0].Unidentified)
}

func TestUnresolvedProductOnLabelIsStillUnidentified(t *testing.T) {
	flx, all := claimByID(t, 1)
	flx.Product, flx.Generic, flx.NDC = "Miracle Mix", "", ""
	for k := range all {
		if all[k].ID == flx.ID {
			all[k] = flx
		}
	}
	c := Classify(protocolFor(flx, DairyCattle), all, Use{})[0]
	require.Equal(t, Unclassified, c.Class)
	require.True(t, c.Unidentified())
}

func TestConfirmedIngredientIdentifiesProduct(t *testing.T) {
	use := Use{Confirmations: []Confirmation{{Treatment: 0, Ingredients: []string{"sulfadimidine"}}}}
	c := classifyProduct("Miracle Mix 500", "", DairyCattle, use)
	require.Equal(t, ByConfirmed, c.Identity.By)
	require.False(t, c.Unidentified())
	require.Equal(t, []string{"21 CFR 530.41(a)(9)"}, citations(c))

	// A confirmation of a harmless known drug allows the use.
	use.Confirmations[0].Ingredients = []string{"Oxytetracycline"}
	c = classifyProduct("Miracle Mix 500", "", BeefCattle, use)
	require.Empty(t, CheckProhibitedUse(c, Animal{Class: BeefCattle}, time.Now()))

	// An ingredient the dictionary does not know is recorded, with a
	// finding saying it was not checked; the confirmation is the
	// veterinarian's.
	use.Confirmations[0].Ingredients = []string{"unobtainium"}
	c = classifyProduct("Miracle Mix 500", "", BeefCattle, use)
	require.False(t, c.Unidentified())
	require.Equal(t, []string{"unobtainium"}, c.Identity.Unknown)
	require.True(t, func() bool {
		for _, f := range c.Findings {
			if f.Citation == "21 CFR 530.41" && !f.Prohibited {
				return true
			}
		}
		return false
	}())

	// A confirmation for another treatment does not count.
	use.Confirmations[0].Treatment = 1
	c = classifyProduct("Miracle Mix 500", "", BeefCattle, use)
	require.True(t, c.Unidentified())
}

func TestPreventionNeedsALabelForPrevention(t *testing.T) {
	flx, all := claimByID(t, 1) // flunixin: not a cephalosporin
	c := Classify(protocolFor(flx, DairyCattle), all, Use{Prevention: true})[0]
	require.Equal(t, OffLabel, c.Class)
	require.Equal(t, []Deviation{DeviatesIndication}, deviations(c))
	require.False(t, c.Prohibited())
	flx.Prevention = true
	c = Classify(protocolFor(flx, DairyCattle), []LabelClaim{flx}, Use{Prevention: true})[0]
	require.Equal(t, OnLabel, c.Class)
}

func TestMonthsOfAgeReached(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		born, on time.Time
		n        int
		want     bool
	}{
		{d(2024, 8, 31), d(2026, 4, 29), 20, false},
		{d(2024, 8, 31), d(2026, 4, 30), 20, true}, // no 31 April: the last day counts
		{d(2024, 8, 30), d(2026, 4, 30), 20, true},
		{d(2024, 8, 30), d(2026, 4, 29), 20, false},
		{d(2024, 2, 29), d(2025, 2, 28), 12, true}, // leap-day birth, common year
		{d(2024, 2, 29), d(2025, 2, 27), 12, false},
		{d(2022, 6, 30), d(2024, 2, 28), 20, false}, // target February in a leap year
		{d(2022, 6, 30), d(2024, 2, 29), 20, true},
		{d(2023, 6, 30), d(2025, 2, 28), 20, true}, // target February in a common year
		{d(2024, 1, 31), d(2025, 9, 30), 20, true},
		{d(2023, 3, 15), d(2024, 11, 14), 20, false},
		{d(2023, 3, 15), d(2024, 11, 15), 20, true},
		{d(2023, 3, 15), d(2026, 1, 1), 20, true},
		{d(2025, 3, 15), d(2024, 1, 1), 20, false}, // born after the date
		{time.Time{}, d(2024, 1, 1), 20, true},     // unknown birth date
		// Time of day is ignored: born in the evening, of age from the
		// first instant of the anniversary day.
		{time.Date(2023, 3, 15, 23, 0, 0, 0, time.UTC), time.Date(2024, 11, 15, 0, 0, 0, 0, time.UTC), 20, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s+%d@%s", tt.born.Format(time.DateOnly), tt.n, tt.on.Format(time.DateOnly)), func(t *testing.T) {
			require.Equal(t, tt.want, MonthsOfAgeReached(tt.born, tt.on, tt.n))
		})
	}
}

func TestPhenylbutazoneAgeMonthEnd(t *testing.T) {
	c := classifyProduct("Phenylbutazone 200 mg/mL", "", DairyHeifers, Use{})
	born := time.Date(2024, 8, 31, 0, 0, 0, 0, time.UTC)
	heifer := Animal{Class: DairyHeifers, Female: true, Born: born}
	require.Empty(t, CheckProhibitedUse(c, heifer, time.Date(2026, 4, 29, 12, 0, 0, 0, time.UTC)))
	banned := CheckProhibitedUse(c, heifer, time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC))
	require.Len(t, banned, 1, "born 31 August, she is 20 months old on 30 April")
	require.Equal(t, "21 CFR 530.41(a)(12)", banned[0].Citation)
}

func TestEveryShippedLabelGenericIsIdentified(t *testing.T) {
	for _, c := range claims(loadLabels(t)) {
		id := Identify(&Treatment{Product: c.Product}, &c, nil)
		require.True(t, id.Identified(), "label claim %d (%s, %s) must be identified by the drug dictionary", c.ID, c.Product, c.Generic)
	}
}
