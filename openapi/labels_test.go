package openapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/webhook"
)

// serveLibraryLabels serves the API on e.DB as the reference server does:
// rx.Service reads the library's label claims (LabelStore), which the
// env's Seed filled with the shipped verified claims. Later requests of e
// go to it.
func serveLibraryLabels(t *testing.T, e *testEnv) {
	t.Helper()
	h, err := openapi.NewHandler(openapi.Config{
		DB:       e.DB,
		Rx:       &rx.Service{Store: e.DB.Rx(), LabelStore: e.DB.Library()},
		Library:  &rx.Library{Store: e.DB.Library()},
		Site:     &site.Service{Store: e.DB.Site()},
		Auth:     e.Auth,
		Webhooks: &webhook.Service{Store: e.DB.Webhooks()},
		Mailer:   e.Mail,
		Vetview:  adminVetview(t, e.DB),
		Audit:    e.DB.Admin(),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.URL = srv.URL
}

// enrofloxacinBRD is a protocol of one treatment naming the shipped claim
// 21 CFR 522.812(e)(2)(i)(A) (enrofloxacin 7.5 to 12.5 mg/kg SC once for
// BRD in beef cattle) by labelId, following it in every figure.
func enrofloxacinBRD(t *testing.T, claim protocol.LabelClaim) protocol.Protocol {
	t.Helper()
	p := flunixin(t)
	p.Name = "Enrofloxacin for BRD"
	p.Diagnoses = []protocol.Diagnosis{{Name: claim.Diagnosis}}
	p.Eligibilities = []protocol.Eligibility{{Name: "Beef cattle", FDASpecies: protocol.BeefCattle}}
	tr := p.Treatments[0]
	id := claim.ID
	tr.LabelID, tr.Product, tr.Route = &id, claim.Product, claim.Route
	tr.SequenceFunction, tr.SizeFunction = claim.SequenceFunction, claim.SizeFunction
	tr.Eligibilities, tr.Tags, tr.Amduca = nil, nil, ""
	p.Treatments = []protocol.Treatment{tr}
	p.WtMeatHrs, p.WtMilkHrs = &claim.WtMeatHrs, nil
	return p
}

// TestShippedLabelClaims: through the server on both engines, the label
// endpoints list the shipped verified claims under their shipped IDs; a
// treatment naming one by labelId is ONLABEL (getAMDUCATags) and is
// prescribed; once the SAOR edits the claim (updateLabelClaim) so that the
// species is no longer on it, the next classification is OFFLABEL and the
// same prescription is refused as a prohibited extra-label fluoroquinolone
// (21 CFR 530.41(a)(10)), without a restart.
func TestShippedLabelClaims(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db)
		serveLibraryLabels(t, e)
		vor := e.user(t, rx.VOR, "vor1")
		mor := e.user(t, rx.MOR, "mor1")
		e.relate(t, rx.Client, vor, mor)

		shipped, err := labels.Default()
		require.NoError(t, err)
		code, b := e.do(t, vor, http.MethodGet, "/api/labels", nil)
		require.Equal(t, http.StatusOK, code, "%s", b)
		var list struct {
			Labels []protocol.LabelClaim `json:"labels"`
		}
		require.NoError(t, json.Unmarshal(b, &list))
		require.Len(t, list.Labels, len(shipped))
		for i, c := range list.Labels {
			require.Equal(t, shipped[i].ID, c.ID)
			require.Equal(t, shipped[i].Product, c.Product)
		}

		code, b = e.do(t, vor, http.MethodGet, "/api/labels/100001", nil)
		require.Equal(t, http.StatusOK, code, "%s", b)
		var claim protocol.LabelClaim
		require.NoError(t, json.Unmarshal(b, &claim))
		require.Equal(t, "ENROFLOXACIN", claim.Generic)
		px := enrofloxacinBRD(t, claim)

		classify := func(t *testing.T) protocol.AmducaClass {
			t.Helper()
			code, b := e.do(t, vor, http.MethodPut, "/api/protocols/amducatags", px)
			require.Equal(t, http.StatusOK, code, "%s", b)
			var got protocol.Protocol
			require.NoError(t, json.Unmarshal(protocolMember(t, b), &got))
			require.Len(t, got.Treatments, 1)
			return got.Treatments[0].Amduca
		}
		prescribe := func(t *testing.T) (int, []byte) {
			t.Helper()
			return e.do(t, vor, http.MethodPost, "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: px, MOR: mor.ID})
		}

		require.Equal(t, protocol.OnLabel, classify(t))
		code, b = prescribe(t)
		require.Equal(t, http.StatusCreated, code, "on-label enrofloxacin for BRD in beef cattle: %s", b)

		edited := claim
		edited.FDASpecies = protocol.SpeciesList{protocol.Swine}
		code, b = e.do(t, e.Admin, http.MethodPut, "/api/labels", edited)
		require.Equal(t, http.StatusOK, code, "%s", b)

		require.Equal(t, protocol.OffLabel, classify(t))
		code, b = prescribe(t)
		require.Equal(t, http.StatusUnprocessableEntity, code, "extra-label enrofloxacin in beef cattle: %s", b)
		require.Contains(t, string(b), "530.41")
	})
}
