package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Quantity is an exact amount with its unit, such as 26.4 ml or 600 kg. It
// is the VCPR MassQuantity, VolumeQuantity and DimensionlessQuantity in one
// type: on the wire {"dimension":"Volume","value":26.4,"symbol":"ml"}.
//
// The zero Quantity has no unit and means "absent".
type Quantity struct {
	Value Number
	Unit  Unit

	// wireDim keeps the "dimension" member exactly as it was received
	// ("Mass", "mass", or absent) so that decoding and encoding round-trip.
	wireDim string
	hasDim  bool
}

// Q returns the quantity value×unit, with the VCPR dimension spelled in the
// canonical way when encoded.
func Q(value Number, unit Unit) Quantity {
	return Quantity{Value: value, Unit: unit, wireDim: unit.Dimension().String(), hasDim: true}
}

// ParseQuantity reads "26.4 ml", "2.2mg", "600 kg", "5 oz" (dimension
// required for oz), "1 t" (ambiguous ton, see AmbiguousTon).
func ParseQuantity(s string, dim Dimension) (Quantity, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] == '-' || t[i] == '+' || t[i] == '.' || t[i] == 'e' || t[i] == 'E' || (t[i] >= '0' && t[i] <= '9')) {
		// Stop before an 'e' that starts a unit rather than an exponent.
		if (t[i] == 'e' || t[i] == 'E') && (i+1 >= len(t) || !(t[i+1] == '-' || t[i+1] == '+' || (t[i+1] >= '0' && t[i+1] <= '9'))) {
			break
		}
		i++
	}
	if i == 0 {
		return Quantity{}, fmt.Errorf("protocol: quantity %q: %w: missing number", s, ErrSyntax)
	}
	v, err := ParseNumber(t[:i])
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: quantity %q: %w", s, err)
	}
	u, err := ParseUnit(strings.TrimSpace(t[i:]), dim)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: quantity %q: %w", s, err)
	}
	return Q(v, u), nil
}

// IsZero reports whether q is absent (has no unit).
func (q Quantity) IsZero() bool { return q.Unit == NoUnit }

// Dimension returns the dimension of q's unit.
func (q Quantity) Dimension() Dimension { return q.Unit.Dimension() }

// String returns the exact value and symbol, "26.4 ml".
func (q Quantity) String() string {
	if q.Unit == NoUnit {
		return "<none>"
	}
	return q.Value.String() + " " + q.Unit.Symbol()
}

// Format rounds the value for display to the given decimal places with
// HalfUp and drops trailing zeros: Q(26.45 ml).Format(1) is "26.5 ml".
func (q Quantity) Format(places int) string {
	r, err := q.Value.Round(places, HalfUp)
	if err != nil {
		return q.String()
	}
	return r.String() + " " + q.Unit.Symbol()
}

// Disambiguate resolves an AmbiguousTon to Tonne or ShortTon. Other units
// are returned unchanged.
func (q Quantity) Disambiguate(ton Unit) (Quantity, error) {
	if q.Unit != AmbiguousTon {
		return q, nil
	}
	if ton != Tonne && ton != ShortTon {
		return q, fmt.Errorf("%w: resolve \"t\" with Tonne or ShortTon, not %s", ErrAmbiguousUnit, ton)
	}
	q.Unit = ton
	return q, nil
}

// In converts q to unit u exactly.
func (q Quantity) In(u Unit) (Quantity, error) {
	if q.Unit == u {
		return q, nil
	}
	if q.Unit.Dimension() != u.Dimension() {
		return Quantity{}, fmt.Errorf("%w: cannot convert %s to %s", ErrDimension, q, u.Symbol())
	}
	from, err := q.Unit.Factor()
	if err != nil {
		return Quantity{}, err
	}
	to, err := u.Factor()
	if err != nil {
		return Quantity{}, err
	}
	f, err := from.Quo(to)
	if err != nil {
		return Quantity{}, err
	}
	v, err := q.Value.Mul(f)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: convert %s to %s: %w", q, u.Symbol(), err)
	}
	return Q(v, u), nil
}

// base returns q's value in the base unit of its dimension.
func (q Quantity) base() (Number, error) {
	f, err := q.Unit.Factor()
	if err != nil {
		return Number{}, err
	}
	return q.Value.Mul(f)
}

// Cmp compares two quantities of the same dimension exactly.
func (q Quantity) Cmp(r Quantity) (int, error) {
	if q.Dimension() != r.Dimension() {
		return 0, fmt.Errorf("%w: cannot compare %s with %s", ErrDimension, q, r)
	}
	a, err := q.base()
	if err != nil {
		return 0, err
	}
	b, err := r.base()
	if err != nil {
		return 0, err
	}
	return a.Cmp(b), nil
}

// Ratio returns q÷r as a pure number; both must share a dimension.
func (q Quantity) Ratio(r Quantity) (Number, error) {
	if q.Dimension() != r.Dimension() {
		return Number{}, fmt.Errorf("%w: cannot divide %s by %s", ErrDimension, q, r)
	}
	if q.Unit == r.Unit {
		return q.Value.Quo(r.Value)
	}
	a, err := q.base()
	if err != nil {
		return Number{}, err
	}
	b, err := r.base()
	if err != nil {
		return Number{}, err
	}
	return a.Quo(b)
}

// Scale returns q×n in q's unit.
func (q Quantity) Scale(n Number) (Quantity, error) {
	v, err := q.Value.Mul(n)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: %s × %s: %w", q, n, err)
	}
	out := q
	out.Value = v
	return out, nil
}

type quantityWire struct {
	Dimension *string         `json:"dimension,omitempty"`
	Value     json.RawMessage `json:"value"`
	Symbol    string          `json:"symbol"`
}

