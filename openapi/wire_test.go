package openapi

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// The strict server declares a response as a defined type over its body's
// schema type (type X200JSONResponse Protocol) unless the response has
// headers or wraps the body in an object. A defined type has none of the
// methods of the domain type, so protocol.Protocol's MarshalJSON, which
// writes Extra, would be skipped and unknown members lost on the way out.
// vetlink.yaml avoids that: responses whose body is a domain type directly
// declare X-Request-Id, so the generated type is a struct with a Body field.

// TestNoResponseDefinedOverDomainType reads server.gen.go and fails on any
// response type defined directly over a schema that x-go-type maps to a
// domain type.
func TestNoResponseDefinedOverDomainType(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("server.gen.go")
	require.NoError(t, err)
	f, err := parser.ParseFile(token.NewFileSet(), "server.gen.go", src, parser.SkipObjectResolution)
	require.NoError(t, err)

	isDomain := func(e ast.Expr) bool {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		pkg, ok := sel.X.(*ast.Ident)
		return ok && (pkg.Name == "protocol" || pkg.Name == "rx")
	}
	aliases := map[string]bool{} // schema types that are domain types
	var defined []*ast.TypeSpec
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			if ts.Assign.IsValid() {
				if isDomain(ts.Type) {
					aliases[ts.Name.Name] = true
				}
				continue
			}
			defined = append(defined, ts)
		}
	}
	require.Contains(t, aliases, "Protocol", "x-go-type mapping missing")
	checked := 0
	for _, ts := range defined {
		if !strings.HasSuffix(ts.Name.Name, "Response") {
			continue
		}
		checked++
		if id, ok := ts.Type.(*ast.Ident); ok {
			require.False(t, aliases[id.Name], "%s is defined over %s and drops its methods", ts.Name.Name, id.Name)
		}
		require.False(t, isDomain(ts.Type), "%s is defined over a domain type", ts.Name.Name)
	}
	require.Greater(t, checked, 100)
}

func readProtocol(t *testing.T, name string) protocol.Protocol {
	t.Helper()
	data, err := os.ReadFile("../protocol/testdata/" + name)
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(data, &p))
	return p
}

