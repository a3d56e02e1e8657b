package protocol

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestQuantityConversions(t *testing.T) {
	tests := []struct {
		in   string
		dim  Dimension
		to   Unit
		want string
	}{
		{"1 lb", Mass, Kilogram, "0.45359237 kg"},
		{"100 lb", Mass, Kilogram, "45.359237 kg"},
		{"1 kg", Mass, Pound, "100000000/45359237 lb"},
		{"1 oz", Mass, Gram, "28.349523125 g"},
		{"1 gr", Mass, Milligram, "64.79891 mg"},
		{"1 dwt", Mass, Gram, "1.55517384 g"},
		{"1 tonne", Mass, Kilogram, "1000 kg"},
		{"1 short ton", Mass, Pound, "2000 lb"},
		{"500 mcg", Mass, Milligram, "0.5 mg"},
		{"1 gal", Volume, Liter, "3.785411784 L"},
		{"1 oz", Volume, Milliliter, "29.5735295625 ml"},
		{"1 tbsp", Volume, Teaspoon, "3 tsp"},
		{"1 c", Volume, FluidOunce, "8 oz"},
		{"2 pt", Volume, Quart, "1 qt"},
		{"250 µl", Volume, Milliliter, "0.25 ml"},
		{"1 dl", Volume, Milliliter, "100 ml"},
		{"5000 nl", Volume, Microliter, "5 µl"},
		{"2 dz", Dimensionless, Each, "24 ea"},
		{"50 %", Dimensionless, Each, "0.5 ea"},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in, tt.dim)
		require.NoError(t, err, tt.in)
		got, err := q.In(tt.to)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got.String(), tt.in)
	}
}

func TestQuantityErrors(t *testing.T) {
	_, err := ParseQuantity("5 oz", NoDimension)
	require.ErrorIs(t, err, ErrAmbiguousUnit)
	q, err := ParseQuantity("1 t", Mass)
	require.NoError(t, err)
	require.Equal(t, AmbiguousTon, q.Unit)
	_, err = q.In(Kilogram)
	require.ErrorIs(t, err, ErrAmbiguousUnit)
	tonne, err := q.Disambiguate(Tonne)
	require.NoError(t, err)
	kg, err := tonne.In(Kilogram)
	require.NoError(t, err)
	require.Equal(t, "1000 kg", kg.String())
	short, err := q.Disambiguate(ShortTon)
	require.NoError(t, err)
	kg, err = short.In(Kilogram)
	require.NoError(t, err)
	require.Equal(t, "907.18474 kg", kg.String())
	_, err = q.Disambiguate(Kilogram)
	require.ErrorIs(t, err, ErrAmbiguousUnit)

	_, err = Q(Int(1), Milligram).In(Milliliter)
	require.ErrorIs(t, err, ErrDimension)
	_, err = ParseQuantity("3 parsecs", NoDimension)
	require.ErrorIs(t, err, ErrUnknownUnit)
	_, err = ParseQuantity("ml", NoDimension)
	require.ErrorIs(t, err, ErrSyntax)
	_, err = ParseUnit("ml", Mass)
	require.ErrorIs(t, err, ErrDimension)
}

