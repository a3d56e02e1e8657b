package openapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// role is who calls an operation, relative to the resource it acts on:
// everything of the world below belongs to farm A (MOR A, its TOR A) and
// its veterinarian VOR A; farm B, its TOR B and VOR B are strangers to it.
type role int

const (
	anonymous role = iota // the API key only, no X-Auth-Token
	saor                  // the administrator
	vorA                  // the VOR who owns the resource (wrote the protocol, prescribed)
	vorB                  // a VOR with no relation to farm A
	morA                  // the MOR the resource belongs to (VOR A's CLIENT)
	morB                  // another farm (VOR B's CLIENT)
	torA                  // a TOR employed by MOR A
	torB                  // a TOR of farm B
	nRoles
)

var roleNames = [nRoles]string{"anonymous", "SAOR", "VOR", "foreignVOR", "MOR", "foreignMOR", "TOR", "foreignTOR"}

func (r role) String() string { return roleNames[r] }

// statuses are the expected answers of one operation, in role order:
// anonymous, SAOR, VOR, foreign VOR, MOR, foreign MOR, TOR, foreign TOR.
type statuses [nRoles]int

// roleWorld is what every row points at, built once per engine: the
// read-only rows share it, and the writes make what they change afresh
// (roleRow.req).
type roleWorld struct {
	e     *testEnv
	db    *store.DB
	users [nRoles]*testUser
	svc   *rx.Service
	lib   *rx.Library
	site  *site.Service

	pxID     int64  // a protocol of VOR A, not shared
	pxBody   []byte // its stored form, as a request body
	rxID     string // a prescription of it from VOR A to MOR A
	caseID   int64  // a case enrolled under rxID, with its tasks and withhold
	promise  int64  // a private promise of VOR A
	labelID  int64  // a label claim
	helpKey  string // a help screen
	ndc      string // a Green Book drug with its FDA link
	profile  map[string]any
	seq      atomic.Int64
	enrolled rx.Task // the first dose of caseID
}

const (
	roleLabel   = `{"id":%d,"fdaSpecies":["DairyCattle"],"diagnosis":"Pyrexia","dxId":0,"product":"Banamine","route":"IV","wtMeatHrs":96,"wtMilkHrs":36,"isRx":true}`
	roleDrug    = `{"ndc":"0061-0851","proprietary":"Banamine","nonProp":"flunixin meglumine","ingredients":"flunixin","labeler":"Merck","productType":"PRESCRIPTION ANIMAL DRUG","marketCat":"NADA","appNumber":"NADA101479","link":"https://www.accessdata.fda.gov/example","status":1,"lastChanged":"2024-01-02T03:04:05Z"}`
	roleDosage  = `{"sizeFunction":{"_type":"models.DoseByWeightFunction","dose":{"quantity":{"dimension":"Mass","value":2.2,"symbol":"mg"}},"perUnit":{"dimension":"Mass","value":1,"symbol":"kg"}},"sequenceFunction":{"_type":"models.SeqPerDay","frequency":1,"totalDoses":3}}`
	rolePromise = `{"_type":"models.StringPromise","name":"Record the ear tag %d","query":"Which ear tag?","when":"PT0S"}`
)

// next returns a number no other call of this world returns, for unique
// names.
func (w *roleWorld) next() int64 { return w.seq.Add(1) }

// actor loads u with its relationships as they are now.
func (w *roleWorld) actor(t *testing.T, r role) rx.Actor {
	t.Helper()
	a, err := w.svc.Actor(context.Background(), w.users[r].ID)
	require.NoError(t, err)
	return a
}

// newUser stores a user of type typ that has no password and no relation.
func (w *roleWorld) newUser(t *testing.T, typ rx.UserType) rx.User {
	t.Helper()
	n := w.next()
	u := rx.User{Uname: fmt.Sprintf("fresh%04d", n), Type: typ, Firstname: "Fresh", Lastname: "User", Email: fmt.Sprintf("fresh%04d@example.org", n)}
	require.NoError(t, w.db.Rx().CreateUser(context.Background(), &u))
	return u
}

// newClient stores a fresh MOR that is VOR A's CLIENT.
func (w *roleWorld) newClient(t *testing.T) rx.User {
	t.Helper()
	u := w.newUser(t, rx.MOR)
	require.NoError(t, w.db.Rx().AddRelation(context.Background(), rx.Relation{Kind: rx.Client, Left: w.users[vorA].ID, Right: u.ID}))
	return u
}

