package rx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
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

// SeedLabelClaims returns the label claims Seed adds: the verified claims
// of the shipped set of package protocol/labels (labels.Default), each with
// its shipped ID (labels.FirstID upwards) so that a treatment naming one by
// labelId names the same claim in every library. DxID keeps the file's own
// numbering (labels.FirstDxID upwards); Seed replaces it with the library's
// diagnosis of the claim's Diagnosis name. The hand-checked fixture claims
// of labels.All are not seeded: they are test data.
func SeedLabelClaims() ([]protocol.LabelClaim, error) {
	return labels.Default()
}

// SeedGreenbookDrugs returns the Green Book products of the seeded label
// claims whose NDC can be cited. The other claims' products are left out
// until their NDC is cited: DRY-CLOX (NADA 055-058), EXCENEL RTU (NADA
// 140-890), PEN-AQUEOUS (NADA 065-010) and SulfaMed Injection 40% (ANADA
// 200-523) are named in the notes of protocol/labels without an NDC.
func SeedGreenbookDrugs() []GreenbookDrug {
	return []GreenbookDrug{
		// Cited by the note of claim 21 CFR 522.1660a(e)(1) in
		// protocol/labels/labels.json: Bio-Mycin 200, ANADA 200-008, product
		// NDC 0010-4753 (corrected from 0010-3495, the NDC of the VCPR
		// GreenbookDrug example), prescription label by Boehringer
		// Ingelheim, FDA SPL at Link. Market category, application number
		// form, names and status as in the VCPR GreenbookDrug example;
		// ProductType is Rx because the checked label carries the Rx caution.
		// The label's date of last change was not read: LastChanged is zero.
		{NDC: "0010-4753", Proprietary: "Bio-Mycin 200", NonProp: "OXYTETRACYCLINE", Ingredients: "OXYTETRACYCLINE",
			Labeler: "Boehringer Ingelheim", ProductType: "PRESCRIPTION ANIMAL DRUG", MarketCat: "ANADA", AppNumber: "ANADA200008",
			Link: "https://www.accessdata.fda.gov/spl/data/0023cab1-4586-4d1e-b6e3-40ce327e1659/0023cab1-4586-4d1e-b6e3-40ce327e1659.xml"},
	}
}

// SeedCounts reports what Seed added.
type SeedCounts struct {
	Eligibilities, Diagnoses, Promises int
	LabelClaims, GreenbookDrugs        int
}

// Seed adds the reference data of SeedEligibilities, SeedDiagnoses,
// SeedPromises, SeedLabelClaims and SeedGreenbookDrugs that is not there
// yet, in one transaction, so a server may call it at every start. Only
// the SAOR may.
//
// Eligibilities, diagnoses and promises are matched by name, label claims
// by ID (their shipped ID, labels.FirstID upwards), Green Book drugs by
// NDC; what exists is left as it is, so a SAOR's corrections (an
// UpdateLabelClaim of a shipped claim) survive every later Seed, but a
// seeded item the SAOR deleted comes back at the next start. A release that
// ships more verified claims adds them at the next Seed; a release that
// changes a shipped claim's figures does not overwrite the stored claim of
// that ID (the SAOR updates it). Each seeded claim's DxID is the library's
// diagnosis of the claim's Diagnosis name, created (and counted in
// Diagnoses) when missing, so a protocol may pick the indication;
// classification matches an indication by diagnosis ID or name, so a
// protocol written against labels.Default's dxIds matches too.
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
		dx := map[string]int64{}
		for _, d := range ds {
			dx[d.Name] = d.ID
		}
		diagnosis := func(name string) (int64, error) {
			if id, ok := dx[name]; ok {
				return id, nil
			}
			d := protocol.Diagnosis{Name: name}
			if err := l.CreateDiagnosis(ctx, a, &d); err != nil {
				return 0, err
			}
			n.Diagnoses++
			dx[name] = d.ID
			return d.ID, nil
		}
		for _, d := range SeedDiagnoses() {
			if _, err := diagnosis(d.Name); err != nil {
				return err
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
		claims, err := SeedLabelClaims()
		if err != nil {
			return fail(op, "label claims", err.Error(), ErrInvalid)
		}
		cs, err := l.Store.LabelClaims(ctx)
		if err != nil {
			return storeErr(op, "label claims", err)
		}
		stored := make(map[int64]bool, len(cs))
		for _, c := range cs {
			stored[c.ID] = true
		}
		for _, c := range claims {
			if stored[c.ID] {
				continue
			}
			if c.ID < labels.FirstID {
				return fail(op, refInput("label claim", c.ID), fmt.Sprintf("a shipped claim's id must be %d or more", labels.FirstID), ErrInvalid)
			}
			if err := checkLabel(op, &c); err != nil {
				if e := (*Error)(nil); errors.As(err, &e) {
					e.Input = refInput("label claim", c.ID) + " " + e.Input
				}
				return err
			}
			if c.DxID, err = diagnosis(strings.TrimSpace(c.Diagnosis)); err != nil {
				return err
			}
			added, err := l.Store.InsertLabelClaim(ctx, &c)
			if err != nil {
				return storeErr(op, refInput("label claim", c.ID), err)
			}
			if added {
				n.LabelClaims++
			}
		}
		for _, d := range SeedGreenbookDrugs() {
			_, err := l.Store.GreenbookDrug(ctx, d.NDC)
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrNotFound) {
				return storeErr(op, "ndc "+d.NDC, err)
			}
			if err := l.PutGreenbookDrug(ctx, a, d); err != nil {
				return err
			}
			n.GreenbookDrugs++
		}
		return nil
	})
	if err != nil {
		return SeedCounts{}, err
	}
	return n, nil
}
