package store_test

import (
	"context"
	"testing"

	"github.com/vetlink/vetlink/rx"
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
		mk := func(uname string, typ rx.UserType) rx.UserID {
			u := rx.User{Uname: uname, Type: typ, Firstname: "F", Lastname: "L", Email: uname + "@example.com"}
			if err := rs.CreateUser(ctx, &u); err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
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
