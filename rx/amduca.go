package rx

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vetlink/vetlink/protocol"
)

// prohibitedUse returns the AMDUCA prohibitions that forbid the protocol's
// treatments: every definite one when a is nil (at prescribing, where the
// animal is not yet known), and every one that applies to animal a on date
// on otherwise (at enrollment, where conditional prohibitions such as
// phenylbutazone in female dairy cattle of 20 months or more are resolved).
// It returns "" when the use is permitted.
func prohibitedUse(p *protocol.Protocol, labels []protocol.LabelClaim, conf []protocol.Confirmation, a *protocol.Animal, on time.Time) string {
	var why []string
	for _, c := range protocol.Classify(p, labels, protocol.Use{Confirmations: conf}) {
		var fs []protocol.Finding
		if a == nil {
			fs = c.Findings
		} else {
			fs = protocol.CheckProhibitedUse(c, *a, on)
		}
		for _, f := range fs {
			if f.Prohibited {
				why = append(why, f.Field+": "+f.Why+" ("+f.Citation+")")
			}
		}
	}
	return strings.Join(why, "; ")
}

// FoodAnimal reports whether an animal of class s may enter the food
// chain, for the confirmation rule of unidentified products: every class
// but dogs and cats. Horses, Other and Unidentified count as food animals
// here, although protocol requires no withdrawal time of them, because
// doubt must fall on asking the veterinarian to confirm a drug rather than
// on missing a prohibited one.
func FoodAnimal(s protocol.Species) bool {
	return s != protocol.Dogs && s != protocol.Cats
}

// unidentifiedUse returns why a treatment of p whose product the drug
// dictionary cannot identify, and whose active ingredient conf does not
// confirm, may not be given: to animal a when a is not nil (at enrollment),
// or to the treatment's eligible classes (at prescribing; a treatment with
// no eligible class counts as for food animals). "" when none.
func unidentifiedUse(p *protocol.Protocol, labels []protocol.LabelClaim, conf []protocol.Confirmation, a *protocol.Animal) string {
	var why []string
	for _, c := range protocol.Classify(p, labels, protocol.Use{Confirmations: conf}) {
		if !c.Unidentified() {
			continue
		}
		t := &p.Treatments[c.Treatment]
		food := a != nil && FoodAnimal(a.Class)
		if a == nil {
			elig := t.Eligibilities
			if len(elig) == 0 {
				elig = p.Eligibilities
			}
			food = len(elig) == 0
			for _, e := range elig {
				food = food || FoodAnimal(e.FDASpecies)
			}
		}
		if food {
			why = append(why, fmt.Sprintf("treatments[%d] product %s: the drug dictionary cannot identify its active ingredient, so it cannot be shown not to be prohibited in food animals; "+
				"the prescription must record the veterinarian's confirmation of the ingredient (confirmations, treatment %d)", c.Treatment, quote(t.Product), c.Treatment))
		}
	}
	return strings.Join(why, "; ")
}

// unidentified is the error of unidentifiedUse.
func unidentified(op, input, why string) error {
	return &Error{Op: op, Input: input, Rule: why, Err: errors.Join(ErrInvalid, ErrUnidentified)}
}

// MaxIngredient bounds the length of a confirmed ingredient's name.
const MaxIngredient = 100

// checkConfirmations checks the veterinarian's confirmations against the
// protocol: each names an existing treatment once, with at least one
// ingredient of 1 to MaxIngredient printable characters.
func checkConfirmations(p *protocol.Protocol, conf []protocol.Confirmation) error {
	seen := map[int]bool{}
	for i, c := range conf {
		in := fmt.Sprintf("confirmations[%d]", i)
		switch {
		case c.Treatment < 0 || c.Treatment >= len(p.Treatments):
			return fail("", fmt.Sprintf("%s.treatment %d", in, c.Treatment), fmt.Sprintf("the protocol has treatments 0 to %d", len(p.Treatments)-1), ErrInvalid)
		case seen[c.Treatment]:
			return fail("", fmt.Sprintf("%s.treatment %d", in, c.Treatment), "is confirmed twice", ErrInvalid)
		case len(c.Ingredients) == 0:
			return fail("", in+".ingredients", "name at least one active ingredient", ErrInvalid)
		}
		seen[c.Treatment] = true
		for k, n := range c.Ingredients {
			if strings.TrimSpace(n) == "" || len(n) > MaxIngredient || strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				return fail("", fmt.Sprintf("%s.ingredients[%d] %s", in, k, quote(n)), fmt.Sprintf("must be 1 to %d printable characters", MaxIngredient), ErrInvalid)
			}
		}
	}
	return nil
}
