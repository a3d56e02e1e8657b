package openapi

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"strings"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rxdoc"
)

// GetTreatmentRecords answers a farm's 21 CFR 530.5 treatment records for
// [from, to) in the form the Accept header prefers: JSON, CSV (rx.WriteCSV)
// or PDF (rxdoc.WriteRecords). rx decides who may read them.
func (h *API) GetTreatmentRecords(ctx context.Context, request GetTreatmentRecordsRequestObject) (GetTreatmentRecordsResponseObject, error) {
	a, err := h.actor(ctx)
	if err != nil {
		return nil, err
	}
	mor := rx.UserID(request.MorId)
	recs, err := h.cfg.Rx.Records(ctx, a, mor, request.Params.From, request.Params.To)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	switch preferredType(ctx, "application/json", "text/csv", "application/pdf") {
	case "text/csv":
		if err := rx.WriteCSV(&b, recs); err != nil {
			return nil, err
		}
		return GetTreatmentRecords200TextcsvResponse{Body: &b, ContentLength: int64(b.Len())}, nil
	case "application/pdf":
		farm, err := h.documents().party(ctx, mor)
		if err != nil {
			return nil, err
		}
		doc := rxdoc.Records{Farm: farm, From: request.Params.From, To: request.Params.To, Rows: recs}
		if err := rxdoc.WriteRecords(&b, doc); err != nil {
			return nil, fmt.Errorf("openapi: treatment records of %d as PDF: %w", mor, err)
		}
		return GetTreatmentRecords200ApplicationpdfResponse{Body: &b, ContentLength: int64(b.Len())}, nil
	}
	return GetTreatmentRecords200JSONResponse{Records: nonNilSlice(recs)}, nil
}

// preferredType returns the offer the request's Accept header weighs
// highest (RFC 9110 §12.5.1: media ranges with their q values, "type/*"
// and "*/*" matching any offer of that type): the first offer when the
// header is absent, or when no offer is weighed above the others.
func preferredType(ctx context.Context, offers ...string) string {
	h, _ := ctx.Value(acceptKey{}).(string)
	if strings.TrimSpace(h) == "" {
		return offers[0]
	}
	best, bestQ := offers[0], -1.0
	for _, offer := range offers {
		q, specific := -1.0, -1
		for _, part := range strings.Split(h, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			w := 1.0
			if s, ok := params["q"]; ok {
				if _, err := fmt.Sscanf(s, "%g", &w); err != nil {
					continue
				}
			}
			kind, _, _ := strings.Cut(offer, "/")
			var sp int
			switch mt {
			case offer:
				sp = 2
			case kind + "/*":
				sp = 1
			case "*/*":
				sp = 0
			default:
				continue
			}
			// The most specific range that matches decides the weight.
			if sp > specific {
				q, specific = w, sp
			}
		}
		if q > bestQ {
			best, bestQ = offer, q
		}
	}
	if bestQ <= 0 {
		return offers[0]
	}
	return best
}
