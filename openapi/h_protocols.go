package openapi

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// The protocol library: protocols, their shares, and the reference data
// (tags, promises, eligibilities, diagnoses, label claims, Green Book)
// they are written with. Every decision is rx.Library's or protocol's.

func pxID(id int64) string { return strconv.FormatInt(id, 10) }

// list answers s as a JSON array, [] rather than null when empty: the
// document's arrays are not nullable.
func list[T any](s []T) *[]T {
	if s == nil {
		s = []T{}
	}
	return &s
}

// one is the count the VCPR answers for a single change ("deleted": 1).
func one() *int32 { n := int32(1); return &n }

// needBody answers a missing optional request body as an invalid input
// (the document marks some bodies optional; the operations need them).
func needBody(present bool, what string) error {
	if present {
		return nil
	}
	return &protocol.FieldError{Field: "body", Rule: what + " is required", Err: rx.ErrInvalid}
}

// ---- protocols

// GetMyProtocols lists the protocols the VOR owns or that were shared with
// it, filtered by status and tag names (pipe-delimited), paged.
func (h *API) GetMyProtocols(ctx context.Context, request GetMyProtocolsRequestObject) (GetMyProtocolsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := request.Params
	q := rx.ProtocolQuery{Limit: 20}
	if p.Statuses != nil {
		for _, s := range *p.Statuses {
			st := protocol.ProtocolStatus(strings.TrimSpace(s))
			if !st.Valid() {
				return nil, &protocol.FieldError{Field: "statuses", Value: s, Rule: "not a protocol status", Err: rx.ErrInvalid}
			}
			q.Statuses = append(q.Statuses, st)
		}
	}
	if p.Tags != nil {
		for _, t := range *p.Tags {
			q.Tags = append(q.Tags, strings.TrimSpace(t))
		}
	}
	if p.Offset != nil {
		q.Offset = int(*p.Offset)
	}
	if p.Limit != nil {
		q.Limit = int(*p.Limit)
	}
	if q.Offset < 0 || q.Limit < 1 || q.Limit > MaxPageSize {
		return nil, &protocol.FieldError{Field: "offset, limit", Value: fmt.Sprintf("%d, %d", q.Offset, q.Limit),
			Rule: fmt.Sprintf("offset must be 0 or more and limit 1 to %d", MaxPageSize), Err: rx.ErrInvalid}
	}
	ps, n, err := h.cfg.Library.MyProtocols(ctx, a, q)
	if err != nil {
		return nil, err
	}
	of := int32(n)
	return GetMyProtocols200JSONResponse{Protocols: list(ps), Of: &of}, nil
}

// CreateProtocol validates and stores a new protocol of the VOR, and
// publishes protocol.created in the same transaction.
func (h *API) CreateProtocol(ctx context.Context, request CreateProtocolRequestObject) (CreateProtocolResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a protocol"); err != nil {
		return nil, err
	}
	p := *request.Body
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Library.CreateProtocol(ctx, a, &p); err != nil {
			return err
		}
		return pub.publish(ctx, eventProtocolCreated, pxID(p.ID), p)
	})
	if err != nil {
		return nil, err
	}
	return CreateProtocol200JSONResponse{Protocol: &p}, nil
}

// UpdateProtocol validates and writes the VOR's protocol over the stored
// one, and publishes protocol.updated.
func (h *API) UpdateProtocol(ctx context.Context, request UpdateProtocolRequestObject) (UpdateProtocolResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a protocol"); err != nil {
		return nil, err
	}
	p := *request.Body
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Library.UpdateProtocol(ctx, a, &p); err != nil {
			return err
		}
		return pub.publish(ctx, eventProtocolUpdated, pxID(p.ID), p)
	})
	if err != nil {
		return nil, err
	}
	return UpdateProtocol200JSONResponse{Protocol: &p}, nil
}

// ValidateProtocol checks a protocol for prescribing without saving it,
// and answers it unchanged when it passes.
func (h *API) ValidateProtocol(ctx context.Context, request ValidateProtocolRequestObject) (ValidateProtocolResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a protocol"); err != nil {
		return nil, err
	}
	p := *request.Body
	if err := h.cfg.Library.ValidateProtocol(ctx, a, &p); err != nil {
		return nil, err
	}
	return ValidateProtocol200JSONResponse{Protocol: &p}, nil
}