// withExtra is a protocol from the VCPR example with members vetlink does
// not model, which must survive every response.
func withExtra(t *testing.T) protocol.Protocol {
	t.Helper()
	p := readProtocol(t, "vcpr_example_protocol.json")
	if p.Extra == nil {
		p.Extra = map[string]json.RawMessage{}
	}
	p.Extra["x-farm-system"] = json.RawMessage(`{"herd":"North","pen":7}`)
	p.Extra["legacyCode"] = json.RawMessage(`"FLX-2"`)
	for i := range p.Treatments {
		if p.Treatments[i].Extra == nil {
			p.Treatments[i].Extra = map[string]json.RawMessage{}
		}
		p.Treatments[i].Extra["siteNote"] = json.RawMessage(`"left neck"`)
	}
	return p
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// visit runs a generated Visit method and returns the body it wrote.
func visit(t *testing.T, fn func(http.ResponseWriter) error) (*httptest.ResponseRecorder, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	require.NoError(t, fn(rec))
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	return rec, strings.TrimSuffix(rec.Body.String(), "\n")
}

func TestResponsesKeepDomainJSON(t *testing.T) {
	t.Parallel()
	p := withExtra(t)
	pj := marshal(t, p)
	require.Contains(t, pj, `"x-farm-system"`, "the fixture must carry Extra members")
	require.Contains(t, pj, `"siteNote"`)

	labels := []protocol.LabelClaim{}
	data, err := os.ReadFile("../protocol/labels/labels.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &labels))
	require.NotEmpty(t, labels)
	label := labels[0]

	var promise protocol.Promise
	require.NoError(t, json.Unmarshal([]byte(`{"_type":"models.StringPromise","id":4,"name":"record the ear tag","when":"PT2H","query":"Which ear tag?"}`), &promise))

	at := time.Date(2026, 3, 1, 6, 30, 0, 0, time.UTC)
	rxn := rx.Prescription{ID: "rx-1", Protocol: p, VOR: 1, MOR: 2, Refills: 1, Created: at, Status: "PRESCRIBED"}
	c := rx.Case{ID: 9, RxID: "rx-1", AnimalID: "Bossie34", Initiation: at, Data: &protocol.WeightData{}}
	hx := rx.CaseHx{Case: c, DoseTasks: []rx.Task{}, PromiseTasks: []rx.Task{}}
	user := rx.User{ID: 2, Uname: "mor", Type: "MOR", Firstname: "Ann", Lastname: "Farmer"}
	reqID := "req-1"

	tests := []struct {
		name  string
		visit func(http.ResponseWriter) error
		want  string
	}{
		// Bodies that are a domain type directly (Body field).
		{"executeRemedy", ExecuteRemedy200JSONResponse{Body: p, Headers: ExecuteRemedy200ResponseHeaders{XRequestId: &reqID}}.VisitExecuteRemedyResponse, pj},
		{"getLabel", GetLabel200JSONResponse{Body: label}.VisitGetLabelResponse, marshal(t, label)},
		{"getPromise", GetPromise200JSONResponse{Body: promise}.VisitGetPromiseResponse, marshal(t, promise)},
		// Bodies that wrap domain types in the VCPR envelope.
		{"getProtocol", GetProtocol200JSONResponse{Protocol: &p}.VisitGetProtocolResponse, `{"protocol":` + pj + `}`},
		{"createProtocol", CreateProtocol200JSONResponse{Protocol: &p}.VisitCreateProtocolResponse, `{"protocol":` + pj + `}`},
		{"updateProtocol", UpdateProtocol200JSONResponse{Protocol: &p}.VisitUpdateProtocolResponse, `{"protocol":` + pj + `}`},
		{"validateProtocol", ValidateProtocol200JSONResponse{Protocol: &p}.VisitValidateProtocolResponse, `{"protocol":` + pj + `}`},
		{"getAMDUCATags", GetAMDUCATags200JSONResponse{Protocol: &p}.VisitGetAMDUCATagsResponse, `{"protocol":` + pj + `}`},
		{"getMyProtocols", GetMyProtocols200JSONResponse{Protocols: &[]protocol.Protocol{p}}.VisitGetMyProtocolsResponse, `{"protocols":[` + pj + `]}`},
		{"getLibraryProtocols", GetLibraryProtocols200JSONResponse{Protocols: &[]protocol.Protocol{p}}.VisitGetLibraryProtocolsResponse, `{"protocols":[` + pj + `]}`},
		{"getLabels", GetLabels200JSONResponse{Labels: &labels}.VisitGetLabelsResponse, `{"labels":` + marshal(t, labels) + `}`},
		{"getPromises", GetPromises200JSONResponse{Promises: &[]protocol.Promise{promise}}.VisitGetPromisesResponse, `{"promises":[` + marshal(t, promise) + `]}`},
		{"getPrescription", GetPrescription200JSONResponse{Prescription: &rxn}.VisitGetPrescriptionResponse, `{"prescription":` + marshal(t, rxn) + `}`},
		{"getProtocolPrescription", GetProtocolPrescription200JSONResponse{Prescription: &rxn}.VisitGetProtocolPrescriptionResponse, `{"prescription":` + marshal(t, rxn) + `}`},
		{"createPrescription", CreatePrescription201JSONResponse{Prescription: &rxn}.VisitCreatePrescriptionResponse, `{"prescription":` + marshal(t, rxn) + `}`},
		{"getCaseHx", GetCaseHx200JSONResponse{CaseHx: &hx}.VisitGetCaseHxResponse, `{"caseHx":` + marshal(t, hx) + `}`},
		{"myCases", MyCases200JSONResponse{Cases: &[]rx.Case{c}}.VisitMyCasesResponse, `{"cases":[` + marshal(t, c) + `]}`},
		{"getUser", GetUser200JSONResponse{User: &user}.VisitGetUserResponse, `{"user":` + marshal(t, user) + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, body := visit(t, tt.visit)
			require.Equal(t, tt.want, body)
			if tt.name == "executeRemedy" {
				require.Equal(t, reqID, rec.Header().Get("X-Request-Id"))
			}
		})
	}
}

// TestRequestBodiesAreDomainTypes checks that request bodies are the
// domain types themselves (aliases), so decoding keeps their
// UnmarshalJSON and Extra members.
func TestRequestBodiesAreDomainTypes(t *testing.T) {
	t.Parallel()
	p := withExtra(t)
	var body CreateProtocolJSONRequestBody
	require.NoError(t, json.Unmarshal([]byte(marshal(t, p)), &body))
	var _ protocol.Protocol = body
	require.Equal(t, marshal(t, p), marshal(t, body))
}

// TestDefinedTypeDropsExtra shows the trap the tests above guard against:
// a defined type over protocol.Protocol encodes without Extra.
func TestDefinedTypeDropsExtra(t *testing.T) {
	t.Parallel()
	type definedProtocol protocol.Protocol
	p := withExtra(t)
	require.NotContains(t, marshal(t, definedProtocol(p)), `"x-farm-system"`)
	require.Contains(t, marshal(t, p), `"x-farm-system"`)
}
