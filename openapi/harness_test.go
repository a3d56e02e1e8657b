package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/webhook"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// testEnv is the API served over loopback on a real store, with an API key
// and a logged-in administrator.
type testEnv struct {
	DB     *store.DB
	URL    string
	APIKey string
	Admin  *testUser
	Auth   *auth.Service
	// Mail holds every mail the server sent (openapi.Config.Mailer).
	Mail *mailbox
}

// mailbox is the Mailer of a testEnv: it keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []sentMail
	fail error // when set, Mail fails with it (and keeps nothing)
}

// sentMail is one mail a mailbox was given.
type sentMail struct{ To, Subject, Body string }

func (m *mailbox) Mail(ctx context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.sent = append(m.sent, sentMail{to, subject, body})
	return nil
}

// to returns the mails sent to address, oldest first.
func (m *mailbox) to(address string) []sentMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []sentMail
	for _, s := range m.sent {
		if s.To == address {
			out = append(out, s)
		}
	}
	return out
}

// testUser is a user of a testEnv, logged in through the API, with a
// generated client that sends its credentials.
type testUser struct {
	rx.User
	Token  string
	Client *client.ClientWithResponses
	env    *testEnv
}

// newTestEnv serves the API on db from an httptest server that the test's
// cleanup closes, and logs the administrator in. Every response is checked
// against the document (validatingResponses).
func newTestEnv(t testing.TB, db *store.DB) *testEnv {
	t.Helper()
	return newEnv(t, db, envOptions{checkResponses: true})
}

// envOptions vary a testEnv for benchmarks.
type envOptions struct {
	// checkResponses validates each response against the documents;
	// benchmarks leave it off, since it would be measured too.
	checkResponses bool
	// noValidation turns off the server's request validation
	// (openapi.Config.NoValidation), to measure what it costs.
	noValidation bool
}

func newEnv(t testing.TB, db *store.DB, opt envOptions) *testEnv {
	t.Helper()
	ctx := context.Background()
	e := &testEnv{DB: db, Auth: &auth.Service{Store: db.Auth(), Key: bytes.Repeat([]byte{7}, 32)}, Mail: &mailbox{}}
	e.URL = e.serve(t, opt)
	apiKey, _, err := e.Auth.CreateAPIKey(ctx, "tests")
	require.NoError(t, err)
	e.APIKey = apiKey
	e.Admin = e.user(t, rx.SAOR, "administrator")
	actor, err := (&rx.Service{Store: db.Rx()}).Actor(ctx, e.Admin.ID)
	require.NoError(t, err)
	_, err = (&rx.Library{Store: db.Library()}).Seed(ctx, actor)
	require.NoError(t, err)
	return e
}

// another returns a second server on e's database, with the same API key,
// users and tokens: one server with validation and one without, for the
// benchmark that compares them.
func (e *testEnv) another(t testing.TB, opt envOptions) *testEnv {
	t.Helper()
	c := *e
	c.URL = e.serve(t, opt)
	return &c
}

// serve starts the API on e.DB and returns its URL.
func (e *testEnv) serve(t testing.TB, opt envOptions) string {
	t.Helper()
	srv := httptest.NewServer(e.handler(t, opt))
	t.Cleanup(srv.Close)
	return srv.URL
}

// handler builds the API on e.DB, as a server of e would serve it.
func (e *testEnv) handler(t testing.TB, opt envOptions) http.Handler {
	t.Helper()
	h, err := openapi.NewHandler(openapi.Config{
		DB:           e.DB,
		Rx:           &rx.Service{Store: e.DB.Rx()},
		Library:      &rx.Library{Store: e.DB.Library()},
		Site:         &site.Service{Store: e.DB.Site()},
		Auth:         e.Auth,
		Webhooks:     &webhook.Service{Store: e.DB.Webhooks()},
		NoValidation: opt.noValidation,
		Mailer:       e.Mail,
		Vetview:      adminVetview(t, e.DB),
		Audit:        e.DB.Admin(),
	})
	require.NoError(t, err)
	if opt.checkResponses {
		h = validatingResponses(t, h)
	}
	return h
}

