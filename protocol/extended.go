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

// EstimateByHalfLife extrapolates a label withdrawal time of commodity c to
// a higher dose with the terminal elimination half-life: after doubling
// the dose it takes one more half-life for residues to fall to the same
// level, so
//
//	WDI = label WDT + t½ × log2(newDose ÷ labelDose)
//
// The result is never below the label withdrawal (a lower dose does not
// shorten it) and is rounded up as withdrawal periods are stated: to a whole
// day for Meat and Eggs, to a whole milking (MilkingInterval, 12 h) for
// Milk; see RoundPeriod. The logarithm is the only float64 step in the
// package; the rounding up absorbs it.
//
// It assumes linear kinetics and the same route and formulation as the
// label; it does not apply to a different species.
func EstimateByHalfLife(c Commodity, labelWDT, halfLife time.Duration, labelDose, newDose Quantity) (Estimate, error) {
	if !c.valid() {
		return Estimate{}, fieldErr("commodity", fmt.Sprint(c), "must be Meat, Milk or Eggs", ErrInvalid)
	}
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
	period = RoundPeriod(c, period)
	if period > MaxWithdrawalHours*time.Hour {
		return Estimate{}, fieldErr("newDose", newDose.String(), "extrapolates beyond 87600 hours; use FARAD", ErrOutOfRange)
	}
	return Estimate{
		Period:          period,
		Method:          "half-life extrapolation",
		Basis:           fmt.Sprintf("label %s + %s × log2(%s ÷ %s), rounded up to %s", formatHours(labelWDT), formatHours(halfLife), newDose, labelDose, c.step()),
		NeedsVetSignOff: true,
	}, nil
}

// MilkingInterval is the interval between milkings that milk withdrawal
// estimates are rounded to: two milkings a day, 12 hours apart, the
// pattern withdrawal periods stated in milkings assume. A farm milking
// three times a day still gets a period at least as long as computed;
// WithholdOptions.Milkings then places the release at the farm's own next
// milking.
const MilkingInterval = 12 * time.Hour

// RoundPeriod rounds a withdrawal period of commodity c up to the unit it
// is stated in: a whole day for Meat and Eggs, a whole milking
// (MilkingInterval) for Milk. Zero stays zero. Rounding is always up, so
// the rounded period is never shorter than the computed one.
func RoundPeriod(c Commodity, d time.Duration) time.Duration {
	step := 24 * time.Hour
	if c == Milk {
		step = MilkingInterval
	}
	if r := d % step; r != 0 {
		d += step - r
	}
	return d
}

// Commodity is a food that a withdrawal period protects: meat (with fat
// and offal), milk or eggs.
type Commodity uint8

// The commodities a withdrawal protects.
const (
	Meat Commodity = iota + 1
	Milk
	Eggs
)

// String returns "meat", "milk" or "eggs".
func (c Commodity) String() string {
	switch c {
	case Meat:
		return "meat"
	case Milk:
		return "milk"
	case Eggs:
		return "eggs"
	}
	return fmt.Sprintf("Commodity(%d)", uint8(c))
}

func (c Commodity) valid() bool { return c == Meat || c == Milk || c == Eggs }

func (c Commodity) step() string {
	if c == Milk {
		return "a whole milking (12h)"
	}
	return "a whole day"
}

// CascadeMinimum returns the minimum withdrawal period for a product used
// outside its authorisation in a food-producing animal, under the EU
// cascade (Regulation (EU) 2019/6, Article 115(1)) and the GB Veterinary
// Medicines Regulations 2013 (SI 2013/2033, Schedule 4, paragraph 2(3), as
// amended; legislation.gov.uk):
//
//   - Meat (from mammals and poultry, with fat and offal): 1.5 × the
//     longest meat withdrawal in the product's authorisation; 28 days when
//     the product is not authorised for food-producing animals; 1 day when
//     the longest authorised period is zero.
//   - Milk: 1.5 × the longest milk withdrawal for any species; 7 days when
//     not authorised for animals producing milk for human consumption;
//     1 day when the authorised period is zero.
//   - Eggs: 1.5 × the longest egg withdrawal for any species; when not
//     authorised for animals producing eggs for human consumption, 14 days
//     in GB (VMR 2013 Sch. 4 para. 2(3)(a)(ii)); the EU floor of Article
//     115(1)(c)(ii) is 10 days as adopted in 2018 (check the consolidated
//     text). The longer, 14 days, is returned so that the floor satisfies
//     both. The GB text gives no one-day floor for a zero egg withdrawal;
//     1 day is returned, as for meat and milk, so that a floor never reads
//     as "no withdrawal".
//
// longest is that longest authorised period for the commodity; authorised
// says whether the product is authorised for animals producing it at all.
// The result is rounded up with RoundPeriod (whole days for meat and eggs,
// whole 12-hour milkings for milk): 1.5 × 36 h of milk is 54 h, five
// milkings, 60 h. It is a floor, still an estimate for the veterinarian to
// sign off. Fish (degree-days) are not covered.
func CascadeMinimum(c Commodity, longest time.Duration, authorised bool) (Estimate, error) {
	if !c.valid() {
		return Estimate{}, fieldErr("commodity", fmt.Sprint(c), "must be Meat, Milk or Eggs", ErrInvalid)
	}
	if longest < 0 || longest > MaxWithdrawalHours*time.Hour {
		return Estimate{}, fieldErr("longest", formatHours(longest), fmt.Sprintf("must be between 0 and %dh", MaxWithdrawalHours), ErrInvalid)
	}
	e := Estimate{Method: "EU 2019/6 Art. 115 / GB VMR cascade minimum", NeedsVetSignOff: true}
	switch {
	case !authorised && c == Meat:
		e.Period, e.Basis = 28*24*time.Hour, "not authorised for a food-producing species: 28 days for meat"
	case !authorised && c == Milk:
		e.Period, e.Basis = 7*24*time.Hour, "not authorised for animals producing milk: 7 days for milk"
	case !authorised:
		e.Period, e.Basis = 14*24*time.Hour, "not authorised for animals producing eggs: 14 days for eggs (GB; the EU's 10 days is shorter)"
	case longest == 0:
		e.Period, e.Basis = 24*time.Hour, "authorised withdrawal is zero: 1 day"
	default:
		e.Period = RoundPeriod(c, longest+longest/2)
		e.Basis = fmt.Sprintf("1.5 × the longest authorised %s for %s, rounded up to %s", formatHours(longest), c, c.step())
	}
	return e, nil
}
