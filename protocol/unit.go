package protocol

import (
	"errors"
	"fmt"
	"strings"
)

// Dimension is what a Unit measures. Only quantities of the same Dimension
// convert into one another.
type Dimension uint8

// The dimensions of drug quantities. Activity (international units, "U")
// is a vetlink extension used by concentrations such as penicillin G
// procaine 300,000 U/mL; it never appears in VCPR dose quantities.
const (
	NoDimension Dimension = iota
	Mass
	Volume
	Dimensionless
	Activity
)

// String returns the VCPR spelling: "Mass", "Volume", "Dimensionless".
func (d Dimension) String() string {
	switch d {
	case Mass:
		return "Mass"
	case Volume:
		return "Volume"
	case Dimensionless:
		return "Dimensionless"
	case Activity:
		return "Activity"
	}
	return "NoDimension"
}

func parseDimension(s string) (Dimension, bool) {
	switch strings.ToLower(s) {
	case "mass":
		return Mass, true
	case "volume":
		return Volume, true
	case "dimensionless":
		return Dimensionless, true
	case "activity":
		return Activity, true
	}
	return NoDimension, false
}

// Unit is a unit of measure with its VCPR symbol and an exact factor to the
// base unit of its Dimension (mg, mL, each, U). The zero Unit means "no
// unit" and makes a Quantity absent.
type Unit uint8

// Units of mass. Factors are the exact legal definitions: the avoirdupois
// pound is 0.45359237 kg (international yard and pound agreement, 1959),
// the grain 64.79891 mg, the pennyweight 24 grains, the ounce 1/16 lb.
const (
	NoUnit Unit = iota
	Milligram
	Microgram
	Gram
	Kilogram
	Pound
	OunceMass
	Grain
	Pennyweight
	// Tonne is the metric ton (1000 kg), written "t".
	Tonne
	// ShortTon is the US ton (2000 lb), also written "t".
	ShortTon
	// AmbiguousTon is what the symbol "t" decodes to: the wire cannot say
	// whether it means a tonne or a short ton. It round-trips unchanged but
	// every conversion rejects it with ErrAmbiguousUnit until the caller
	// resolves it with Quantity.Disambiguate.
	AmbiguousTon

	// Units of volume (US customary where the symbol is customary: the
	// teaspoon is 4.92892159375 mL, the fluid ounce 29.5735295625 mL, the
	// cup 236.5882365 mL, the pint 473.176473 mL, the quart 946.352946 mL,
	// the gallon 3.785411784 L, all exact by definition).
	Milliliter
	Liter
	Microliter
	Nanoliter
	Deciliter
	Teaspoon
	Tablespoon
	FluidOunce
	Cup
	Pint
	Quart
	Gallon

	// Dimensionless units: each (a tablet, bolus, tube), percent, dozen.
	Each
	Percent
	Dozen

	// Unit is an international unit of activity ("U", also read "IU").
	UnitActivity

	numUnits
)

type unitInfo struct {
	symbol string
	dim    Dimension
	factor Number // in base units (mg, mL, each, U)
}

var units = [numUnits]unitInfo{
	Milligram:    {"mg", Mass, Int(1)},
	Microgram:    {"mcg", Mass, Ratio(1, 1000)},
	Gram:         {"g", Mass, Int(1000)},
	Kilogram:     {"kg", Mass, Int(1_000_000)},
	Pound:        {"lb", Mass, Ratio(45_359_237, 100)},
	OunceMass:    {"oz", Mass, Ratio(45_359_237, 1600)},
	Grain:        {"gr", Mass, Ratio(6_479_891, 100_000)},
	Pennyweight:  {"dwt", Mass, Ratio(6_479_891*24, 100_000)},
	Tonne:        {"t", Mass, Int(1_000_000_000)},
	ShortTon:     {"t", Mass, Int(907_184_740)},
	AmbiguousTon: {"t", Mass, Number{}},
	Milliliter:   {"ml", Volume, Int(1)},
	Liter:        {"L", Volume, Int(1000)},
	Microliter:   {"µl", Volume, Ratio(1, 1000)},
	Nanoliter:    {"nl", Volume, Ratio(1, 1_000_000)},
	Deciliter:    {"dl", Volume, Int(100)},
	Teaspoon:     {"tsp", Volume, MustParseNumber("4.92892159375")},
	Tablespoon:   {"tbsp", Volume, MustParseNumber("14.78676478125")},
	FluidOunce:   {"oz", Volume, MustParseNumber("29.5735295625")},
	Cup:          {"c", Volume, MustParseNumber("236.5882365")},
	Pint:         {"pt", Volume, MustParseNumber("473.176473")},
	Quart:        {"qt", Volume, MustParseNumber("946.352946")},
	Gallon:       {"gal", Volume, MustParseNumber("3785.411784")},
	Each:         {"ea", Dimensionless, Int(1)},
	Percent:      {"%", Dimensionless, Ratio(1, 100)},
	Dozen:        {"dz", Dimensionless, Int(12)},
	UnitActivity: {"U", Activity, Int(1)},
}

// ErrUnknownUnit is returned for a symbol that is not a VCPR unit.
var ErrUnknownUnit = errors.New("protocol: unknown unit")

// ErrAmbiguousUnit is returned for a symbol that names more than one unit
// ("t" is a tonne or a short ton; "oz" is a mass or a fluid ounce) when the
// dimension or an explicit choice does not settle it.
var ErrAmbiguousUnit = errors.New("protocol: ambiguous unit")

