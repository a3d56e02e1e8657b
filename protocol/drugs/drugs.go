// Package drugs is vetlink's drug dictionary: active ingredients with their
// synonyms and INN/USAN/BAN spellings, each mapped to its pharmacological
// class, and the US products (brand, FDA application number, NDC
// labeler-product codes) that carry them. Every entry cites its source.
//
// The data is embedded (drugs.json) and loaded by Default. Package protocol
// uses it to decide the prohibitions of 21 CFR 530.41 by class membership:
// a brand name alone ("Baytril 100"), a synonym ("sulfadimidine") or an
// application number resolve to the ingredients and classes they stand for.
//
// The package does not import protocol; protocol imports it. Application
// numbers and NDCs are therefore passed in normalised form (see
// Dictionary.ByApplication and Dictionary.ByNDC).
package drugs

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Class is a pharmacological class of active ingredients, such as
// Fluoroquinolone.
type Class string

// The classes the dictionary knows. The first group are the families named
// by 21 CFR 530.41; the others let an ingredient be identified (and so not
// reported UNIDENTIFIED) without being prohibited.
const (
	Fluoroquinolone        Class = "fluoroquinolone"
	Quinolone              Class = "quinolone" // non-fluorinated, outside 530.41(a)(10)
	Cephalosporin          Class = "cephalosporin"
	Nitroimidazole         Class = "nitroimidazole"
	Nitrofuran             Class = "nitrofuran"
	Sulfonamide            Class = "sulfonamide"
	Glycopeptide           Class = "glycopeptide"
	Adamantane             Class = "adamantane"
	NeuraminidaseInhibitor Class = "neuraminidase-inhibitor"
	Amphenicol             Class = "amphenicol"
	BetaAgonist            Class = "beta-agonist"
	Estrogen               Class = "estrogen"
	NSAID                  Class = "nsaid"
	Penicillin             Class = "penicillin"
	Tetracycline           Class = "tetracycline"
	Macrolide              Class = "macrolide"
	Lincosamide            Class = "lincosamide"
	Aminoglycoside         Class = "aminoglycoside"
	Pleuromutilin          Class = "pleuromutilin"
	Diaminopyrimidine      Class = "diaminopyrimidine"
	OtherAntibacterial     Class = "other-antibacterial"
	Antiparasitic          Class = "antiparasitic"
	Antiprotozoal          Class = "antiprotozoal"
	Corticosteroid         Class = "corticosteroid"
	Hormone                Class = "hormone"
	Sedative               Class = "sedative"
	Anesthetic             Class = "anesthetic"
	Diuretic               Class = "diuretic"
)

// Classes lists every known class.
func Classes() []Class {
	return []Class{Fluoroquinolone, Quinolone, Cephalosporin, Nitroimidazole, Nitrofuran, Sulfonamide,
		Glycopeptide, Adamantane, NeuraminidaseInhibitor, Amphenicol, BetaAgonist, Estrogen, NSAID,
		Penicillin, Tetracycline, Macrolide, Lincosamide, Aminoglycoside, Pleuromutilin, Diaminopyrimidine,
		OtherAntibacterial, Antiparasitic, Antiprotozoal, Corticosteroid, Hormone, Sedative, Anesthetic, Diuretic}
}

// Ingredient is one active ingredient. Name is its lower-case US name
// (USAN, or INN when they agree); Synonyms are other spellings (INN, BAN,
// salt forms) that identify it in text.
type Ingredient struct {
	Name  string `json:"name"`
	Class Class  `json:"class"`
	// Generation is the cephalosporin generation (1 to 5); 0 for other
	// classes and for cephalosporins no generation fits (cefiderocol).
	Generation int      `json:"generation,omitempty"`
	Synonyms   []string `json:"synonyms,omitempty"`
	// Source cites the class membership: a paragraph of 21 CFR or the
	// WHO ATC/ATCvet group.
	Source string `json:"source"`
}

// Product is a marketed product: its brand and active ingredients, with
// its FDA application number and NDC labeler-product codes when they
// could be checked against the cited source.
type Product struct {
	Brand       string   `json:"brand"`
	Ingredients []string `json:"ingredients"`
	// Application is "NADA 141-068", "ANADA 200-008" or empty when it
	// could not be verified.
	Application string `json:"application,omitempty"`
	// NDC lists labeler-product codes ("58198-0021").
	NDC    []string `json:"ndc,omitempty"`
	Source string   `json:"source"`
	// Unverified marks an entry some field of which could not be checked
	// against its source.
	Unverified bool `json:"unverified,omitempty"`
}

