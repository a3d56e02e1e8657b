package protocol

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Use describes how a protocol's drugs are used, for the AMDUCA rules that
// depend on it. The zero value is treatment of disease, prescribed by a
// veterinarian, not in feed.
type Use struct {
	// Prevention is true when the treatment prevents rather than treats
	// disease (21 CFR 530.41(a)(13)(i)).
	Prevention bool
	// LayPerson is true when the drug is used without a veterinarian's
	// supervision (21 CFR 530.11(a)).
	LayPerson bool
	// InFeed is true when the drug is given in or on animal feed
	// (21 CFR 530.11(b)).
	InFeed bool
	// Confirmations record the active ingredients the veterinarian
	// confirmed for treatments whose product the drug dictionary cannot
	// identify (see Identify). Without one such a treatment is
	// UNIDENTIFIED with a Finding whose Unidentified is set.
	Confirmations []Confirmation
}

// confirmed returns the ingredients confirmed for treatment i.
func (u Use) confirmed(i int) []string {
	var out []string
	for _, c := range u.Confirmations {
		if c.Treatment == i {
			out = append(out, c.Ingredients...)
		}
	}
	return out
}

// Deviation is the way a treatment departs from its label claim.
type Deviation string

// The ways a use can be extra-label (21 CFR 530.3(a)).
const (
	DeviatesSpecies    Deviation = "species"
	DeviatesIndication Deviation = "indication"
	DeviatesDose       Deviation = "dose"
	DeviatesFrequency  Deviation = "frequency"
	DeviatesDuration   Deviation = "duration"
	DeviatesRoute      Deviation = "route"
	NoLabel            Deviation = "label"
)

// citeExtraLabel is the definition of extra-label use.
const citeExtraLabel = "21 CFR 530.3(a)"

// citeExtendedWithdrawal requires a substantially extended withdrawal for
// extra-label use in food animals.
const citeExtendedWithdrawal = "21 CFR 530.20(a)(2)(ii)"

// Finding is one reason for a treatment's AMDUCA class: a departure from
// the label, or a prohibited use. It says why, cites the rule, and where a
// fix exists proposes it as a Remedy.
type Finding struct {
	// Treatment is the index in Protocol.Treatments; Field is the JSON
	// path of the offending member.
	Treatment int
	Field     string
	// Deviation is set for departures from the label.
	Deviation Deviation
	// Prohibited is true when the use is not permitted at all; Conditional
	// when it is prohibited only for some animals the protocol allows (a
	// Restriction remedy then limits the protocol).
	Prohibited  bool
	Conditional bool
	// Unidentified is true when the drug dictionary cannot tell what the
	// product contains: the veterinarian must confirm the active
	// ingredient (Use.Confirmations) before the use can be allowed.
	Unidentified bool
	Why          string
	Citation     string
	Remedy       Remedy
}

// Classification is the AMDUCA class of one treatment with its findings.
type Classification struct {
	Treatment int
	Class     AmducaClass
	// Label is the label claim the treatment was compared with; nil when
	// none was found (Class is then Unclassified).
	Label    *LabelClaim
	Findings []Finding
	// Identity is what the drug dictionary found the product to contain.
	Identity Identity

	// use is kept for ForAnimal, which re-checks prohibitions for one
	// animal.
	use Use
}

// Prohibited reports whether any finding forbids the use outright.
func (c *Classification) Prohibited() bool {
	return slices.ContainsFunc(c.Findings, func(f Finding) bool { return f.Prohibited })
}

// Unidentified reports whether the product's active ingredient is unknown
// and unconfirmed. Such a use is never allowed: it is neither prohibited
// nor permitted until the veterinarian confirms the ingredient.
func (c *Classification) Unidentified() bool {
	return slices.ContainsFunc(c.Findings, func(f Finding) bool { return f.Unidentified })
}

