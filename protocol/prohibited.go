package protocol

import (
	"slices"

	"github.com/vetlink/vetlink/protocol/drugs"
)

// Prohibition is one entry of the list of drugs that may not be used
// extra-label (21 CFR 530.41) or of the extra-label uses never permitted
// (21 CFR 530.11), kept as data with its citation. Prohibitions apply only
// to extra-label use: an approved, on-label use of the same drug is lawful.
type Prohibition struct {
	// Citation is the paragraph of 21 CFR, such as "21 CFR 530.41(a)(12)".
	Citation string
	// Drug names the drug, family or use as the regulation does.
	Drug string
	// Ingredients are the active ingredients (dictionary names, see
	// package drugs) the entry names one by one; Classes the
	// pharmacological classes it names as families. A treatment is caught
	// when an ingredient identified for it (see Identify) is listed or is
	// a member of a listed class. Both are empty for use-based
	// prohibitions (530.11).
	Ingredients []string
	Classes     []drugs.Class
	// Except lists ingredients the entry excludes (cephapirin from the
	// cephalosporins; dimetridazole and ipronidazole, which have their own
	// entries, from the other nitroimidazoles).
	Except []string
	// Species limits the entry to some FDA classes; empty means every
	// food-producing animal.
	Species []Species
	// Condition states any further condition in words ("female dairy
	// cattle 20 months of age or older"); empty when none.
	Condition string

	kind prohibitionKind
}

type prohibitionKind uint8

const (
	always prohibitionKind = iota
	lactatingDairyOnly
	femaleDairy20Months
	cephalosporinRule
	layPerson
	inFeed
)

// The nitroimidazoles, fluoroquinolones, glycopeptides, sulfonamides,
// cephalosporins, adamantanes and neuraminidase inhibitors are families,
// decided by class membership in the drug dictionary (package drugs); a
// product the dictionary cannot identify is UNIDENTIFIED, never allowed.
var prohibitions = []Prohibition{
	{Citation: "21 CFR 530.41(a)(1)", Drug: "chloramphenicol", Ingredients: []string{"chloramphenicol"}},
	{Citation: "21 CFR 530.41(a)(2)", Drug: "clenbuterol", Ingredients: []string{"clenbuterol"}},
	{Citation: "21 CFR 530.41(a)(3)", Drug: "diethylstilbestrol (DES)", Ingredients: []string{"diethylstilbestrol"}},
	{Citation: "21 CFR 530.41(a)(4)", Drug: "dimetridazole", Ingredients: []string{"dimetridazole"}},
	{Citation: "21 CFR 530.41(a)(5)", Drug: "ipronidazole", Ingredients: []string{"ipronidazole"}},
	{Citation: "21 CFR 530.41(a)(6)", Drug: "other nitroimidazoles", Classes: []drugs.Class{drugs.Nitroimidazole}, Except: []string{"dimetridazole", "ipronidazole"}},
	{Citation: "21 CFR 530.41(a)(7)", Drug: "furazolidone", Ingredients: []string{"furazolidone"}},
	{Citation: "21 CFR 530.41(a)(8)", Drug: "nitrofurazone", Ingredients: []string{"nitrofurazone"}},
	{Citation: "21 CFR 530.41(a)(9)", Drug: "sulfonamides in lactating dairy cattle", Classes: []drugs.Class{drugs.Sulfonamide},
		Species: []Species{DairyCattle}, Condition: "lactating dairy cattle, except approved uses of sulfadimethoxine, sulfabromomethazine and sulfaethoxypyridazine", kind: lactatingDairyOnly},
	{Citation: "21 CFR 530.41(a)(10)", Drug: "fluoroquinolones", Classes: []drugs.Class{drugs.Fluoroquinolone}},
	{Citation: "21 CFR 530.41(a)(11)", Drug: "glycopeptides", Classes: []drugs.Class{drugs.Glycopeptide}},
	{Citation: "21 CFR 530.41(a)(12)", Drug: "phenylbutazone in female dairy cattle 20 months of age or older", Ingredients: []string{"phenylbutazone"},
		Species: []Species{DairyCattle, DairyHeifers, DairyCattleNonLactating, DairyCalves}, Condition: "female dairy cattle 20 months of age or older", kind: femaleDairy20Months},
	{Citation: "21 CFR 530.41(a)(13)", Drug: "cephalosporins (not cephapirin) in cattle, swine, chickens or turkeys", Classes: []drugs.Class{drugs.Cephalosporin},
		Except: []string{"cephapirin"},
		Species: []Species{BeefCattle, DairyCattle, DairyCattleNonLactating, DairyHeifers, DairyCalves, Calves, CalvesNotVeal, Bison,
			Swine, SwineBreeding, Chickens, ChickensBroilers, ChickensNotLaying, ChickensReplacements, Turkeys, TurkeysGrowing, TurkeysMeatProducing, TurkeysNotLaying},
		Condition: "for disease prevention, at an unapproved dose, frequency, duration or route, or in a species or production class the drug is not approved for", kind: cephalosporinRule},
	{Citation: "21 CFR 530.41(d)(1)", Drug: "adamantanes in chickens, turkeys and ducks", Classes: []drugs.Class{drugs.Adamantane},
		Species: []Species{Chickens, ChickensBroilers, ChickensNotLaying, ChickensReplacements, Turkeys, TurkeysGrowing, TurkeysMeatProducing, TurkeysNotLaying, Gamebirds}},
	{Citation: "21 CFR 530.41(d)(2)", Drug: "neuraminidase inhibitors in chickens, turkeys and ducks", Classes: []drugs.Class{drugs.NeuraminidaseInhibitor},
		Species: []Species{Chickens, ChickensBroilers, ChickensNotLaying, ChickensReplacements, Turkeys, TurkeysGrowing, TurkeysMeatProducing, TurkeysNotLaying, Gamebirds}},
	{Citation: "21 CFR 530.11(a)", Drug: "extra-label use by a lay person", Condition: "not under the supervision of a licensed veterinarian within a valid veterinarian-client-patient relationship", kind: layPerson},
	{Citation: "21 CFR 530.11(b)", Drug: "extra-label use in or on animal feed", Condition: "the drug is given in or on feed", kind: inFeed},
}

// Prohibitions returns the prohibited extra-label uses as data, each with
// its citation: 21 CFR 530.41(a)(1)–(13) and (d), and 530.11(a)–(b). The
// slice is a copy.
func Prohibitions() []Prohibition { return slices.Clone(prohibitions) }

// matches returns the identified ingredients the entry catches.
func (p *Prohibition) matches(id Identity) []string {
	var out []string
	for _, in := range id.Ingredients {
		if slices.Contains(p.Except, in.Name) {
			continue
		}
		if slices.Contains(p.Ingredients, in.Name) || slices.Contains(p.Classes, in.Class) {
			out = append(out, in.Name)
		}
	}
	return out
}

func (p *Prohibition) coversSpecies(s Species) bool {
	if len(p.Species) == 0 {
		return foodProducing(s)
	}
	return slices.Contains(p.Species, s)
}

// foodProducing reports whether animals of class s may enter the food
// chain. Horses count: FDA treats them as food-producing for AMDUCA.
func foodProducing(s Species) bool {
	switch s {
	case Dogs, Cats, OtherSpecies, Unidentified:
		return false
	}
	return true
}