// Dictionary is a validated, indexed set of ingredients and products. It
// is safe for concurrent use; it is never modified after Load.
type Dictionary struct {
	ingredients []Ingredient
	products    []Product
	names       map[string]int // folded name or synonym → ingredient
	maxWords    int            // longest name or brand, in tokens
	brands      map[string]int // folded brand → product
	apps        map[int][]int  // application number (six digits) → products
	ndcs        map[string][]int
}

// ErrInvalid is wrapped by every error Load returns.
var ErrInvalid = errors.New("drugs: invalid dictionary")

//go:embed drugs.json
var embedded []byte

// Default returns the embedded dictionary. It panics if the embedded data
// is invalid, which the package's tests rule out.
var Default = sync.OnceValue(func() *Dictionary {
	d, err := Load(embedded)
	if err != nil {
		panic(err)
	}
	return d
})

// Load reads a dictionary in the JSON form of drugs.json and validates it:
// every entry has a name and a source, no name, synonym or brand is given
// twice, every class is known, every product's ingredients are in the
// dictionary, and application numbers and NDCs are well formed.
func Load(data []byte) (*Dictionary, error) {
	var raw struct {
		Ingredients []Ingredient `json:"ingredients"`
		Products    []Product    `json:"products"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	d := &Dictionary{ingredients: raw.Ingredients, products: raw.Products,
		names: map[string]int{}, brands: map[string]int{}, apps: map[int][]int{}, ndcs: map[string][]int{}}
	known := Classes()
	for i, in := range d.ingredients {
		if strings.TrimSpace(in.Name) == "" {
			return nil, fmt.Errorf("%w: ingredient %d has no name", ErrInvalid, i)
		}
		if strings.TrimSpace(in.Source) == "" {
			return nil, fmt.Errorf("%w: ingredient %q has no source", ErrInvalid, in.Name)
		}
		if !slices.Contains(known, in.Class) {
			return nil, fmt.Errorf("%w: ingredient %q has unknown class %q", ErrInvalid, in.Name, in.Class)
		}
		if in.Generation < 0 || in.Generation > 5 || (in.Generation != 0 && in.Class != Cephalosporin) {
			return nil, fmt.Errorf("%w: ingredient %q: generation %d is only for cephalosporins, 1 to 5", ErrInvalid, in.Name, in.Generation)
		}
		for _, n := range append([]string{in.Name}, in.Synonyms...) {
			k := strings.Join(tokens(n), " ")
			if k == "" {
				return nil, fmt.Errorf("%w: ingredient %q has an empty synonym", ErrInvalid, in.Name)
			}
			if j, dup := d.names[k]; dup {
				return nil, fmt.Errorf("%w: name %q is given for both %q and %q", ErrInvalid, n, d.ingredients[j].Name, in.Name)
			}
			d.names[k] = i
			d.maxWords = max(d.maxWords, len(tokens(n)))
		}
	}
	for i, p := range d.products {
		k := strings.Join(tokens(p.Brand), " ")
		if k == "" {
			return nil, fmt.Errorf("%w: product %d has no brand", ErrInvalid, i)
		}
		if strings.TrimSpace(p.Source) == "" {
			return nil, fmt.Errorf("%w: product %q has no source", ErrInvalid, p.Brand)
		}
		if _, dup := d.brands[k]; dup {
			return nil, fmt.Errorf("%w: brand %q is given twice", ErrInvalid, p.Brand)
		}
		if _, clash := d.names[k]; clash {
			return nil, fmt.Errorf("%w: brand %q is also an ingredient name", ErrInvalid, p.Brand)
		}
		d.brands[k] = i
		d.maxWords = max(d.maxWords, len(tokens(p.Brand)))
		if len(p.Ingredients) == 0 {
			return nil, fmt.Errorf("%w: product %q lists no ingredient", ErrInvalid, p.Brand)
		}
		for _, n := range p.Ingredients {
			j, ok := d.names[strings.Join(tokens(n), " ")]
			if !ok || d.ingredients[j].Name != n {
				return nil, fmt.Errorf("%w: product %q: ingredient %q is not a dictionary name", ErrInvalid, p.Brand, n)
			}
		}
		if p.Application != "" {
			n, err := appNumber(p.Application)
			if err != nil {
				return nil, fmt.Errorf("%w: product %q: %w", ErrInvalid, p.Brand, err)
			}
			d.apps[n] = append(d.apps[n], i)
		}
		for _, c := range p.NDC {
			k, err := productNDC(c)
			if err != nil {
				return nil, fmt.Errorf("%w: product %q: %w", ErrInvalid, p.Brand, err)
			}
			d.ndcs[k] = append(d.ndcs[k], i)
		}
	}
	return d, nil
}

// appNumber reads "NADA 141-068" or "ANADA 200-008" into its six digits.
func appNumber(s string) (int, error) {
	kind, num, ok := strings.Cut(s, " ")
	if !ok || (kind != "NADA" && kind != "ANADA" && kind != "CNADA") || len(num) != 7 || num[3] != '-' {
		return 0, fmt.Errorf("application %q: want NADA, ANADA or CNADA and NNN-NNN", s)
	}
	n, err := strconv.Atoi(num[:3] + num[4:])
	if err != nil || strings.Trim(num[:3]+num[4:], "0123456789") != "" {
		return 0, fmt.Errorf("application %q: want six digits NNN-NNN", s)
	}
	return n, nil
}

// productNDC normalises a labeler-product code to the padded 5-4 form,
// "58198-0021".
func productNDC(s string) (string, error) {
	lab, prod, ok := strings.Cut(strings.TrimSpace(s), "-")
	layout := [2]int{len(lab), len(prod)}
	if !ok || (layout != [2]int{4, 4} && layout != [2]int{5, 3} && layout != [2]int{5, 4}) ||
		strings.Trim(lab+prod, "0123456789") != "" {
		return "", fmt.Errorf("NDC %q: want a labeler-product code 4-4, 5-3 or 5-4", s)
	}
	return pad(lab, 5) + "-" + pad(prod, 4), nil
}

func pad(s string, n int) string {
	return strings.Repeat("0", max(0, n-len(s))) + s
}

// tokens splits text into lower-case runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Ingredients returns a copy of every ingredient, in file order.
func (d *Dictionary) Ingredients() []Ingredient { return slices.Clone(d.ingredients) }

// Products returns a copy of every product, in file order.
func (d *Dictionary) Products() []Product { return slices.Clone(d.products) }

// Ingredient looks up an ingredient by its name or any synonym,
// case-insensitively ("Sulfadimidine" finds sulfamethazine).
func (d *Dictionary) Ingredient(name string) (Ingredient, bool) {
	i, ok := d.names[strings.Join(tokens(name), " ")]
	if !ok {
		return Ingredient{}, false
	}
	return d.ingredients[i], true
}

// Members returns the ingredients of class c.
func (d *Dictionary) Members(c Class) []Ingredient {
	var out []Ingredient
	for _, in := range d.ingredients {
		if in.Class == c {
			out = append(out, in)
		}
	}
	return out
}

// ByApplication returns the products approved under the application with
// the given six-digit number (141068 for NADA 141-068).
func (d *Dictionary) ByApplication(number int) []Product {
	return d.pick(d.apps[number])
}

// ByNDC returns the products with the labeler-product code, given in any
// 10-digit layout or the padded 5-4 form ("58198-0021", "0061-1116").
func (d *Dictionary) ByNDC(labelerProduct string) []Product {
	k, err := productNDC(labelerProduct)
	if err != nil {
		return nil
	}
	if ps := d.ndcs[k]; len(ps) > 0 {
		return d.pick(ps)
	}
	return nil
}

func (d *Dictionary) pick(idx []int) []Product {
	out := make([]Product, len(idx))
	for k, i := range idx {
		out[k] = d.products[i]
	}
	return out
}

// ByBrand returns the product whose brand appears in text as whole words,
// case-insensitively; the longest brand wins ("Baytril 100" over
// "Baytril").
func (d *Dictionary) ByBrand(text string) (Product, bool) {
	best, bestLen := -1, 0
	d.scan(tokens(text), func(k string, n int) {
		if i, ok := d.brands[k]; ok && n > bestLen {
			best, bestLen = i, n
		}
	})
	if best < 0 {
		return Product{}, false
	}
	return d.products[best], true
}

// Scan returns the ingredients named in text by name or synonym, as whole
// words, case-insensitively, each once, in order of first mention.
// "Gentamicin sulfate" names gentamicin, not a sulfonamide.
func (d *Dictionary) Scan(text string) []Ingredient {
	var out []Ingredient
	seen := map[int]bool{}
	d.scan(tokens(text), func(k string, _ int) {
		if i, ok := d.names[k]; ok && !seen[i] {
			seen[i] = true
			out = append(out, d.ingredients[i])
		}
	})
	return out
}

// scan calls f with every run of up to maxWords consecutive tokens.
func (d *Dictionary) scan(ts []string, f func(key string, n int)) {
	for i := range ts {
		for n := 1; n <= d.maxWords && i+n <= len(ts); n++ {
			f(strings.Join(ts[i:i+n], " "), n)
		}
	}
}
