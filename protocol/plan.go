package protocol

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CaseInput is everything Plan needs to know about one case besides the
// protocol: when it starts, the animal's data, the user's choices, the
// products' concentrations and the farm's withhold options.
type CaseInput struct {
	// Initiation is when the case starts; every offset counts from it.
	Initiation time.Time

	// Weight is the animal's body weight, for doses by weight. Plan rounds
	// it once to WeightResolution (RoundWeight) and refuses one above
	// MaxWeight of the animal's class.
	Weight Quantity
	// Species is the animal's FDA class, for the weight limit. When empty
	// the most generous limit of the protocol's eligible classes applies.
	Species Species

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

	// PerTreatment holds choices for single treatments, so that a protocol
	// of two drugs with different ranges can be planned. It is keyed like
	// Products (see Treatment.MatchesKey): "id:T-1", "label:12",
	// "ndc:NADA 101-479", or the product name. A choice left zero falls back
	// to the top-level one above. A key that matches no treatment is an
	// error.
	PerTreatment map[string]Choices

	// Products gives each treatment's product its concentration, site limit
	// and extra withdrawal terms, keyed by the product's identity (see
	// Treatment.MatchesKey): "label:12", "ndc:NADA 101-479", or the product
	// name, compared without regard to case or spacing. A key that matches
	// no treatment is an error (a typo must not silently leave a dose
	// without its volume), and so is a dose in mass or units whose product
	// has no concentration.
	Products map[string]Product

	// DosesOnly plans the doses without volumes, for a caller that
	// measures the product at administration and says so: a dose in mass
	// or units whose product has no concentration then gets no Volume
	// instead of an error. Keys of Products are still matched and every
	// concentration given is still checked and used.
	DosesOnly bool

	// Withholds are the farm's rules for the planned release times.
	Withholds WithholdOptions
}

