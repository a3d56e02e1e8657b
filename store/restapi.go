package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrNoResource reports a REST resource name this store does not serve.
var ErrNoResource = errors.New("store: no such REST resource")

// RestResource is one collection of the integration REST API (/api/0.1/)
// as SQL: the table it reads (From, with an alias), a constant condition
// that selects its rows from a shared table (Fixed), the fields each record
// carries, which of them is the key, and the related objects filters may
// reach through a dotted name.
//
// Every SQL text here is written in this file; a request supplies values
// only, which [CompileFilters] passes as parameters.
type RestResource struct {
	Name      string
	From      string
	Fixed     string
	Fields    []Field
	Key       string
	Relations []Relation
	// Order names the fields a list is sorted by: the key, so pages are
	// stable.
	Order []string
	// GroupBy, when set, makes each record a group of rows (animals are
	// the distinct animals of a farm's cases).
	GroupBy string
	// userScope is the condition a user-acting query adds (see
	// RestQuery.ActingUser), with {u} for the users acting; empty when
	// only the SAOR reads the collection.
	userScope string
	// orgScope is the condition an organisation-acting query adds (see
	// RestQuery.ActingOrganisation), with {u} for its active members, {o}
	// for its ID and {os} for its ID as text; scopeNothing when no
	// organisation reads the collection.
	orgScope string
}