// Classify compares every treatment of p with its label claim (found in
// labels by Treatment.LabelID) and with the prohibitions of 21 CFR 530.41
// and 530.11. A treatment is ONLABEL when species, indication, dose,
// frequency, duration and route all follow the claim, OFFLABEL otherwise,
// and UNIDENTIFIED when its label claim is unknown or the drug dictionary
// cannot identify its active ingredient (see Identify; the veterinarian
// may confirm it in use.Confirmations). Use for prevention is an
// indication of its own: a claim covers it only when its Prevention is
// set. Prohibitions are checked for every OFFLABEL or UNIDENTIFIED
// treatment by the classes of its identified ingredients.
//
// The eligible classes are the treatment's eligibilities, or the
// protocol's when the treatment lists none.
func Classify(p *Protocol, labels []LabelClaim, use Use) []Classification {
	out := make([]Classification, len(p.Treatments))
	for i := range p.Treatments {
		out[i] = classifyTreatment(p, i, labels, use)
	}
	return out
}

func classifyTreatment(p *Protocol, i int, labels []LabelClaim, use Use) Classification {
	t := &p.Treatments[i]
	f := fmt.Sprintf("treatments[%d]", i)
	c := Classification{Treatment: i, Class: Unclassified}
	elig := t.Eligibilities
	if len(elig) == 0 {
		elig = p.Eligibilities
	}
	if t.LabelID != nil {
		for k := range labels {
			if labels[k].ID == *t.LabelID {
				c.Label = &labels[k]
				break
			}
		}
	}
	if c.Label == nil {
		c.Findings = append(c.Findings, Finding{Treatment: i, Field: f + ".labelId", Deviation: NoLabel,
			Why: "no label claim is known for the treatment, so it cannot be shown to be on-label", Citation: citeExtraLabel})
	} else {
		c.Findings = append(c.Findings, labelDeviations(p, i, elig, c.Label, labels)...)
		if use.Prevention && !c.Label.Prevention {
			c.Findings = append(c.Findings, Finding{Treatment: i, Field: "diagnoses", Deviation: DeviatesIndication,
				Why: "the treatment is for disease prevention, which the label's indication does not cover", Citation: citeExtraLabel})
		}
		c.Class = classOf(c.Findings)
	}
	c.Identity, c.use = Identify(t, c.Label, use.confirmed(i)), use
	if !c.Identity.Identified() {
		c.Class = Unclassified
	}
	if c.Class != OnLabel {
		addUseFindings(&c, elig)
	}
	return c
}

// addUseFindings adds the prohibitions that apply to an extra-label or
// unidentified use in the classes elig, and, when none forbids it, the
// requirement of an extended withdrawal.
func addUseFindings(c *Classification, elig []Eligibility) {
	f := fmt.Sprintf("treatments[%d]", c.Treatment)
	if !c.Identity.Identified() && !c.Unidentified() {
		c.Findings = append(c.Findings, Finding{Treatment: c.Treatment, Field: f + ".product", Unidentified: true,
			Citation: citeProhibited,
			Why:      "the drug dictionary cannot identify the product's active ingredient, so it cannot be shown not to be a drug prohibited in food animals; the veterinarian must confirm the active ingredient"})
	}
	for _, n := range c.Identity.Unknown {
		if !slices.ContainsFunc(c.Findings, func(x Finding) bool { return x.Field == f+".product" && strings.Contains(x.Why, strconv.Quote(n)) }) {
			c.Findings = append(c.Findings, Finding{Treatment: c.Treatment, Field: f + ".product", Citation: citeProhibited,
				Why: fmt.Sprintf("the veterinarian confirmed the active ingredient %q, which the drug dictionary does not know; its class was not checked against the prohibited drugs", n)})
		}
	}
	deviations := make(map[Deviation]bool, len(c.Findings))
	for _, fd := range c.Findings {
		if !fd.Conditional {
			deviations[fd.Deviation] = true
		}
	}
	for k := range prohibitions {
		pr := &prohibitions[k]
		if slices.ContainsFunc(c.Findings, func(x Finding) bool { return x.Citation == pr.Citation && !x.Conditional }) {
			continue
		}
		if fd, ok := prohibitionFinding(pr, c.Treatment, f, c.Identity, elig, c.use, deviations, c.Label); ok {
			c.Findings = append(c.Findings, fd)
		}
	}
	if c.Class == OffLabel && !c.Prohibited() && !slices.ContainsFunc(c.Findings, func(x Finding) bool { return x.Citation == citeExtendedWithdrawal }) {
		c.Findings = append(c.Findings, Finding{Treatment: c.Treatment, Field: f + ".wtMeatHrs",
			Why:      "extra-label use in a food animal needs a substantially extended withdrawal set by the veterinarian",
			Citation: citeExtendedWithdrawal,
			Remedy: &PromiseRemedy{Title: "EXTWDT", Message: "The veterinarian affirms an extended withdrawal for this extra-label use",
				Promise: Promise{Kind: AffirmationPromise, Name: "Extended withdrawal affirmed", When: Hours(0),
					Query: "I have set a substantially extended withdrawal period for this extra-label use, supported by scientific information (21 CFR 530.20(a)(2)(ii))."}},
		})
	}
}