// newProtocol stores a fresh copy of the flunixin protocol as VOR A's.
func (w *roleWorld) newProtocol(t *testing.T) int64 {
	t.Helper()
	p := flunixin(t)
	require.NoError(t, w.lib.CreateProtocol(context.Background(), w.actor(t, vorA), &p))
	return p.ID
}

// newRx prescribes the world's protocol from VOR A to MOR A.
func (w *roleWorld) newRx(t *testing.T) rx.Prescription {
	t.Helper()
	ctx := context.Background()
	p, err := w.lib.Protocol(ctx, w.actor(t, vorA), w.pxID)
	require.NoError(t, err)
	out, err := w.svc.Prescribe(ctx, w.actor(t, vorA), rx.PrescriptionRequest{Protocol: p, MOR: w.users[morA].ID, Refills: 5})
	require.NoError(t, err)
	return out
}

func enrollment(p rx.Prescription, animal string) map[string]any {
	return map[string]any{
		"id": 0, "rxId": p.ID, "animalId": animal, "initiationTime": p.Created.UTC(), "species": "DairyCattle",
		"caseData": json.RawMessage(`{"_type":"models.WeightData","weight":{"dimension":"Mass","value":600,"symbol":"kg"}}`),
	}
}

// newCase enrolls a cow under a fresh prescription, as MOR A, and returns
// the case and its first dose.
func (w *roleWorld) newCase(t *testing.T) (int64, rx.Task) {
	t.Helper()
	p := w.newRx(t)
	code, body := w.e.do(t, w.users[morA], http.MethodPost, "/api/cases2", enrollment(p, fmt.Sprintf("Bossie%d", w.next())))
	require.Equal(t, http.StatusOK, code, "%s", body)
	var got struct {
		Case struct {
			ID    int64     `json:"id"`
			Doses []rx.Task `json:"doses"`
		} `json:"case"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.NotEmpty(t, got.Case.Doses)
	return got.Case.ID, got.Case.Doses[0]
}

// newRenewal writes a prescription of one fill from VOR A to MOR A, uses
// it, and has MOR A ask for its renewal: the REQUESTED prescription.
func (w *roleWorld) newRenewal(t *testing.T) rx.Prescription {
	t.Helper()
	ctx := context.Background()
	p, err := w.lib.Protocol(ctx, w.actor(t, vorA), w.pxID)
	require.NoError(t, err)
	old, err := w.svc.Prescribe(ctx, w.actor(t, vorA), rx.PrescriptionRequest{Protocol: p, MOR: w.users[morA].ID})
	require.NoError(t, err)
	code, body := w.e.do(t, w.users[morA], http.MethodPost, "/api/cases2", enrollment(old, fmt.Sprintf("Bossie%d", w.next())))
	require.Equal(t, http.StatusOK, code, "%s", body)
	renewal, err := w.svc.RequestRenewal(ctx, w.actor(t, morA), rx.RenewRequest{From: w.users[morA].ID, To: w.users[vorA].ID, Prescription: old.ID, Refill: 1})
	require.NoError(t, err)
	return renewal
}

func newRoleWorld(t *testing.T, db *store.DB) *roleWorld {
	t.Helper()
	ctx := context.Background()
	e := newTestEnv(t, db)
	w := &roleWorld{e: e, db: db, svc: &rx.Service{Store: db.Rx()}, lib: &rx.Library{Store: db.Library()}, site: &site.Service{Store: db.Site()}}
	w.users[saor] = e.Admin
	w.users[vorA] = e.user(t, rx.VOR, "vet-a")
	w.users[vorB] = e.user(t, rx.VOR, "vet-b")
	w.users[morA] = e.user(t, rx.MOR, "farm-a")
	w.users[morB] = e.user(t, rx.MOR, "farm-b")
	w.users[torA] = e.user(t, rx.TOR, "hand-a")
	w.users[torB] = e.user(t, rx.TOR, "hand-b")
	e.relate(t, rx.Client, w.users[vorA], w.users[morA])
	e.relate(t, rx.Client, w.users[vorB], w.users[morB])
	e.relate(t, rx.Employee, w.users[morA], w.users[torA])
	e.relate(t, rx.Employee, w.users[morB], w.users[torB])
	admin := w.actor(t, saor)

	w.pxID = w.newProtocol(t)
	p, err := w.lib.Protocol(ctx, w.actor(t, vorA), w.pxID)
	require.NoError(t, err)
	w.pxBody, err = json.Marshal(p)
	require.NoError(t, err)
	w.rxID = w.newRx(t).ID
	w.caseID, w.enrolled = w.newCase(t)

	code, body := e.do(t, w.users[vorA], http.MethodPost, "/api/protocols/privatePromises", fmt.Sprintf(rolePromise, 0))
	require.Equal(t, http.StatusOK, code, "%s", body)
	var pr struct{ Promise protocol.Promise }
	require.NoError(t, json.Unmarshal(body, &pr))
	w.promise = pr.Promise.ID

	var lc protocol.LabelClaim
	require.NoError(t, json.Unmarshal(fmt.Appendf(nil, roleLabel, 0), &lc))
	require.NoError(t, w.lib.CreateLabelClaim(ctx, admin, &lc))
	w.labelID = lc.ID
	var drug rx.GreenbookDrug
	require.NoError(t, json.Unmarshal([]byte(roleDrug), &drug))
	require.NoError(t, w.lib.PutGreenbookDrug(ctx, admin, drug))
	w.ndc = drug.NDC
	w.helpKey = "intro"
	_, err = w.site.PutHelp(ctx, admin, site.HelpScreen{Key: w.helpKey, Msg: "<p>Hi</p>"})
	require.NoError(t, err)

	m := w.users[morA]
	w.profile = map[string]any{"id": m.ID, "uname": m.Uname, "userType": "MOR", "email": m.Email,
		"firstname": m.Firstname, "lastname": m.Lastname, "suffix": "", "userId": m.ID, "address1": "9 Oak", "address2": "",
		"town": "Ames", "state": "IA", "zip": "50010", "sandboxName": "", "emailTips": false, "emailNews": true, "rxHeader": ""}
	code, body = e.do(t, m, http.MethodPut, "/api/users/profiles", map[string]any{"user": w.profile})
	require.Equal(t, http.StatusOK, code, "%s", body)
	return w
}

// roleRow is one operation of the document tried as every role.
type roleRow struct {
	op     string // operationId
	method string
	// req returns the path (with query) and body of one try. A write that
	// would change what the next role's try sees makes its resource
	// afresh here, so every try starts from the same state.
	req  func(t *testing.T, w *roleWorld) (string, any)
	want statuses
	// knownBug skips the try of a role with the reason when the server's
	// answer breaks the rule the expected status comes from.
	knownBug map[role]string
}

func static(path string, body any) func(*testing.T, *roleWorld) (string, any) {
	return func(*testing.T, *roleWorld) (string, any) { return path, body }
}

func roleRows() []roleRow {
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	)
	// Common patterns, written out in each row below:
	//   anyone logged in:         {401, 200, 200, 200, 200, 200, 200, 200}
	//   a VOR only:               {401, 403, 200, 200, 403, 403, 403, 403}
	//   the SAOR only (curation): {401, 200, 403, 403, 403, 403, 403, 403}
	//   readers of prescription A (rx.MayRead): the SAOR, VOR A, MOR A, TOR A.
	return []roleRow{
		// ---- pages
		{op: "loadEditor", method: get, req: static("/editor", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "loadFarmApp", method: get, req: static("/farm", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "loadAdminApp", method: get, req: static("/admin", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		// The sign-in form needs no credentials (x-vetlink-fix).
		{op: "signin", method: get, req: static("/signin", nil), want: statuses{303, 303, 303, 303, 303, 303, 303, 303}},

		// ---- users (rx.MayListUsers, MayUpdateUser, MayReadUser, RemoveUser)
		{op: "getUsers", method: get, req: static("/api/users", nil), want: statuses{401, 200, 200, 200, 403, 403, 403, 403}},
		// rx.MayUpdateUser: the user, the SAOR, and a VOR for its clients
		// (users_test.go relies on it; the document's description omits the VOR).
		{op: "updateUser", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users", map[string]any{"user": w.users[morA].User}
		}, want: statuses{401, 200, 200, 403, 200, 403, 403, 403}},
		{op: "getVORs", method: get, req: static("/api/users/vors", nil), want: statuses{401, 200, 200, 200, 403, 403, 403, 403}},
		// security: [] — the body's credentials (MOR A's) are the authority, whoever sends them.
		{op: "userLogin", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users/logins", map[string]any{"apikey": w.e.APIKey, "identifier": w.users[morA].Uname, "password": testPassword}
		}, want: statuses{200, 200, 200, 200, 200, 200, 200, 200}},
		{op: "renewUserToken", method: get, req: static("/api/users/logins", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getUser", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/users/%d", w.users[morA].ID), nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 403, 403}},
		// The SAOR removes anyone, a VOR its own clients: a fresh client of VOR A each time.
		{op: "deleteUser", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/users/%d", w.newClient(t).ID), nil
		}, want: statuses{401, 200, 200, 403, 403, 403, 403, 403}},
		// vetlink's addition: a bare account of any type, the SAOR only
		// (rx.Service.AddUser with no relation).
		{op: "createUser", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			n := w.next()
			return "/api/users", map[string]any{"password": testPassword, "user": rx.User{Uname: fmt.Sprintf("newvet%04d", n), Type: rx.VOR,
				Firstname: "New", Lastname: "Vet", Email: fmt.Sprintf("newvet%04d@example.org", n)}}
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		// vetlink's addition: someone else's password without the current one
		// is the SAOR's only (rx.MayResetPassword); the target is fresh, since
		// a reset revokes its tokens. Users changing their own are in
		// onboarding_test.go.
		{op: "changePassword", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/users/%d/password", w.newUser(t, rx.MOR).ID), map[string]any{"password": testPassword}
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		// site.MayManage: the user and the SAOR.
		{op: "getVisits", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/visits/%d", w.users[morA].ID), nil
		}, want: statuses{401, 200, 403, 403, 200, 403, 403, 403}},
		{op: "createSandboxClient", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users/sandboxClient", fmt.Sprintf(`"sandbox%04d"`, w.next())
		}, want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		// "Only a VOR may" (vetlink.yaml): a VOR's own sandbox clients.
		{op: "deleteSandboxClient", method: del, req: static("/api/users/sandboxClient", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "updateAddress", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users/addresses", map[string]any{"user": map[string]any{"userId": w.users[morA].ID, "address1": "9 Oak", "address2": "", "town": "Ames", "state": "IA", "zip": "50010"}}
		}, want: statuses{401, 200, 403, 403, 200, 403, 403, 403}},
		{op: "getAddress", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/users/addresses/%d", w.users[morA].ID), nil
		}, want: statuses{401, 200, 403, 403, 200, 403, 403, 403}},
		{op: "updateProfile", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users/profiles", map[string]any{"user": w.profile}
		}, want: statuses{401, 200, 403, 403, 200, 403, 403, 403}},
		// Sign-up needs the API key only; a token sent along changes nothing.
		{op: "createProfile", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			n := w.next()
			p := map[string]any{"id": 0, "uname": fmt.Sprintf("signup%04d", n), "userType": "MOR", "email": fmt.Sprintf("signup%04d@example.org", n),
				"firstname": "New", "lastname": "Farmer", "suffix": "", "userId": 0, "address1": "3 Elm", "address2": "",
				"town": "Ames", "state": "IA", "zip": "50010", "sandboxName": "", "emailTips": true, "emailNews": false, "rxHeader": ""}
			return "/api/users/profiles", map[string]any{"user": p, "password": testPassword}
		}, want: statuses{200, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getProfile", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/users/profiles/%d", w.users[morA].ID), nil
		}, want: statuses{401, 200, 403, 403, 200, 403, 403, 403}},
		// security: [] — the single-use token is the authority.
		{op: "confirmToken", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			u := w.newUser(t, rx.UnMOR)
			_, token, err := w.site.IssueEmailToken(context.Background(), rx.Actor{User: u}, u.ID)
			require.NoError(t, err)
			return "/api/users/token/" + token, nil
		}, want: statuses{200, 200, 200, 200, 200, 200, 200, 200}},
		// vetlink's addition: security apiKey only — the single-use token is
		// the authority; a session sent along changes nothing.
		{op: "setPasswordWithToken", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			u := w.newUser(t, rx.UnMOR)
			_, token, err := w.site.IssueEmailToken(context.Background(), rx.Actor{User: u}, u.ID)
			require.NoError(t, err)
			return "/api/users/token/" + token, map[string]any{"password": testPassword}
		}, want: statuses{200, 200, 200, 200, 200, 200, 200, 200}},
		// The SAOR has no farm: 403 (rx.FarmWithholds).
		{op: "getWithholds", method: get, req: static("/api/users/withholds", nil), want: statuses{401, 403, 200, 200, 200, 200, 200, 200}},
		// rx.MayReadFarm: the SAOR, MOR A, its TOR and its VOR.
		{op: "getHerdClearance", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/farms/%d/clearance?commodity=milk", w.users[morA].ID), nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 200, 403}},
		// The same rule: the 530.5 records of farm A.
		{op: "getTreatmentRecords", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/farms/%d/records?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", w.users[morA].ID), nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 200, 403}},
		{op: "recordComment", method: post, req: static("/api/users/comments", map[string]any{"comment": "nice", "public": true}), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		// rx.MayRelate: VOR A adds its own CLIENT, the SAOR any.
		{op: "getRelations", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users/relations", map[string]any{"name": "CLIENT", "left": w.users[vorA].ID, "right": w.newUser(t, rx.MOR).ID}
		}, want: statuses{401, 200, 200, 403, 403, 403, 403, 403}},
		{op: "myRightRelations", method: get, req: static("/api/users/my-right-relations", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		// A CLIENT MOR joins only a VOR on the left: anyone else's try is a
		// relation of the wrong types (rx.CheckRelation, 422) before any
		// permission is asked.
		{op: "createRightRelation", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/users/my-right-relations?relationship=CLIENT&usertype=MOR", rx.User{Uname: fmt.Sprintf("newfarm%04d", w.next()), Type: rx.MOR, Firstname: "New", Lastname: "Farmer"}
		}, want: statuses{401, 422, 200, 200, 422, 422, 422, 422}},
		{op: "confirmVOR", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/admin/ConfirmVOR?id=%d", w.newUser(t, rx.PreVOR).ID), nil
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},

		// ---- prescriptions, cases, tasks (rx/authz.go)
		{op: "getRxBy", method: get, req: static("/api/prescriptionsByMe", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getRxTo", method: get, req: static("/api/prescriptionsToMe", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getPrescriptions", method: get, req: static("/api/protocols/prescriptions", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		// rx.MayPrescribe: a VOR, to its own CLIENT.
		{op: "createPrescription", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/prescriptions", rx.PrescriptionRequest{Protocol: flunixin(t), MOR: w.users[morA].ID, Refills: 1}
		}, want: statuses{401, 403, 201, 403, 403, 403, 403, 403}},
		{op: "getPrescriptionsOfProtocol", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/protocols/%d/prescriptions", w.pxID), nil
		}, want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getProtocolPrescription", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/prescriptions/" + w.rxID, nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 200, 403}},
		{op: "getPrescription", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/prescriptions/" + w.rxID + "/", nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 200, 403}},
		// A VOR recalls (MayRecall: the prescriber), anyone else declines
		// (MayDecline: the MOR it is written to).
		// rx.MayApprove: the prescribing VOR, while the farm is its CLIENT.
		{op: "approvePrescription", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/prescriptions/" + w.newRenewal(t).ID + "/approval", nil
		}, want: statuses{401, 403, 200, 403, 403, 403, 403, 403}},
		{op: "deletePrescription", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/prescriptions/" + w.newRx(t).ID + "/", nil
		}, want: statuses{401, 403, 200, 403, 200, 403, 403, 403}},
		// rx.MayEnroll: MOR A, or VOR A while the CLIENT relation lasts; never a TOR.
		{op: "deprecatedEnrollCase", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/cases", enrollment(w.newRx(t), "Daisy1")
		}, want: statuses{401, 403, 200, 403, 200, 403, 403, 403}},
		{op: "enrollCase", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/cases2", enrollment(w.newRx(t), "Daisy2")
		}, want: statuses{401, 403, 200, 403, 200, 403, 403, 403}},
		{op: "myCases", method: get, req: static("/api/cases", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getCaseHx", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/cases/%d", w.caseID), nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 200, 403}},
		{op: "rxWithCases", method: get, req: static("/api/rx-cases", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getCasesOfPrescription", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/prescriptions/" + w.rxID + "/cases", nil
		}, want: statuses{401, 200, 200, 403, 200, 403, 200, 403}},
		// rx.MayExecute: MOR A, its TOR, the prescribing VOR; the SAOR writes nothing clinical.
		{op: "executeTask", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			_, dose := w.newCase(t)
			dose.Status = rx.TaskExecuted
			return "/api/users/tasks", dose
		}, want: statuses{401, 403, 200, 403, 200, 403, 200, 403}},
		{op: "myRxCases", method: get, req: static("/api/users/tasks", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},

		// ---- protocols (rx/library_authz.go)
		{op: "getMyProtocols", method: get, req: static("/api/protocols", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "createProtocol", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols", readFixture(t, "protocol_flunixin.json")
		}, want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		// MayWriteProtocol: the owner only.
		{op: "updateProtocol", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			p, err := w.lib.Protocol(context.Background(), w.actor(t, vorA), w.newProtocol(t))
			require.NoError(t, err)
			return "/api/protocols", p
		}, want: statuses{401, 403, 200, 403, 403, 403, 403, 403}},
		{op: "validateProtocol", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/validate", w.pxBody
		}, want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "getAMDUCATags", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/amducatags", w.pxBody
		}, want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "executeRemedy", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/tags/remedies", fmt.Sprintf(`{"protocol":%s,"remedy":{"_type":"models.RestrictionRemedy","title":"t","message":"m","detail":"Not for veal calves."}}`, w.pxBody)
		}, want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "validateDosage", method: post, req: static("/api/protocols/dosages", roleDosage), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		// MayReadProtocol: the SAOR and the owner; not shared, so no other VOR.
		{op: "getProtocol", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/protocols/%d", w.pxID), nil
		}, want: statuses{401, 200, 200, 403, 403, 403, 403, 403}},
		// MayDeleteProtocol: the owner or the SAOR.
		{op: "deleteProtocol", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/protocols/%d", w.newProtocol(t)), nil
		}, want: statuses{401, 200, 200, 403, 403, 403, 403, 403}},
		{op: "getMyProtocolShares", method: get, req: static("/api/protocols/shares", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "createProtocolShare", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/shares", rx.ProtocolShare{PxID: w.newProtocol(t), ShareTo: w.users[vorB].ID}
		}, want: statuses{401, 403, 200, 403, 403, 403, 403, 403}},
		{op: "deleteProtocolShare", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			px := w.newProtocol(t)
			_, err := w.lib.Share(context.Background(), w.actor(t, vorA), rx.ProtocolShare{PxID: px, ShareTo: w.users[vorB].ID})
			require.NoError(t, err)
			return fmt.Sprintf("/api/protocols/shares?pxId=%d&toVor=%d", px, w.users[vorB].ID), nil
		}, want: statuses{401, 403, 200, 403, 403, 403, 403, 403}},
		{op: "getSharesToAll", method: get, req: static("/api/protocols/sharesToAll/", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "shareToAll", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/protocols/sharesToAll/%d?clonable=true", w.newProtocol(t)), nil
		}, want: statuses{401, 403, 204, 403, 403, 403, 403, 403}},
		{op: "unShareToAll", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			px := w.newProtocol(t)
			require.NoError(t, w.lib.ShareToAll(context.Background(), w.actor(t, vorA), px, false))
			return fmt.Sprintf("/api/protocols/sharesToAll/%d", px), nil
		}, want: statuses{401, 403, 204, 403, 403, 403, 403, 403}},
		{op: "getLibraryProtocols", method: get, req: static("/api/protocols/libs", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "getLibraryPxes", method: get, req: static("/api/protocols/libstubs", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		{op: "getExclusivestubs", method: get, req: static("/api/protocols/exclusivestubs", nil), want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},

		// ---- reference data: read by everyone, curated by the SAOR (MayCurate)
		{op: "getProtocolTags", method: get, req: static("/api/protocols/tags", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "createTag", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/tags", fmt.Sprintf(`{"id":0,"color":"red","name":"tag%04d"}`, w.next())
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "deleteTag", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			tag := protocol.Tag{Color: "red", Name: fmt.Sprintf("tag%04d", w.next())}
			require.NoError(t, w.lib.CreateTag(context.Background(), w.actor(t, saor), &tag))
			return fmt.Sprintf("/api/protocols/tags/%d", tag.ID), nil
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "getPromises", method: get, req: static("/api/protocols/promises", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "createPublicPromise", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/publicPromises", fmt.Sprintf(rolePromise, w.next())
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "createPrivatePromise", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/privatePromises", fmt.Sprintf(rolePromise, w.next())
		}, want: statuses{401, 403, 200, 200, 403, 403, 403, 403}},
		// MayReadPromise: a private promise, for its owner and the SAOR.
		{op: "getPromise", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/protocols/promises/%d", w.promise), nil
		}, want: statuses{401, 200, 200, 403, 403, 403, 403, 403}},
		{op: "getEligibilities", method: get, req: static("/api/protocols/eligibilities", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "createEligibility", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/eligibilities", fmt.Sprintf(`{"id":0,"name":"Beef cows %d","fdaSpecies":"BeefCattle"}`, w.next())
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "deleteEligibility", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			el := protocol.Eligibility{Name: fmt.Sprintf("Beef cows %d", w.next()), FDASpecies: "BeefCattle"}
			require.NoError(t, w.lib.CreateEligibility(context.Background(), w.actor(t, saor), &el))
			return fmt.Sprintf("/api/protocols/eligibilities/%d", el.ID), nil
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "getExFDASpecies", method: get, req: static("/api/protocols/eligibilities/fdaspecies", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getDiagnoses", method: get, req: static("/api/protocols/diagnoses", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "createDiagnosis", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/protocols/diagnoses", fmt.Sprintf(`{"id":0,"name":"Foot rot %d"}`, w.next())
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "deleteDiagnosis", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			d := protocol.Diagnosis{Name: fmt.Sprintf("Foot rot %d", w.next())}
			require.NoError(t, w.lib.CreateDiagnosis(context.Background(), w.actor(t, saor), &d))
			return fmt.Sprintf("/api/protocols/diagnoses/%d", d.ID), nil
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "getLabels", method: get, req: static("/api/labels", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "createLabelClaim", method: post, req: static("/api/labels", fmt.Sprintf(roleLabel, 0)), want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "updateLabelClaim", method: put, req: func(t *testing.T, w *roleWorld) (string, any) {
			var lc protocol.LabelClaim
			require.NoError(t, json.Unmarshal(fmt.Appendf(nil, roleLabel, 0), &lc))
			require.NoError(t, w.lib.CreateLabelClaim(context.Background(), w.actor(t, saor), &lc))
			return "/api/labels", fmt.Sprintf(roleLabel, lc.ID)
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "getLabel", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/labels/%d", w.labelID), nil
		}, want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		// Package inserts, SPL documents and label images come from the FDA,
		// which this server does not reach: 501 to whoever may ask.
		{op: "getPackageInsert", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/labels/inserts/%d", w.labelID), nil
		}, want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "getGbdLinkByNDC", method: get, req: static("/api/spl/0061-0851", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getGbdL", method: get, req: static("/api/spl/0061-0851/front.jpg", nil), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "getSPL", method: get, req: static("/api/admin/spl/0061-0851", nil), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "getGbdHeaderArrayByNDC", method: get, req: static("/api/admin/product?ndcLabeler=61&ndcProd=851", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getGbdHeaderByNDC", method: get, req: static("/api/admin/product/0061-0851", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getGreenbookDrugs", method: get, req: static("/api/admin/gbd?ndcLabeler=61", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "updateGreenbookDrugs", method: put, req: static("/api/admin/gbd", roleDrug), want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "getGreenbookDrug", method: get, req: static("/api/admin/gbd/0061-0851", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},

		// ---- site: help, log, messages (site/authz.go)
		{op: "getHelpkeys", method: get, req: static("/api/helpkeys", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "getHelp", method: get, req: static("/api/help/intro", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		{op: "createHelp", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/help/key%04d", w.next()), map[string]any{"key": "ignored", "msg": "<p>Hi</p>"}
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "deleteHelp", method: del, req: func(t *testing.T, w *roleWorld) (string, any) {
			key := fmt.Sprintf("key%04d", w.next())
			_, err := w.site.PutHelp(context.Background(), w.actor(t, saor), site.HelpScreen{Key: key, Msg: "<p>Hi</p>"})
			require.NoError(t, err)
			return "/api/help/" + key, nil
		}, want: statuses{401, 200, 403, 403, 403, 403, 403, 403}},
		{op: "logMessage", method: post, req: static("/api/logging?severity=WARN", nil), want: statuses{401, 200, 200, 200, 200, 200, 200, 200}},
		// site.MayMessage to MOR A: the SAOR to anyone, a user related to
		// it (its VOR, its TOR); no one messages themselves.
		{op: "sendMessage", method: post, req: func(t *testing.T, w *roleWorld) (string, any) {
			return "/api/messages", map[string]any{"_type": "models.SimpleMessage", "from": 0, "to": w.users[morA].ID, "subject": "hello", "message": "Hi"}
		}, want: statuses{401, 200, 200, 403, 403, 403, 200, 403}},
		// security: [] — the message's token is the authority.
		{op: "okMessage", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			_, token, err := w.site.Send(context.Background(), w.actor(t, vorA), site.Message{To: w.users[morA].ID, Subject: "ok?", Message: "Agree?"}, true)
			require.NoError(t, err)
			return "/messages/ok/" + token + "/?response=true", nil
		}, want: statuses{200, 200, 200, 200, 200, 200, 200, 200}},
		// site.MayManage: the user and the SAOR read a user's messages.
		{op: "getMessages", method: get, req: func(t *testing.T, w *roleWorld) (string, any) {
			return fmt.Sprintf("/api/messages?userId=%d", w.users[morA].ID), nil
		}, want: statuses{401, 200, 403, 403, 200, 403, 403, 403}},

		// ---- images: not built (501) for whoever is logged in
		{op: "getImages", method: get, req: static("/api/images", nil), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "saveImage", method: post, req: static("/api/images", `{"id":1,"link":"https://example.org/cow.jpg","name":"cow","store":{"id":1,"uri":"https://example.org","name":"store"}}`), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "getImage", method: get, req: static("/api/images/1", nil), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "getImageKeywords", method: get, req: static("/api/imagekeywords", nil), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
		{op: "getImageStores", method: get, req: static("/api/imagestores", nil), want: statuses{401, 501, 501, 501, 501, 501, 501, 501}},
	}
}

// TestEveryOperationEveryRole tries every operation of the document as
// every role, and checks the status against the rule written out in the
// table. An operation of the document without a row fails the test, so a
// new operation cannot be added without saying who may call it.
func TestEveryOperationEveryRole(t *testing.T) {
	// The document as written (openapi.Swagger is its generated, decoded
	// copy, whose operation IDs are the Go names).
	doc, err := openapi3.NewLoader().LoadFromFile("vetlink.yaml")
	require.NoError(t, err)
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	rows := append(roleRows(), adminRoleRows()...)

	byOp := map[string]roleRow{}
	for _, r := range rows {
		_, dup := byOp[r.op]
		require.False(t, dup, "two rows for %s", r.op)
		byOp[r.op] = r
	}
	var missing []string
	seen := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			seen[op.OperationID] = true
			r, ok := byOp[op.OperationID]
			switch {
			case !ok:
				missing = append(missing, fmt.Sprintf("%s %s (%s)", method, path, op.OperationID))
			case r.method != method:
				t.Errorf("row %s: method %s, the document says %s", r.op, r.method, method)
			}
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "operations of the document without a row in roleRows")
	for _, r := range rows {
		require.True(t, seen[r.op], "row %s names no operation of the document", r.op)
	}

	storetest.Run(t, func(t *testing.T, db *store.DB) {
		w := newRoleWorld(t, db)
		for _, r := range rows {
			t.Run(r.op, func(t *testing.T) {
				for who := range nRoles {
					t.Run(who.String(), func(t *testing.T) {
						if why, ok := r.knownBug[who]; ok {
							t.Skip("known bug: " + why)
						}
						path, body := r.req(t, w)
						// The request must be the operation of its row.
						req, err := http.NewRequest(r.method, w.e.URL+path, nil)
						require.NoError(t, err)
						route, _, err := router.FindRoute(req)
						require.NoError(t, err, "%s %s", r.method, path)
						require.Equal(t, r.op, route.Operation.OperationID, "%s %s", r.method, path)

						code, out := w.e.do(t, w.users[who], r.method, path, body)
						require.Equal(t, r.want[who], code, "%s %s as %s: %s", r.method, path, who, strings.TrimSpace(string(out)))
					})
				}
			})
		}
	})
}