// Field returns the resource's field of that name.
func (r RestResource) Field(name string) (Field, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Relation returns the resource's relation of that name.
func (r RestResource) Relation(name string) (Relation, bool) {
	for _, rel := range r.Relations {
		if rel.Name == name {
			return rel, true
		}
	}
	return Relation{}, false
}

// The collections, before their relations are resolved by restResources.
var (
	restUserFields = []Field{
		{Name: "id", Column: "u.id", Type: FieldInt},
		{Name: "username", Column: "u.uname", Type: FieldText},
		{Name: "type", Column: "u.user_type", Type: FieldText},
		{Name: "email", Column: "u.email", Type: FieldText},
		{Name: "firstname", Column: "u.firstname", Type: FieldText},
		{Name: "lastname", Column: "u.lastname", Type: FieldText},
		{Name: "phone", Column: "u.phone", Type: FieldText},
		{Name: "removed_type", Column: "u.removed_type", Type: FieldText},
		{Name: "created_at", Column: "u.created_at", Type: FieldTime},
	}
	restPrescriptionFields = []Field{
		{Name: "id", Column: "p.id", Type: FieldText},
		{Name: "status", Column: "p.status", Type: FieldText},
		{Name: "vet", Column: "p.vor_id", Type: FieldInt},
		{Name: "farm", Column: "p.mor_id", Type: FieldInt},
		{Name: "refills", Column: "p.refills", Type: FieldInt, Int32: true},
		{Name: "fills_used", Column: "p.fills_used", Type: FieldInt, Int32: true},
		{Name: "expiration", Column: "p.expiration", Type: FieldTime},
		{Name: "created_at", Column: "p.created_at", Type: FieldTime},
		{Name: "renewal_of", Column: "p.renewal_of", Type: FieldText},
		{Name: "requested_by", Column: "p.requested_by", Type: FieldInt},
		{Name: "metadata", Column: "p.metadata", Type: FieldJSON},
		{Name: "protocol", Column: "p.protocol", Type: FieldJSON},
	}
	restCaseFields = []Field{
		{Name: "id", Column: "c.id", Type: FieldInt},
		{Name: "prescription", Column: "c.rx_id", Type: FieldText},
		{Name: "farm", Column: "c.mor_id", Type: FieldInt},
		{Name: "vet", Column: "c.vor_id", Type: FieldInt},
		{Name: "animal_id", Column: "c.animal_id", Type: FieldText},
		{Name: "species", Column: "c.species", Type: FieldText},
		{Name: "head", Column: "c.head", Type: FieldInt, Int32: true},
		{Name: "initiation", Column: "c.initiation", Type: FieldTime},
		{Name: "note", Column: "c.note", Type: FieldText},
		{Name: "enrolled_by", Column: "c.enrolled_by", Type: FieldInt},
		{Name: "created_at", Column: "c.created_at", Type: FieldTime},
		{Name: "case_data", Column: "c.case_data", Type: FieldJSON},
	}
	restTaskFields = []Field{
		{Name: "id", Column: "t.id", Type: FieldInt},
		{Name: "case", Column: "t.case_id", Type: FieldInt},
		{Name: "prescription", Column: "t.rx_id", Type: FieldText},
		{Name: "farm", Column: "t.mor_id", Type: FieldInt},
		{Name: "vet", Column: "t.vor_id", Type: FieldInt},
		{Name: "animal_id", Column: "t.animal_id", Type: FieldText},
		{Name: "kind", Column: "t.kind", Type: FieldText},
		{Name: "status", Column: "t.status", Type: FieldText},
		{Name: "do_at", Column: "t.do_at", Type: FieldTime},
		{Name: "product", Column: "t.product", Type: FieldText},
		{Name: "route", Column: "t.route", Type: FieldText},
		{Name: "treatment", Column: "t.treatment", Type: FieldInt, Int32: true},
		{Name: "seq", Column: "t.seq", Type: FieldInt, Int32: true},
		{Name: "promise_name", Column: "t.promise_name", Type: FieldText},
		{Name: "executor", Column: "t.executor", Type: FieldInt},
		{Name: "done_at", Column: "t.done_at", Type: FieldTime},
		{Name: "done_by", Column: "t.done_by", Type: FieldInt},
		{Name: "recorded_at", Column: "t.recorded_at", Type: FieldTime},
		{Name: "note", Column: "t.note", Type: FieldText},
		{Name: "dose", Column: "t.dose", Type: FieldJSON},
		{Name: "volume", Column: "t.volume", Type: FieldJSON},
		{Name: "data", Column: "t.data", Type: FieldJSON},
	}
	restWithholdFields = []Field{
		{Name: "id", Column: "w.id", Type: FieldInt},
		{Name: "case", Column: "w.case_id", Type: FieldInt},
		{Name: "prescription", Column: "w.rx_id", Type: FieldText},
		{Name: "farm", Column: "w.mor_id", Type: FieldInt},
		{Name: "animal_id", Column: "w.animal_id", Type: FieldText},
		{Name: "initiated", Column: "w.initiated", Type: FieldTime},
		{Name: "meat_until", Column: "w.meat_until", Type: FieldTime},
		{Name: "milk_until", Column: "w.milk_until", Type: FieldTime},
		{Name: "release_at", Column: "w.release_at", Type: FieldTime},
		{Name: "wt_note", Column: "w.wt_note", Type: FieldText},
		{Name: "note", Column: "w.note", Type: FieldText},
	}
	restSubscriptionFields = []Field{
		{Name: "id", Column: "s.id", Type: FieldText},
		{Name: "name", Column: "s.name", Type: FieldText},
		// "url" is the object's own address in the API; the endpoint the
		// subscription posts to is "endpoint".
		{Name: "endpoint", Column: "s.url", Type: FieldText},
		{Name: "department", Column: "s.department", Type: FieldText},
		{Name: "payload_format", Column: "s.format", Type: FieldText},
		{Name: "active", Column: "s.active", Type: FieldBool},
		{Name: "failing_since", Column: "s.failing_since", Type: FieldTime},
		{Name: "disabled_at", Column: "s.disabled_at", Type: FieldTime},
		{Name: "disabled_reason", Column: "s.disabled_reason", Type: FieldText},
		{Name: "created_at", Column: "s.created_at", Type: FieldTime},
		{Name: "updated_at", Column: "s.updated_at", Type: FieldTime},
	}
)

// The rows a user reads, as rx decides (rx.MayRead, rx.MayReadFarm,
// rx.MayReadUser, rx.MayReadProtocol), in SQL with {u} for the acting
// users as a parenthesised list or subquery: "($n)" for one user
// (RestQuery.ActingUser), the active members of an organisation for an
// organisation (RestQuery.ActingOrganisation, see scopeMembers). Every
// template reads "IN {u}" and is a union over those users, so one text
// serves both. Only SAOR, VOR, MOR and TOR act; the SAOR reads everything.
const (
	scopeActive = "EXISTS (SELECT 1 FROM rx_users su WHERE su.id IN {u} AND su.user_type IN ('SAOR', 'VOR', 'MOR', 'TOR'))"
	scopeSAOR   = "EXISTS (SELECT 1 FROM rx_users su WHERE su.id IN {u} AND su.user_type = 'SAOR')"
	// scopeOwnFarms: the MOR's own farm, a TOR's employers (rx.MayRead).
	scopeOwnFarms = "(SELECT su.id FROM rx_users su WHERE su.id IN {u} AND su.user_type = 'MOR'" +
		" UNION SELECT sr.left_id FROM rx_relations sr WHERE sr.kind = 'EMPLOYEE' AND sr.right_id IN {u})"
	// scopeFarms adds a VOR's clients (rx.MayReadFarm).
	scopeFarms = "(SELECT su.id FROM rx_users su WHERE su.id IN {u} AND su.user_type = 'MOR'" +
		" UNION SELECT sr.left_id FROM rx_relations sr WHERE sr.kind = 'EMPLOYEE' AND sr.right_id IN {u}" +
		" UNION SELECT sr.right_id FROM rx_relations sr WHERE sr.kind = 'CLIENT' AND sr.left_id IN {u})"
	scopeMemberOf = "(SELECT sr.left_id FROM rx_relations sr WHERE sr.kind = 'MEMBER' AND sr.right_id IN {u})"
)

// The organisation an integration's own token acts for, with {o} for its
// ID and {os} for the same ID as decimal text (oauth_registrations keeps
// the organisation as the registration document's provet_id, a string).
const (
	// scopeOrganisation fails closed: an ID that is not a CLINIC or FARM
	// (unknown, a person, a removed organisation) reads nothing.
	scopeOrganisation = "EXISTS (SELECT 1 FROM rx_users so WHERE so.id = {o} AND so.user_type IN ('CLINIC', 'FARM'))"
	// scopeMembers are the organisation's active members, whose rights it
	// holds: the VORs of a CLINIC, the MORs of a FARM (rx.CheckRelation).
	// A removed or pending member has another type and grants nothing.
	scopeMembers = "(SELECT sm.right_id FROM rx_relations sm JOIN rx_users smu ON smu.id = sm.right_id" +
		" WHERE sm.kind = 'MEMBER' AND sm.left_id = {o} AND smu.user_type IN ('VOR', 'MOR'))"
	// scopeNothing is the scope of a collection an organisation does not
	// read at all (the webhook collections are the SAOR's).
	scopeNothing = "1 = 0"
)

// userScopes are the collections' user scopes; the webhook collections and
// the integrations are the SAOR's alone.
var userScopes = map[string]string{
	"organisations": "u.id IN " + scopeMemberOf,
	"departments":   "r.left_id IN " + scopeMemberOf,
	"users":         "(u.id IN {u} OR u.id IN (SELECT sr.right_id FROM rx_relations sr WHERE sr.left_id IN {u} AND sr.kind IN ('CLIENT', 'EMPLOYEE')))",
	"farms":         "u.id IN " + scopeFarms,
	"animals":       "c.mor_id IN " + scopeFarms,
	// A VOR reads the shared protocols; written so that, over several
	// users, a share to one of them counts only if that one is a VOR.
	"protocols": "(x.owner_id IN {u} OR (x.status <> 'DEPRECATED' AND" +
		" ((x.share_all AND EXISTS (SELECT 1 FROM rx_users su WHERE su.id IN {u} AND su.user_type = 'VOR'))" +
		" OR x.id IN (SELECT ss.px_id FROM rx_library_shares ss JOIN rx_users su ON su.id = ss.share_to WHERE ss.share_to IN {u} AND su.user_type = 'VOR'))))",
	"prescriptions": "(p.vor_id IN {u} OR p.mor_id IN " + scopeOwnFarms + ")",
	"cases":         "(c.vor_id IN {u} OR c.mor_id IN " + scopeOwnFarms + ")",
	"tasks":         "(t.vor_id IN {u} OR t.mor_id IN " + scopeFarms + ")",
	"withholds":     "(w.mor_id IN " + scopeFarms + " OR w.rx_id IN (SELECT sp.id FROM rx_prescriptions sp WHERE sp.vor_id IN {u}))",
}

// organisationScopes replace the user scope (taken over the organisation's
// active members) where an organisation reads otherwise: itself, its own
// memberships, besides its members' users itself, and the integrations it
// registered. A collection in neither map is read by no organisation.
var organisationScopes = map[string]string{
	"organisations": "u.id = {o}",
	"departments":   "r.left_id = {o}",
	"users":         "(u.id = {o} OR " + userScopes["users"] + ")",
	"integrations":  "i.id IN (SELECT sg.integration_id FROM oauth_registrations sg WHERE sg.organisation = {os})",
}

// restResources returns the collections with their relations resolved.
// No field is named limit, offset or format, nor starts with expose_:
// those are the API's own query parameters.
func restResources() []RestResource {
	rs := []RestResource{
		{Name: "organisations", From: "rx_users u", Fixed: "u.user_type IN ('CLINIC', 'FARM')", Fields: restUserFields, Key: "id", Order: []string{"id"}},
		{Name: "departments", From: "rx_relations r JOIN rx_users u ON u.id = r.right_id", Fixed: "r.kind = 'MEMBER'", Key: "id", Order: []string{"id", "organisation"},
			Fields: append([]Field{{Name: "organisation", Column: "r.left_id", Type: FieldInt}}, restUserFields...)},
		{Name: "users", From: "rx_users u", Fields: restUserFields, Key: "id", Order: []string{"id"}},
		{Name: "farms", From: "rx_users u", Fixed: "u.user_type = 'MOR'", Fields: restUserFields, Key: "id", Order: []string{"id"}},
		{Name: "animals", From: "rx_cases c", GroupBy: "c.mor_id, c.animal_id", Key: "animal_id", Order: []string{"farm", "animal_id"},
			Fields: []Field{
				{Name: "farm", Column: "c.mor_id", Type: FieldInt},
				{Name: "animal_id", Column: "c.animal_id", Type: FieldText},
				{Name: "species", Column: "MAX(c.species)", Type: FieldText, NoFilter: true},
				{Name: "head", Column: "MAX(c.head)", Type: FieldInt, NoFilter: true},
				{Name: "cases", Column: "COUNT(*)", Type: FieldInt, NoFilter: true},
				{Name: "first_case_at", Column: "MIN(c.initiation)", Type: FieldTime, NoFilter: true},
				{Name: "last_case_at", Column: "MAX(c.initiation)", Type: FieldTime, NoFilter: true},
			}},
		{Name: "protocols", From: "rx_library_protocols x", Key: "id", Order: []string{"id"},
			Fields: []Field{
				{Name: "id", Column: "x.id", Type: FieldInt},
				{Name: "owner", Column: "x.owner_id", Type: FieldInt},
				{Name: "name", Column: "x.name", Type: FieldText},
				{Name: "status", Column: "x.status", Type: FieldText},
				{Name: "share_all", Column: "x.share_all", Type: FieldBool},
				{Name: "created_at", Column: "x.created_at", Type: FieldTime},
				{Name: "edited_at", Column: "x.edited_at", Type: FieldTime},
				{Name: "protocol", Column: "x.protocol", Type: FieldJSON},
			}},
		{Name: "prescriptions", From: "rx_prescriptions p", Fields: restPrescriptionFields, Key: "id", Order: []string{"id"}},
		{Name: "cases", From: "rx_cases c", Fields: restCaseFields, Key: "id", Order: []string{"id"}},
		{Name: "tasks", From: "rx_tasks t", Fields: restTaskFields, Key: "id", Order: []string{"id"}},
		{Name: "withholds", From: "rx_withholds w", Fields: restWithholdFields, Key: "id", Order: []string{"id"}},
		{Name: "webhook_subscriptions", From: "webhook_subscriptions s", Fields: restSubscriptionFields, Key: "id", Order: []string{"id"}},
		{Name: "webhook_deliveries", From: "webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id", Key: "id", Order: []string{"id"},
			Fields: []Field{
				{Name: "id", Column: "d.id", Type: FieldText},
				{Name: "subscription", Column: "d.subscription_id", Type: FieldText},
				{Name: "event_id", Column: "d.event_id", Type: FieldText},
				{Name: "event_type", Column: "d.event_type", Type: FieldText},
				{Name: "resource_id", Column: "e.resource_id", Type: FieldText},
				{Name: "state", Column: "d.state", Type: FieldText},
				{Name: "attempts", Column: "d.attempts", Type: FieldInt, Int32: true},
				{Name: "last_status", Column: "d.last_status", Type: FieldInt, Int32: true},
				{Name: "last_error", Column: "d.last_error", Type: FieldText},
				{Name: "next_attempt_at", Column: "d.next_attempt_at", Type: FieldTime},
				{Name: "occurred_at", Column: "e.occurred_at", Type: FieldTime},
				{Name: "created_at", Column: "d.created_at", Type: FieldTime},
				{Name: "completed_at", Column: "d.completed_at", Type: FieldTime},
			}},
		// The integration catalogue of package oauth (migration 0090).
		{Name: "integrations", From: "oauth_integrations i", Key: "id", Order: []string{"id"},
			Fields: []Field{
				{Name: "id", Column: "i.id", Type: FieldInt},
				{Name: "name", Column: "i.name", Type: FieldText},
				{Name: "description", Column: "i.description", Type: FieldText},
				{Name: "visibility", Column: "i.visibility", Type: FieldText},
				{Name: "visible_to", Column: "i.visible_to", Type: FieldJSON},
				{Name: "grant_type", Column: "i.grant_type", Type: FieldText},
				{Name: "client_type", Column: "i.client_type", Type: FieldText},
				{Name: "redirect_uris", Column: "i.redirect_uris", Type: FieldJSON},
				{Name: "scopes", Column: "i.scopes", Type: FieldJSON},
				{Name: "notify", Column: "i.notify", Type: FieldText},
				{Name: "created_at", Column: "i.created_at", Type: FieldTime},
				{Name: "updated_at", Column: "i.updated_at", Type: FieldTime},
			}},
	}
	rs = append(rs, moreRestResources()...) // lab_results, nahln_reports, admin_changes (store/restapi_more.go)
	// Each link: resource, field holding the related key, related resource.
	links := []struct{ from, field, to string }{
		{"departments", "organisation", "organisations"},
		{"animals", "farm", "farms"},
		{"protocols", "owner", "users"},
		{"prescriptions", "vet", "users"},
		{"prescriptions", "farm", "farms"},
		{"prescriptions", "renewal_of", "prescriptions"},
		{"prescriptions", "requested_by", "users"},
		{"cases", "prescription", "prescriptions"},
		{"cases", "farm", "farms"},
		{"cases", "vet", "users"},
		{"cases", "enrolled_by", "users"},
		{"tasks", "case", "cases"},
		{"tasks", "prescription", "prescriptions"},
		{"tasks", "farm", "farms"},
		{"tasks", "vet", "users"},
		{"tasks", "executor", "users"},
		{"tasks", "done_by", "users"},
		{"withholds", "case", "cases"},
		{"withholds", "prescription", "prescriptions"},
		{"withholds", "farm", "farms"},
		{"webhook_deliveries", "subscription", "webhook_subscriptions"},
	}
	index := map[string]int{}
	for i, r := range rs {
		index[r.Name] = i
	}
	for _, l := range links {
		from, to := &rs[index[l.from]], rs[index[l.to]]
		f, _ := from.Field(l.field)
		key, _ := to.Field(to.Key)
		var fields []Field
		for _, tf := range to.Fields {
			if tf.Filterable() {
				fields = append(fields, tf)
			}
		}
		from.Relations = append(from.Relations, Relation{Name: l.field, Column: f.Column, Resource: to.Name,
			From: to.From, Key: key.Column, Fields: fields, fixed: to.Fixed})
	}
	for i := range rs {
		rs[i].userScope = userScopes[rs[i].Name]
		rs[i].orgScope = cmp.Or(organisationScopes[rs[i].Name], rs[i].userScope, scopeNothing)
	}
	return rs
}

// restCollections are the collections, built once.
var restCollections = restResources()

// RestResources returns every collection of the integration REST API, in
// the order the API lists them. The slice is the caller's own; the fields
// and relations of each collection are shared and must not be modified.
func RestResources() []RestResource { return slices.Clone(restCollections) }

// RestResourceNamed returns the collection of that name.
func RestResourceNamed(name string) (RestResource, bool) {
	for _, r := range restCollections {
		if r.Name == name {
			return r, true
		}
	}
	return RestResource{}, false
}

// RestQuery is a page of a collection: its filters (see
// [CompileFilters]) and the window, Limit records from Offset.
type RestQuery struct {
	Filters       []FilterParam
	Limit, Offset int
	// ActingUser, when not zero, limits the records to those this vetlink
	// user may read by rx's rules: a farm's own cases and those of its
	// employer for a TOR, a VOR's prescriptions and its clients' farms,
	// and so on (the SAOR reads all; a user who may not act reads none).
	// Zero (with ActingOrganisation zero) reads the whole collection.
	ActingUser int64
	// ActingOrganisation, when not zero and ActingUser is zero, limits the
	// records to those of the organisation (a CLINIC or FARM user) that
	// added an integration: what its active members (the VORs of a clinic,
	// the MORs of a farm; not removed or pending ones) may read by rx's
	// rules, taken together. Besides, it reads itself among the
	// organisations and the users, its own memberships among the
	// departments, and the integrations it registered; no webhook
	// collection. An ID that is not a CLINIC or FARM reads nothing.
	ActingOrganisation int64
}

// Record is one object of a collection, by field name: int64, string,
// bool, time.Time (UTC), json.RawMessage, or nil for SQL NULL.
type Record map[string]any

// RestPage is one page of a collection and the number of records all its
// pages hold.
type RestPage struct {
	Records []Record
	Total   int
}

// RestStore reads the collections of the integration REST API.
type RestStore struct{ db *DB }

// RestAPI returns the store of the integration REST API.
func (db *DB) RestAPI() *RestStore { return &RestStore{db: db} }

// RestSQL is the SQL a list runs: the page's query, the query that counts
// every match, and the arguments both take. It is exported for the
// benchmark and the query-plan tests, which show what each filter became.
type RestSQL struct {
	Query, Count string
	Args         []any
}

// MaxRestLimit bounds the records of one page.
const MaxRestLimit = 500

// SQL compiles q for resource into the statements [RestStore.List] runs.
// It fails with [ErrNoResource] or a [*FilterError].
func (s *RestStore) SQL(resource string, q RestQuery) (RestSQL, error) {
	r, ok := RestResourceNamed(resource)
	if !ok {
		return RestSQL{}, fmt.Errorf("%w: %q", ErrNoResource, resource)
	}
	if q.Limit <= 0 || q.Limit > MaxRestLimit {
		return RestSQL{}, fmt.Errorf("store: limit %d: must be between 1 and %d", q.Limit, MaxRestLimit)
	}
	if q.Offset < 0 {
		return RestSQL{}, fmt.Errorf("store: offset %d: must not be negative", q.Offset)
	}
	w, err := CompileFilters(s.db.engine, r.Fields, r.Relations, q.Filters, 1)
	if err != nil {
		return RestSQL{}, err
	}
	var conds []string
	if r.Fixed != "" {
		conds = append(conds, r.Fixed)
	}
	if w.SQL != "" {
		conds = append(conds, w.SQL)
	}
	mark := "$" + strconv.Itoa(len(w.Args)+1)
	switch {
	case q.ActingUser != 0:
		scope := scopeActive + " AND (" + scopeSAOR
		if r.userScope != "" {
			scope += " OR " + r.userScope
		}
		conds = append(conds, strings.ReplaceAll(scope+")", "{u}", "("+mark+")"))
		w.Args = append(w.Args, q.ActingUser)
	case q.ActingOrganisation != 0:
		scope := scopeOrganisation + " AND " + r.orgScope
		scope = strings.ReplaceAll(scope, "{u}", scopeMembers)
		scope = strings.ReplaceAll(scope, "{o}", mark)
		w.Args = append(w.Args, q.ActingOrganisation)
		if strings.Contains(scope, "{os}") {
			scope = strings.ReplaceAll(scope, "{os}", "$"+strconv.Itoa(len(w.Args)+1))
			w.Args = append(w.Args, strconv.FormatInt(q.ActingOrganisation, 10))
		}
		conds = append(conds, scope)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	cols := make([]string, len(r.Fields))
	alias := map[string]string{}
	for i, f := range r.Fields {
		cols[i] = f.Column
		alias[f.Name] = "f" + strconv.Itoa(i)
	}
	group := ""
	if r.GroupBy != "" {
		group = " GROUP BY " + r.GroupBy
	}
	n := len(w.Args)
	window := " LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
	order := make([]string, len(r.Order))
	for i, name := range r.Order {
		f, _ := r.Field(name)
		order[i] = f.Column
	}
	out := RestSQL{
		Query: "SELECT " + strings.Join(cols, ", ") + " FROM " + r.From + where + group + " ORDER BY " + strings.Join(order, ", ") + window,
		Count: "SELECT COUNT(*) FROM " + r.From + where,
		Args:  w.Args,
	}
	if (w.SQL != "" || q.ActingUser != 0 || q.ActingOrganisation != 0) && s.db.engine == PostgreSQL && r.GroupBy == "" {
		// PostgreSQL answers "ORDER BY id LIMIT 25" with a filter by
		// walking the key's index and testing each row, betting that
		// matches are spread evenly; the rows an integrator filters for
		// (today's open tasks, withholds not yet released) are the newest,
		// at the end of that walk (measured: 50,004 rows read, 49 ms, for
		// 25 open tasks of a 10,000-animal farm). OFFSET 0 fences the
		// subquery, so the filter is answered from its own index first and
		// the page costs what the count costs: the matches, not the table.
		// A grouped collection (animals) is not fenced: its groups stream
		// in index order, and the fence would group them all first.
		for i, c := range cols {
			cols[i] = c + " AS f" + strconv.Itoa(i)
		}
		for i, name := range r.Order {
			order[i] = alias[name]
		}
		out.Query = "SELECT * FROM (SELECT " + strings.Join(cols, ", ") + " FROM " + r.From + where + group + " OFFSET 0) AS page ORDER BY " +
			strings.Join(order, ", ") + window
	}
	if r.GroupBy != "" {
		out.Count = "SELECT COUNT(*) FROM (SELECT 1 AS one FROM " + r.From + where + group + ") g"
	}
	return out, nil
}

// List returns a page of resource's records matching q's filters, in key
// order, and how many match in all. It fails with [ErrNoResource] or a
// [*FilterError] (a client's mistake), or with the database's error.
func (s *RestStore) List(ctx context.Context, resource string, q RestQuery) (RestPage, error) {
	stmt, err := s.SQL(resource, q)
	if err != nil {
		return RestPage{}, err
	}
	r, _ := RestResourceNamed(resource)
	var page RestPage
	if err := s.db.q(ctx).QueryRowContext(ctx, stmt.Count, stmt.Args...).Scan(&page.Total); err != nil {
		return RestPage{}, fmt.Errorf("store: count %s: %w", resource, err)
	}
	args := append(append([]any(nil), stmt.Args...), int64(q.Limit), int64(q.Offset))
	rows, err := s.db.q(ctx).QueryContext(ctx, stmt.Query, args...)
	if err != nil {
		return RestPage{}, fmt.Errorf("store: list %s: %w", resource, err)
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := scanRecord(rows, r.Fields)
		if err != nil {
			return RestPage{}, fmt.Errorf("store: list %s: %w", resource, err)
		}
		page.Records = append(page.Records, rec)
	}
	if err := rows.Err(); err != nil {
		return RestPage{}, fmt.Errorf("store: list %s: %w", resource, err)
	}
	return page, nil
}

func scanRecord(rows *sql.Rows, fields []Field) (Record, error) {
	dest := make([]any, len(fields))
	for i, f := range fields {
		switch f.Type {
		case FieldInt, FieldTime:
			dest[i] = new(sql.NullInt64)
		case FieldBool:
			dest[i] = new(sql.NullBool)
		default:
			dest[i] = new(sql.NullString)
		}
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	rec := make(Record, len(fields))
	for i, f := range fields {
		var v any
		switch d := dest[i].(type) {
		case *sql.NullInt64:
			if d.Valid {
				v = d.Int64
				if f.Type == FieldTime {
					v = fromMicros(d.Int64)
				}
			}
		case *sql.NullBool:
			if d.Valid {
				v = d.Bool
			}
		case *sql.NullString:
			if d.Valid {
				v = d.String
				if f.Type == FieldJSON {
					if !json.Valid([]byte(d.String)) {
						return nil, fmt.Errorf("field %s holds invalid JSON", f.Name)
					}
					v = json.RawMessage(d.String)
				}
			}
		}
		rec[f.Name] = v
	}
	return rec, nil
}