// user creates a user of type typ directly in the store, sets its password
// and logs it in through POST /api/users/logins. A name shorter than the
// 7 characters rx requires of a uname gets "-test" appended; the user's
// Uname says what it became.
func (e *testEnv) user(t testing.TB, typ rx.UserType, name string) *testUser {
	t.Helper()
	ctx := context.Background()
	uname := name
	if len(uname) < 7 {
		uname += "-test"
	}
	u := rx.User{Uname: uname, Type: typ, Firstname: name, Lastname: "Test", Email: uname + "@example.org"}
	require.NoError(t, u.Validate())
	require.NoError(t, e.DB.Rx().CreateUser(ctx, &u))
	require.NoError(t, e.Auth.SetPassword(ctx, u.ID, testPassword))
	tu := &testUser{User: u, env: e}
	anon := e.client(t, tu)
	resp, err := anon.UserLoginWithResponse(ctx, client.UserLoginJSONRequestBody{Apikey: e.APIKey, Identifier: uname, Password: testPassword})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode(), "login %s: %s", uname, resp.Body)
	require.NotNil(t, resp.JSON200.Token)
	tu.Token = *resp.JSON200.Token
	tu.Client = e.client(t, tu)
	return tu
}

// client returns a generated client that sends u's credentials (none
// before u has a token).
func (e *testEnv) client(t testing.TB, u *testUser) *client.ClientWithResponses {
	t.Helper()
	c, err := client.NewClientWithResponses(e.URL, client.WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
		req.Header.Set(openapi.APIKeyHeader, e.APIKey)
		if u != nil && u.Token != "" {
			req.Header.Set(openapi.AuthTokenHeader, u.Token)
		}
		return nil
	}))
	require.NoError(t, err)
	return c
}

// relate stores relation kind between left and right (e.g. a VOR and its
// CLIENT MOR, an MOR and its EMPLOYEE TOR).
func (e *testEnv) relate(t testing.TB, kind rx.RelationKind, left, right *testUser) {
	t.Helper()
	require.NoError(t, e.DB.Rx().AddRelation(context.Background(), rx.Relation{Kind: kind, Left: left.ID, Right: right.ID}))
}

// do sends one raw request as u (nil: only the API key) with body encoded
// as JSON (a []byte or string is sent as it is), and returns the status
// and the body. Table tests use it to try operations the generated client
// would refuse to build.
func (e *testEnv) do(t testing.TB, u *testUser, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	require.NoError(t, err)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set(openapi.APIKeyHeader, e.APIKey)
	if u != nil {
		req.Header.Set(openapi.AuthTokenHeader, u.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, out
}

// problem decodes a problem+json body.
func problem(t testing.TB, body []byte) openapi.Problem {
	t.Helper()
	var p openapi.Problem
	require.NoError(t, json.Unmarshal(body, &p), "%s", body)
	return p
}

// The API answers its few pages (the app loaders, the sign-in form, the
// answer to a confirmation link) as text/html; kin-openapi decodes bodies
// only of the media types registered with it, and an HTML page is, to the
// schema, a string.
func init() {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
}

// validatingResponses checks every response of the API against the
// document (status declared, body of the declared schema) and fails the
// test when one does not match: the document is the contract, and a test
// that passes with an answer the document does not allow proves nothing.
func validatingResponses(t testing.TB, next http.Handler) http.Handler {
	doc, err := openapi.Swagger()
	require.NoError(t, err)
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	ref := referenceRouter(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())

		route, params, err := router.FindRoute(r)
		if err != nil {
			return // not an operation of the document (a 404 problem, /docs)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{
				Request: r, PathParams: params, Route: route,
			},
			Status: rec.Code,
			Header: rec.Header(),
			Options: &openapi3filter.Options{
				IncludeResponseStatus: true,
				MultiError:            true,
			},
		}
		in.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
			t.Errorf("%s %s answered %d, which the document does not allow: %v\nbody: %.500s", r.Method, r.URL.Path, rec.Code, err, rec.Body.Bytes())
		}
		if ref == nil || rec.Code >= 300 {
			return
		}
		// The wire contract real clients use: a success must also be what
		// the VCPR reference document describes.
		route, params, err = ref.FindRoute(r)
		if err != nil {
			return
		}
		in.RequestValidationInput = &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route}
		in.Options = &openapi3filter.Options{MultiError: true}
		in.SetBodyBytes(rec.Body.Bytes())
		if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
			t.Errorf("%s %s answered %d, which the VCPR reference document does not allow: %v\nbody: %.500s", r.Method, r.URL.Path, rec.Code, err, rec.Body.Bytes())
		}
	})
}

