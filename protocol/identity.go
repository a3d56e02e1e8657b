package protocol

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol/drugs"
)

// IdentifiedBy says how a treatment's active ingredients were found.
type IdentifiedBy string

// The ways a product is identified, strongest first.
const (
	ByApplication IdentifiedBy = "application" // FDA application number
	ByNDC         IdentifiedBy = "ndc"         // NDC labeler-product code
	ByBrand       IdentifiedBy = "brand"       // brand name in the product
	ByIngredient  IdentifiedBy = "ingredient"  // ingredient named in the text
	ByConfirmed   IdentifiedBy = "confirmed"   // confirmed by the veterinarian
	NotIdentified IdentifiedBy = ""
)

// Identity is what the drug dictionary (package drugs) says a treatment's
// product contains.
type Identity struct {
	// By is the strongest way the product was identified; NotIdentified
	// when no ingredient is known.
	By IdentifiedBy
	// Product is the dictionary's product when found by application
	// number, NDC or brand.
	Product *drugs.Product
	// Ingredients is the union of the ingredients found by every way
	// (and confirmed by the veterinarian), each once: a brand that names
	// one ingredient and text that names another count both.
	Ingredients []drugs.Ingredient
	// Unknown lists ingredients the veterinarian confirmed that the
	// dictionary does not know; their class could not be checked.
	Unknown []string
}

// Identified reports whether any ingredient is known or confirmed.
func (id Identity) Identified() bool { return id.By != NotIdentified }

// Confirmation records that the veterinarian confirmed the active
// ingredients of one treatment's product, for a product the dictionary
// cannot resolve. Ingredients are names or synonyms ("sulfadimidine");
// those the dictionary knows are classified like any other, the others are
// kept in Identity.Unknown.
type Confirmation struct {
	// Treatment is the index in Protocol.Treatments.
	Treatment   int      `json:"treatment"`
	Ingredients []string `json:"ingredients"`
}

var appNumberText = regexp.MustCompile(`(?i)\b(?:A|C)?NADA\s*#?\s*\d{3}-?\d{3}\b`)

// Identify resolves the active ingredients of treatment t (with its label
// claim l, which may be nil) from the drug dictionary: by FDA application
// number (in the treatment's or label's NDC member, or written in the
// product text, "NADA 141-068"), by NDC labeler-product code, by brand
// name in the product, then by ingredient names and synonyms in the
// product, description and the label's generic name and product. The
// ingredients found every way are united; By is the strongest way that
// found any. confirmed are ingredients the veterinarian confirmed.
func Identify(t *Treatment, l *LabelClaim, confirmed []string) Identity {
	d := drugs.Default()
	var id Identity
	add := func(by IdentifiedBy, names ...string) {
		for _, n := range names {
			in, ok := d.Ingredient(n)
			if !ok {
				continue
			}
			if !slices.ContainsFunc(id.Ingredients, func(x drugs.Ingredient) bool { return x.Name == in.Name }) {
				id.Ingredients = append(id.Ingredients, in)
			}
			if id.By == NotIdentified {
				id.By = by
			}
		}
	}
	addProduct := func(by IdentifiedBy, ps []drugs.Product) {
		for k := range ps {
			if id.Product == nil {
				p := ps[k]
				id.Product = &p
			}
			add(by, ps[k].Ingredients...)
		}
	}
	codes := []string{t.NDC}
	texts := []string{t.Product, t.Description}
	if l != nil {
		codes = append(codes, l.NDC)
		texts = append(texts, l.Product, l.Generic)
	}
	for _, s := range append(slices.Clone(codes), texts...) {
		for _, m := range append([]string{s}, appNumberText.FindAllString(s, -1)...) {
			if a, err := ParseAppNumber(m); err == nil {
				addProduct(ByApplication, d.ByApplication(a.Number))
			}
		}
	}
	for _, s := range codes {
		if n, err := ParseNDC(s); err == nil {
			for _, c := range n.Candidates() {
				p := c.ProductNDC()
				addProduct(ByNDC, d.ByNDC(p.Labeler+"-"+p.Product))
			}
		}
	}
	brandTexts := []string{t.Product}
	if l != nil {
		brandTexts = append(brandTexts, l.Product)
	}
	for _, s := range brandTexts {
		if p, ok := d.ByBrand(s); ok {
			addProduct(ByBrand, []drugs.Product{p})
		}
	}
	for _, s := range texts {
		for _, in := range d.Scan(s) {
			add(ByIngredient, in.Name)
		}
	}
	for _, n := range confirmed {
		if _, ok := d.Ingredient(n); ok {
			add(ByConfirmed, n)
		} else if n = strings.TrimSpace(n); n != "" && !slices.Contains(id.Unknown, n) {
			id.Unknown = append(id.Unknown, n)
			if id.By == NotIdentified {
				id.By = ByConfirmed
			}
		}
	}
	return id
}

// names lists the ingredients for messages.
func (id Identity) names() string {
	ns := make([]string, 0, len(id.Ingredients)+len(id.Unknown))
	for _, in := range id.Ingredients {
		ns = append(ns, in.Name)
	}
	ns = append(ns, id.Unknown...)
	return strings.Join(ns, ", ")
}

// MonthsOfAgeReached reports whether an animal born on born is n calendar
// months old or more on date on, reading "n months of age or older"
// (21 CFR 530.41(a)(12)) so that doubt falls on the side of the ban:
//
//   - Dates are calendar days: born's date where it was recorded (its
//     location) and on's date in on's location; the time of day is
//     ignored, so an animal is a month older from the first instant of
//     the anniversary day.
//   - When the anniversary day does not exist in the target month, the
//     animal reaches the age on that month's last day: born 31 August, it
//     is 20 months old on 30 April (not 1 May); born 29 February, it is 12
//     months old on 28 February of the next year.
//   - An unknown birth date (zero born) counts as old enough.
func MonthsOfAgeReached(born, on time.Time, n int) bool {
	if born.IsZero() {
		return true
	}
	by, bm, bd := born.Date()
	oy, om, od := on.Date()
	months := (oy-by)*12 + int(om) - int(bm)
	switch {
	case months > n:
		return true
	case months < n:
		return false
	}
	last := time.Date(oy, om+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return od >= bd || od == last
}
