package protocol

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"
)

// Validate checks protocol p for prescribing, the checks of the VCPR
// validate operation, and returns every problem found as Problems (nil
// when there are none):
//
//   - required members: name, a valid status that may still be prescribed,
//     at least one treatment, an eligibility for every treatment;
//   - each treatment: product, route, and size and sequence functions that
//     are well formed (positive amounts in known units, ranges with
//     min ≤ max, a positive mass per unit, sane frequencies and counts),
//     and a VCPR dosage member that, when it carries functions, agrees
//     with them;
//   - withdrawal hours in [0, 87600]; a meat withdrawal for every
//     treatment, and a milk withdrawal when lactating dairy cattle are
//     eligible;
//   - against each treatment's label claim (found in labels by LabelID):
//     withdrawal not below the label's (ErrBelowLabel), and an ONLABEL
//     treatment's eligible classes covered by the label's classes;
//   - promises with a known kind and a name of at least 8 characters, tags
//     of at most 15.
//
// labels may be nil; label checks then only run for treatments whose
// label is given.
func Validate(p *Protocol, labels []LabelClaim) error {
	var probs Problems
	if p == nil {
		probs.add("protocol", "", "is required", ErrInvalid)
		return probs
	}
	if strings.TrimSpace(p.Name) == "" {
		probs.add("name", "", "is required", ErrInvalid)
	}
	switch {
	case p.Status == "":
		probs.add("status", "", "is required", ErrInvalid)
	case !p.Status.Valid():
		probs.add("status", string(p.Status), "must be a VCPR protocol status", ErrInvalid)
	case p.Status == StatusRecalled || p.Status == StatusDeprecated || p.Status == StatusDeclined:
		probs.add("status", string(p.Status), "a recalled, deprecated or declined protocol cannot be prescribed", ErrInvalid)
	}
	checkHours(&probs, "wtMeatHrs", p.WtMeatHrs)
	checkHours(&probs, "wtMilkHrs", p.WtMilkHrs)
	for i, e := range p.Eligibilities {
		checkEligibility(&probs, fmt.Sprintf("eligibilities[%d]", i), e)
	}
	if len(p.Treatments) == 0 {
		probs.add("treatments", "[]", "must list at least one treatment", ErrInvalid)
	}
	byID := make(map[int64]*LabelClaim, len(labels))
	for i := range labels {
		byID[labels[i].ID] = &labels[i]
	}
	for i := range p.Treatments {
		validateTreatment(&probs, p, i, byID)
	}
	for i, pr := range p.Promises {
		f := fmt.Sprintf("promises[%d]", i)
		if !pr.Kind.Valid() {
			probs.add(f+"._type", string(pr.Kind), "must be a VCPR promise type", ErrInvalid)
		}
		if utf8.RuneCountInString(strings.TrimSpace(pr.Name)) < 8 {
			probs.add(f+".name", fmt.Sprintf("%q", pr.Name), "must have at least 8 characters", ErrInvalid)
		}
		if pr.Kind == CategoryPromise && len(pr.Choices) == 0 {
			probs.add(f+".query", "", "a category promise needs at least one choice", ErrInvalid)
		}
	}
	checkTags(&probs, "tags", p.Tags)
	return probs.err()
}