func TestDoseRateAndConcentration(t *testing.T) {
	mgPerMl50 := Concentration{Amount: Q(Int(50), Milligram), Per: Q(Int(1), Milliliter)}
	tests := []struct {
		name   string
		rate   DoseRate
		weight Quantity
		conc   Concentration
		dose   string // exact
		shown  string // dose.Format(2)
		volume string // volume.Format(2), "" when no concentration
	}{
		{"flunixin 2.2 mg/kg, 600 kg, 50 mg/ml",
			DoseRate{Q(MustParseNumber("2.2"), Milligram), Q(Int(1), Kilogram)}, Q(Int(600), Kilogram), mgPerMl50,
			"1320 mg", "1320 mg", "26.4 ml"},
		{"flunixin 1 mg/lb for a 1320 lb cow",
			DoseRate{Q(Int(1), Milligram), Q(Int(1), Pound)}, Q(Int(1320), Pound), mgPerMl50,
			"1320 mg", "1320 mg", "26.4 ml"},
		{"flunixin 1 mg/lb for a 600 kg cow",
			DoseRate{Q(Int(1), Milligram), Q(Int(1), Pound)}, Q(Int(600), Kilogram), mgPerMl50,
			"", "1322.77 mg", "26.46 ml"},
		{"penicillin G procaine 1 ml per 100 lb for 1320 lb",
			DoseRate{Q(Int(1), Milliliter), Q(Int(100), Pound)}, Q(Int(1320), Pound), Concentration{},
			"13.2 ml", "13.2 ml", ""},
		{"penicillin 3000 U per lb at 300000 U/ml for 500 lb",
			DoseRate{Q(Int(3000), UnitActivity), Q(Int(1), Pound)}, Q(Int(500), Pound),
			Concentration{Amount: Q(Int(300000), UnitActivity), Per: Q(Int(1), Milliliter)},
			"1500000 U", "1500000 U", "5 ml"},
		{"sulfadimethoxine 55 mg/kg at 15 g per bolus for 545.45 kg",
			DoseRate{Q(Int(55), Milligram), Q(Int(1), Kilogram)}, Q(MustParseNumber("545.45"), Kilogram),
			Concentration{Amount: Q(Int(15), Gram), Per: Q(Int(1), Each)},
			"29999.75 mg", "29999.75 mg", "2 ea"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dose, err := tt.rate.For(tt.weight)
			require.NoError(t, err)
			if tt.dose != "" && dose.Value.Terminating() {
				require.Equal(t, tt.dose, dose.String())
			}
			require.Equal(t, tt.shown, dose.Format(2))
			if tt.conc.Amount.IsZero() {
				return
			}
			vol, err := tt.conc.ProductFor(dose)
			require.NoError(t, err)
			require.Equal(t, tt.volume, vol.Format(2))
		})
	}
}

func TestInjectionSites(t *testing.T) {
	p := Product{MaxPerSite: Q(Int(10), Milliliter)}
	tests := []struct {
		vol   string
		sites int
	}{
		{"12.5", 2}, {"10.0", 1}, {"10.000001", 2}, {"0.5", 1}, {"30", 3}, {"30.1", 4},
	}
	for _, tt := range tests {
		_, sites, err := p.Measure(Q(MustParseNumber(tt.vol), Milliliter))
		require.NoError(t, err)
		require.Equal(t, tt.sites, sites, tt.vol)
	}
	// A mass dose without a concentration has no volume and no site count.
	vol, sites, err := p.Measure(Q(Int(5), Milligram))
	require.NoError(t, err)
	require.True(t, vol.IsZero())
	require.Zero(t, sites)
}

func TestQuantityJSONKeepsDimensionSpelling(t *testing.T) {
	for _, in := range []string{
		`{"dimension":"Mass","value":50,"symbol":"kg"}`,
		`{"dimension":"mass","value":1,"symbol":"kg"}`,
		`{"value":2.2,"symbol":"mg"}`,
		`{"dimension":"Volume","value":3,"symbol":"oz"}`,
		`{"dimension":"Volume","value":0.25,"symbol":"µl"}`,
		`{"dimension":"Dimensionless","value":12,"symbol":"%"}`,
		`{"dimension":"Mass","value":1,"symbol":"t"}`,
	} {
		var q Quantity
		require.NoError(t, json.Unmarshal([]byte(in), &q), in)
		out, err := json.Marshal(q)
		require.NoError(t, err)
		require.Equal(t, in, string(out))
	}
	var q Quantity
	require.ErrorIs(t, json.Unmarshal([]byte(`{"dimension":"Mass","value":3,"symbol":"ml"}`), &q), ErrDimension)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"value":3,"symbol":"oz"}`), &q), ErrAmbiguousUnit)
	require.Error(t, json.Unmarshal([]byte(`{"value":"3","symbol":"ml"}`), &q))
	require.Error(t, json.Unmarshal([]byte(`{"symbol":"ml"}`), &q))
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"26.4 ml", "2.2mg", "1 t", "5 oz", "1e3 mcg", "-1 kg", "1 e", "100 lb", "3 µl"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(Mass))
	}
	f.Fuzz(func(t *testing.T, s string, dim uint8) {
		q, err := ParseQuantity(s, Dimension(dim%5))
		if err != nil {
			return
		}
		back, err := ParseQuantity(q.String(), q.Dimension())
		require.NoError(t, err, "reparse %q from %q", q.String(), s)
		require.Equal(t, q.Unit, back.Unit)
		require.Equal(t, q.Value, back.Value)
		if b, err := json.Marshal(q); err == nil {
			var r Quantity
			require.NoError(t, json.Unmarshal(b, &r), string(b))
			require.Equal(t, q.Value, r.Value)
		}
	})
}

func FuzzQuantityJSON(f *testing.F) {
	for _, s := range []string{`{"dimension":"Mass","value":50,"symbol":"kg"}`, `{"value":2.2,"symbol":"mg"}`, `{"dimension":"volume","value":1e2,"symbol":"oz"}`, `{"value":1,"symbol":"t"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var q Quantity
		if err := json.Unmarshal(data, &q); err != nil {
			return
		}
		out, err := json.Marshal(q)
		require.NoError(t, err)
		var r Quantity
		require.NoError(t, json.Unmarshal(out, &r), string(out))
		require.Equal(t, q, r)
	})
}