// patchReference mends, in memory, the defects of the reference document
// that no answer could meet; vetlink.yaml makes the same fixes and says
// so (x-vetlink-fix). Everything else of the reference is held as it is.
func patchReference(doc *openapi3.T) {
	// Two operations are named getImage.
	if images := doc.Paths.Value("/api/images"); images != nil && images.Get != nil {
		images.Get.OperationID = "getImages"
	}
	schemas := doc.Components.Schemas
	// Treatment requires dosage, a oneOf of two objects without required
	// members, which every value matches twice; the reference's own
	// example treatment has none.
	if t := schemas["Treatment"]; t != nil && t.Value != nil {
		t.Value.Required = slices.DeleteFunc(t.Value.Required, func(s string) bool { return s == "dosage" })
		if d := t.Value.Properties["dosage"]; d != nil && d.Value != nil {
			d.Value.AnyOf, d.Value.OneOf = d.Value.OneOf, nil
		}
	}
	// Its own example treatment sends "id":0 where the schema says string,
	// and null for labelId and the withdrawal members.
	if t := schemas["Treatment"]; t != nil && t.Value != nil {
		if id := t.Value.Properties["id"]; id != nil && id.Value != nil {
			id.Value.Type = nil
			id.Value.AnyOf = openapi3.SchemaRefs{
				openapi3.NewSchemaRef("", openapi3.NewStringSchema()),
				openapi3.NewSchemaRef("", openapi3.NewIntegerSchema()),
			}
		}
		for _, name := range []string{"labelId", "wtMeatHrs", "wtMilkHrs", "wtNote"} {
			if p := t.Value.Properties[name]; p != nil && p.Value != nil {
				p.Value.Nullable = true
			}
		}
	}
	// Its example protocol has no ownerName, its example address no
	// address2, though both are required.
	for schema, member := range map[string]string{"Protocol": "ownerName", "Address": "address2"} {
		if v := schemas[schema]; v != nil && v.Value != nil {
			v.Value.Required = slices.DeleteFunc(v.Value.Required, func(s string) bool { return s == member })
		}
	}
	// SizeFunction's discriminator maps models.DoseRangeByWeightFunction
	// to SeqSeries, so no range-by-weight dose could match.
	if sf := schemas["SizeFunction"]; sf != nil && sf.Value != nil && sf.Value.Discriminator != nil {
		if target := schemas["DoseRangeByWeightFunction"]; target != nil {
			sf.Value.Discriminator.Mapping["models.DoseRangeByWeightFunction"] = openapi3.MappingRef(*target)
		}
	}
	// A prescription's status is typed ProtocolStatus, which lacks the
	// REQUESTED of a renewal; its own PrescriptionStatus has it.
	if p := schemas["Prescription"]; p != nil && p.Value != nil && schemas["PrescriptionStatus"] != nil {
		p.Value.Properties["status"] = openapi3.NewSchemaRef("#/components/schemas/PrescriptionStatus", schemas["PrescriptionStatus"].Value)
	}
	// Its quantities have no unit of activity, so no label claim dosed in
	// units (penicillin G procaine, 21 CFR 522.1696b, seeded from
	// protocol/labels) could be answered. vetlink.yaml adds
	// ActivityQuantity (U) to DrugQuantity; the same is added here, and
	// nothing else of the quantities is relaxed.
	if q := schemas["DrugQuantity"]; q != nil && q.Value != nil && q.Value.Properties["quantity"] != nil {
		activity := openapi3.NewObjectSchema().WithRequired([]string{"value", "symbol"}).
			WithProperty("dimension", openapi3.NewStringSchema().WithEnum("Activity")).
			WithProperty("value", openapi3.NewFloat64Schema()).
			WithProperty("symbol", openapi3.NewStringSchema().WithEnum("U"))
		quantity := q.Value.Properties["quantity"].Value
		quantity.OneOf = append(quantity.OneOf, openapi3.NewSchemaRef("", activity))
	}
	// Login requires "userid", but its member is "userId".
	if l := schemas["Login"]; l != nil && l.Value != nil {
		for i, r := range l.Value.Required {
			if r == "userid" {
				l.Value.Required[i] = "userId"
			}
		}
	}
	// myRightRelations answers a oneOf of User and Profile, which every
	// Profile matches twice.
	if p := doc.Paths.Value("/api/users/my-right-relations"); p != nil && p.Get != nil {
		if r := p.Get.Responses.Value("200"); r != nil && r.Value != nil {
			for _, mt := range r.Value.Content {
				if mt.Schema == nil || mt.Schema.Value == nil {
					continue
				}
				if items := mt.Schema.Value.Properties["prescriptions"]; items != nil && items.Value != nil && items.Value.Items != nil && items.Value.Items.Value != nil {
					iv := items.Value.Items.Value
					iv.AnyOf, iv.OneOf = iv.OneOf, nil
				}
			}
		}
	}
}

