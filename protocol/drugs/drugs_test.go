package drugs

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEmbeddedDictionaryIsValid(t *testing.T) {
	d := Default()
	require.NotEmpty(t, d.Ingredients())
	require.NotEmpty(t, d.Products())
	for _, in := range d.Ingredients() {
		require.NotEmpty(t, in.Source, in.Name)
		require.Contains(t, Classes(), in.Class, in.Name)
		require.Equal(t, strings.ToLower(in.Name), in.Name, "names are lower case")
	}
	for _, p := range d.Products() {
		require.NotEmpty(t, p.Source, p.Brand)
		if p.Unverified {
			require.Empty(t, p.Application, "%s: an unverified entry carries no application number", p.Brand)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	ing := `{"name":"enrofloxacin","class":"fluoroquinolone","source":"21 CFR 530.41(a)(10)"}`
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `{`, "invalid dictionary"},
		{"no source", `{"ingredients":[{"name":"enrofloxacin","class":"fluoroquinolone"}]}`, `"enrofloxacin" has no source`},
		{"unknown class", `{"ingredients":[{"name":"x","class":"magic","source":"s"}]}`, `unknown class "magic"`},
		{"duplicate name", `{"ingredients":[` + ing + `,` + ing + `]}`, `given for both`},
		{"duplicate synonym", `{"ingredients":[` + ing + `,{"name":"y","class":"nsaid","synonyms":["Enrofloxacin"],"source":"s"}]}`, `given for both`},
		{"generation outside cephalosporins", `{"ingredients":[{"name":"x","class":"nsaid","generation":2,"source":"s"}]}`, `only for cephalosporins`},
		{"product without source", `{"ingredients":[` + ing + `],"products":[{"brand":"B","ingredients":["enrofloxacin"]}]}`, `"B" has no source`},
		{"product of unknown ingredient", `{"ingredients":[` + ing + `],"products":[{"brand":"B","ingredients":["unobtainium"],"source":"s"}]}`, `"unobtainium" is not a dictionary name`},
		{"product naming a synonym", `{"ingredients":[{"name":"sulfamethazine","class":"sulfonamide","synonyms":["sulfadimidine"],"source":"s"}],"products":[{"brand":"B","ingredients":["sulfadimidine"],"source":"s"}]}`, `not a dictionary name`},
		{"duplicate brand", `{"ingredients":[` + ing + `],"products":[{"brand":"B","ingredients":["enrofloxacin"],"source":"s"},{"brand":"b","ingredients":["enrofloxacin"],"source":"s"}]}`, `brand "b" is given twice`},
		{"bad application", `{"ingredients":[` + ing + `],"products":[{"brand":"B","ingredients":["enrofloxacin"],"application":"NADA 14-068","source":"s"}]}`, `NNN-NNN`},
		{"bad NDC", `{"ingredients":[` + ing + `],"products":[{"brand":"B","ingredients":["enrofloxacin"],"ndc":["58198-21"],"source":"s"}]}`, `labeler-product`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.data))
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestSynonymSulfadimidine(t *testing.T) {
	in, ok := Default().Ingredient("Sulfadimidine")
	require.True(t, ok)
	require.Equal(t, "sulfamethazine", in.Name)
	require.Equal(t, Sulfonamide, in.Class)
}

func TestClassMembers(t *testing.T) {
	d := Default()
	tests := []struct {
		name  string
		class Class
		gen   int
	}{
		{"moxifloxacin", Fluoroquinolone, 0},
		{"enrofloxacin", Fluoroquinolone, 0},
		{"cefuroxime", Cephalosporin, 2},
		{"ceftiofur", Cephalosporin, 3},
		{"cefquinome", Cephalosporin, 4},
		{"cephapirin", Cephalosporin, 1},
		{"cefapirin", Cephalosporin, 1},
		{"ornidazole", Nitroimidazole, 0},
		{"nitrofurantoin", Nitrofuran, 0},
		{"nitrofural", Nitrofuran, 0},
		{"sulfadoxine", Sulfonamide, 0},
		{"vancomycin", Glycopeptide, 0},
		{"rimantadine", Adamantane, 0},
		{"oseltamivir", NeuraminidaseInhibitor, 0},
		{"nalidixic acid", Quinolone, 0},
		{"gentamicin", Aminoglycoside, 0},
	}
	for _, tt := range tests {
		in, ok := d.Ingredient(tt.name)
		require.True(t, ok, tt.name)
		require.Equal(t, tt.class, in.Class, tt.name)
		require.Equal(t, tt.gen, in.Generation, tt.name)
	}
}

func TestBrandOnlyBaytril100IsFluoroquinolone(t *testing.T) {
	p, ok := Default().ByBrand("BAYTRIL 100 injectable solution")
	require.True(t, ok)
	require.Equal(t, "Baytril 100", p.Brand, "the longest brand wins over Baytril")
	require.Equal(t, []string{"enrofloxacin"}, p.Ingredients)
	require.Equal(t, "NADA 141-068", p.Application)
	_, ok = Default().ByBrand("Baytrilx")
	require.False(t, ok, "brands match whole words")
}

func TestByApplicationAndNDC(t *testing.T) {
	d := Default()
	ps := d.ByApplication(141209)
	require.Len(t, ps, 1)
	require.Equal(t, "Excede", ps[0].Brand)
	require.Empty(t, d.ByApplication(999999))
	ps = d.ByNDC("58198-0021")
	require.Len(t, ps, 1)
	require.Equal(t, "Baytril 100", ps[0].Brand)
	ps = d.ByNDC("00061-1116")
	require.Len(t, ps, 1, "4-4 and padded 5-4 forms agree")
	require.Equal(t, "Nuflor", ps[0].Brand)
	require.Empty(t, d.ByNDC("not an ndc"))
}

func TestScanIsWholeWordAndCaseInsensitive(t *testing.T) {
	d := Default()
	names := func(s string) []string {
		var out []string
		for _, in := range d.Scan(s) {
			out = append(out, in.Name)
		}
		return out
	}
	tests := []struct {
		text string
		want []string
	}{
		{"Gentamicin sulfate 100 mg/mL", []string{"gentamicin"}},
		{"SULFAMETHOXAZOLE/trimethoprim", []string{"sulfamethoxazole", "trimethoprim"}},
		{"Penicillin G procaine", []string{"penicillin g"}},
		{"ceftiofur crystalline free acid", []string{"ceftiofur"}},
		{"cefalexin and cephalexin", []string{"cephalexin"}},
		{"Nalidixic acid 500 mg", []string{"nalidixic acid"}},
		{"sulfamethazines", nil},
		{"", nil},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, names(tt.text), tt.text)
	}
}

func TestDictionaryRoundTripsItsJSON(t *testing.T) {
	d := Default()
	data, err := json.Marshal(struct {
		Ingredients []Ingredient `json:"ingredients"`
		Products    []Product    `json:"products"`
	}{d.Ingredients(), d.Products()})
	require.NoError(t, err)
	e, err := Load(data)
	require.NoError(t, err)
	require.Equal(t, d.Ingredients(), e.Ingredients())
	require.Equal(t, d.Products(), e.Products())
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"Baytril 100", "sulfadimidine 33%", "Gentamicin sulfate", "CEF-TIOFUR", "penicillin g g g"} {
		f.Add(s)
	}
	d := Default()
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, in := range d.Scan(s) {
			require.False(t, seen[in.Name], "each ingredient once")
			seen[in.Name] = true
			got, ok := d.Ingredient(in.Name)
			require.True(t, ok)
			require.Equal(t, in.Name, got.Name)
		}
		if p, ok := d.ByBrand(s); ok {
			require.NotEmpty(t, p.Ingredients)
		}
	})
}