// citeProhibited is the list of drugs prohibited for extra-label use.
const citeProhibited = "21 CFR 530.41"

func prohibitionFinding(pr *Prohibition, i int, f string, id Identity, elig []Eligibility, use Use, dev map[Deviation]bool, label *LabelClaim) (Finding, bool) {
	fd := Finding{Treatment: i, Field: f + ".product", Prohibited: true, Citation: pr.Citation}
	switch pr.kind {
	case layPerson:
		if !use.LayPerson {
			return Finding{}, false
		}
		fd.Field, fd.Why = f, "extra-label use is permitted only by or under the supervision of a veterinarian"
		return fd, true
	case inFeed:
		if !use.InFeed {
			return Finding{}, false
		}
		fd.Field, fd.Why = f+".route", "extra-label use in or on animal feed is never permitted"
		return fd, true
	}
	caught := pr.matches(id)
	if len(caught) == 0 {
		return Finding{}, false
	}
	drug := pr.Drug
	if len(pr.Classes) > 0 {
		drug = fmt.Sprintf("%s (%s)", pr.Drug, strings.Join(caught, ", "))
	}
	var hit []Species
	for _, e := range elig {
		if pr.coversSpecies(e.FDASpecies) {
			hit = append(hit, e.FDASpecies)
		}
	}
	if len(hit) == 0 {
		return Finding{}, false
	}
	names := make([]string, len(hit))
	for k, s := range hit {
		names[k] = string(s)
	}
	who := strings.Join(names, ", ")
	switch pr.kind {
	case femaleDairy20Months:
		// Lactating dairy cattle have calved: always female and, in
		// practice, past 20 months. Heifers and calves may or may not be.
		if !slices.Contains(hit, DairyCattle) {
			fd.Prohibited, fd.Conditional = false, true
			fd.Why = fmt.Sprintf("%s is prohibited in %s; the protocol allows %s", drug, pr.Condition, who)
			fd.Remedy = &RestrictionRemedy{Title: "PBZ-20M", Message: "Restrict the protocol by age and sex",
				Detail: "Not for use in female dairy cattle 20 months of age or older (21 CFR 530.41(a)(12))."}
			return fd, true
		}
	case cephalosporinRule:
		reasons := make([]string, 0, 3)
		if use.Prevention && (label == nil || !label.Prevention) {
			// 530.41(a)(13)(i): whatever the dose, unless the label's
			// own indication is prevention or control.
			reasons = append(reasons, "used for disease prevention")
		}
		for _, d := range []Deviation{DeviatesDose, DeviatesFrequency, DeviatesDuration, DeviatesRoute} {
			if dev[d] {
				reasons = append(reasons, "unapproved "+string(d))
			}
		}
		if dev[DeviatesSpecies] || label == nil {
			reasons = append(reasons, "not approved for this species and production class")
		}
		if len(reasons) == 0 {
			// An extra-label indication at the labeled regimen in an
			// approved class is allowed.
			return Finding{}, false
		}
		fd.Why = fmt.Sprintf("%s in %s is prohibited when %s", drug, who, strings.Join(reasons, ", "))
		return fd, true
	}
	fd.Why = fmt.Sprintf("extra-label use of %s is prohibited in %s", drug, who)
	return fd, true
}