// referenceRouter routes requests in the VCPR Protocol Editor API 2.1.0
// document (../shared/reference beside the repository, as CI lays it out),
// or returns nil when the document is not there. The reference does not
// pass kin-openapi's checks as it is (examples that break their schemas,
// descriptions beside allOf, two operations named getImage); those checks
// are relaxed here and the duplicate name is changed in memory, which
// changes nothing on the wire.
func referenceRouter(t testing.TB) routers.Router {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "reference", "vcpr-openapi.yaml")
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	require.NoError(t, err)
	doc.Servers = nil
	patchReference(doc)
	r, err := legacy.NewRouter(doc,
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
		openapi3.DisableSchemaPatternValidation(),
		openapi3.AllowExtraSiblingFields("description", "example", "x-reviewed", "nullable", "format", "type"))
	require.NoError(t, err)
	return r
}

// eventCount counts the webhook events of type typ in the outbox: those
// about resource id, or all of them when id is "".
func eventCount(t testing.TB, db *store.DB, typ, id string) int {
	t.Helper()
	q, args := `SELECT COUNT(*) FROM webhook_events WHERE type = $1`, []any{typ}
	if id != "" {
		q, args = q+` AND resource_id = $2`, append(args, id)
	}
	var n int
	require.NoError(t, db.SQL().QueryRow(q, args...).Scan(&n))
	return n
}

// eventTypes lists the types of the webhook events stored so far, oldest
// first.
func eventTypes(t testing.TB, db *store.DB) []string {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT type FROM webhook_events ORDER BY occurred_at, type`)
	require.NoError(t, err)
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// newEvents returns the types of the events stored since before was read.
func newEvents(t testing.TB, db *store.DB, before []string) []string {
	t.Helper()
	now := eventTypes(t, db)
	require.GreaterOrEqual(t, len(now), len(before))
	return now[len(before):]
}
