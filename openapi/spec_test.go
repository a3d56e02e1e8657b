package openapi

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// referencePath is the VCPR Protocol Editor API 2.1.0 document this API is
// wire-compatible with. It lives in shared/, beside the repository.
var referencePath = filepath.Join("..", "..", "shared", "reference", "vcpr-openapi.yaml")

// referenceOperations is the number of operations of the VCPR document.
const referenceOperations = 99

// vetlinkOperations are the operations vetlink adds to the VCPR
// document (each says so in x-vetlink-note): what it takes to make an
// account usable through the API alone.
var vetlinkOperations = map[string]string{
	"POST /api/users":                       "createUser",
	"PUT /api/users/{id}/password":          "changePassword",
	"POST /api/users/token/{token}":         "setPasswordWithToken",
	"POST /api/prescriptions/{id}/approval": "approvePrescription",
	"GET /api/farms/{morId}/clearance":      "getHerdClearance",
	"GET /api/messages":                     "getMessages",
	"GET /api/farms/{morId}/records":        "getTreatmentRecords",
	// The administrator's dashboard (issue 16).
	"GET /api/admin/servers":                               "listAdminServers",
	"DELETE /api/admin/servers/{id}":                       "deleteAdminServer",
	"GET /api/admin/job-kinds":                             "listAdminJobKinds",
	"GET /api/admin/job-kinds/{kind}":                      "getAdminJobKind",
	"GET /api/admin/jobs":                                  "listAdminJobs",
	"POST /api/admin/jobs":                                 "createAdminJob",
	"GET /api/admin/jobs/{id}":                             "getAdminJob",
	"PUT /api/admin/jobs/{id}":                             "updateAdminJob",
	"DELETE /api/admin/jobs/{id}":                          "deleteAdminJob",
	"PUT /api/admin/jobs/{id}/activation":                  "activateAdminJob",
	"DELETE /api/admin/jobs/{id}/activation":               "deactivateAdminJob",
	"GET /api/admin/jobs/{id}/runs":                        "listAdminJobRuns",
	"POST /api/admin/jobs/{id}/runs":                       "runAdminJobNow",
	"GET /api/admin/webhooks/subscriptions":                "listAdminSubscriptions",
	"POST /api/admin/webhooks/subscriptions":               "createAdminSubscription",
	"GET /api/admin/webhooks/subscriptions/{id}":           "getAdminSubscription",
	"PUT /api/admin/webhooks/subscriptions/{id}":           "updateAdminSubscription",
	"DELETE /api/admin/webhooks/subscriptions/{id}":        "deleteAdminSubscription",
	"POST /api/admin/webhooks/subscriptions/{id}/disable":  "disableAdminSubscription",
	"POST /api/admin/webhooks/subscriptions/{id}/secret":   "rotateAdminSubscriptionSecret",
	"POST /api/admin/webhooks/subscriptions/{id}/recovery": "recoverAdminSubscription",
	"GET /api/admin/webhooks/deliveries":                   "listAdminDeliveries",
	"GET /api/admin/webhooks/deliveries/{id}":              "getAdminDelivery",
	"POST /api/admin/webhooks/deliveries/{id}/resend":      "resendAdminDelivery",
	"POST /api/admin/webhooks/stranded/recovery":           "recoverAdminStranded",
	"GET /api/admin/audit":                                 "listAdminAudit",
}

func loadDocument(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(Document())
	require.NoError(t, err)
	return doc
}

func TestDocumentValidates(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	require.NoError(t, doc.Validate(context.Background()))
	require.Equal(t, "3.0.3", doc.OpenAPI)
	require.Empty(t, doc.Servers, "servers would make request validation match on host")
}

func TestSwaggerIsTheDocument(t *testing.T) {
	t.Parallel()
	doc, err := Swagger()
	require.NoError(t, err)
	require.Len(t, operations(doc), referenceOperations+len(vetlinkOperations))
}

// operations lists "METHOD path" -> operationId.
func operations(doc *openapi3.T) map[string]string {
	ops := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op.OperationID
		}
	}
	return ops
}

func TestOperationsCountAndUniqueIDs(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	ops := operations(doc)
	require.Len(t, ops, referenceOperations+len(vetlinkOperations))
	for key, id := range vetlinkOperations {
		require.Equal(t, id, ops[key], key)
		method, path, _ := strings.Cut(key, " ")
		op := doc.Paths.Value(path).GetOperation(method)
		require.Contains(t, op.Extensions, "x-vetlink-note", "%s says it is vetlink's", id)
	}
	seen := map[string]string{}
	for key, id := range ops {
		require.NotEmpty(t, id, key)
		require.NotContains(t, seen, id, "operationId %s of %s already used by %s", id, key, seen[id])
		seen[id] = key
		require.NotContains(t, key, "}:", "no {id}:verb segments")
	}
}

func TestSecuritySchemes(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	for name, header := range map[string]string{"apiKey": "X-APIKEY", "authToken": "X-Auth-Token"} {
		s := doc.Components.SecuritySchemes[name]
		require.NotNil(t, s, name)
		require.Equal(t, "apiKey", s.Value.Type)
		require.Equal(t, "header", s.Value.In)
		require.Equal(t, header, s.Value.Name)
	}
}