// ErrDimension is returned when quantities of different dimensions are
// combined or converted, such as milligrams into millilitres.
var ErrDimension = errors.New("protocol: dimension mismatch")

// Symbol returns the VCPR symbol ("mg", "ml", "µl", "%").
func (u Unit) Symbol() string {
	if u >= numUnits {
		return ""
	}
	return units[u].symbol
}

// String returns the symbol, with the disambiguated tons spelled out.
func (u Unit) String() string {
	switch u {
	case Tonne:
		return "t (tonne)"
	case ShortTon:
		return "t (short ton)"
	case NoUnit:
		return "no unit"
	}
	return u.Symbol()
}

// Dimension returns what u measures.
func (u Unit) Dimension() Dimension {
	if u >= numUnits {
		return NoDimension
	}
	return units[u].dim
}

// Factor returns how many base units (mg, mL, each, U) one u is. It fails
// with ErrAmbiguousUnit for AmbiguousTon.
func (u Unit) Factor() (Number, error) {
	if u == AmbiguousTon {
		return Number{}, fmt.Errorf("%w: %q may be a tonne or a short ton", ErrAmbiguousUnit, "t")
	}
	if u == NoUnit || u >= numUnits {
		return Number{}, fmt.Errorf("%w: no unit", ErrUnknownUnit)
	}
	return units[u].factor, nil
}

// ParseUnit reads a unit symbol for the given dimension (NoDimension when
// unknown). Symbols are matched as VCPR writes them and, case-insensitively,
// in the common spellings other systems send where only one unit is meant:
// "mL", "ML", "cc" (a cubic centimetre is a millilitre), "KG", "Kg", "LB",
// "lbs", "gm", "IU", "ul". "t" yields AmbiguousTon; "tonne" and
// "metric ton" choose the tonne and "short ton" the US ton. "ton" and
// "tons" are refused with ErrAmbiguousUnit: a ton may be a short (2000 lb),
// long (2240 lb) or metric (1000 kg) ton. "oz" without a dimension is
// ambiguous and fails.
func ParseUnit(symbol string, dim Dimension) (Unit, error) {
	found, ok := unitSpellings[strings.ToLower(strings.TrimSpace(symbol))]
	switch {
	case ok:
	case symbol == "t":
		found = AmbiguousTon
	default:
		switch strings.ToLower(strings.TrimSpace(symbol)) {
		case "ton", "tons":
			return NoUnit, fmt.Errorf("%w: %q may be a short ton (2000 lb), a long ton (2240 lb) or a metric ton (1000 kg); write \"short ton\" or \"tonne\"", ErrAmbiguousUnit, symbol)
		case "oz":
			switch dim {
			case Mass:
				return OunceMass, nil
			case Volume:
				return FluidOunce, nil
			}
			return NoUnit, fmt.Errorf("%w: %q is a mass ounce or a fluid ounce; give the dimension", ErrAmbiguousUnit, symbol)
		case "t":
			// "T" is not a ton: it is a tablespoon in kitchen usage and
			// tesla in SI.
			return NoUnit, fmt.Errorf("%w: %q (write \"t\" for a ton or \"tbsp\")", ErrUnknownUnit, symbol)
		}
		return NoUnit, fmt.Errorf("%w: %q", ErrUnknownUnit, symbol)
	}
	if dim != NoDimension && found.Dimension() != dim {
		return NoUnit, fmt.Errorf("%w: %q is %s, not %s", ErrDimension, symbol, found.Dimension(), dim)
	}
	return found, nil
}

// unitSpellings maps the lower-cased spellings that name exactly one unit
// to it. Spellings whose case matters or that name several units ("t",
// "ton", "oz") are decided in ParseUnit.
var unitSpellings = map[string]Unit{
	"mg": Milligram, "milligram": Milligram, "milligrams": Milligram,
	"mcg": Microgram, "µg": Microgram, "ug": Microgram, "microgram": Microgram, "micrograms": Microgram,
	"g": Gram, "gm": Gram, "gms": Gram, "gram": Gram, "grams": Gram,
	"kg": Kilogram, "kgs": Kilogram, "kilogram": Kilogram, "kilograms": Kilogram,
	"lb": Pound, "lbs": Pound, "pound": Pound, "pounds": Pound,
	"gr": Grain, "grain": Grain, "grains": Grain,
	"dwt":   Pennyweight,
	"tonne": Tonne, "tonnes": Tonne, "metric ton": Tonne, "metric tons": Tonne,
	"short ton": ShortTon, "short tons": ShortTon,
	"ml": Milliliter, "cc": Milliliter, "milliliter": Milliliter, "milliliters": Milliliter, "millilitre": Milliliter, "millilitres": Milliliter,
	"l": Liter, "liter": Liter, "liters": Liter, "litre": Liter, "litres": Liter,
	"µl": Microliter, "ul": Microliter,
	"nl":   Nanoliter,
	"dl":   Deciliter,
	"tsp":  Teaspoon,
	"tbsp": Tablespoon,
	"c":    Cup,
	"pt":   Pint,
	"qt":   Quart,
	"gal":  Gallon,
	"ea":   Each,
	"%":    Percent,
	"dz":   Dozen,
	"u":    UnitActivity, "iu": UnitActivity,
}