// labelDeviations compares a treatment with its label claim.
func labelDeviations(p *Protocol, i int, elig []Eligibility, l *LabelClaim, labels []LabelClaim) []Finding {
	t := &p.Treatments[i]
	f := fmt.Sprintf("treatments[%d]", i)
	var out []Finding
	add := func(field string, d Deviation, why string, r Remedy) {
		out = append(out, Finding{Treatment: i, Field: f + field, Deviation: d, Why: why, Citation: citeExtraLabel, Remedy: r})
	}
	for k, e := range elig {
		if e.FDASpecies == DairyHeifers && !l.FDASpecies.Covers(DairyHeifers) && l.FDASpecies.Covers(DairyCattleNonLactating) {
			// FDA counts dairy heifers under 20 months as non-lactating
			// dairy cattle; labels for that class exclude female dairy
			// cattle 20 months of age or older.
			out = append(out, Finding{Treatment: i, Field: fmt.Sprintf("%s.eligibilities[%d].fdaSpecies", f, k),
				Deviation: DeviatesSpecies, Conditional: true, Citation: citeExtraLabel,
				Why: "the label covers dairy heifers as non-lactating dairy cattle only under 20 months of age",
				Remedy: &RestrictionRemedy{Title: "20M", Message: "Restrict the protocol to heifers under 20 months",
					Detail: "Not for use in female dairy cattle 20 months of age or older."}})
			continue
		}
		if !l.FDASpecies.Covers(e.FDASpecies) {
			var rem Remedy
			if subs := substitutes(l, e.FDASpecies, labels); len(subs) > 0 {
				rem = &SubstituteLabelClaimRemedy{Title: "LABEL", Message: "Use a label claim approved for " + string(e.FDASpecies), Substitutes: subs}
			}
			add(fmt.Sprintf(".eligibilities[%d].fdaSpecies", k), DeviatesSpecies,
				fmt.Sprintf("%s is not on the label (%s)", e.FDASpecies, speciesText(l.FDASpecies)), rem)
		}
	}
	if len(p.Diagnoses) > 0 && !slices.ContainsFunc(p.Diagnoses, func(d Diagnosis) bool {
		return (l.DxID != 0 && d.ID == l.DxID) || strings.EqualFold(strings.TrimSpace(d.Name), strings.TrimSpace(l.Diagnosis))
	}) {
		out = append(out, Finding{Treatment: i, Field: "diagnoses", Deviation: DeviatesIndication,
			Why: fmt.Sprintf("no diagnosis of the protocol is the label's indication %q", l.Diagnosis), Citation: citeExtraLabel})
	}
	tr, tok := ParseRoute(t.Route)
	lr, lok := ParseRoute(l.Route)
	if tr != lr || (!tok && !lok && tr == "") {
		detail, _ := json.Marshal(map[string]string{"route": l.Route})
		add(".route", DeviatesRoute, fmt.Sprintf("route %q is not the label's %q", t.Route, l.Route),
			&JSONRemedy{Title: "ROUTE", Message: "Give the drug by the labeled route", Detail: detail})
	}
	if why, ok := sameDose(t.SizeFunction, l.SizeFunction); !ok {
		var rem Remedy
		if l.SizeFunction != nil {
			if detail, err := json.Marshal(map[string]SizeFunction{"sizeFunction": l.SizeFunction}); err == nil {
				rem = &JSONRemedy{Title: "DOSE", Message: "Use the labeled dose", Detail: detail}
			}
		}
		add(".sizeFunction", DeviatesDose, why, rem)
	}
	if d, why, ok := sameRegimen(t.SequenceFunction, l.SequenceFunction); !ok {
		add(".sequenceFunction", d, why, nil)
	}
	return out
}

// substitutes lists claims for the same generic drug that cover s.
func substitutes(l *LabelClaim, s Species, labels []LabelClaim) []int64 {
	var out []int64
	for k := range labels {
		c := &labels[k]
		if c.ID != l.ID && l.Generic != "" && strings.EqualFold(c.Generic, l.Generic) && c.FDASpecies.Covers(s) {
			out = append(out, c.ID)
		}
	}
	return out
}

// doseBand is a size function reduced to an inclusive band of amounts,
// either absolute or per unit of body mass (in base units per mg).
type doseBand struct {
	perMass bool
	dim     Dimension
	lo, hi  Number
	ok      bool
}

