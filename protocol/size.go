package protocol

import (
	"fmt"
	"strings"
)

// DoseSize evaluates f for dose number n (0 is the first dose; only a
// LoadingDoseByWeightFunction distinguishes it) with the data of case c.
// The result is exact and in the unit the function is written in: 2.2 mg
// per kg for 600 kg is 1320 mg.
//
// Missing case data gives a *FieldError wrapping ErrMissingInput; a chosen
// value outside a range gives one wrapping ErrOutOfRange; a malformed
// function one wrapping ErrInvalid.
func DoseSize(f SizeFunction, c *CaseInput, n int) (Quantity, error) {
	switch f := f.(type) {
	case nil:
		return Quantity{}, fieldErr("sizeFunction", "", "is required", ErrInvalid)
	case *FixedDoseFunction:
		if err := checkAmount("sizeFunction.dose", f.Dose.Quantity); err != nil {
			return Quantity{}, err
		}
		return f.Dose.Quantity, nil
	case *DoseByWeightFunction:
		return byWeight(f.Dose.Quantity, f.PerUnit, c, "sizeFunction.dose")
	case *LoadingDoseByWeightFunction:
		if n == 0 {
			return byWeight(f.FirstDose.Quantity, f.PerUnit, c, "sizeFunction.firstDose")
		}
		return byWeight(f.FollowDose.Quantity, f.PerUnit, c, "sizeFunction.followDose")
	case *DoseRangeFunction:
		if err := checkRange("sizeFunction.range", f.Range); err != nil {
			return Quantity{}, err
		}
		if c.PreferredDose.IsZero() {
			return Quantity{}, fieldErr("case.preferredDose", "", "is required to choose a dose in "+rangeText(f.Range), ErrMissingInput)
		}
		if err := inRange("case.preferredDose", c.PreferredDose, f.Range); err != nil {
			return Quantity{}, err
		}
		return c.PreferredDose, nil
	case *DoseRangeByWeightFunction:
		if err := checkRange("sizeFunction.range", f.Range); err != nil {
			return Quantity{}, err
		}
		if c.PreferredRate.IsZero() {
			return Quantity{}, fieldErr("case.preferredRate", "", "is required to choose a rate in "+rangeText(f.Range)+" per "+f.PerUnit.String(), ErrMissingInput)
		}
		if err := inRange("case.preferredRate", c.PreferredRate, f.Range); err != nil {
			return Quantity{}, err
		}
		return byWeight(c.PreferredRate, f.PerUnit, c, "case.preferredRate")
	case *DoseByClass:
		if c.AnimalClass == "" {
			return Quantity{}, fieldErr("case.animalClass", "", "is required to choose among "+classNames(f), ErrMissingInput)
		}
		for _, ac := range f.AnimalClasses {
			if strings.EqualFold(strings.TrimSpace(ac.AnimalClass), strings.TrimSpace(c.AnimalClass)) {
				if _, nested := ac.SizeFunction.(*DoseByClass); nested {
					return Quantity{}, fieldErr("sizeFunction.animalClasses", ac.AnimalClass, "must not nest DoseByClass", ErrInvalid)
				}
				return DoseSize(ac.SizeFunction, c, n)
			}
		}
		return Quantity{}, fieldErr("case.animalClass", fmt.Sprintf("%q", c.AnimalClass), "must be one of "+classNames(f), ErrOutOfRange)
	}
	return Quantity{}, fieldErr("sizeFunction", fmt.Sprintf("%T", f), "unsupported size function", ErrInvalid)
}

func classNames(f *DoseByClass) string {
	names := make([]string, len(f.AnimalClasses))
	for i, ac := range f.AnimalClasses {
		names[i] = fmt.Sprintf("%q", ac.AnimalClass)
	}
	return strings.Join(names, ", ")
}

func rangeText(r DrugQuantityRange) string {
	return "[" + r.Min.Quantity.String() + ", " + r.Max.Quantity.String() + "]"
}

