package rx

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/vetlink/vetlink/protocol"
)

// The Library operations that store nothing: checks a VOR runs on a
// protocol while designing it (validateProtocol, getAMDUCATags,
// validateDosage, executeRemedy).

// ValidateProtocol checks p for prescribing without saving it
// (validateProtocol): protocol.Validate against the label claims, as
// CreateProtocol and UpdateProtocol do before they store. Only a VOR may;
// an invalid protocol is ErrInvalid wrapping protocol.Problems.
func (l *Library) ValidateProtocol(ctx context.Context, a Actor, p *protocol.Protocol) error {
	const op = "validate protocol"
	if err := MayCreateProtocol(a); err != nil {
		return withOp(op, err)
	}
	return l.validate(ctx, op, p)
}

// AmducaTags classifies every treatment of p against its label claim and
// the prohibitions of 21 CFR 530.41 and 530.11, and records the result
// in p's tags (protocol.AmducaTags; getAMDUCATags). Nothing is stored.
// use is how the drugs are used; the zero value is treatment of disease
// under a veterinarian's supervision. Only a VOR may.
func (l *Library) AmducaTags(ctx context.Context, a Actor, p *protocol.Protocol, use protocol.Use) ([]protocol.Classification, error) {
	const op = "amduca tags"
	if err := MayCreateProtocol(a); err != nil {
		return nil, withOp(op, err)
	}
	labels, err := l.labels(ctx)
	if err != nil {
		return nil, storeErr(op, "label claims", err)
	}
	return protocol.AmducaTags(p, labels, use), nil
}

// DoseText validates a structured dosage and renders its "_dose" text
// (protocol.DoseText; validateDosage). Only a VOR may. An invalid dosage
// is ErrInvalid wrapping protocol.Problems that name the members.
func (l *Library) DoseText(ctx context.Context, a Actor, size protocol.SizeFunction, seq protocol.SequenceFunction, route string) (string, error) {
	const op = "validate dosage"
	if err := MayCreateProtocol(a); err != nil {
		return "", withOp(op, err)
	}
	s, err := protocol.DoseText(size, seq, route)
	if err != nil {
		return "", invalid(op, "dosage", err)
	}
	return s, nil
}

// ApplyRemedy applies remedy r to p and returns the fixed protocol,
// reclassified as AmducaTags does (executeRemedy). Nothing is stored: the
// VOR saves the result with UpdateProtocol, which validates it. Only a
// VOR may.
//
// A remedy applies as its kind says:
//   - RestrictionRemedy appends its Detail to the protocol's restrictions
//     (once: a restriction already present is not repeated);
//   - PromiseRemedy adds its Promise (once: a promise of the same kind and
//     name is not repeated).
//
// The others are not changes this server can make on its own, and are
// ErrInvalid naming the remedy: a LinkRemedy only points to information,
// a SubstituteLabelClaimRemedy needs the VOR to choose one of its label
// claims (and so a new treatment), and a JSONRemedy is for the client
// that knows its detail.
func (l *Library) ApplyRemedy(ctx context.Context, a Actor, p protocol.Protocol, r protocol.Remedy) (protocol.Protocol, error) {
	const op = "execute remedy"
	if err := MayCreateProtocol(a); err != nil {
		return protocol.Protocol{}, withOp(op, err)
	}
	switch r := r.(type) {
	case nil:
		return protocol.Protocol{}, fail(op, "remedy", "required", ErrInvalid)
	case *protocol.RestrictionRemedy:
		detail := strings.TrimSpace(r.Detail)
		if detail == "" {
			return protocol.Protocol{}, fail(op, "remedy.detail", "a restriction remedy needs the restriction to add", ErrInvalid)
		}
		var in protocol.Instructions
		if p.Instructions != nil {
			in = *p.Instructions
		}
		if !strings.Contains(in.Restrictions, detail) {
			if in.Restrictions != "" {
				in.Restrictions += "\n"
			}
			in.Restrictions += detail
		}
		p.Instructions = &in
	case *protocol.PromiseRemedy:
		if !r.Promise.Kind.Valid() {
			return protocol.Protocol{}, fail(op, "remedy.promise._type", fmt.Sprintf("%q: not a promise kind", r.Promise.Kind), ErrInvalid)
		}
		dup := false
		for _, q := range p.Promises {
			if q.Kind == r.Promise.Kind && q.Name == r.Promise.Name {
				dup = true
				break
			}
		}
		if !dup {
			p.Promises = append(append([]protocol.Promise(nil), p.Promises...), r.Promise)
		}
	default:
		return protocol.Protocol{}, fail(op, "remedy", fmt.Sprintf("%s: not applied by the server (it informs, or needs a choice the veterinarian makes)", r.TypeName()), ErrInvalid)
	}
	labels, err := l.labels(ctx)
	if err != nil {
		return protocol.Protocol{}, storeErr(op, "label claims", err)
	}
	protocol.AmducaTags(&p, labels, protocol.Use{})
	return p, nil
}