// TestErrorsAreProblems checks that every error response of every
// operation is an application/problem+json ProblemDetails.
func TestErrorsAreProblems(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	for _, code := range []string{"BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict", "UnprocessableEntity", "InternalError"} {
		require.Contains(t, doc.Components.Responses, code)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for code, resp := range op.Responses.Map() {
				if code[0] != '4' && code[0] != '5' {
					continue
				}
				content := resp.Value.Content
				require.Len(t, content, 1, "%s %s %s", method, path, code)
				mt := content.Get("application/problem+json")
				require.NotNil(t, mt, "%s %s %s", method, path, code)
				require.Equal(t, "#/components/schemas/ProblemDetails", mt.Schema.Ref, "%s %s %s", method, path, code)
				if code == "403" {
					require.Equal(t, "#/components/responses/Forbidden", resp.Ref, "%s %s", method, path)
				}
			}
		}
	}
}

// TestNumbersHaveFormats checks that no integer or number in the document
// is left without a format (the VCPR document leaves most open).
func TestNumbersHaveFormats(t *testing.T) {
	t.Parallel()
	doc := loadDocument(t)
	var check func(where string, s *openapi3.SchemaRef)
	seen := map[*openapi3.Schema]bool{}
	check = func(where string, s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		v := s.Value
		seen[v] = true
		if v.Type.Is("integer") || v.Type.Is("number") {
			require.NotEmpty(t, v.Format, where)
		}
		for n, p := range v.Properties {
			check(where+"."+n, p)
		}
		check(where+"[]", v.Items)
		for _, l := range [][]*openapi3.SchemaRef{v.AllOf, v.OneOf, v.AnyOf} {
			for _, x := range l {
				check(where, x)
			}
		}
	}
	for n, s := range doc.Components.Schemas {
		check(n, s)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				check(method+" "+path+" "+p.Value.Name, p.Value.Schema)
			}
		}
	}
}

// TestMatchesReference checks that every operation of the VCPR document has
// a counterpart with the same method and path here, allowing only the
// corrections the document records.
func TestMatchesReference(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(referencePath)
	if os.IsNotExist(err) {
		t.Skip("VCPR reference document not present at", referencePath)
	}
	require.NoError(t, err)
	// The reference does not validate (that is part of why this document
	// exists), so it is only parsed, not validated.
	loader := openapi3.NewLoader()
	ref, err := loader.LoadFromData(data)
	require.NoError(t, err)

	pathFix := map[string]string{"/api/protocols/eligibilities/{id}}": "/api/protocols/eligibilities/{id}"}
	idFix := map[string]string{
		"getPromisess":        "getPromises",
		"depecatedEnrollCase": "deprecatedEnrollCase",
		"getImageKeywards":    "getImageKeywords",
		"XgetPrescription":    "getProtocolPrescription",
		"Cases":               "getCasesOfPrescription",
	}
	ours := loadDocument(t)
	for path, item := range ref.Paths.Map() {
		for method, op := range item.Operations() {
			p := path
			if f, ok := pathFix[p]; ok {
				p = f
			}
			mine := ours.Paths.Find(p)
			require.NotNil(t, mine, "%s %s", method, path)
			o := mine.GetOperation(method)
			require.NotNil(t, o, "%s %s", method, path)
			want := op.OperationID
			if f, ok := idFix[want]; ok {
				want = f
			}
			if want == "getImage" && path == "/api/images" {
				want = "getImages"
			}
			require.Equal(t, want, o.OperationID, "%s %s", method, path)

			// Same parameters, by location and name (one VCPR parameter
			// was named with a pasted JWT; it is limit here).
			var refParams, myParams []string
			for _, prm := range op.Parameters {
				name := prm.Value.Name
				if strings.HasPrefix(name, "eyJ") {
					name = "limit"
				}
				refParams = append(refParams, prm.Value.In+":"+name)
			}
			for _, prm := range o.Parameters {
				myParams = append(myParams, prm.Value.In+":"+prm.Value.Name)
			}
			// An operation that says what it fixed (x-vetlink-fix) may add
			// to the reference's parameters and answers, never drop one.
			_, fixed := o.Extensions["x-vetlink-fix"]
			if fixed {
				require.Subset(t, myParams, refParams, "%s %s", method, path)
			} else {
				require.ElementsMatch(t, refParams, myParams, "%s %s", method, path)
			}

			// The same status codes, plus the default problem every
			// operation declares.
			var refCodes, myCodes []string
			for c := range op.Responses.Map() {
				refCodes = append(refCodes, c)
			}
			for c := range o.Responses.Map() {
				if c != "default" {
					myCodes = append(myCodes, c)
				}
			}
			if fixed {
				require.Subset(t, myCodes, refCodes, "%s %s", method, path)
			} else {
				require.ElementsMatch(t, refCodes, myCodes, "%s %s", method, path)
			}
			require.NotNil(t, o.Responses.Default(), "%s %s declares no default problem", method, path)
		}
	}
}

// TestRoutesRegister documents a property of the VCPR paths: Go's ServeMux
// refuses GET /api/protocols/{id}/prescriptions next to
// GET /api/protocols/promises/{id} and GET /api/protocols/prescriptions/{id}
// (neither is more specific). The BaseRouter given to HandlerWithOptions
// must route that path itself; see the handler's router.
func TestRoutesRegister(t *testing.T) {
	t.Parallel()
	require.Panics(t, func() {
		HandlerWithOptions(nil, StdHTTPServerOptions{BaseRouter: http.NewServeMux()})
	}, "if ServeMux accepts the VCPR paths, the router workaround can go")
}