// GetProtocol reads one protocol the actor may read.
func (h *API) GetProtocol(ctx context.Context, request GetProtocolRequestObject) (GetProtocolResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := h.cfg.Library.Protocol(ctx, a, request.Id)
	if err != nil {
		return nil, err
	}
	return GetProtocol200JSONResponse{Protocol: &p}, nil
}

// DeleteProtocol deprecates a protocol (its owner or the SAOR) and
// publishes protocol.deleted.
func (h *API) DeleteProtocol(ctx context.Context, request DeleteProtocolRequestObject) (DeleteProtocolResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Library.DeleteProtocol(ctx, a, request.Id); err != nil {
			return err
		}
		return pub.publish(ctx, eventProtocolDeleted, pxID(request.Id), nil)
	})
	if err != nil {
		return nil, err
	}
	id := request.Id
	return DeleteProtocol200JSONResponse{Deprecated: &id}, nil
}

// GetAMDUCATags classifies the protocol's treatments under AMDUCA and
// answers it with its tags set; nothing is stored.
func (h *API) GetAMDUCATags(ctx context.Context, request GetAMDUCATagsRequestObject) (GetAMDUCATagsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a protocol"); err != nil {
		return nil, err
	}
	p := *request.Body
	if _, err := h.cfg.Library.AmducaTags(ctx, a, &p, protocol.Use{}); err != nil {
		return nil, err
	}
	return GetAMDUCATags200JSONResponse{Protocol: &p}, nil
}

// ExecuteRemedy applies a remedy to a protocol and answers the fixed
// protocol; nothing is stored.
func (h *API) ExecuteRemedy(ctx context.Context, request ExecuteRemedyRequestObject) (ExecuteRemedyResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil && request.Body.Protocol != nil, "a protocol"); err != nil {
		return nil, err
	}
	p, err := h.cfg.Library.ApplyRemedy(ctx, a, *request.Body.Protocol, request.Body.Remedy)
	if err != nil {
		return nil, err
	}
	rid := RequestID(ctx)
	return ExecuteRemedy200JSONResponse{Body: p, Headers: ExecuteRemedy200ResponseHeaders{XRequestId: &rid}}, nil
}

// ValidateDosage validates a size and a sequence function and answers the
// "_dose" text they render to.
func (h *API) ValidateDosage(ctx context.Context, request ValidateDosageRequestObject) (ValidateDosageResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a dosage"); err != nil {
		return nil, err
	}
	text, err := h.cfg.Library.DoseText(ctx, a, request.Body.SizeFunction, request.Body.SequenceFunction, "")
	if err != nil {
		return nil, err
	}
	return ValidateDosage200JSONResponse{UnderscoreDose: &text}, nil
}

// ---- shares and the library

// GetMyProtocolShares lists the shares of the VOR's protocols.
func (h *API) GetMyProtocolShares(ctx context.Context, request GetMyProtocolSharesRequestObject) (GetMyProtocolSharesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	var px int64
	var to rx.UserID
	if request.Params.PxFilter != nil {
		px = *request.Params.PxFilter
	}
	if request.Params.ToFilter != nil {
		to = rx.UserID(*request.Params.ToFilter)
	}
	ss, err := h.cfg.Library.Shares(ctx, a, px, to)
	if err != nil {
		return nil, err
	}
	return GetMyProtocolShares200JSONResponse{Shares: list(ss)}, nil
}

// CreateProtocolShare shares a protocol of the VOR with another VOR (or
// changes whether the share is clonable); "shared" is 1 for a new share,
// 0 for a changed one.
func (h *API) CreateProtocolShare(ctx context.Context, request CreateProtocolShareRequestObject) (CreateProtocolShareResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a protocol share"); err != nil {
		return nil, err
	}
	var created bool
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		created, err = h.cfg.Library.Share(ctx, a, *request.Body)
		return err
	})
	if err != nil {
		return nil, err
	}
	var n int32
	if created {
		n = 1
	}
	return CreateProtocolShare200JSONResponse{Shared: &n}, nil
}

// DeleteProtocolShare retracts a share of the VOR's protocol.
func (h *API) DeleteProtocolShare(ctx context.Context, request DeleteProtocolShareRequestObject) (DeleteProtocolShareResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		return h.cfg.Library.Unshare(ctx, a, request.Params.PxId, rx.UserID(request.Params.ToVor))
	})
	if err != nil {
		return nil, err
	}
	return DeleteProtocolShare200JSONResponse{UnShared: one()}, nil
}