func validateTreatment(probs *Problems, p *Protocol, i int, labels map[int64]*LabelClaim) {
	t := &p.Treatments[i]
	f := fmt.Sprintf("treatments[%d]", i)
	if strings.TrimSpace(t.Product) == "" {
		probs.add(f+".product", "", "is required", ErrInvalid)
	}
	if strings.TrimSpace(t.Route) == "" {
		probs.add(f+".route", "", "is required", ErrInvalid)
	}
	validateSize(probs, f+".sizeFunction", t.SizeFunction)
	validateSequence(probs, f+".sequenceFunction", t.SequenceFunction)
	checkDosage(probs, f, t)
	checkHours(probs, f+".wtMeatHrs", t.WtMeatHrs)
	checkHours(probs, f+".wtMilkHrs", t.WtMilkHrs)
	for k, e := range t.Eligibilities {
		checkEligibility(probs, fmt.Sprintf("%s.eligibilities[%d]", f, k), e)
	}
	checkTags(probs, f+".tags", t.Tags)

	elig := t.Eligibilities
	if len(elig) == 0 {
		elig = p.Eligibilities
	}
	if len(elig) == 0 {
		probs.add(f+".eligibilities", "[]", "the treatment or the protocol must list an eligibility", ErrInvalid)
	}
	if t.WtMeatHrs == nil && p.WtMeatHrs == nil && foodAnimal(elig) {
		probs.add(f+".wtMeatHrs", "", "a meat withdrawal is required for food animals (0 if none)", ErrInvalid)
	}
	if t.WtMilkHrs == nil && p.WtMilkHrs == nil && lactatingDairy(elig) {
		probs.add(f+".wtMilkHrs", "", "a milk withdrawal is required when lactating dairy cattle are eligible (0 if none)", ErrInvalid)
	}
	if t.LabelID == nil {
		return
	}
	claim, ok := labels[*t.LabelID]
	if !ok {
		return
	}
	meat, milk := effectiveHours(t.WtMeatHrs, p.WtMeatHrs), effectiveHours(t.WtMilkHrs, p.WtMilkHrs)
	if meat != nil && meat.Cmp(claim.WtMeatHrs) < 0 {
		probs.add(f+".wtMeatHrs", meat.String(), fmt.Sprintf("must not be below the label's %s hours (label claim %d)", claim.WtMeatHrs, claim.ID), ErrBelowLabel)
	}
	if milk != nil && milk.Cmp(claim.WtMilkHrs) < 0 {
		probs.add(f+".wtMilkHrs", milk.String(), fmt.Sprintf("must not be below the label's %s hours (label claim %d)", claim.WtMilkHrs, claim.ID), ErrBelowLabel)
	}
	if t.Amduca == OnLabel {
		for k, e := range elig {
			if !claim.FDASpecies.Covers(e.FDASpecies) {
				probs.add(fmt.Sprintf("%s.eligibilities[%d].fdaSpecies", f, k), string(e.FDASpecies),
					fmt.Sprintf("is not on label claim %d (%s); the treatment is extra-label, not ONLABEL", claim.ID, speciesText(claim.FDASpecies)), ErrInvalid)
			}
		}
	}
}

func effectiveHours(own, whole *Number) *Number {
	switch {
	case own == nil:
		return whole
	case whole == nil:
		return own
	case own.Cmp(*whole) >= 0:
		return own
	}
	return whole
}