func bandOf(f SizeFunction, first bool) doseBand {
	abs := func(lo, hi Quantity) doseBand {
		a, err1 := lo.base()
		b, err2 := hi.base()
		return doseBand{dim: lo.Dimension(), lo: a, hi: b, ok: err1 == nil && err2 == nil && lo.Dimension() == hi.Dimension()}
	}
	rate := func(lo, hi, per Quantity) doseBand {
		b := abs(lo, hi)
		m, err := per.base()
		if err != nil || m.Sign() <= 0 || per.Dimension() != Mass {
			return doseBand{}
		}
		var e1, e2 error
		b.lo, e1 = b.lo.Quo(m)
		b.hi, e2 = b.hi.Quo(m)
		b.perMass, b.ok = true, b.ok && e1 == nil && e2 == nil
		return b
	}
	switch f := f.(type) {
	case *FixedDoseFunction:
		return abs(f.Dose.Quantity, f.Dose.Quantity)
	case *DoseRangeFunction:
		return abs(f.Range.Min.Quantity, f.Range.Max.Quantity)
	case *DoseByWeightFunction:
		return rate(f.Dose.Quantity, f.Dose.Quantity, f.PerUnit)
	case *DoseRangeByWeightFunction:
		return rate(f.Range.Min.Quantity, f.Range.Max.Quantity, f.PerUnit)
	case *LoadingDoseByWeightFunction:
		if first {
			return rate(f.FirstDose.Quantity, f.FirstDose.Quantity, f.PerUnit)
		}
		return rate(f.FollowDose.Quantity, f.FollowDose.Quantity, f.PerUnit)
	}
	return doseBand{}
}

// sameDose reports whether every dose the treatment allows lies within
// the label's dose, for the first and the later doses.
func sameDose(t, l SizeFunction) (string, bool) {
	if l == nil {
		return "the label claim has no structured dose to compare with", false
	}
	if c, ok := t.(*DoseByClass); ok {
		for _, ac := range c.AnimalClasses {
			if why, ok := sameDose(ac.SizeFunction, l); !ok {
				return fmt.Sprintf("class %q: %s", ac.AnimalClass, why), false
			}
		}
		return "", true
	}
	for _, first := range []bool{true, false} {
		tb, lb := bandOf(t, first), bandOf(l, first)
		if !tb.ok || !lb.ok {
			return "the dose cannot be compared with the label's", false
		}
		if tb.perMass != lb.perMass || tb.dim != lb.dim {
			return "the dose is not expressed like the label's (per body weight or fixed, mass or volume)", false
		}
		if tb.lo.Cmp(lb.lo) < 0 || tb.hi.Cmp(lb.hi) > 0 {
			return "the dose lies outside the label's", false
		}
	}
	return "", true
}

// regimen is a sequence function reduced to equal spacing and a range of
// dose counts, or to explicit offsets when irregular.
type regimen struct {
	spacing time.Duration
	lo, hi  int
	offsets []time.Duration
}

func regimenOf(f SequenceFunction) (regimen, bool) {
	switch f := f.(type) {
	case *SeqSingleDose:
		return regimen{lo: 1, hi: 1}, true
	case *SeqPerDay:
		if f.Frequency < 1 {
			return regimen{}, false
		}
		return regimen{spacing: 24 * time.Hour / time.Duration(f.Frequency), lo: f.TotalDoses, hi: f.TotalDoses}, true
	case *SeqPerDayRange:
		if f.Frequency < 1 {
			return regimen{}, false
		}
		return regimen{spacing: 24 * time.Hour / time.Duration(f.Frequency), lo: f.MinDoses, hi: f.MaxDoses}, true
	case *SeqInterval:
		return regimen{spacing: f.Interval.Std(), lo: f.TotalDoses, hi: f.TotalDoses}, true
	case *SeqSeries:
		off, err := Offsets(f, 0)
		if err != nil {
			return regimen{}, false
		}
		if len(off) == 1 && off[0] == 0 {
			return regimen{lo: 1, hi: 1}, true
		}
		if off[0] == 0 && len(off) > 1 {
			step := off[1]
			regular := true
			for k := 2; k < len(off); k++ {
				if off[k]-off[k-1] != step {
					regular = false
				}
			}
			if regular {
				return regimen{spacing: step, lo: len(off), hi: len(off)}, true
			}
		}
		return regimen{offsets: off, lo: len(off), hi: len(off)}, true
	}
	return regimen{}, false
}

