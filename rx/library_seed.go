package rx

import (
	"context"
	"strings"
	"unicode"

	"github.com/vetlink/vetlink/protocol"
)

// SeedEligibilities returns one eligibility per FDA class of the VCPR
// FDASpecies list, named in words ("Beef cattle"). The two dairy classes
// are named for what they mean in FDA labeling: DairyCattle is lactating
// dairy cattle, dry cows included; DairyCattleNonLactating is replacement
// heifers that have not calved (see protocol.Species).
func SeedEligibilities() []protocol.Eligibility {
	out := make([]protocol.Eligibility, 0, len(fdaSpecies))
	for _, s := range fdaSpecies {
		name := words(string(s))
		switch s {
		case protocol.DairyCattle:
			name = "Lactating dairy cattle"
		case protocol.DairyCattleNonLactating:
			name = "Dairy heifers, not yet calved"
		}
		out = append(out, protocol.Eligibility{Name: name, FDASpecies: s})
	}
	return out
}

// words turns "ChickensNotLaying" into "Chickens not laying".
func words(camel string) string {
	var b strings.Builder
	for i, r := range camel {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SeedDiagnoses returns a few diagnoses common in food-animal practice,
// as a starting vocabulary for protocols; the SAOR adds the rest.
func SeedDiagnoses() []protocol.Diagnosis {
	return []protocol.Diagnosis{
		{Name: "Bovine respiratory disease"},
		{Name: "Clinical mastitis"},
		{Name: "Foot rot (interdigital phlegmon)"},
		{Name: "Infectious bovine keratoconjunctivitis (pinkeye)"},
		{Name: "Metritis"},
	}
}

// SeedPromises returns public promises for the duties 21 CFR 530.20(a)(2)
// puts on a veterinarian who allows extra-label use in a food animal, for
// protocols to ask of the farm.
func SeedPromises() []protocol.Promise {
	return []protocol.Promise{
		{Kind: protocol.StringPromise, Name: "Record the animal's identification", When: protocol.Hours(0),
			Descrip: "21 CFR 530.20(a)(2)(iii): the identity of the treated animal is carefully maintained.",
			Query:   "Ear tag or other ID of the treated animal"},
		{Kind: protocol.AffirmationPromise, Name: "Affirm the extended withdrawal will be observed", When: protocol.Hours(0),
			Descrip: "21 CFR 530.20(a)(2)(ii) and (iv): the extended withdrawal set by the veterinarian is met, so no illegal residue enters the food supply.",
			Query:   "I will not sell milk or meat from this animal before the withdrawal ends."},
	}
}

// SeedCounts reports what Seed added.
type SeedCounts struct {
	Eligibilities, Diagnoses, Promises int
}

// Seed adds the reference data of SeedEligibilities, SeedDiagnoses and
// SeedPromises that is not there yet (by name), in one transaction, so a
// server may call it at every start. Only the SAOR may.
func (l *Library) Seed(ctx context.Context, a Actor) (SeedCounts, error) {
	const op = "seed library"
	var n SeedCounts
	if err := MayCurate(a); err != nil {
		return n, withOp(op, err)
	}
	err := l.Store.InTx(ctx, func(ctx context.Context) error {
		es, err := l.Store.Eligibilities(ctx)
		if err != nil {
			return storeErr(op, "eligibilities", err)
		}
		have := map[string]bool{}
		for _, e := range es {
			have[e.Name] = true
		}
		for _, e := range SeedEligibilities() {
			if !have[e.Name] {
				if err := l.CreateEligibility(ctx, a, &e); err != nil {
					return err
				}
				n.Eligibilities++
			}
		}
		ds, err := l.Store.Diagnoses(ctx)
		if err != nil {
			return storeErr(op, "diagnoses", err)
		}
		clear(have)
		for _, d := range ds {
			have[d.Name] = true
		}
		for _, d := range SeedDiagnoses() {
			if !have[d.Name] {
				if err := l.CreateDiagnosis(ctx, a, &d); err != nil {
					return err
				}
				n.Diagnoses++
			}
		}
		ps, err := l.Store.Promises(ctx, 0)
		if err != nil {
			return storeErr(op, "promises", err)
		}
		clear(have)
		for _, p := range ps {
			have[p.Name] = true
		}
		for _, p := range SeedPromises() {
			if !have[p.Name] {
				if err := l.CreatePublicPromise(ctx, a, &p); err != nil {
					return err
				}
				n.Promises++
			}
		}
		return nil
	})
	if err != nil {
		return SeedCounts{}, err
	}
	return n, nil
}