func TestUnitSpellings(t *testing.T) {
	tests := []struct {
		symbol string
		dim    Dimension
		want   Unit
	}{
		{"cc", NoDimension, Milliliter},
		{"CC", Volume, Milliliter},
		{"mL", NoDimension, Milliliter},
		{"ML", NoDimension, Milliliter},
		{"Ml", Volume, Milliliter},
		{"KG", NoDimension, Kilogram},
		{"Kg", Mass, Kilogram},
		{"kgs", Mass, Kilogram},
		{"LB", NoDimension, Pound},
		{"lbs", Mass, Pound},
		{"Lbs", Mass, Pound},
		{"gm", NoDimension, Gram},
		{"GM", Mass, Gram},
		{"MG", Mass, Milligram},
		{"µL", Volume, Microliter},
		{"IU", Activity, UnitActivity},
		{"tonne", Mass, Tonne},
		{"Metric Ton", Mass, Tonne},
		{"short ton", Mass, ShortTon},
		{"t", Mass, AmbiguousTon},
		{"OZ", Volume, FluidOunce},
	}
	for _, tt := range tests {
		t.Run(tt.symbol, func(t *testing.T) {
			u, err := ParseUnit(tt.symbol, tt.dim)
			require.NoError(t, err)
			require.Equal(t, tt.want, u)
		})
	}
	// A spelling of one dimension is still refused for another.
	_, err := ParseUnit("cc", Mass)
	require.ErrorIs(t, err, ErrDimension)
	// Spellings that name no unit stay unknown.
	for _, s := range []string{"T", "kilo", "cm3", ""} {
		_, err := ParseUnit(s, NoDimension)
		require.ErrorIs(t, err, ErrUnknownUnit, s)
	}
	// The wire form of a quantity in a common spelling decodes and is
	// written back in the VCPR symbol.
	var q Quantity
	require.NoError(t, json.Unmarshal([]byte(`{"dimension":"Volume","value":5,"symbol":"cc"}`), &q))
	require.Equal(t, "5 ml", q.String())
	out, err := json.Marshal(q)
	require.NoError(t, err)
	require.JSONEq(t, `{"dimension":"Volume","value":5,"symbol":"ml"}`, string(out))
}

func TestTonIsAmbiguous(t *testing.T) {
	for _, s := range []string{"ton", "TON", "tons", "Tons"} {
		_, err := ParseUnit(s, Mass)
		require.ErrorIs(t, err, ErrAmbiguousUnit, s)
		require.ErrorContains(t, err, "short ton (2000 lb), a long ton (2240 lb) or a metric ton (1000 kg)")
	}
	_, err := ParseQuantity("1.5 ton", Mass)
	require.ErrorIs(t, err, ErrAmbiguousUnit)
}