// sameRegimen reports whether the treatment's schedule stays within the
// label's: the same spacing and a dose count the label allows.
func sameRegimen(t, l SequenceFunction) (Deviation, string, bool) {
	if l == nil {
		return DeviatesFrequency, "the label claim has no structured schedule to compare with", false
	}
	tr, ok1 := regimenOf(t)
	lr, ok2 := regimenOf(l)
	if !ok1 || !ok2 {
		return DeviatesFrequency, "the schedule cannot be compared with the label's", false
	}
	if tr.offsets != nil || lr.offsets != nil {
		if !slices.Equal(tr.offsets, lr.offsets) {
			return DeviatesFrequency, "the dose times differ from the label's", false
		}
		return "", "", true
	}
	if tr.hi > 1 && lr.hi > 1 && tr.spacing != lr.spacing {
		return DeviatesFrequency, fmt.Sprintf("doses every %s, the label every %s", formatHours(tr.spacing), formatHours(lr.spacing)), false
	}
	if tr.hi > 1 && lr.hi <= 1 {
		return DeviatesFrequency, "repeated doses where the label gives one", false
	}
	if tr.lo < lr.lo || tr.hi > lr.hi {
		return DeviatesDuration, fmt.Sprintf("%s doses, the label %s", countText(tr.lo, tr.hi), countText(lr.lo, lr.hi)), false
	}
	return "", "", true
}

