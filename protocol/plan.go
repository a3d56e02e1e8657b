package protocol

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CaseInput is everything Plan needs to know about one case besides the
// protocol: when it starts, the animal's data, the user's choices, the
// products' concentrations and the farm's withhold options.
type CaseInput struct {
	// Initiation is when the case starts; every offset counts from it.
	Initiation time.Time

	// Weight is the animal's body weight, for doses by weight.
	Weight Quantity
	// PreferredDose is the dose chosen inside a DoseRangeFunction.
	PreferredDose Quantity
	// PreferredRate is the amount per the function's perUnit chosen inside
	// a DoseRangeByWeightFunction (1.5 mg when the range is 1.1–2.2 mg per
	// kg).
	PreferredRate Quantity
	// AnimalClass selects the branch of a DoseByClass.
	AnimalClass string
	// DoseCount is the number of doses chosen inside a SeqPerDayRange.
	DoseCount int

	// Products maps a treatment's product name to its concentration and
	// site limit. Products not listed are planned without volumes.
	Products map[string]Product

	// Withholds are the farm's rules for the planned release times.
	Withholds WithholdOptions
}

// Apply copies VCPR case data into c: WeightData sets Weight,
// PreferredDoseData sets PreferredDose, PrefDoseRateData sets Weight and
// PreferredRate, AnimalClassData sets AnimalClass. NoData and nil change
// nothing.
func (c *CaseInput) Apply(d CaseData) error {
	switch d := d.(type) {
	case nil, *NoData:
	case *WeightData:
		c.Weight = d.Weight
	case *PreferredDoseData:
		c.PreferredDose = d.PreferredDose.Quantity
	case *PrefDoseRateData:
		c.Weight = d.Weight
		c.PreferredRate = d.PreferredDose.Quantity
	case *AnimalClassData:
		c.AnimalClass = d.AnimalClass.AnimalClass
	default:
		return fieldErr("caseData", d.TypeName(), "unsupported case data", ErrInvalid)
	}
	return nil
}

// PlannedDose is one dose of a treatment at its planned time.
type PlannedDose struct {
	// Treatment is the index of the treatment in Protocol.Treatments; Seq
	// numbers its doses from 1.
	Treatment int
	Seq       int

	Product string
	Route   string
	At      time.Time

	// Dose is the exact amount in the size function's unit.
	Dose Quantity
	// Volume is the amount of product to give (ml, or ea for boluses); it
	// is zero when the dose is a mass and the product's concentration is
	// not known. Sites is the number of injection sites, 0 when no site
	// limit applies.
	Volume Quantity
	Sites  int
}

// PromiseTask is a promise of the protocol due at initiation + When.
type PromiseTask struct {
	// Promise is the index in Protocol.Promises.
	Promise int
	Name    string
	Kind    PromiseKind
	Due     time.Time
}

// CasePlan is the plan for one case: every dose, every promise, and the
// withholds that follow if every dose is given on time.
type CasePlan struct {
	Initiation time.Time

	// Doses are in time order; doses at the same time keep treatment order.
	Doses []PlannedDose
	// Administrations parallel Doses (same index) with the withdrawal rule
	// of each; after a dose is given late, change its At and pass the
	// slice to Withdrawal again.
	Administrations []Administration
	// Withholds are the planned release times; their Cause indexes Doses.
	Withholds Withholds

	Promises []PromiseTask
}

// Plan computes the doses, promise tasks and planned withholds of protocol
// p for the case c. Every treatment is evaluated; the first error is
// returned as a *FieldError whose Field names the treatment
// ("treatments[1].sizeFunction.perUnit") or the case input ("case.weight").
//
// Plan does not check eligibility or AMDUCA rules; call Validate and
// CheckEligibility for that.
func Plan(p *Protocol, c CaseInput) (*CasePlan, error) {
	if p == nil {
		return nil, fieldErr("protocol", "", "is required", ErrInvalid)
	}
	if c.Initiation.IsZero() {
		return nil, fieldErr("case.initiation", "", "is required", ErrMissingInput)
	}
	if err := c.Withholds.validate(); err != nil {
		return nil, err
	}
	plan := &CasePlan{Initiation: c.Initiation.UTC()}
	n := 0
	offsets := make([][]time.Duration, len(p.Treatments))
	for i := range p.Treatments {
		off, err := Offsets(p.Treatments[i].SequenceFunction, c.DoseCount)
		if err != nil {
			return nil, inTreatment(i, err)
		}
		offsets[i] = off
		n += len(off)
	}
	plan.Doses = make([]PlannedDose, 0, n)
	rules := make([]WithdrawalRule, len(p.Treatments))
	for i := range p.Treatments {
		t := &p.Treatments[i]
		prod := c.Products[t.Product]
		r, err := p.WithdrawalRule(i, prod)
		if err != nil {
			return nil, err
		}
		rules[i] = r
		if err := planTreatment(&plan.Doses, i, t, offsets[i], &c, prod); err != nil {
			return nil, inTreatment(i, err)
		}
	}
	slices.SortStableFunc(plan.Doses, func(a, b PlannedDose) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Treatment, b.Treatment)
	})
	plan.Administrations = make([]Administration, len(plan.Doses))
	for k, d := range plan.Doses {
		plan.Administrations[k] = Administration{Ref: p.Treatments[d.Treatment].ID, Product: d.Product, At: d.At, Rule: rules[d.Treatment]}
	}
	w, err := Withdrawal(plan.Administrations, nil, c.Withholds)
	if err != nil {
		return nil, err
	}
	plan.Withholds = w
	if len(p.Promises) > 0 {
		plan.Promises = make([]PromiseTask, len(p.Promises))
		for i, pr := range p.Promises {
			if pr.When.Std() < 0 {
				return nil, fieldErr(fmt.Sprintf("promises[%d].when", i), pr.When.String(), "must not be negative", ErrInvalid)
			}
			plan.Promises[i] = PromiseTask{Promise: i, Name: pr.Name, Kind: pr.Kind, Due: plan.Initiation.Add(pr.When.Std())}
		}
	}
	return plan, nil
}

