package protocol

import (
	"slices"
	"strings"
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
	// Ingredients are the lower-case active-ingredient names (or name
	// prefixes) that identify the drug family in a product or generic name.
	// Empty for use-based prohibitions (530.11).
	Ingredients []string
	// Except lists ingredients the entry excludes (cephapirin from the
	// cephalosporins).
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

// The nitroimidazoles, fluoroquinolones, glycopeptides, sulfonamides and
// cephalosporins are families: these are the members vetlink recognises by
// name. Unknown members are not flagged, so the list errs toward
// completeness for drugs sold in the US.
var prohibitions = []Prohibition{
	{Citation: "21 CFR 530.41(a)(1)", Drug: "chloramphenicol", Ingredients: []string{"chloramphenicol"}},
	{Citation: "21 CFR 530.41(a)(2)", Drug: "clenbuterol", Ingredients: []string{"clenbuterol"}},
	{Citation: "21 CFR 530.41(a)(3)", Drug: "diethylstilbestrol (DES)", Ingredients: []string{"diethylstilbestrol"}},
	{Citation: "21 CFR 530.41(a)(4)", Drug: "dimetridazole", Ingredients: []string{"dimetridazole"}},
	{Citation: "21 CFR 530.41(a)(5)", Drug: "ipronidazole", Ingredients: []string{"ipronidazole"}},
	{Citation: "21 CFR 530.41(a)(6)", Drug: "other nitroimidazoles", Ingredients: []string{"metronidazole", "ronidazole", "tinidazole", "carnidazole", "secnidazole", "benznidazole"}},
	{Citation: "21 CFR 530.41(a)(7)", Drug: "furazolidone", Ingredients: []string{"furazolidone"}},
	{Citation: "21 CFR 530.41(a)(8)", Drug: "nitrofurazone", Ingredients: []string{"nitrofurazone"}},
	{Citation: "21 CFR 530.41(a)(9)", Drug: "sulfonamides in lactating dairy cattle", Ingredients: []string{"sulfadimethoxine", "sulfamethazine", "sulfadiazine", "sulfamethoxazole", "sulfachlorpyridazine", "sulfabromomethazine", "sulfaethoxypyridazine", "sulfathiazole", "sulfaquinoxaline", "sulfamerazine", "sulfanilamide", "sulfisoxazole", "sulfapyridine", "sulfaguanidine", "sulfamethoxypyridazine"},
		Species: []Species{DairyCattle}, Condition: "lactating dairy cattle, except approved uses of sulfadimethoxine, sulfabromomethazine and sulfaethoxypyridazine", kind: lactatingDairyOnly},
	{Citation: "21 CFR 530.41(a)(10)", Drug: "fluoroquinolones", Ingredients: []string{"enrofloxacin", "danofloxacin", "marbofloxacin", "orbifloxacin", "difloxacin", "pradofloxacin", "sarafloxacin", "ciprofloxacin", "levofloxacin", "ofloxacin", "norfloxacin"}},
	{Citation: "21 CFR 530.41(a)(11)", Drug: "glycopeptides", Ingredients: []string{"vancomycin", "avoparcin", "teicoplanin"}},
	{Citation: "21 CFR 530.41(a)(12)", Drug: "phenylbutazone in female dairy cattle 20 months of age or older", Ingredients: []string{"phenylbutazone"},
		Species: []Species{DairyCattle, DairyHeifers, DairyCattleNonLactating, DairyCalves}, Condition: "female dairy cattle 20 months of age or older", kind: femaleDairy20Months},
	{Citation: "21 CFR 530.41(a)(13)", Drug: "cephalosporins (not cephapirin) in cattle, swine, chickens or turkeys", Ingredients: []string{"ceftiofur", "cefquinome", "cephalexin", "cefalexin", "cefazolin", "cefovecin", "cefpodoxime", "cefadroxil", "ceftriaxone", "cefotaxime", "cefoxitin", "cephalothin"},
		Except: []string{"cephapirin", "cefapirin"},
		Species: []Species{BeefCattle, DairyCattle, DairyCattleNonLactating, DairyHeifers, DairyCalves, Calves, CalvesNotVeal, Bison,
			Swine, SwineBreeding, Chickens, ChickensBroilers, ChickensNotLaying, ChickensReplacements, Turkeys, TurkeysGrowing, TurkeysMeatProducing, TurkeysNotLaying},
		Condition: "for disease prevention, at an unapproved dose, frequency, duration or route, or in a species or production class the drug is not approved for", kind: cephalosporinRule},
	{Citation: "21 CFR 530.41(d)(1)", Drug: "adamantanes in chickens, turkeys and ducks", Ingredients: []string{"amantadine", "rimantadine"},
		Species: []Species{Chickens, ChickensBroilers, ChickensNotLaying, ChickensReplacements, Turkeys, TurkeysGrowing, TurkeysMeatProducing, TurkeysNotLaying, Gamebirds}},
	{Citation: "21 CFR 530.41(d)(2)", Drug: "neuraminidase inhibitors in chickens, turkeys and ducks", Ingredients: []string{"oseltamivir", "zanamivir", "peramivir"},
		Species: []Species{Chickens, ChickensBroilers, ChickensNotLaying, ChickensReplacements, Turkeys, TurkeysGrowing, TurkeysMeatProducing, TurkeysNotLaying, Gamebirds}},
	{Citation: "21 CFR 530.11(a)", Drug: "extra-label use by a lay person", Condition: "not under the supervision of a licensed veterinarian within a valid veterinarian-client-patient relationship", kind: layPerson},
	{Citation: "21 CFR 530.11(b)", Drug: "extra-label use in or on animal feed", Condition: "the drug is given in or on feed", kind: inFeed},
}

// Prohibitions returns the prohibited extra-label uses as data, each with
// its citation: 21 CFR 530.41(a)(1)–(13) and (d), and 530.11(a)–(b). The
// slice is a copy.
func Prohibitions() []Prohibition { return slices.Clone(prohibitions) }

// matches reports whether the lower-case text names a drug of the entry.
func (p *Prohibition) matches(text string) bool {
	for _, ex := range p.Except {
		if strings.Contains(text, ex) {
			return false
		}
	}
	for _, in := range p.Ingredients {
		if strings.Contains(text, in) {
			return true
		}
	}
	return false
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