// GetSharesToAll lists the VOR's protocols in the library.
func (h *API) GetSharesToAll(ctx context.Context, request GetSharesToAllRequestObject) (GetSharesToAllResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ss, err := h.cfg.Library.SharedToAll(ctx, a)
	if err != nil {
		return nil, err
	}
	resp := GetSharesToAll200JSONResponse{}
	items := make([]struct {
		Clonable *bool   `json:"clonable,omitempty"`
		Name     *string `json:"name,omitempty"`
		PxId     *int64  `json:"pxId,omitempty"`
	}, len(ss))
	for i := range ss {
		items[i].Clonable, items[i].Name, items[i].PxId = &ss[i].Clonable, &ss[i].Name, &ss[i].PxID
	}
	resp.Shares = &items
	return resp, nil
}

// ShareToAll puts the VOR's protocol in the library and publishes
// protocol.updated.
func (h *API) ShareToAll(ctx context.Context, request ShareToAllRequestObject) (ShareToAllResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	clonable := request.Params.Clonable != nil && *request.Params.Clonable
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Library.ShareToAll(ctx, a, request.PxId, clonable); err != nil {
			return err
		}
		return pub.publish(ctx, eventProtocolUpdated, pxID(request.PxId), nil)
	})
	if err != nil {
		return nil, err
	}
	return ShareToAll204Response{}, nil
}

// UnShareToAll takes the VOR's protocol out of the library and publishes
// protocol.updated.
func (h *API) UnShareToAll(ctx context.Context, request UnShareToAllRequestObject) (UnShareToAllResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Library.UnshareToAll(ctx, a, request.PxId); err != nil {
			return err
		}
		return pub.publish(ctx, eventProtocolUpdated, pxID(request.PxId), nil)
	})
	if err != nil {
		return nil, err
	}
	return UnShareToAll204Response{}, nil
}

// GetLibraryProtocols lists every protocol shared to all VORs.
func (h *API) GetLibraryProtocols(ctx context.Context, request GetLibraryProtocolsRequestObject) (GetLibraryProtocolsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Library.LibraryProtocols(ctx, a)
	if err != nil {
		return nil, err
	}
	of := int32(len(ps))
	return GetLibraryProtocols200JSONResponse{Protocols: list(ps), Of: &of}, nil
}