// PlanTreatment computes the doses of a single treatment for case c, in
// time order, with Treatment set to 0.
func PlanTreatment(t *Treatment, c CaseInput) ([]PlannedDose, error) {
	if t == nil {
		return nil, fieldErr("treatment", "", "is required", ErrInvalid)
	}
	if c.Initiation.IsZero() {
		return nil, fieldErr("case.initiation", "", "is required", ErrMissingInput)
	}
	off, err := Offsets(t.SequenceFunction, c.DoseCount)
	if err != nil {
		return nil, err
	}
	out := make([]PlannedDose, 0, len(off))
	if err := planTreatment(&out, 0, t, off, &c, c.Products[t.Product]); err != nil {
		return nil, err
	}
	return out, nil
}

func planTreatment(dst *[]PlannedDose, i int, t *Treatment, off []time.Duration, c *CaseInput, prod Product) error {
	if strings.TrimSpace(t.Product) == "" {
		return fieldErr("product", "", "is required", ErrInvalid)
	}
	start := c.Initiation.UTC()
	var prev PlannedDose
	for k, o := range off {
		d := PlannedDose{Treatment: i, Seq: k + 1, Product: t.Product, Route: t.Route, At: start.Add(o)}
		// Only the first dose of a loading function differs: reuse the
		// size of the previous dose otherwise.
		if k <= 1 {
			size, err := DoseSize(t.SizeFunction, c, k)
			if err != nil {
				return err
			}
			vol, sites, err := prod.Measure(size)
			if err != nil {
				return err
			}
			d.Dose, d.Volume, d.Sites = size, vol, sites
		} else {
			d.Dose, d.Volume, d.Sites = prev.Dose, prev.Volume, prev.Sites
		}
		*dst = append(*dst, d)
		prev = d
	}
	return nil
}

// inTreatment prefixes the field of a function error with the treatment's
// path; errors about the case input keep their "case." field.
func inTreatment(i int, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) && !strings.HasPrefix(fe.Field, "case.") {
		cp := *fe
		cp.Field = fmt.Sprintf("treatments[%d].%s", i, fe.Field)
		return &cp
	}
	return err
}

// WithdrawalRule returns the withdrawal rule of treatment i: its own
// wtMeatHrs/wtMilkHrs, the protocol's wtMeatHrs/wtMilkHrs (which count from
// the last dose of any treatment, so they apply to every dose), and the
// product's extra terms. Every term must be satisfied; of two terms with
// the same anchor only the longer is kept.
func (p *Protocol) WithdrawalRule(i int, prod Product) (WithdrawalRule, error) {
	if i < 0 || i >= len(p.Treatments) {
		return WithdrawalRule{}, fieldErr("treatments", fmt.Sprint(i), "no such treatment", ErrInvalid)
	}
	t := &p.Treatments[i]
	var extraMeat, extraMilk []Term
	if prod.Withdrawal != nil {
		extraMeat, extraMilk = prod.Withdrawal.Meat, prod.Withdrawal.Milk
	}
	meat, err := collectTerms(i, "wtMeatHrs", t.WtMeatHrs, p.WtMeatHrs, extraMeat)
	if err != nil {
		return WithdrawalRule{}, err
	}
	milk, err := collectTerms(i, "wtMilkHrs", t.WtMilkHrs, p.WtMilkHrs, extraMilk)
	if err != nil {
		return WithdrawalRule{}, err
	}
	return WithdrawalRule{Meat: meat, Milk: milk}, nil
}

// collectTerms builds one commodity's terms in a single allocation.
func collectTerms(i int, name string, own, whole *Number, extra []Term) ([]Term, error) {
	n := len(extra)
	if own != nil {
		n++
	}
	if whole != nil {
		n++
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]Term, 0, n)
	if own != nil {
		d, err := hoursDuration(name, *own)
		if err != nil {
			return nil, inTreatment(i, err)
		}
		out = append(out, Term{Period: d})
	}
	if whole != nil {
		d, err := hoursDuration(name, *whole)
		if err != nil {
			return nil, err
		}
		out = mergeTerm(out, Term{Period: d})
	}
	for _, t := range extra {
		out = mergeTerm(out, t)
	}
	return out, nil
}

// mergeTerm adds t to terms unless a term with the same anchor is already
// at least as long, in which case the longer one stays.
func mergeTerm(terms []Term, t Term) []Term {
	for k, u := range terms {
		if u.Event == t.Event {
			if t.Period > u.Period {
				terms[k] = t
			}
			return terms
		}
	}
	return append(terms, t)
}