// MarshalJSON writes the VCPR form {"dimension":…,"value":…,"symbol":…}.
// The dimension member is written as it was read; quantities built in Go
// get the canonical "Mass", "Volume" or "Dimensionless". The zero (absent)
// Quantity is written as null.
func (q Quantity) MarshalJSON() ([]byte, error) {
	if q.Unit == NoUnit {
		return []byte("null"), nil
	}
	if q.Unit >= numUnits {
		return nil, fmt.Errorf("%w: quantity has unit %d", ErrUnknownUnit, q.Unit)
	}
	b := make([]byte, 0, 64)
	b = append(b, '{')
	if q.hasDim {
		b = append(b, `"dimension":`...)
		b = appendJSONString(b, q.wireDim)
		b = append(b, ',')
	}
	b = append(b, `"value":`...)
	var err error
	if b, err = q.Value.appendJSON(b); err != nil {
		return nil, err
	}
	b = append(b, `,"symbol":`...)
	b = appendJSONString(b, q.Unit.Symbol())
	return append(b, '}'), nil
}

func appendJSONString(b []byte, s string) []byte {
	enc, _ := json.Marshal(s)
	return append(b, enc...)
}

// UnmarshalJSON reads the VCPR quantity form. "dimension" is optional and
// case-insensitive; when present it settles "oz". The value must be a JSON
// number (exact, see ParseNumber). JSON null is the zero (absent)
// Quantity.
func (q *Quantity) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		*q = Quantity{}
		return nil
	}
	var w quantityWire
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("protocol: quantity: %w", err)
	}
	if len(w.Value) == 0 {
		return errors.New("protocol: quantity: missing value")
	}
	v, err := ParseNumber(string(w.Value))
	if err != nil {
		return fmt.Errorf("protocol: quantity value %s: %w", w.Value, err)
	}
	dim := NoDimension
	out := Quantity{Value: v}
	if w.Dimension != nil {
		d, ok := parseDimension(*w.Dimension)
		if !ok {
			return fmt.Errorf("protocol: quantity dimension %q: %w", *w.Dimension, ErrDimension)
		}
		dim = d
		out.wireDim, out.hasDim = *w.Dimension, true
	}
	u, err := ParseUnit(w.Symbol, dim)
	if err != nil {
		return fmt.Errorf("protocol: quantity symbol: %w", err)
	}
	out.Unit = u
	*q = out
	return nil
}

// DrugQuantity is the VCPR wrapper {"quantity":{…}} used wherever a dose
// amount appears.
type DrugQuantity struct {
	Quantity Quantity `json:"quantity"`
}

// DrugQuantityRange is an inclusive range of dose amounts.
type DrugQuantityRange struct {
	Min DrugQuantity `json:"min"`
	Max DrugQuantity `json:"max"`
}

// Contains reports whether q lies in [Min, Max] (inclusive), comparing
// exactly across units of the same dimension.
func (r DrugQuantityRange) Contains(q Quantity) (bool, error) {
	lo, err := q.Cmp(r.Min.Quantity)
	if err != nil {
		return false, err
	}
	hi, err := q.Cmp(r.Max.Quantity)
	if err != nil {
		return false, err
	}
	return lo >= 0 && hi <= 0, nil
}

// Concentration is an amount of drug per amount of product, kept in the
// label's declared basis: 50 mg per 1 ml, 300000 U per 1 ml, 15 g per 1 ea
// (a bolus).
type Concentration struct {
	Amount Quantity
	Per    Quantity
}

// String returns "50 mg/ml" or "15 g per 1 ea".
func (c Concentration) String() string {
	if c.Per.Value == Int(1) {
		return c.Amount.String() + "/" + c.Per.Unit.Symbol()
	}
	return c.Amount.String() + " per " + c.Per.String()
}

// ProductFor returns how much product carries the drug amount dose: for
// 26.4 ml… 1320 mg at 50 mg/ml it returns 26.4 ml. The dose must have the
// dimension of c.Amount.
func (c Concentration) ProductFor(dose Quantity) (Quantity, error) {
	if c.Amount.IsZero() || c.Per.IsZero() {
		return Quantity{}, errors.New("protocol: concentration is not set")
	}
	r, err := dose.Ratio(c.Amount)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: %s at %s: %w", dose, c, err)
	}
	return c.Per.Scale(r)
}

// DoseRate is a dose per amount of body weight in the label's declared
// basis: 2.2 mg per 1 kg, 1 ml per 100 lb. Keeping "per 100 lb" rather than
// converting it to per kg matters: the label's rounding is in that basis.
type DoseRate struct {
	Dose Quantity
	Per  Quantity // a mass
}

// String returns "2.2 mg/kg" or "1 ml per 100 lb".
func (r DoseRate) String() string {
	if r.Per.Value == Int(1) {
		return r.Dose.String() + "/" + r.Per.Unit.Symbol()
	}
	return r.Dose.String() + " per " + r.Per.String()
}

// For returns the dose for an animal of the given weight:
// Dose × weight ÷ Per, in Dose's unit.
func (r DoseRate) For(weight Quantity) (Quantity, error) {
	if weight.Dimension() != Mass {
		return Quantity{}, fmt.Errorf("%w: weight %s is not a mass", ErrDimension, weight)
	}
	if r.Per.Dimension() != Mass {
		return Quantity{}, fmt.Errorf("%w: dose rate per %s is not per mass", ErrDimension, r.Per)
	}
	f, err := weight.Ratio(r.Per)
	if err != nil {
		return Quantity{}, fmt.Errorf("protocol: %s for %s: %w", r, weight, err)
	}
	return r.Dose.Scale(f)
}
