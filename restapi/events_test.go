package restapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

// permissionTokens is the verifier of the event tests: a token is the one
// permission it holds ("audit.read"), or "user:<id>:<permission>" for a
// vetlink user's token holding it.
type permissionTokens struct{}

func (permissionTokens) Verify(ctx context.Context, token string) (oauth.Principal, error) {
	p := oauth.Principal{TokenID: token, ClientID: "events"}
	if rest, ok := strings.CutPrefix(token, "user:"); ok {
		id, perm, _ := strings.Cut(rest, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return oauth.Principal{}, fmt.Errorf("%w: bad test user token %q", oauth.ErrUnauthenticated, token)
		}
		p.User, token = rx.UserID(n), perm
	}
	if oauth.Permission(token).Valid() {
		p.Permissions = []oauth.Permission{oauth.Permission(token)}
	}
	return p, nil
}

// TestCatalogueResourcesAreCollections checks that every event of the
// default webhook catalogue that names a collection names one this API
// serves, with a store side, and that the index's event URLs are those
// collections' object paths with the event's parameter.
func TestCatalogueResourcesAreCollections(t *testing.T) {
	collections := map[string]restapi.Collection{}
	for _, c := range restapi.Collections() {
		collections[c.Name] = c
	}
	links := map[string]restapi.EventLink{}
	for _, l := range restapi.EventLinks() {
		links[l.Event] = l
	}
	var named int
	for _, k := range webhook.DefaultCatalogue().Kinds() {
		if k.Resource == "" {
			continue
		}
		named++
		_, ok := collections[k.Resource]
		require.True(t, ok, "%s: Resource %q is not a collection of /api/0.1/", k.Type, k.Resource)
		_, ok = store.RestResourceNamed(k.Resource)
		require.True(t, ok, "%s: Resource %q has no store.RestResource", k.Type, k.Resource)
		l, ok := links[string(k.Type)]
		require.True(t, ok, "%s has no restapi.EventLink", k.Type)
		require.Equal(t, restapi.EventLink{Event: string(k.Type), Param: k.Param, Path: restapi.Prefix + k.Resource + "/{id}/", Note: l.Note}, l)
	}
	require.Equal(t, 22, named)
	require.Equal(t, "/api/0.1/admin_changes/{id}/", links["admin.changed"].Path)
	require.Equal(t, "/api/0.1/lab_results/{id}/", links["lab_result.received"].Path)
	require.Equal(t, "/api/0.1/nahln_reports/{id}/", links["nahln_report.sent"].Path)
	require.Equal(t, "/api/spl/{id}", links["product.created_or_updated"].Path)
}

// er7 is the lab result the test stores: an ORU^R01 as an instrument
// sends it, segments ending in CR.
const er7 = "MSH|^~\\&|ANALYZER|LAB1|VETLINK|VETLINK|20260302060000||ORU^R01|CTRL-1|P|2.5.1\r" +
	"PID|1||A00000\r" +
	"OBX|1|NM|2345-7^Glucose^LN||98|mg/dL|||||F\r"