func byWeight(dose, per Quantity, c *CaseInput, field string) (Quantity, error) {
	if err := checkAmount(field, dose); err != nil {
		return Quantity{}, err
	}
	if per.IsZero() || per.Dimension() != Mass || per.Value.Sign() <= 0 {
		return Quantity{}, fieldErr("sizeFunction.perUnit", per.String(), "must be a positive mass", ErrInvalid)
	}
	if c == nil || c.Weight.IsZero() {
		return Quantity{}, fieldErr("case.weight", "", "is required for a dose by weight", ErrMissingInput)
	}
	if c.Weight.Dimension() != Mass || c.Weight.Value.Sign() <= 0 {
		return Quantity{}, fieldErr("case.weight", c.Weight.String(), "must be a positive mass", ErrInvalid)
	}
	q, err := DoseRate{Dose: dose, Per: per}.For(c.Weight)
	if err != nil {
		return Quantity{}, fieldErr("case.weight", c.Weight.String(), err.Error(), ErrInvalid)
	}
	return q, nil
}

// checkAmount requires a positive dose amount with a known unit.
func checkAmount(field string, q Quantity) error {
	if q.IsZero() {
		return fieldErr(field, "", "is required", ErrInvalid)
	}
	if q.Value.Sign() <= 0 {
		return fieldErr(field, q.String(), "must be positive", ErrInvalid)
	}
	if _, err := q.Unit.Factor(); err != nil {
		return fieldErr(field, q.String(), err.Error(), ErrInvalid)
	}
	return nil
}

// checkRange requires min ≤ max, both positive and of one dimension.
func checkRange(field string, r DrugQuantityRange) error {
	if err := checkAmount(field+".min", r.Min.Quantity); err != nil {
		return err
	}
	if err := checkAmount(field+".max", r.Max.Quantity); err != nil {
		return err
	}
	c, err := r.Min.Quantity.Cmp(r.Max.Quantity)
	if err != nil {
		return fieldErr(field, rangeText(r), "min and max must have the same dimension", ErrInvalid)
	}
	if c > 0 {
		return fieldErr(field, rangeText(r), "min must not exceed max", ErrInvalid)
	}
	return nil
}

func inRange(field string, q Quantity, r DrugQuantityRange) error {
	ok, err := r.Contains(q)
	if err != nil {
		return fieldErr(field, q.String(), "must have the dimension of "+rangeText(r), ErrInvalid)
	}
	if !ok {
		return fieldErr(field, q.String(), "must lie in "+rangeText(r)+" inclusive", ErrOutOfRange)
	}
	return nil
}

// Product is what the planner knows about a product beyond the protocol:
// its concentration, to turn a drug amount into a volume (or a count of
// boluses), and the largest volume that may be given at one injection
// site. The zero Product converts nothing and sets no site limit.
type Product struct {
	Concentration Concentration
	MaxPerSite    Quantity

	// Withdrawal adds terms to the treatment's hours, such as a dry-cow
	// product's "milk 96 hours after calving". Nil adds nothing.
	Withdrawal *WithdrawalRule
}

// Measure returns the amount of product that carries dose and the number of
// injection sites it needs. A dose already in volume is its own volume. A
// mass (or activity) dose needs a Concentration in the same dimension; with
// none, Measure returns the zero Quantity and 0 sites. Sites are counted
// only when MaxPerSite is set: ⌈volume ÷ MaxPerSite⌉, so 12.5 ml at 10 ml per
// site is 2 sites and exactly 10 ml is 1.
func (p Product) Measure(dose Quantity) (Quantity, int, error) {
	var vol Quantity
	switch {
	case dose.Dimension() == Volume:
		vol = dose
	case !p.Concentration.Amount.IsZero() && p.Concentration.Amount.Dimension() == dose.Dimension():
		v, err := p.Concentration.ProductFor(dose)
		if err != nil {
			return Quantity{}, 0, err
		}
		vol = v
	default:
		return Quantity{}, 0, nil
	}
	if p.MaxPerSite.IsZero() || vol.Dimension() != Volume {
		return vol, 0, nil
	}
	if p.MaxPerSite.Dimension() != Volume || p.MaxPerSite.Value.Sign() <= 0 {
		return Quantity{}, 0, fieldErr("product.maxPerSite", p.MaxPerSite.String(), "must be a positive volume", ErrInvalid)
	}
	r, err := vol.Ratio(p.MaxPerSite)
	if err != nil {
		return Quantity{}, 0, err
	}
	sites := r.Ceil()
	if sites < 1 {
		sites = 1
	}
	return vol, int(sites), nil
}