func countText(lo, hi int) string {
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// AMDUCA tags added by AmducaTags. Their IDs are negative: they are
// vetlink's own, not database keys.
var (
	TagOnLabel      = Tag{ID: -101, Color: "#2e7d32", Name: "ONLABEL"}
	TagOffLabel     = Tag{ID: -102, Color: "#ef6c00", Name: "OFFLABEL"}
	TagProhibited   = Tag{ID: -103, Color: "#c62828", Name: "PROHIBITED"}
	TagExtWithdraw  = Tag{ID: -104, Color: "#6a1b9a", Name: "EXTWDT"}
	TagUnidentified = Tag{ID: -105, Color: "#757575", Name: "UNIDENTIFIED"}
)

var amducaTagNames = []string{TagOnLabel.Name, TagOffLabel.Name, TagProhibited.Name, TagExtWithdraw.Name, TagUnidentified.Name}

// AmducaTags classifies p (see Classify) and records the result in it, as
// the VCPR amducatags operation does: each treatment's Amduca class is set,
// its AMDUCA tags are replaced by ONLABEL, OFFLABEL or UNIDENTIFIED, plus
// PROHIBITED and EXTWDT where they apply, each carrying the findings'
// remedies as fixes; the protocol's tags get the union. Other tags are
// kept.
func AmducaTags(p *Protocol, labels []LabelClaim, use Use) []Classification {
	cs := Classify(p, labels, use)
	protoTags := dropAmducaTags(p.Tags)
	seen := map[string]bool{}
	for _, c := range cs {
		t := &p.Treatments[c.Treatment]
		t.Amduca = c.Class
		tags := dropAmducaTags(t.Tags)
		var main Tag
		switch c.Class {
		case OnLabel:
			main = TagOnLabel
		case OffLabel:
			main = TagOffLabel
		default:
			main = TagUnidentified
		}
		var extra []Tag
		for _, fd := range c.Findings {
			switch {
			case fd.Prohibited:
				extra = appendTagFix(extra, TagProhibited, fd.Remedy)
			case fd.Citation == citeExtendedWithdrawal:
				extra = appendTagFix(extra, TagExtWithdraw, fd.Remedy)
			case fd.Remedy != nil:
				main.Fixes = append(main.Fixes, fd.Remedy)
			}
		}
		tags = append(tags, main)
		tags = append(tags, extra...)
		t.Tags = tags
		for _, tg := range append([]Tag{main}, extra...) {
			if !seen[tg.Name] {
				seen[tg.Name] = true
				protoTags = append(protoTags, Tag{ID: tg.ID, Color: tg.Color, Name: tg.Name})
			}
		}
	}
	p.Tags = protoTags
	return cs
}

func appendTagFix(tags []Tag, tag Tag, r Remedy) []Tag {
	for k := range tags {
		if tags[k].Name == tag.Name {
			if r != nil {
				tags[k].Fixes = append(tags[k].Fixes, r)
			}
			return tags
		}
	}
	if r != nil {
		tag.Fixes = []Remedy{r}
	}
	return append(tags, tag)
}

func dropAmducaTags(tags []Tag) []Tag {
	out := make([]Tag, 0, len(tags)+2)
	for _, t := range tags {
		if !slices.Contains(amducaTagNames, t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// classOf is ONLABEL when no finding is a definite departure from the
// label, OFFLABEL otherwise. Conditional findings depend on the animal.
func classOf(fs []Finding) AmducaClass {
	for _, f := range fs {
		if f.Deviation != "" && !f.Conditional {
			return OffLabel
		}
	}
	return OnLabel
}

// ForAnimal resolves a treatment's classification for one animal on date
// on. Conditional findings become definite or are dropped:
// phenylbutazone is prohibited for a female dairy animal 20 months of age
// or older (21 CFR 530.41(a)(12)), and a dairy heifer of that age is not
// non-lactating dairy cattle, so a label for that class no longer covers
// her. Age is decided by MonthsOfAgeReached, so doubt falls on the side
// of the ban (born 31 August, 20 months old on 30 April); an unknown
// birth date counts as old enough. The class is recomputed (an
// UNIDENTIFIED treatment stays so, with its Unidentified finding).
func ForAnimal(c Classification, a Animal, on time.Time) Classification {
	out := c
	out.Findings = make([]Finding, 0, len(c.Findings))
	olderFemale := a.Female && MonthsOfAgeReached(a.Born, on, 20)
	dairy := a.Class == DairyCattle || a.Class == DairyHeifers || a.Class == DairyCattleNonLactating || a.Class == DairyCalves
	// Keep the departures from the label, resolving the conditional ones;
	// prohibitions and the extended-withdrawal requirement are derived
	// again below for this animal's class.
	for _, fd := range c.Findings {
		switch {
		case fd.Deviation == "":
			continue
		case !fd.Conditional:
			out.Findings = append(out.Findings, fd)
		case fd.Deviation == DeviatesSpecies && a.Class == DairyHeifers && olderFemale:
			fd.Conditional = false
			fd.Why = "a dairy heifer 20 months of age or older is not non-lactating dairy cattle on this label"
			out.Findings = append(out.Findings, fd)
		}
	}
	if c.Class != Unclassified {
		out.Class = classOf(out.Findings)
	}
	if out.Class == OnLabel {
		return out
	}
	addUseFindings(&out, []Eligibility{{Name: string(a.Class), FDASpecies: a.Class}})
	resolved := out.Findings[:0]
	for _, fd := range out.Findings {
		if fd.Conditional && fd.Citation == "21 CFR 530.41(a)(12)" {
			if !dairy || !olderFemale {
				continue
			}
			fd.Prohibited, fd.Conditional = true, false
			fd.Why = "phenylbutazone is prohibited in female dairy cattle 20 months of age or older"
		}
		resolved = append(resolved, fd)
	}
	out.Findings = resolved
	if out.Prohibited() {
		out.Findings = slices.DeleteFunc(out.Findings, func(x Finding) bool { return x.Citation == citeExtendedWithdrawal })
	}
	return out
}

// CheckProhibitedUse returns the findings that forbid treating animal a
// with the classified treatment on date on (see ForAnimal): the
// prohibitions, and the Unidentified finding of a product whose active
// ingredient is neither known nor confirmed. Empty means the use is
// allowed.
func CheckProhibitedUse(c Classification, a Animal, on time.Time) []Finding {
	var out []Finding
	for _, fd := range ForAnimal(c, a, on).Findings {
		if fd.Prohibited || fd.Unidentified {
			out = append(out, fd)
		}
	}
	return out
}