func speciesText(l SpeciesList) string {
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

func checkHours(probs *Problems, field string, h *Number) {
	if h == nil {
		return
	}
	if _, err := hoursDuration(field, *h); err != nil {
		*probs = append(*probs, err.(*FieldError))
	}
}

func checkEligibility(probs *Problems, field string, e Eligibility) {
	if strings.TrimSpace(e.Name) == "" {
		probs.add(field+".name", "", "is required", ErrInvalid)
	}
	if !e.FDASpecies.Valid() {
		probs.add(field+".fdaSpecies", fmt.Sprintf("%q", e.FDASpecies), "must be an FDA species class", ErrInvalid)
	}
}

func checkTags(probs *Problems, field string, tags []Tag) {
	for i, tg := range tags {
		if n := utf8.RuneCountInString(tg.Name); n == 0 || n > 15 {
			probs.add(fmt.Sprintf("%s[%d].name", field, i), fmt.Sprintf("%q", tg.Name), "must have 1 to 15 characters", ErrInvalid)
		}
	}
}

// foodAnimal reports whether any class is a food-producing one.
func foodAnimal(elig []Eligibility) bool {
	for _, e := range elig {
		switch e.FDASpecies {
		case Dogs, Cats, Horses, OtherSpecies, Unidentified:
			// US labels give horses no withdrawal times (they say "not for
			// use in horses intended for food"), so none is required here.
		default:
			return true
		}
	}
	return false
}

func lactatingDairy(elig []Eligibility) bool {
	for _, e := range elig {
		if e.FDASpecies == DairyCattle {
			return true
		}
	}
	return false
}

// validateSize checks a size function's structure, without case data.
func validateSize(probs *Problems, field string, f SizeFunction) {
	add := func(err error) {
		if fe, ok := err.(*FieldError); ok {
			cp := *fe
			cp.Field = field + strings.TrimPrefix(fe.Field, "sizeFunction")
			*probs = append(*probs, &cp)
		}
	}
	perUnit := func(q Quantity) {
		if q.IsZero() || q.Dimension() != Mass || q.Value.Sign() <= 0 {
			probs.add(field+".perUnit", q.String(), "must be a positive mass", ErrInvalid)
		} else if _, err := q.Unit.Factor(); err != nil {
			probs.add(field+".perUnit", q.String(), err.Error(), ErrInvalid)
		}
	}
	switch f := f.(type) {
	case nil:
		probs.add(field, "", "is required", ErrInvalid)
	case *FixedDoseFunction:
		if err := checkAmount("sizeFunction.dose", f.Dose.Quantity); err != nil {
			add(err)
		}
	case *DoseByWeightFunction:
		if err := checkAmount("sizeFunction.dose", f.Dose.Quantity); err != nil {
			add(err)
		}
		perUnit(f.PerUnit)
	case *LoadingDoseByWeightFunction:
		if err := checkAmount("sizeFunction.firstDose", f.FirstDose.Quantity); err != nil {
			add(err)
		}
		if err := checkAmount("sizeFunction.followDose", f.FollowDose.Quantity); err != nil {
			add(err)
		}
		if f.FirstDose.Quantity.Dimension() != f.FollowDose.Quantity.Dimension() {
			probs.add(field, f.FirstDose.Quantity.String()+", "+f.FollowDose.Quantity.String(), "first and follow doses must have the same dimension", ErrInvalid)
		}
		perUnit(f.PerUnit)
	case *DoseRangeFunction:
		if err := checkRange("sizeFunction.range", f.Range); err != nil {
			add(err)
		}
	case *DoseRangeByWeightFunction:
		if err := checkRange("sizeFunction.range", f.Range); err != nil {
			add(err)
		}
		perUnit(f.PerUnit)
	case *DoseByClass:
		if len(f.AnimalClasses) == 0 {
			probs.add(field+".animalClasses", "[]", "must list at least one class", ErrInvalid)
		}
		seen := make(map[string]bool, len(f.AnimalClasses))
		for k, ac := range f.AnimalClasses {
			cf := fmt.Sprintf("%s.animalClasses[%d]", field, k)
			name := strings.ToLower(strings.TrimSpace(ac.AnimalClass))
			if name == "" {
				probs.add(cf+".animalClass", "", "is required", ErrInvalid)
			} else if seen[name] {
				probs.add(cf+".animalClass", fmt.Sprintf("%q", ac.AnimalClass), "is listed twice", ErrInvalid)
			}
			seen[name] = true
			if _, nested := ac.SizeFunction.(*DoseByClass); nested {
				probs.add(cf+".sizeFunction", TypeDoseByClass, "must not nest DoseByClass", ErrInvalid)
				continue
			}
			validateSize(probs, cf+".sizeFunction", ac.SizeFunction)
		}
	default:
		probs.add(field, fmt.Sprintf("%T", f), "unsupported size function", ErrInvalid)
	}
}

// validateSequence checks a sequence function's structure.
func validateSequence(probs *Problems, field string, f SequenceFunction) {
	count := 0
	if r, ok := f.(*SeqPerDayRange); ok {
		count = r.MinDoses
	}
	if _, err := Offsets(f, count); err != nil {
		if fe, ok := err.(*FieldError); ok {
			cp := *fe
			cp.Field = field + strings.TrimPrefix(fe.Field, "sequenceFunction")
			*probs = append(*probs, &cp)
		}
	}
}

// Animal is what eligibility and the AMDUCA prohibitions need to know
// about one animal.
type Animal struct {
	// Class is the animal's FDA class. A cow that has calved is DairyCattle
	// whether she is milking or dry (see DairyClass).
	Class Species
	// Female is the animal's sex; it matters for phenylbutazone
	// (21 CFR 530.41(a)(12)).
	Female bool
	// Born is the date of birth; zero when unknown. An unknown age is
	// treated as old enough for every age-limited rule.
	Born time.Time
}

// DairyClass returns the FDA class of a female dairy animal: DairyCattle
// (lactating dairy cattle) once she has calved, even while dry;
// DairyHeifers before that; DairyCalves below weaning age is left to the
// caller. A dry cow is never DairyCattleNonLactating.
func DairyClass(hasCalved bool) Species {
	if hasCalved {
		return DairyCattle
	}
	return DairyHeifers
}

// MonthsOldAtLeast reports whether the animal is at least n calendar
// months old on date on, read as MonthsOfAgeReached reads it: calendar
// days, a missing anniversary day counting as the month's last, and an
// unknown birth date reporting true, so that doubt falls on the side of
// an age-based ban.
func (a Animal) MonthsOldAtLeast(n int, on time.Time) bool {
	return MonthsOfAgeReached(a.Born, on, n)
}

// CheckEligibility reports whether an animal of class a.Class may be
// enrolled in protocol p: some eligibility of the protocol (or, when it
// lists none, of its treatments) must cover the class (see
// Species.Covers). The error is a *FieldError wrapping ErrNotEligible that
// lists the eligible classes.
func CheckEligibility(p *Protocol, a Animal) error {
	if p == nil {
		return fieldErr("protocol", "", "is required", ErrInvalid)
	}
	elig := p.Eligibilities
	if len(elig) == 0 {
		for i := range p.Treatments {
			elig = append(elig, p.Treatments[i].Eligibilities...)
		}
	}
	if len(elig) == 0 {
		return fieldErr("eligibilities", "[]", "the protocol lists no eligible class", ErrNotEligible)
	}
	if a.Class == "" {
		return fieldErr("animal.class", "", "is required", ErrMissingInput)
	}
	names := make([]string, 0, len(elig))
	for _, e := range elig {
		if e.FDASpecies.Covers(a.Class) {
			return nil
		}
		names = append(names, string(e.FDASpecies))
	}
	return fieldErr("animal.class", string(a.Class), "must be one of the protocol's eligible classes: "+strings.Join(names, ", "), ErrNotEligible)
}

// dosageFunctions decodes a treatment's VCPR dosage member. The member is
// oneOf DoseId ({"doseId": n}, a key to a label dosage, which carries no
// functions) or DoseFunctions ({"sizeFunction": …, "sequenceFunction":
// …}); either function may be absent (nil).
func dosageFunctions(raw json.RawMessage) (SizeFunction, SequenceFunction, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil, nil
	}
	var w struct {
		SizeFunction     json.RawMessage `json:"sizeFunction"`
		SequenceFunction json.RawMessage `json:"sequenceFunction"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, err
	}
	size, err := DecodeSizeFunction(w.SizeFunction)
	if err != nil {
		return nil, nil, err
	}
	seq, err := DecodeSequenceFunction(w.SequenceFunction)
	if err != nil {
		return nil, nil, err
	}
	return size, seq, nil
}

// checkDosage requires a treatment's VCPR dosage member, when it carries
// functions, to agree with the top-level sizeFunction and
// sequenceFunction: a disagreement is refused naming the first difference
// (amounts are compared by value, so 1 g and 1000 mg agree).
func checkDosage(probs *Problems, field string, t *Treatment) {
	size, seq, err := dosageFunctions(t.Dosage)
	if err != nil {
		probs.add(field+".dosage", "", "must be a DoseId or DoseFunctions: "+err.Error(), ErrInvalid)
		return
	}
	if size != nil {
		if path, a, b, differ := diffValues("", reflect.ValueOf(&size).Elem(), reflect.ValueOf(&t.SizeFunction).Elem()); differ {
			probs.add(field+".dosage.sizeFunction"+path, a, "disagrees with sizeFunction"+path+" "+b+"; the dosage member and the top-level functions must describe the same dose", ErrInvalid)
		}
	}
	if seq != nil {
		if path, a, b, differ := diffValues("", reflect.ValueOf(&seq).Elem(), reflect.ValueOf(&t.SequenceFunction).Elem()); differ {
			probs.add(field+".dosage.sequenceFunction"+path, a, "disagrees with sequenceFunction"+path+" "+b+"; the dosage member and the top-level functions must describe the same schedule", ErrInvalid)
		}
	}
}

var (
	quantityType = reflect.TypeFor[Quantity]()
	durationType = reflect.TypeFor[Duration]()
)

// diffValues finds the first difference between two decoded functions and
// returns its JSON path and both values as text.
func diffValues(path string, a, b reflect.Value) (string, string, string, bool) {
	if a.Type() != b.Type() {
		return path, a.Type().String(), b.Type().String(), true
	}
	switch a.Type() {
	case quantityType:
		qa, qb := a.Interface().(Quantity), b.Interface().(Quantity)
		same := qa.IsZero() == qb.IsZero()
		if same && !qa.IsZero() {
			if c, err := qa.Cmp(qb); err != nil {
				same = qa.Unit == qb.Unit && qa.Value == qb.Value
			} else {
				same = c == 0
			}
		}
		if !same {
			return path, qa.String(), qb.String(), true
		}
		return "", "", "", false
	case durationType:
		da, db := a.Interface().(Duration), b.Interface().(Duration)
		if da.Std() != db.Std() {
			return path, da.String(), db.String(), true
		}
		return "", "", "", false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		switch {
		case a.IsNil() && b.IsNil():
			return "", "", "", false
		case a.IsNil() || b.IsNil():
			return path, typeText(a), typeText(b), true
		}
		ea, eb := a.Elem(), b.Elem()
		if ea.Type() != eb.Type() {
			return path + "._type", typeText(a), typeText(b), true
		}
		return diffValues(path, ea, eb)
	case reflect.Struct:
		for i := range a.NumField() {
			f := a.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if p, x, y, d := diffValues(path+"."+name, a.Field(i), b.Field(i)); d {
				return p, x, y, d
			}
		}
		return "", "", "", false
	case reflect.Slice:
		if a.Len() != b.Len() {
			return path, fmt.Sprintf("%d items", a.Len()), fmt.Sprintf("%d items", b.Len()), true
		}
		for i := range a.Len() {
			if p, x, y, d := diffValues(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d {
				return p, x, y, d
			}
		}
		return "", "", "", false
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return path, fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()), true
	}
	return "", "", "", false
}

// typeText names the VCPR type of a function value, or "none".
func typeText(v reflect.Value) string {
	if v.IsNil() {
		return "none"
	}
	switch f := v.Interface().(type) {
	case SizeFunction:
		return f.TypeName()
	case SequenceFunction:
		return f.TypeName()
	}
	return v.Elem().Type().String()
}