// RemedyRequest is the body of executeRemedy: a protocol and the remedy
// to apply to it. It decodes the remedy by its "_type"
// (protocol.DecodeRemedy).
type RemedyRequest struct {
	Protocol *protocol.Protocol `json:"protocol,omitempty"`
	Remedy   protocol.Remedy    `json:"remedy,omitempty"`
}

// UnmarshalJSON decodes the protocol and the remedy by its "_type".
func (r *RemedyRequest) UnmarshalJSON(data []byte) error {
	var raw struct {
		Protocol *protocol.Protocol `json:"protocol"`
		Remedy   json.RawMessage    `json:"remedy"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*r = RemedyRequest{Protocol: raw.Protocol}
	if len(raw.Remedy) > 0 && string(raw.Remedy) != "null" {
		rem, err := protocol.DecodeRemedy(raw.Remedy)
		if err != nil {
			return fmt.Errorf("remedy: %w", err)
		}
		r.Remedy = rem
	}
	return nil
}

// GreenbookCodeQuery selects Green Book drugs by the numeric sections of
// their NDC, as the VCPR getGreenbookDrugs and getGbdHeaderArrayByNDC
// parameters give them (integers, so leading zeros are lost). Zero
// sections match any. Limit 0 means no limit.
type GreenbookCodeQuery struct {
	Labeler, Product int64
	Offset, Limit    int
}

// GreenbookDrugsByCode lists the Green Book drugs q selects, by NDC. An
// NDC labeler code has 4 or 5 digits and a product code 3 or 4 (21 CFR
// 207.33), so a number stands for every zero-padded width that holds it:
// labeler 10 matches "0010" and "00010".
func (l *Library) GreenbookDrugsByCode(ctx context.Context, a Actor, q GreenbookCodeQuery) ([]GreenbookDrug, error) {
	const op = "greenbook drugs"
	if err := MayReadCatalog(a); err != nil {
		return nil, withOp(op, err)
	}
	if q.Labeler < 0 || q.Labeler > 99999 {
		return nil, fail(op, "ndcLabeler", fmt.Sprintf("%d: an NDC labeler code has at most 5 digits", q.Labeler), ErrInvalid)
	}
	if q.Product < 0 || q.Product > 9999 {
		return nil, fail(op, "ndcProd", fmt.Sprintf("%d: an NDC product code has at most 4 digits", q.Product), ErrInvalid)
	}
	if q.Labeler == 0 && q.Product == 0 {
		ds, err := l.Store.GreenbookDrugs(ctx, GreenbookQuery{Offset: q.Offset, Limit: q.Limit})
		return ds, storeErr(op, "", err)
	}
	widths := func(n int64, lo, hi int) []string {
		if n == 0 {
			return []string{""}
		}
		var out []string
		for w := lo; w <= hi; w++ {
			if s := fmt.Sprintf("%0*d", w, n); len(s) == w {
				out = append(out, s)
			}
		}
		return out
	}
	var all []GreenbookDrug
	for _, lab := range widths(q.Labeler, 4, 5) {
		for _, prod := range widths(q.Product, 3, 4) {
			ds, err := l.Store.GreenbookDrugs(ctx, GreenbookQuery{Labeler: lab, Product: prod})
			if err != nil {
				return nil, storeErr(op, "", err)
			}
			all = append(all, ds...)
		}
	}
	slices.SortFunc(all, func(x, y GreenbookDrug) int { return strings.Compare(x.NDC, y.NDC) })
	all = slices.CompactFunc(all, func(x, y GreenbookDrug) bool { return x.NDC == y.NDC })
	return page(all, q.Offset, q.Limit), nil
}

// DoseFunctions is a structured dosage (validateDosage): a size and a
// sequence function, decoded by their "_type".
type DoseFunctions struct {
	SequenceFunction protocol.SequenceFunction `json:"sequenceFunction,omitempty"`
	SizeFunction     protocol.SizeFunction     `json:"sizeFunction,omitempty"`
}

// UnmarshalJSON decodes both functions by their "_type" through
// protocol.Treatment, which knows every variant.
func (d *DoseFunctions) UnmarshalJSON(data []byte) error {
	var t protocol.Treatment
	if err := json.Unmarshal(data, &t); err != nil {
		return err
	}
	*d = DoseFunctions{SequenceFunction: t.SequenceFunction, SizeFunction: t.SizeFunction}
	return nil
}
