package protocol

import (
	"fmt"
	"math"
	"time"
)

// Estimate is a suggested extended withdrawal period for an extra-label
// use. It is never a regulatory answer: the prescribing veterinarian must
// review and sign off every estimate (21 CFR 530.20(a)(2)(ii)); consult
// FARAD where possible. NeedsVetSignOff is always true so that code
// storing an Estimate cannot forget it.
type Estimate struct {
	Period          time.Duration
	Method          string
	Basis           string
	NeedsVetSignOff bool
}

// String reads "at least 130h (half-life extrapolation; estimate, needs a
// veterinarian's sign-off)".
func (e Estimate) String() string {
	return fmt.Sprintf("at least %s (%s; estimate, needs a veterinarian's sign-off)", formatHours(e.Period), e.Method)
}

// EstimateByHalfLife extrapolates a label withdrawal time to a higher dose
// with the terminal elimination half-life: after doubling the dose it takes
// one more half-life for residues to fall to the same level, so
//
//	WDI = label WDT + t½ × log2(newDose ÷ labelDose)
//
// The result is never below the label withdrawal (a lower dose does not
// shorten it) and is rounded up to the next whole hour. The logarithm is
// the only float64 step in the package; the rounding up absorbs it.
//
// It assumes linear kinetics and the same route and formulation as the
// label; it does not apply to a different species.
func EstimateByHalfLife(labelWDT, halfLife time.Duration, labelDose, newDose Quantity) (Estimate, error) {
	if labelWDT < 0 || labelWDT > MaxWithdrawalHours*time.Hour {
		return Estimate{}, fieldErr("labelWDT", formatHours(labelWDT), fmt.Sprintf("must be between 0 and %dh", MaxWithdrawalHours), ErrInvalid)
	}
	if halfLife <= 0 || halfLife > 365*24*time.Hour {
		return Estimate{}, fieldErr("halfLife", halfLife.String(), "must be positive and at most a year", ErrInvalid)
	}
	if labelDose.Value.Sign() <= 0 || newDose.Value.Sign() <= 0 {
		return Estimate{}, fieldErr("dose", newDose.String()+" vs "+labelDose.String(), "doses must be positive", ErrInvalid)
	}
	ratio, err := newDose.Ratio(labelDose)
	if err != nil {
		return Estimate{}, fieldErr("dose", newDose.String()+" vs "+labelDose.String(), err.Error(), ErrInvalid)
	}
	period := labelWDT
	if ratio.Cmp(Int(1)) > 0 {
		extra := halfLife.Hours() * math.Log2(ratio.Float64())
		period += time.Duration(math.Ceil(extra*3600)) * time.Second
	}
	period = ceilHour(period)
	if period > MaxWithdrawalHours*time.Hour {
		return Estimate{}, fieldErr("newDose", newDose.String(), "extrapolates beyond 87600 hours; use FARAD", ErrOutOfRange)
	}
	return Estimate{
		Period:          period,
		Method:          "half-life extrapolation",
		Basis:           fmt.Sprintf("label %s + %s × log2(%s ÷ %s)", formatHours(labelWDT), formatHours(halfLife), newDose, labelDose),
		NeedsVetSignOff: true,
	}, nil
}

func ceilHour(d time.Duration) time.Duration {
	if r := d % time.Hour; r != 0 {
		d += time.Hour - r
	}
	return d
}

// Commodity is meat or milk.
type Commodity uint8

// The commodities a withdrawal protects.
const (
	Meat Commodity = iota + 1
	Milk
)

// CascadeMinimum returns the minimum withdrawal period of the EU cascade
// (Regulation (EU) 2019/6, Article 115(1)) and the UK Veterinary Medicines
// Regulations for a product used outside its authorisation in a
// food-producing mammal:
//
//   - the longest withdrawal period in the product's authorisation for the
//     commodity, multiplied by 1.5;
//   - 28 days for meat or 7 days for milk when the product is not
//     authorised for any food-producing species;
//   - 1 day when the longest authorised period is zero.
//
// longest is that longest authorised period; authorised says whether the
// product is authorised for a food-producing species at all. The result is
// a floor, still an estimate for the veterinarian to sign off. Fish
// (degree-days) and eggs are not covered.
func CascadeMinimum(c Commodity, longest time.Duration, authorised bool) (Estimate, error) {
	if c != Meat && c != Milk {
		return Estimate{}, fieldErr("commodity", fmt.Sprint(c), "must be Meat or Milk", ErrInvalid)
	}
	if longest < 0 || longest > MaxWithdrawalHours*time.Hour {
		return Estimate{}, fieldErr("longest", formatHours(longest), fmt.Sprintf("must be between 0 and %dh", MaxWithdrawalHours), ErrInvalid)
	}
	e := Estimate{Method: "EU 2019/6 Art. 115 / UK VMR cascade minimum", NeedsVetSignOff: true}
	switch {
	case !authorised && c == Meat:
		e.Period, e.Basis = 28*24*time.Hour, "not authorised for a food-producing species: 28 days for meat"
	case !authorised:
		e.Period, e.Basis = 7*24*time.Hour, "not authorised for a food-producing species: 7 days for milk"
	case longest == 0:
		e.Period, e.Basis = 24*time.Hour, "authorised withdrawal is zero: 1 day"
	default:
		e.Period = ceilHour(longest + longest/2)
		e.Basis = fmt.Sprintf("1.5 × the longest authorised %s", formatHours(longest))
	}
	return e, nil
}