// GetLibraryPxes lists the stubs of the library's protocols.
func (h *API) GetLibraryPxes(ctx context.Context, request GetLibraryPxesRequestObject) (GetLibraryPxesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Library.LibraryStubs(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetLibraryPxes200JSONResponse{Pxes: list(ps)}, nil
}

// GetExclusivestubs lists the stubs of the VOR's own protocols (under the
// member "diagnoses", as the VCPR document names it).
func (h *API) GetExclusivestubs(ctx context.Context, request GetExclusivestubsRequestObject) (GetExclusivestubsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Library.ExclusiveStubs(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetExclusivestubs200JSONResponse{Diagnoses: list(ps)}, nil
}

// ---- reference data: tags, promises, eligibilities, diagnoses

// GetProtocolTags lists every tag.
func (h *API) GetProtocolTags(ctx context.Context, request GetProtocolTagsRequestObject) (GetProtocolTagsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := h.cfg.Library.Tags(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetProtocolTags200JSONResponse{Tags: list(ts)}, nil
}

// CreateTag records a tag (SAOR).
func (h *API) CreateTag(ctx context.Context, request CreateTagRequestObject) (CreateTagResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	t := *request.Body
	if err := h.inTx(ctx, func(ctx context.Context, _ *publisher) error { return h.cfg.Library.CreateTag(ctx, a, &t) }); err != nil {
		return nil, err
	}
	return CreateTag200JSONResponse{Tag: &t}, nil
}

// DeleteTag deletes a tag (SAOR).
func (h *API) DeleteTag(ctx context.Context, request DeleteTagRequestObject) (DeleteTagResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.cfg.Library.DeleteTag(ctx, a, request.Id); err != nil {
		return nil, err
	}
	return DeleteTag200JSONResponse{Deleted: one()}, nil
}

// GetPromises lists the public promises and the VOR's own.
func (h *API) GetPromises(ctx context.Context, request GetPromisesRequestObject) (GetPromisesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := h.cfg.Library.Promises(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetPromises200JSONResponse{Promises: list(ps)}, nil
}

// CreatePublicPromise records a promise every VOR may use (SAOR).
func (h *API) CreatePublicPromise(ctx context.Context, request CreatePublicPromiseRequestObject) (CreatePublicPromiseResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := *request.Body
	if err := h.cfg.Library.CreatePublicPromise(ctx, a, &p); err != nil {
		return nil, err
	}
	return CreatePublicPromise200JSONResponse{Promise: &p}, nil
}

// CreatePrivatePromise records a promise only the VOR may use.
func (h *API) CreatePrivatePromise(ctx context.Context, request CreatePrivatePromiseRequestObject) (CreatePrivatePromiseResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := *request.Body
	if err := h.cfg.Library.CreatePrivatePromise(ctx, a, &p); err != nil {
		return nil, err
	}
	return CreatePrivatePromise200JSONResponse{Promise: &p}, nil
}

// GetPromise reads one promise the actor may read.
func (h *API) GetPromise(ctx context.Context, request GetPromiseRequestObject) (GetPromiseResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := h.cfg.Library.Promise(ctx, a, request.Id)
	if err != nil {
		return nil, err
	}
	rid := RequestID(ctx)
	return GetPromise200JSONResponse{Body: p, Headers: GetPromise200ResponseHeaders{XRequestId: &rid}}, nil
}

// GetEligibilities lists every eligibility.
func (h *API) GetEligibilities(ctx context.Context, request GetEligibilitiesRequestObject) (GetEligibilitiesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	es, err := h.cfg.Library.Eligibilities(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetEligibilities200JSONResponse{Eligibilities: list(es)}, nil
}

// CreateEligibility records an eligibility (SAOR); the VCPR names the
// member of the answer "protocol".
func (h *API) CreateEligibility(ctx context.Context, request CreateEligibilityRequestObject) (CreateEligibilityResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	e := *request.Body
	if err := h.cfg.Library.CreateEligibility(ctx, a, &e); err != nil {
		return nil, err
	}
	return CreateEligibility200JSONResponse{Protocol: &e}, nil
}

// DeleteEligibility deletes an eligibility (SAOR).
func (h *API) DeleteEligibility(ctx context.Context, request DeleteEligibilityRequestObject) (DeleteEligibilityResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.cfg.Library.DeleteEligibility(ctx, a, request.Id); err != nil {
		return nil, err
	}
	return DeleteEligibility200JSONResponse{Deleted: one()}, nil
}

// GetExFDASpecies lists the FDA classes an eligibility may name (under
// the member "eligibilities", as the VCPR document names it).
func (h *API) GetExFDASpecies(ctx context.Context, request GetExFDASpeciesRequestObject) (GetExFDASpeciesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ss, err := h.cfg.Library.FDASpecies(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]FDASpecies, len(ss))
	for i, s := range ss {
		out[i] = FDASpecies(s)
	}
	return GetExFDASpecies200JSONResponse{Eligibilities: list(out)}, nil
}

// GetDiagnoses lists every diagnosis.
func (h *API) GetDiagnoses(ctx context.Context, request GetDiagnosesRequestObject) (GetDiagnosesResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	ds, err := h.cfg.Library.Diagnoses(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetDiagnoses200JSONResponse{Diagnoses: list(ds)}, nil
}

// CreateDiagnosis records a diagnosis (SAOR).
func (h *API) CreateDiagnosis(ctx context.Context, request CreateDiagnosisRequestObject) (CreateDiagnosisResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	d := *request.Body
	if err := h.cfg.Library.CreateDiagnosis(ctx, a, &d); err != nil {
		return nil, err
	}
	return CreateDiagnosis200JSONResponse{Protocol: &d}, nil
}

// DeleteDiagnosis deletes a diagnosis (SAOR).
func (h *API) DeleteDiagnosis(ctx context.Context, request DeleteDiagnosisRequestObject) (DeleteDiagnosisResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.cfg.Library.DeleteDiagnosis(ctx, a, request.Id); err != nil {
		return nil, err
	}
	return DeleteDiagnosis200JSONResponse{Deleted: one()}, nil
}

// ---- label claims

// GetLabels lists every label claim.
func (h *API) GetLabels(ctx context.Context, request GetLabelsRequestObject) (GetLabelsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.cfg.Library.LabelClaims(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetLabels200JSONResponse{Labels: list(cs)}, nil
}

// CreateLabelClaim records a label claim (SAOR).
func (h *API) CreateLabelClaim(ctx context.Context, request CreateLabelClaimRequestObject) (CreateLabelClaimResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	c := *request.Body
	if err := h.cfg.Library.CreateLabelClaim(ctx, a, &c); err != nil {
		return nil, err
	}
	return CreateLabelClaim200JSONResponse{Protocol: &c}, nil
}

// UpdateLabelClaim writes a label claim over the stored one (SAOR).
func (h *API) UpdateLabelClaim(ctx context.Context, request UpdateLabelClaimRequestObject) (UpdateLabelClaimResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := needBody(request.Body != nil, "a label claim"); err != nil {
		return nil, err
	}
	c := *request.Body
	if err := h.cfg.Library.UpdateLabelClaim(ctx, a, &c); err != nil {
		return nil, err
	}
	return UpdateLabelClaim200JSONResponse{Protocol: &c}, nil
}

// GetLabel reads one label claim.
func (h *API) GetLabel(ctx context.Context, request GetLabelRequestObject) (GetLabelResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.cfg.Library.LabelClaim(ctx, a, request.Id)
	if err != nil {
		return nil, err
	}
	rid := RequestID(ctx)
	return GetLabel200JSONResponse{Body: c, Headers: GetLabel200ResponseHeaders{XRequestId: &rid}}, nil
}

// GetPackageInsert answers 404 for an unknown label claim and 501 for a
// known one: package inserts are FDA documents this server does not hold.
func (h *API) GetPackageInsert(ctx context.Context, request GetPackageInsertRequestObject) (GetPackageInsertResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := h.cfg.Library.LabelClaim(ctx, a, request.LxId); err != nil {
		return nil, err
	}
	return nil, errNotImplemented
}

// ---- the Green Book

// GetGbdLinkByNDC answers a small HTML page linking to the FDA label of a
// Green Book drug, the link stored with it.
func (h *API) GetGbdLinkByNDC(ctx context.Context, request GetGbdLinkByNDCRequestObject) (GetGbdLinkByNDCResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.cfg.Library.GreenbookDrug(ctx, a, request.Ndc)
	if err != nil {
		return nil, err
	}
	if d.Link == "" {
		return nil, fmt.Errorf("ndc %s: no FDA label link is recorded for this drug: %w", d.NDC, rx.ErrNotFound)
	}
	page := fmt.Sprintf("<!doctype html>\n<title>%s</title>\n<p><a href=\"%s\">%s (NDC %s): FDA label</a></p>\n",
		html.EscapeString(d.Proprietary), html.EscapeString(d.Link), html.EscapeString(d.Proprietary), html.EscapeString(d.NDC))
	return GetGbdLinkByNDC200TexthtmlResponse{Body: strings.NewReader(page), ContentLength: int64(len(page))}, nil
}

// GetGbdL answers 501: label images are fetched from the FDA, which this
// server does not reach.
func (h *API) GetGbdL(ctx context.Context, request GetGbdLRequestObject) (GetGbdLResponseObject, error) {
	if _, err := h.actor(ctx); err != nil {
		return nil, err
	}
	return nil, errNotImplemented
}

// GetSPL answers 501: SPL documents are fetched from the FDA, which this
// server does not reach.
func (h *API) GetSPL(ctx context.Context, request GetSPLRequestObject) (GetSPLResponseObject, error) {
	if _, err := h.actor(ctx); err != nil {
		return nil, err
	}
	return nil, errNotImplemented
}

// codeQuery reads the numeric NDC sections of the Green Book queries; the
// package section (ndcBrand) is not part of a Green Book key.
func codeQuery(labeler, prod, brand *int64, offset, limit *int32) (rx.GreenbookCodeQuery, error) {
	var q rx.GreenbookCodeQuery
	if brand != nil {
		return q, &protocol.FieldError{Field: "ndcBrand", Value: strconv.FormatInt(*brand, 10),
			Rule: "the Green Book is keyed by labeler and product; the package section is not recorded", Err: rx.ErrInvalid}
	}
	if labeler != nil {
		q.Labeler = *labeler
	}
	if prod != nil {
		q.Product = *prod
	}
	if offset != nil {
		q.Offset = int(*offset)
	}
	q.Limit = DefaultPageSize
	if limit != nil {
		q.Limit = int(*limit)
	}
	if q.Offset < 0 || q.Limit < 1 || q.Limit > MaxPageSize {
		return q, &protocol.FieldError{Field: "offset, limit", Value: fmt.Sprintf("%d, %d", q.Offset, q.Limit),
			Rule: fmt.Sprintf("offset must be 0 or more and limit 1 to %d", MaxPageSize), Err: rx.ErrInvalid}
	}
	return q, nil
}

// productOf is the VCPR Product header of a Green Book drug: id and
// companyId are the product and labeler sections of its NDC as numbers,
// nada its application number, insertURL its FDA label link.
func productOf(d rx.GreenbookDrug) Product {
	lab, prod, _ := strings.Cut(d.NDC, "-")
	p := Product{Name: d.Proprietary, Nada: d.AppNumber}
	p.CompanyId, _ = strconv.ParseInt(lab, 10, 64)
	p.Id, _ = strconv.ParseInt(prod, 10, 64)
	if d.Link != "" {
		link := d.Link
		p.InsertURL = &link
	}
	return p
}

// GetGbdHeaderArrayByNDC lists the product headers of the Green Book drugs
// whose NDC sections match.
func (h *API) GetGbdHeaderArrayByNDC(ctx context.Context, request GetGbdHeaderArrayByNDCRequestObject) (GetGbdHeaderArrayByNDCResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := request.Params
	q, err := codeQuery(p.NdcLabeler, p.NdcProd, p.NdcBrand, nil, nil)
	if err != nil {
		return nil, err
	}
	q.Limit = 0
	ds, err := h.cfg.Library.GreenbookDrugsByCode(ctx, a, q)
	if err != nil {
		return nil, err
	}
	out := make(GetGbdHeaderArrayByNDC200JSONResponse, len(ds))
	for i, d := range ds {
		out[i] = productOf(d)
	}
	return out, nil
}

// GetGbdHeaderByNDC reads the product header of one Green Book drug.
func (h *API) GetGbdHeaderByNDC(ctx context.Context, request GetGbdHeaderByNDCRequestObject) (GetGbdHeaderByNDCResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.cfg.Library.GreenbookDrug(ctx, a, request.Ndc)
	if err != nil {
		return nil, err
	}
	return GetGbdHeaderByNDC200JSONResponse(productOf(d)), nil
}

// GetGreenbookDrugs lists the Green Book drugs whose NDC sections match,
// paged.
func (h *API) GetGreenbookDrugs(ctx context.Context, request GetGreenbookDrugsRequestObject) (GetGreenbookDrugsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	p := request.Params
	q, err := codeQuery(p.NdcLabeler, p.NdcProd, p.NdcBrand, p.Offset, p.Limit)
	if err != nil {
		return nil, err
	}
	ds, err := h.cfg.Library.GreenbookDrugsByCode(ctx, a, q)
	if err != nil {
		return nil, err
	}
	return GetGreenbookDrugs200JSONResponse(*list(ds)), nil
}

// UpdateGreenbookDrugs creates or replaces a Green Book drug (SAOR) and
// publishes product.created_or_updated.
func (h *API) UpdateGreenbookDrugs(ctx context.Context, request UpdateGreenbookDrugsRequestObject) (UpdateGreenbookDrugsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	d := *request.Body
	err = h.inTx(ctx, func(ctx context.Context, pub *publisher) error {
		if err := h.cfg.Library.PutGreenbookDrug(ctx, a, d); err != nil {
			return err
		}
		return pub.publish(ctx, eventProductPublished, d.NDC, d)
	})
	if err != nil {
		return nil, err
	}
	d.LastChanged = d.LastChanged.UTC()
	return UpdateGreenbookDrugs200JSONResponse{Case: &d}, nil
}

// GetGreenbookDrug reads one Green Book drug by NDC.
func (h *API) GetGreenbookDrug(ctx context.Context, request GetGreenbookDrugRequestObject) (GetGreenbookDrugResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.cfg.Library.GreenbookDrug(ctx, a, request.Ndc)
	if err != nil {
		return nil, err
	}
	rid := RequestID(ctx)
	return GetGreenbookDrug200JSONResponse{Body: d, Headers: GetGreenbookDrug200ResponseHeaders{XRequestId: &rid}}, nil
}