// TestEventObjectsRead is "webhook, then GET" for every event of the
// default catalogue that names a collection: a row is written through its
// domain store, and GET /api/0.1/<Resource>/<id>/ with a token holding
// only the collection's permission returns it; a token without the
// permission is refused. The new collections are the SAOR's: a
// veterinarian's own token does not find an administrator's change.
func TestEventObjectsRead(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := &storetest.Herd{Animals: 2, Cases: 3, Current: 1, Years: 1, Now: rxtest.Start}
		storetest.SeedHerd(t, db, h)

		admin := rx.User{Uname: "admin01", Type: rx.SAOR, Firstname: "Ada", Lastname: "Admin", Email: "admin01@example.com"}
		require.NoError(t, db.Rx().CreateUser(ctx, &admin))
		px := rxtest.Flunixin()
		px.OwnerID = int64(h.VOR)
		require.NoError(t, db.Library().CreateProtocol(ctx, &px))

		labID := uuid.MustParse("0b6f3c1e-4a57-4a8e-9a55-2f3c1d7e8a01")
		saved, err := db.HL7().SaveInbound(ctx, jobs.InboundMessage{ID: labID, Source: "lab1", SendingApplication: "ANALYZER",
			SendingFacility: "LAB1", ControlID: "CTRL-1", MessageType: "ORU^R01", RemoteAddr: "192.0.2.7:40000",
			ReceivedAt: rxtest.Start, Data: []byte(er7)})
		require.NoError(t, err)
		require.True(t, saved)

		reportID := uuid.MustParse("5d1c9a4e-7b2f-4c3d-8e6a-1f0b2c3d4e5f")
		require.NoError(t, db.HL7().EnqueueNAHLNReport(ctx, jobs.NAHLNReport{ID: reportID,
			Report: nahln.Report{ControlID: "NAHLN-1", Time: rxtest.Start}, CreatedAt: rxtest.Start, NextAttemptAt: rxtest.Start}))

		changeID, err := db.Admin().RecordAdminChange(ctx, rxtest.Start, int64(admin.ID), "updateWebhookSettings", "", []byte(`{"retries":8}`))
		require.NoError(t, err)

		subID := uuid.MustParse("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
		disabled := rxtest.Start.Add(time.Hour)
		require.NoError(t, db.Webhooks().CreateSubscription(ctx, webhook.Subscription{ID: subID, Name: "herd sync",
			URL: "https://receiver.example/hooks", Events: []webhook.EventType{"case.*"}, Format: webhook.FormatJSON,
			DisabledAt: disabled, DisabledReason: "410 Gone", CreatedAt: rxtest.Start, UpdatedAt: disabled}))

		srv := httptest.NewServer(restapi.New(restapi.Config{Store: db.RestAPI(), Verifier: permissionTokens{}}))
		t.Cleanup(srv.Close)
		get := func(t *testing.T, token, path string) (int, map[string]any) {
			t.Helper()
			req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			var v map[string]any
			require.NoError(t, json.Unmarshal(body, &v), "%s: %s", path, body)
			return res.StatusCode, v
		}

		// The object of each collection and one field of it, written out.
		objects := map[string]struct {
			id          string
			field, want string
		}{
			"protocols":             {fmt.Sprint(px.ID), "name", px.Name},
			"prescriptions":         {h.RxID, "farm", fmt.Sprintf("%s/api/0.1/farms/%d/", srv.URL, h.MOR)},
			"cases":                 {"1", "farm", fmt.Sprintf("%s/api/0.1/farms/%d/", srv.URL, h.MOR)},
			"tasks":                 {"1", "case", srv.URL + "/api/0.1/cases/1/"},
			"withholds":             {"1", "case", srv.URL + "/api/0.1/cases/1/"},
			"users":                 {fmt.Sprint(h.VOR), "username", "seedvet01"},
			"lab_results":           {labID.String(), "message", er7},
			"nahln_reports":         {reportID.String(), "status", "pending"},
			"admin_changes":         {fmt.Sprint(changeID), "actor", fmt.Sprintf("%s/api/0.1/users/%d/", srv.URL, admin.ID)},
			"webhook_subscriptions": {subID.String(), "disabled_reason", "410 Gone"},
		}
		perms := map[string]oauth.Permission{}
		for _, c := range restapi.Collections() {
			perms[c.Name] = c.Permission
		}
		for _, k := range webhook.DefaultCatalogue().Kinds() {
			if k.Resource == "" {
				continue
			}
			t.Run(string(k.Type), func(t *testing.T) {
				o, ok := objects[k.Resource]
				require.True(t, ok, "the test writes no %s object for %s", k.Resource, k.Type)
				path := restapi.Prefix + k.Resource + "/" + o.id + "/"
				code, v := get(t, string(perms[k.Resource]), path)
				require.Equal(t, http.StatusOK, code, "GET %s for %s=%s: %v", path, k.Param, o.id, v)
				require.Equal(t, srv.URL+path, v["url"])
				require.Equal(t, o.id, fmt.Sprint(v["id"]))
				require.Equal(t, o.want, v[o.field], "%s of %s", o.field, path)

				code, v = get(t, "none", path)
				require.Equal(t, http.StatusForbidden, code, "GET %s without %s: %v", path, perms[k.Resource], v)
			})
		}

		// The new collections' other fields, as stored.
		_, lab := get(t, "lab_results.read", "/api/0.1/lab_results/"+labID.String()+"/")
		require.Equal(t, map[string]any{"url": srv.URL + "/api/0.1/lab_results/" + labID.String() + "/", "id": labID.String(),
			"source": "lab1", "sending_application": "ANALYZER", "sending_facility": "LAB1", "control_id": "CTRL-1",
			"message_type": "ORU^R01", "remote_addr": "192.0.2.7:40000", "received_at": "2026-03-02T06:00:00Z", "message": er7}, lab)
		_, report := get(t, "nahln_reports.read", "/api/0.1/nahln_reports/"+reportID.String()+"/")
		require.Equal(t, "NAHLN-1", report["report"].(map[string]any)["ControlID"])
		require.Equal(t, float64(0), report["attempts"])
		require.Nil(t, report["last_attempt_at"])
		_, change := get(t, "audit.read", fmt.Sprintf("/api/0.1/admin_changes/%d/", changeID))
		require.Equal(t, "updateWebhookSettings", change["action"])
		require.Equal(t, map[string]any{"retries": float64(8)}, change["detail"])
		list := func(token, path string) float64 {
			code, v := get(t, token, path)
			require.Equal(t, http.StatusOK, code, "%s: %v", path, v)
			return v["count"].(float64)
		}
		require.Equal(t, float64(1), list("audit.read", "/api/0.1/admin_changes/?actor.username=admin01&action__icontains=webhook"))
		require.Equal(t, float64(0), list("audit.read", "/api/0.1/admin_changes/?actor.username=seedvet01"))
		require.Equal(t, float64(1), list("lab_results.read", "/api/0.1/lab_results/?message_type=ORU^R01&received_at__gte=2026-03-02"))

		// No user scope: the SAOR's own token reads the change, a
		// veterinarian's finds nothing.
		saor := fmt.Sprintf("user:%d:audit.read", admin.ID)
		code, _ := get(t, saor, fmt.Sprintf("/api/0.1/admin_changes/%d/", changeID))
		require.Equal(t, http.StatusOK, code)
		vet := fmt.Sprintf("user:%d:audit.read", h.VOR)
		code, v := get(t, vet, fmt.Sprintf("/api/0.1/admin_changes/%d/", changeID))
		require.Equal(t, http.StatusNotFound, code, "%v", v)
		require.Equal(t, float64(0), list(fmt.Sprintf("user:%d:lab_results.read", h.VOR), "/api/0.1/lab_results/"))
		require.Equal(t, float64(0), list(fmt.Sprintf("user:%d:nahln_reports.read", h.MOR), "/api/0.1/nahln_reports/"))
	})
}
