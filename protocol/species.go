package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Species is an FDA animal class, what FDA labeling calls a "species" and a
// VCPR Eligibility names in its fdaSpecies member: BeefCattle,
// DairyCattleNonLactating, ChickensBroilers…
//
// FDA classes are legal categories, not biology. DairyCattleNonLactating
// means dairy replacement heifers that have never calved; a dry cow between
// lactations is lactating dairy cattle (DairyCattle) for labeling purposes.
type Species string

// The FDA classes of the VCPR FDAspecies list.
const (
	BeefCattle              Species = "BeefCattle"
	Calves                  Species = "Calves"
	CalvesNotVeal           Species = "CalvesNotVeal"
	Cats                    Species = "Cats"
	Chickens                Species = "Chickens"
	ChickensBroilers        Species = "ChickensBroilers"
	ChickensNotLaying       Species = "ChickensNotLaying"
	ChickensReplacements    Species = "ChickensReplacements"
	DairyCalves             Species = "DairyCalves"
	DairyHeifers            Species = "DairyHeifers"
	DairyCattle             Species = "DairyCattle"
	DairyCattleNonLactating Species = "DairyCattleNonLactating"
	Dogs                    Species = "Dogs"
	Fish                    Species = "Fish"
	Goats                   Species = "Goats"
	Horses                  Species = "Horses"
	Sheep                   Species = "Sheep"
	Swine                   Species = "Swine"
	SwineBreeding           Species = "SwineBreeding"
	Turkeys                 Species = "Turkeys"
	TurkeysGrowing          Species = "TurkeysGrowing"
	TurkeysMeatProducing    Species = "TurkeysMeatProducing"
	TurkeysNotLaying        Species = "TurkeysNotLaying"
	Catfish                 Species = "Catfish"
	Gamebirds               Species = "Gamebirds"
	Llamas                  Species = "Llamas"
	Salmon                  Species = "Salmon"
	Emus                    Species = "Emus"
	Bison                   Species = "Bison"
	OtherSpecies            Species = "Other"
	Unidentified            Species = "Unidentified"
)

var allSpecies = []Species{
	BeefCattle, Calves, CalvesNotVeal, Cats, Chickens, ChickensBroilers,
	ChickensNotLaying, ChickensReplacements, DairyCalves, DairyHeifers,
	DairyCattle, DairyCattleNonLactating, Dogs, Fish, Goats, Horses, Sheep,
	Swine, SwineBreeding, Turkeys, TurkeysGrowing, TurkeysMeatProducing,
	TurkeysNotLaying, Catfish, Gamebirds, Llamas, Salmon, Emus, Bison,
	OtherSpecies, Unidentified,
}

// speciesKeys maps a folded spelling (lower case, letters only) to its
// class. Besides the VCPR names it knows the phrases used on labels.
var speciesKeys = func() map[string]Species {
	m := make(map[string]Species, 2*len(allSpecies))
	for _, s := range allSpecies {
		m[foldSpecies(string(s))] = s
	}
	for k, v := range map[string]Species{
		"lactatingdairycattle":    DairyCattle,
		"lactatingdairycows":      DairyCattle,
		"dairycows":               DairyCattle,
		"nonlactatingdairycattle": DairyCattleNonLactating,
		"cattlebeef":              BeefCattle,
		"beefcalves":              Calves,
		"calvesnotforveal":        CalvesNotVeal,
		"broilerchickens":         ChickensBroilers,
		"broilers":                ChickensBroilers,
		"replacementchickens":     ChickensReplacements,
		"growingturkeys":          TurkeysGrowing,
		"breedingswine":           SwineBreeding,
		"pigs":                    Swine,
		"horse":                   Horses,
		"dog":                     Dogs,
		"cat":                     Cats,
		"goat":                    Goats,
	} {
		m[k] = v
	}
	return m
}()

func foldSpecies(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		}
	}
	return b.String()
}

// ErrUnknownSpecies is returned for a name that is not an FDA class.
var ErrUnknownSpecies = errors.New("protocol: unknown FDA species")

// ParseSpecies normalises an FDA class name: case, spaces, underscores,
// hyphens and stray punctuation are ignored, so "dairy_cattle",
// "Dairy cattle" and "DairyCattle" are all DairyCattle, and "Calves," (as
// the VCPR FDASpecies enumeration spells it) is Calves. Common label
// phrases such as "lactating dairy cattle" are recognised.
func ParseSpecies(s string) (Species, error) {
	if sp, ok := speciesKeys[foldSpecies(s)]; ok {
		return sp, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownSpecies, s)
}

// Valid reports whether s is one of the FDA classes.
func (s Species) Valid() bool {
	_, ok := speciesKeys[foldSpecies(string(s))]
	return ok && speciesKeys[foldSpecies(string(s))] == s
}

// parents lists for each FDA class the broader classes that include it: a
// label for Chickens covers broilers; a label for Calves covers dairy
// calves. Dairy heifers and non-lactating dairy cattle are not covered by a
// label for lactating dairy cattle, nor the reverse.
var parents = map[Species][]Species{
	CalvesNotVeal:        {Calves},
	DairyCalves:          {Calves},
	ChickensBroilers:     {Chickens},
	ChickensNotLaying:    {Chickens},
	ChickensReplacements: {Chickens},
	TurkeysGrowing:       {Turkeys},
	TurkeysMeatProducing: {Turkeys},
	TurkeysNotLaying:     {Turkeys},
	SwineBreeding:        {Swine},
	Catfish:              {Fish},
	Salmon:               {Fish},
}

// Covers reports whether a label or eligibility for class s includes an
// animal of class t: the same class, or t is a narrower class of s.
func (s Species) Covers(t Species) bool {
	if s == t {
		return true
	}
	for _, p := range parents[t] {
		if p == s {
			return true
		}
	}
	return false
}

// UnmarshalText normalises the class (see ParseSpecies). Unknown names are
// kept verbatim so that foreign data round-trips; Valid reports them.
func (s *Species) UnmarshalText(b []byte) error {
	if sp, err := ParseSpecies(string(b)); err == nil {
		*s = sp
		return nil
	}
	*s = Species(b)
	return nil
}

// SpeciesList is the VCPR FDAspecies array of a LabelClaim. It also accepts
// a single string on input, as some VCPR payloads send one class.
type SpeciesList []Species

// UnmarshalJSON reads an array of classes or a single class.
func (l *SpeciesList) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s Species
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*l = SpeciesList{s}
		return nil
	}
	var v []Species
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*l = v
	return nil
}

// Covers reports whether any class in l covers t.
func (l SpeciesList) Covers(t Species) bool {
	for _, s := range l {
		if s.Covers(t) {
			return true
		}
	}
	return false
}