// Choices are the user's choices for one treatment; see
// CaseInput.PerTreatment. Zero fields defer to the case's top-level
// choices.
type Choices struct {
	PreferredDose Quantity
	PreferredRate Quantity
	AnimalClass   string
	DoseCount     int
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

// forTreatment returns c with the choices of ch laid over the defaults.
func (c *CaseInput) forTreatment(ch Choices) CaseInput {
	out := *c
	if !ch.PreferredDose.IsZero() {
		out.PreferredDose = ch.PreferredDose
	}
	if !ch.PreferredRate.IsZero() {
		out.PreferredRate = ch.PreferredRate
	}
	if ch.AnimalClass != "" {
		out.AnimalClass = ch.AnimalClass
	}
	if ch.DoseCount != 0 {
		out.DoseCount = ch.DoseCount
	}
	return out
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
	// Volume is the amount of product to give, always a positive volume
	// when the dose is a mass, an activity or a volume: Plan refuses to
	// plan a dose in mass or units without its product's concentration.
	// It is absent (the zero Quantity) only for a dose counted in units of
	// product ("1 ea": a bolus, a tube), which is its own amount, and, when
	// CaseInput.DosesOnly asks for it, for a dose whose product has no
	// concentration. Sites is
	// the number of injection sites, 0 when no site limit applies.
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
// p for the case c. The first problem is returned as a *FieldError whose
// Field names the treatment ("treatments[1].sizeFunction.perUnit") or the
// case input ("case.weight", "case.products").
//
// Plan refuses what it cannot compute rather than planning part of it:
//
//   - a protocol without treatments;
//   - a size or sequence function that Validate would refuse (a loading
//     dose of 60 mg then 30 ml), or a VCPR dosage member that disagrees
//     with them;
//   - a key of c.Products or c.PerTreatment that matches no treatment;
//   - a dose in mass or units whose product has no concentration, and a
//     concentration that is not a positive amount of the dose's dimension
//     per a positive volume (mg/ml for a mg dose, U/ml for units);
//   - a weight that is not a positive mass or exceeds MaxWeight of the
//     animal's class.
//
// Plan does not check eligibility or AMDUCA rules; call Validate and
// CheckEligibility for that.
func Plan(p *Protocol, c CaseInput) (*CasePlan, error) {
	if p == nil {
		return nil, fieldErr("protocol", "", "is required", ErrInvalid)
	}
	if len(p.Treatments) == 0 {
		return nil, fieldErr("treatments", "[]", "must list at least one treatment", ErrInvalid)
	}
	if c.Initiation.IsZero() {
		return nil, fieldErr("case.initiation", "", "is required", ErrMissingInput)
	}
	if err := c.Withholds.validate(); err != nil {
		return nil, err
	}
	for i := range p.Treatments {
		if err := checkFunctions(fmt.Sprintf("treatments[%d]", i), &p.Treatments[i]); err != nil {
			return nil, err
		}
	}
	prods, err := matchKeys(p.Treatments, "case.products", c.Products)
	if err != nil {
		return nil, err
	}
	choices, err := matchKeys(p.Treatments, "case.perTreatment", c.PerTreatment)
	if err != nil {
		return nil, err
	}
	if err := c.normaliseWeight(weightClass(c.Species, p)); err != nil {
		return nil, err
	}
	plan := &CasePlan{Initiation: c.Initiation.UTC()}
	n := 0
	offsets := make([][]time.Duration, len(p.Treatments))
	inputs := make([]CaseInput, len(p.Treatments))
	for i := range p.Treatments {
		inputs[i] = c.forTreatment(choices[i].value)
		off, err := Offsets(p.Treatments[i].SequenceFunction, inputs[i].DoseCount)
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
		r, err := p.WithdrawalRule(i, prods[i].value)
		if err != nil {
			return nil, err
		}
		rules[i] = r
		if err := planTreatment(&plan.Doses, i, t, offsets[i], &inputs[i], prods[i]); err != nil {
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
// time order, with Treatment set to 0. It refuses what Plan refuses.
func PlanTreatment(t *Treatment, c CaseInput) ([]PlannedDose, error) {
	if t == nil {
		return nil, fieldErr("treatment", "", "is required", ErrInvalid)
	}
	if c.Initiation.IsZero() {
		return nil, fieldErr("case.initiation", "", "is required", ErrMissingInput)
	}
	if err := checkFunctions("treatment", t); err != nil {
		return nil, err
	}
	ts := []Treatment{*t}
	prods, err := matchKeys(ts, "case.products", c.Products)
	if err != nil {
		return nil, err
	}
	choices, err := matchKeys(ts, "case.perTreatment", c.PerTreatment)
	if err != nil {
		return nil, err
	}
	if err := c.normaliseWeight(weightClass(c.Species, &Protocol{Treatments: ts})); err != nil {
		return nil, err
	}
	in := c.forTreatment(choices[0].value)
	off, err := Offsets(t.SequenceFunction, in.DoseCount)
	if err != nil {
		return nil, err
	}
	out := make([]PlannedDose, 0, len(off))
	if err := planTreatment(&out, 0, t, off, &in, prods[0]); err != nil {
		return nil, err
	}
	return out, nil
}

// checkFunctions runs Validate's checks of a treatment's size and
// sequence functions and of its dosage member, returning the first
// problem.
func checkFunctions(field string, t *Treatment) error {
	var probs Problems
	validateSize(&probs, field+".sizeFunction", t.SizeFunction)
	validateSequence(&probs, field+".sequenceFunction", t.SequenceFunction)
	checkDosage(&probs, field, t)
	if len(probs) > 0 {
		return probs[0]
	}
	return nil
}

// normaliseWeight rounds c.Weight to WeightResolution and checks it
// against the limit of class s.
func (c *CaseInput) normaliseWeight(s Species) error {
	if c.Weight.IsZero() {
		return nil
	}
	if c.Weight.Dimension() != Mass || c.Weight.Value.Sign() <= 0 {
		return fieldErr("case.weight", c.Weight.String(), "must be a positive mass", ErrInvalid)
	}
	w, err := RoundWeight(c.Weight)
	if err != nil {
		return fieldErr("case.weight", c.Weight.String(), err.Error(), ErrInvalid)
	}
	if err := CheckWeight(w, s); err != nil {
		return err
	}
	c.Weight = w
	return nil
}

// weightClass is the class whose weight limit applies: the case's own, or
// else the eligible class of p with the most generous limit.
func weightClass(s Species, p *Protocol) Species {
	if s != "" {
		return s
	}
	best, found := Species(""), false
	consider := func(e []Eligibility) {
		for _, el := range e {
			if !found || MaxWeight(el.FDASpecies).Value.Cmp(MaxWeight(best).Value) > 0 {
				best, found = el.FDASpecies, true
			}
		}
	}
	consider(p.Eligibilities)
	for i := range p.Treatments {
		consider(p.Treatments[i].Eligibilities)
	}
	return best
}

// keyed is the entry of a CaseInput map that matched one treatment.
type keyed[V any] struct {
	key   string
	found bool
	value V
}

// matchKeys gives each treatment the entry of m whose key matches it (see
// Treatment.MatchesKey). A key matching no treatment, or two keys matching
// one treatment, is an error on field.
func matchKeys[V any](ts []Treatment, field string, m map[string]V) ([]keyed[V], error) {
	out := make([]keyed[V], len(ts))
	if len(m) == 0 {
		return out, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		matched := false
		for i := range ts {
			if !ts[i].MatchesKey(k) {
				continue
			}
			matched = true
			if out[i].found {
				return nil, fieldErr(field, fmt.Sprintf("%q", k),
					fmt.Sprintf("and %q both name treatments[%d] (%s); give one", out[i].key, i, ts[i].ProductKey()), ErrInvalid)
			}
			out[i] = keyed[V]{key: k, found: true, value: m[k]}
		}
		if !matched {
			names := make([]string, len(ts))
			for i := range ts {
				names[i] = fmt.Sprintf("%q (%s)", ts[i].Product, ts[i].ProductKey())
			}
			return nil, fieldErr(field, fmt.Sprintf("%q", k),
				"matches no treatment of the protocol; its products are "+strings.Join(names, ", "), ErrInvalid)
		}
	}
	return out, nil
}

// ProductKey returns the stable key of the treatment's product:
// "label:<labelId>" when it names a label, else "ndc:<NDC or application
// number>" when it has one, else "name:<product name>" with the name
// normalised (lower case, single spaces). It is what CaseInput.Products
// should be keyed by; MatchesKey accepts the other identities too.
func (t *Treatment) ProductKey() string {
	switch {
	case t.LabelID != nil:
		return "label:" + strconv.FormatInt(*t.LabelID, 10)
	case strings.TrimSpace(t.NDC) != "":
		return "ndc:" + strings.TrimSpace(t.NDC)
	}
	return "name:" + normaliseName(t.Product)
}

// MatchesKey reports whether key names treatment t: "id:<id>" its ID,
// "label:<n>" its labelId, "ndc:<code>" its ndc member (compared on letters
// and digits only, so "NADA 101-479" and "nada101479" agree), "name:<text>"
// or any other text its product name, compared without regard to case,
// spacing or Unicode width. A misspelt product does not match.
func (t *Treatment) MatchesKey(key string) bool {
	key = strings.TrimSpace(key)
	kind, rest, ok := strings.Cut(key, ":")
	if ok {
		switch strings.ToLower(kind) {
		case "id":
			return t.ID != "" && strings.TrimSpace(rest) == t.ID
		case "label":
			n, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return err == nil && t.LabelID != nil && *t.LabelID == n
		case "ndc":
			c := codeKey(rest)
			return c != "" && c == codeKey(t.NDC)
		case "name":
			key = rest
		}
	}
	n := normaliseName(key)
	return n != "" && n == normaliseName(t.Product)
}

// normaliseName folds a product name for comparison: lower case, runs of
// white space collapsed to one space, no leading or trailing space.
func normaliseName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// codeKey keeps the letters and digits of a code, upper-cased.
func codeKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		}
	}
	return b.String()
}

func planTreatment(dst *[]PlannedDose, i int, t *Treatment, off []time.Duration, c *CaseInput, prod keyed[Product]) error {
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
			vol, sites, err := measure(i, t, prod, size, c.DosesOnly)
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

// measure turns dose into the volume of product to give, refusing what
// Product.Measure would silently leave without a volume.
func measure(i int, t *Treatment, prod keyed[Product], dose Quantity, dosesOnly bool) (Quantity, int, error) {
	field := "case.products"
	value := fmt.Sprintf("%q", prod.key)
	if !prod.found {
		value = fmt.Sprintf("%q", t.Product)
	}
	conc := prod.value.Concentration
	given := !conc.Amount.IsZero() || !conc.Per.IsZero()
	if given {
		if err := checkConcentration(conc); err != nil {
			return Quantity{}, 0, fieldErr(field, value, fmt.Sprintf("concentration %s of treatments[%d] %s", conc, i, err), ErrInvalid)
		}
	}
	switch dose.Dimension() {
	case Volume:
		if dose.Value.Sign() <= 0 {
			return Quantity{}, 0, fieldErr("sizeFunction", dose.String(), "a dose must be positive", ErrInvalid)
		}
	case Mass, Activity:
		if !given && dosesOnly {
			return Quantity{}, 0, nil
		}
		if !given {
			return Quantity{}, 0, fieldErr(field, value, fmt.Sprintf("has no concentration, needed to turn treatments[%d]'s dose of %s into a volume (key it %q)",
				i, dose, t.ProductKey()), ErrMissingInput)
		}
		if conc.Amount.Dimension() != dose.Dimension() {
			return Quantity{}, 0, fieldErr(field, value, fmt.Sprintf("concentration %s is per %s, but treatments[%d]'s dose %s is a %s (give %s per ml)",
				conc, conc.Amount.Dimension(), i, dose, dose.Dimension(), dose.Unit.Symbol()), ErrInvalid)
		}
	case Dimensionless:
		// A dose counted in units of product ("2 ea") is its own amount.
		if _, err := dose.In(Each); err != nil {
			return Quantity{}, 0, fieldErr("sizeFunction", dose.String(), err.Error(), ErrInvalid)
		}
		return Quantity{}, 0, nil
	default:
		return Quantity{}, 0, fieldErr("sizeFunction", dose.String(), "a dose must be a mass, a volume, an activity or a count", ErrInvalid)
	}
	vol, sites, err := prod.value.Measure(dose)
	if err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return Quantity{}, 0, fieldErr(field, value, fe.Field+" "+fe.Value+": "+fe.Rule, fe.Err)
		}
		return Quantity{}, 0, fieldErr(field, value, fmt.Sprintf("treatments[%d]'s dose %s: %v", i, dose, err), ErrInvalid)
	}
	if vol.Dimension() != Volume || vol.Value.Sign() <= 0 {
		return Quantity{}, 0, fieldErr(field, value, fmt.Sprintf("treatments[%d]'s dose %s gives %s, not a positive volume", i, dose, vol), ErrInvalid)
	}
	return vol, sites, nil
}

// checkConcentration requires a positive amount of a mass or activity per
// a positive volume, both in units that convert.
func checkConcentration(c Concentration) error {
	if c.Amount.IsZero() || c.Amount.Value.Sign() <= 0 {
		return errors.New("must have a positive amount")
	}
	if d := c.Amount.Dimension(); d != Mass && d != Activity {
		return fmt.Errorf("must be an amount of drug (mg, U), not %s", d)
	}
	if c.Per.IsZero() || c.Per.Value.Sign() <= 0 {
		return errors.New("must be per a positive volume")
	}
	if c.Per.Dimension() != Volume {
		return fmt.Errorf("must be per a volume (ml), not per %s", c.Per.Unit.Symbol())
	}
	if _, err := c.Amount.Unit.Factor(); err != nil {
		return err
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
