package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestRestUserScope checks that a user-acting query reads what rx lets
// that user read: the farm, its employee and its veterinarian see the
// farm's cases; another veterinarian, a removed user and a pending one
// see none; the SAOR sees all; users see themselves and whom they relate to.
func TestRestUserScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		h := smallHerd(t, db)
		ctx := context.Background()
		rs := db.Rx()
		mk := func(uname string, typ rx.UserType) rx.UserID { return scopeUser(t, rs, uname, typ) }
		tor, otherVet, admin := mk("tor01", rx.TOR), mk("othervet01", rx.VOR), mk("admin01", rx.SAOR)
		removed, pending := mk("gone01", rx.Removed), mk("pending01", rx.UnMOR)
		if err := rs.AddRelation(ctx, rx.Relation{Kind: rx.Employee, Left: h.MOR, Right: tor}); err != nil {
			t.Fatal(err)
		}
		// A removed user keeps the relations it had, and reads nothing.
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO rx_relations (kind, left_id, right_id) VALUES ('EMPLOYEE', $1, $2)`, int64(h.MOR), int64(removed)); err != nil {
			t.Fatal(err)
		}
		s := db.RestAPI()
		tests := []struct {
			name       string
			user       rx.UserID
			collection string
			want       int
		}{
			{"the farm's cases", h.MOR, "cases", 44},
			{"the employee's", tor, "cases", 44},
			{"the prescriber's", h.VOR, "cases", 44},
			{"the SAOR's", admin, "cases", 44},
			{"another vet's", otherVet, "cases", 0},
			{"a pending user's", pending, "cases", 0},
			{"a removed user's", removed, "withholds", 0},
			{"the vet's client's withholds", h.VOR, "withholds", 44},
			{"another vet's withholds", otherVet, "withholds", 0},
			{"the employee's tasks", tor, "tasks", 220},
			{"the farm as the farm", h.MOR, "farms", 1},
			{"the farm as its vet", h.VOR, "farms", 1},
			{"no farm for another vet", otherVet, "farms", 0},
			{"animals of the employer", tor, "animals", 20},
			{"the farm reads itself and its employees", h.MOR, "users", 3},
			{"the vet reads itself and its client", h.VOR, "users", 2},
			{"the employee reads itself", tor, "users", 1},
			{"the SAOR reads every user", admin, "users", 7},
			{"prescriptions of the prescriber", h.VOR, "prescriptions", 1},
			{"no prescription of another vet", otherVet, "prescriptions", 0},
			{"subscriptions are the SAOR's", h.MOR, "webhook_subscriptions", 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := s.List(ctx, tc.collection, store.RestQuery{Limit: 500, ActingUser: int64(tc.user)})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != tc.want || len(page.Records) != tc.want {
					t.Errorf("total %d, %d records; want %d", page.Total, len(page.Records), tc.want)
				}
				// And with a filter, which fences the page on PostgreSQL.
				page, err = s.List(ctx, tc.collection, store.RestQuery{Limit: 500, ActingUser: int64(tc.user),
					Filters: []store.FilterParam{{Param: "farm.id__is_null", Value: "false"}}})
				if err == nil && page.Total > tc.want {
					t.Errorf("filtered: total %d, want at most %d", page.Total, tc.want)
				}
			})
		}
	})
}

// TestRestOrganisationScope checks what an integration's own token reads
// for the organisation that added it: what its active members may read,
// itself, its own memberships and the integrations it registered.
//
// The seeded herd's vet is a member of clinic A (and of clinic E), its
// farm of FARM organisation F; clinic B's vet has a practice of its own
// (another farm, two cases); clinic G's members are a removed vet and a
// pending one, each with a practice.
func TestRestOrganisationScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		h := smallHerd(t, db)
		ctx := context.Background()
		rs := db.Rx()
		mk := func(uname string, typ rx.UserType) rx.UserID { return scopeUser(t, rs, uname, typ) }
		relate := func(kind rx.RelationKind, left, right rx.UserID) {
			if err := rs.AddRelation(ctx, rx.Relation{Kind: kind, Left: left, Right: right}); err != nil {
				t.Fatal(err)
			}
		}
		clinicA, clinicE, farmF := mk("clinic-a", rx.CLINIC), mk("clinic-e", rx.CLINIC), mk("farm-org-f", rx.FARM)
		clinicB, clinicG := mk("clinic-b", rx.CLINIC), mk("clinic-g", rx.CLINIC)
		relate(rx.Member, clinicA, h.VOR)
		relate(rx.Member, clinicE, h.VOR)
		relate(rx.Member, farmF, h.MOR)
		relate(rx.Employee, h.MOR, mk("tor-f01", rx.TOR))
		vetB, farmB := practice(t, db, h, "vet-b01", 1)
		relate(rx.Member, clinicB, vetB)
		goneVet, _ := practice(t, db, h, "vet-gone", 2)
		pendingVet, _ := practice(t, db, h, "vet-pending", 3)
		relate(rx.Member, clinicG, goneVet)
		relate(rx.Member, clinicG, pendingVet)
		for typ, id := range map[rx.UserType]rx.UserID{rx.Removed: goneVet, rx.UnVOR: pendingVet} {
			if _, err := db.SQL().ExecContext(ctx, `UPDATE rx_users SET user_type = $1 WHERE id = $2`, string(typ), int64(id)); err != nil {
				t.Fatal(err)
			}
		}
		registerIntegration(t, db, "Herd Analytics", clinicA)
		registerIntegration(t, db, "Clinic B Sync", clinicB)

		s := db.RestAPI()
		tests := []struct {
			name       string
			org        rx.UserID
			collection string
			want       int
			// Every record's field holds value, when field is set.
			field string
			value any
		}{
			{"clinic A: its vet's prescriptions", clinicA, "prescriptions", 1, "vet", int64(h.VOR)},
			{"clinic A: its vet's cases", clinicA, "cases", 44, "vet", int64(h.VOR)},
			{"clinic A: its vet's tasks", clinicA, "tasks", 220, "vet", int64(h.VOR)},
			{"clinic A: its vet's withholds", clinicA, "withholds", 44, "farm", int64(h.MOR)},
			{"clinic A: its vet's client farm", clinicA, "farms", 1, "id", int64(h.MOR)},
			{"clinic A: the animals of its vet's client", clinicA, "animals", 20, "farm", int64(h.MOR)},
			{"clinic A: itself, its vet and the vet's client", clinicA, "users", 3, "", nil},
			{"clinic A: itself only, not clinic E its vet is also in", clinicA, "organisations", 1, "id", int64(clinicA)},
			{"clinic A: its own membership", clinicA, "departments", 1, "organisation", int64(clinicA)},
			{"clinic A: the integration it registered", clinicA, "integrations", 1, "name", "Herd Analytics"},
			{"clinic A: no subscription", clinicA, "webhook_subscriptions", 0, "", nil},
			{"clinic A: no delivery", clinicA, "webhook_deliveries", 0, "", nil},
			{"clinic B: its own vet's cases, not clinic A's", clinicB, "cases", 2, "vet", int64(vetB)},
			{"clinic B: its own vet's tasks", clinicB, "tasks", 10, "vet", int64(vetB)},
			{"clinic B: its own vet's withholds", clinicB, "withholds", 2, "farm", int64(farmB)},
			{"clinic B: its own vet's client farm", clinicB, "farms", 1, "id", int64(farmB)},
			{"clinic B: its own vet's prescription", clinicB, "prescriptions", 1, "vet", int64(vetB)},
			{"clinic B: the integration it registered", clinicB, "integrations", 1, "name", "Clinic B Sync"},
			{"farm F: its manager's farm", farmF, "farms", 1, "id", int64(h.MOR)},
			{"farm F: its manager's cases", farmF, "cases", 44, "farm", int64(h.MOR)},
			{"farm F: its manager's animals", farmF, "animals", 20, "farm", int64(h.MOR)},
			{"farm F: its manager's prescription", farmF, "prescriptions", 1, "farm", int64(h.MOR)},
			{"farm F: itself, its manager and the manager's employee", farmF, "users", 3, "", nil},
			{"farm F: no integration", farmF, "integrations", 0, "", nil},
			{"removed and pending members grant no case", clinicG, "cases", 0, "", nil},
			{"removed and pending members grant no farm", clinicG, "farms", 0, "", nil},
			{"removed and pending members grant no withhold", clinicG, "withholds", 0, "", nil},
			{"removed and pending members grant no user but itself", clinicG, "users", 1, "id", int64(clinicG)},
			{"a clinic without active members lists its memberships", clinicG, "departments", 2, "organisation", int64(clinicG)},
			{"a vet is no organisation: no case", h.VOR, "cases", 0, "", nil},
			{"a vet is no organisation: no user", h.VOR, "users", 0, "", nil},
			{"a vet is no organisation: no organisation", h.VOR, "organisations", 0, "", nil},
			{"an unknown organisation: no case", 999_999, "cases", 0, "", nil},
			{"an unknown organisation: no integration", 999_999, "integrations", 0, "", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				for _, filters := range [][]store.FilterParam{nil, {{Param: "id__is_null", Value: "false"}}} {
					if tc.collection == "animals" && filters != nil {
						filters = []store.FilterParam{{Param: "animal_id__is_null", Value: "false"}}
					}
					// With a filter, the page is fenced on PostgreSQL.
					page, err := s.List(ctx, tc.collection, store.RestQuery{Limit: 500, ActingOrganisation: int64(tc.org), Filters: filters})
					if err != nil {
						t.Fatal(err)
					}
					if page.Total != tc.want || len(page.Records) != tc.want {
						t.Errorf("filters %v: total %d, %d records; want %d", filters, page.Total, len(page.Records), tc.want)
					}
					for _, rec := range page.Records {
						if tc.field != "" && rec[tc.field] != tc.value {
							t.Errorf("filters %v: record %v: %s is %v, want %v", filters, rec, tc.field, rec[tc.field], tc.value)
						}
					}
				}
			})
		}
	})
}

// practice seeds another veterinarian's practice beside the herd h: a VOR
// named vet, a client farm, a prescription of the vet to it, and copies of
// the herd's first two cases (10 tasks, 2 withholds) under that
// prescription, their IDs offset by n million. It returns the vet and the
// farm.
func practice(t *testing.T, db *store.DB, h *storetest.Herd, vet string, n int64) (rx.UserID, rx.UserID) {
	t.Helper()
	ctx := context.Background()
	rs := db.Rx()
	v := rx.User{Uname: vet, Type: rx.VOR, Firstname: "Other", Lastname: "Vet"}
	m := rx.User{Uname: vet + "-farm", Type: rx.MOR, Firstname: "Other", Lastname: "Farm"}
	for _, u := range []*rx.User{&v, &m} {
		if err := rs.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs.AddRelation(ctx, rx.Relation{Kind: rx.Client, Left: v.ID, Right: m.ID}); err != nil {
		t.Fatal(err)
	}
	p := rx.Prescription{ID: rx.NewID(), Protocol: rxtest.Flunixin(), VOR: v.ID, MOR: m.ID, Refills: 10,
		Created: h.Now.AddDate(-1, 0, 0), Status: rx.Initiated}
	if err := rs.CreatePrescription(ctx, &p); err != nil {
		t.Fatal(err)
	}
	off := n * 1_000_000
	for _, q := range []string{
		`INSERT INTO rx_cases (id, rx_id, animal_id, initiation, note, mor_id, vor_id, case_data, species, head, enrolled_by, created_at)
		SELECT id + $1, $2, animal_id, initiation, note, $3, $4, case_data, species, head, $3, created_at
		FROM rx_cases WHERE id <= 2`,
		`INSERT INTO rx_tasks (id, case_id, rx_id, mor_id, vor_id, animal_id, kind, do_at, executor, status, product, route,
			dose, volume, treatment, seq, rule, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note)
		SELECT id + $1, case_id + $1, $2, $3, $4, animal_id, kind, do_at, executor, status, product, route,
			dose, volume, treatment, seq, rule, promise, prom_id, promise_name, promise_kind, data, done_at, done_by, recorded_at, note
		FROM rx_tasks WHERE case_id <= 2`,
		`INSERT INTO rx_withholds (id, case_id, rx_id, mor_id, animal_id, initiated, meat_until, milk_until, release_at, wt_note, note, meat_cause, milk_cause)
		SELECT id + $1, case_id + $1, $2, $3, animal_id, initiated, meat_until, milk_until, release_at, wt_note, note, meat_cause, milk_cause
		FROM rx_withholds WHERE case_id <= 2`,
	} {
		args := []any{off, p.ID, int64(m.ID), int64(v.ID)}
		if strings.Contains(q, "rx_withholds") {
			args = args[:3]
		}
		if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	return v.ID, m.ID
}

// registerIntegration defines an integration of the catalogue named name
// and registers it for organisation org, as the catalogue does: a group,
// a virtual user and a client of the organisation.
func registerIntegration(t *testing.T, db *store.DB, name string, org rx.UserID) {
	t.Helper()
	ctx := context.Background()
	oa := db.OAuth()
	orgID := strconv.FormatInt(int64(org), 10)
	in := storage.Integration{Name: name, Description: "Reads cases", Visibility: storage.VisibleToAll,
		GrantType: storage.ClientCredentials, ClientType: storage.Confidential, Scopes: []string{"cases.read"},
		Notify: storage.NotifyByEmail, Email: "partners@example.com"}
	if err := oa.CreateIntegration(ctx, &in); err != nil {
		t.Fatal(err)
	}
	g := storage.Group{Name: "Integration " + name, Permissions: []string{"cases.read"}}
	if err := oa.CreateGroup(ctx, &g); err != nil {
		t.Fatal(err)
	}
	vu := storage.VirtualUser{Name: "Integration " + name, Organisation: orgID, Group: g.ID, Created: time.Now()}
	if err := oa.CreateVirtualUser(ctx, &vu); err != nil {
		t.Fatal(err)
	}
	c := storage.Client{ID: "client-" + orgID + "-" + strconv.FormatInt(in.ID, 10), Name: name, Type: storage.Confidential,
		GrantTypes: []storage.GrantType{storage.ClientCredentials}, Scopes: []string{"cases.read"},
		Organisation: orgID, VirtualUser: vu.ID, Created: time.Now()}
	if err := oa.CreateClient(ctx, &c); err != nil {
		t.Fatal(err)
	}
	reg := storage.Registration{Integration: in.ID, Organisation: orgID, Country: "US", ClientID: c.ID, VirtualUser: vu.ID, Created: time.Now()}
	if err := oa.CreateRegistration(ctx, &reg); err != nil {
		t.Fatal(err)
	}
}

// scopeUser creates the account uname of type typ for a scope test.
func scopeUser(t *testing.T, rs rx.Store, uname string, typ rx.UserType) rx.UserID {
	t.Helper()
	u := rx.User{Uname: uname, Type: typ, Firstname: "F", Lastname: "L", Email: uname + "@example.com"}
	if err := rs.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}
