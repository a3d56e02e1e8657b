package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/store"
)

func caseResource(t *testing.T) store.RestResource {
	t.Helper()
	r, ok := store.RestResourceNamed("cases")
	if !ok {
		t.Fatal("no cases resource")
	}
	return r
}

func TestCompileFilters(t *testing.T) {
	r := caseResource(t)
	march := time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC).UnixMicro()
	tests := []struct {
		name   string
		engine store.Engine
		params []store.FilterParam
		sql    string
		args   []any
	}{
		{"no filter", store.SQLite, nil, "", nil},
		{"bare field is eq", store.SQLite, []store.FilterParam{{"animal_id", "A00042"}}, "c.animal_id = $1", []any{"A00042"}},
		{"is", store.SQLite, []store.FilterParam{{"farm__is", "7"}}, "c.mor_id = $1", []any{int64(7)}},
		{"neq keeps NULL", store.SQLite, []store.FilterParam{{"note__not_eq", "x"}}, "(c.note <> $1 OR c.note IS NULL)", []any{"x"}},
		{"is_not", store.SQLite, []store.FilterParam{{"head__is_not", "1"}}, "(c.head <> $1 OR c.head IS NULL)", []any{int64(1)}},
		{"lt lte gt gte", store.PostgreSQL, []store.FilterParam{{"id__lt", "10"}, {"id__lte", "9"}, {"id__gt", "1"}, {"id__gte", "2"}},
			"c.id < $1 AND c.id <= $2 AND c.id > $3 AND c.id >= $4", []any{int64(10), int64(9), int64(1), int64(2)}},
		{"time with offset", store.SQLite, []store.FilterParam{{"initiation__gte", "2026-03-01 06:00+01:00"}}, "c.initiation >= $1", []any{march}},
		{"time whose + became a space", store.SQLite, []store.FilterParam{{"initiation__gte", "2026-03-01 06:00 01:00"}}, "c.initiation >= $1", []any{march}},
		{"range", store.SQLite, []store.FilterParam{{"id__range", "3,5"}}, "c.id BETWEEN $1 AND $2", []any{int64(3), int64(5)}},
		{"not_in_range", store.SQLite, []store.FilterParam{{"id__not_in_range", "3,5"}}, "(c.id NOT BETWEEN $1 AND $2 OR c.id IS NULL)", []any{int64(3), int64(5)}},
		{"in", store.SQLite, []store.FilterParam{{"animal_id__in", "A1,A2,A3"}}, "c.animal_id IN ($1, $2, $3)", []any{"A1", "A2", "A3"}},
		{"not_in", store.SQLite, []store.FilterParam{{"animal_id__not_in", "A1"}}, "(c.animal_id NOT IN ($1) OR c.animal_id IS NULL)", []any{"A1"}},
		{"contains on SQLite", store.SQLite, []store.FilterParam{{"note__contains", "50%"}}, "instr(c.note, $1) > 0", []any{"50%"}},
		{"contains on PostgreSQL", store.PostgreSQL, []store.FilterParam{{"note__contains", "50%"}}, "strpos(c.note, $1) > 0", []any{"50%"}},
		{"icontains_not", store.PostgreSQL, []store.FilterParam{{"note__icontains_not", "Lame"}}, "(c.note IS NULL OR NOT strpos(lower(c.note), lower($1)) > 0)", []any{"Lame"}},
		{"contains_not", store.SQLite, []store.FilterParam{{"note__contains_not", "x"}}, "(c.note IS NULL OR NOT instr(c.note, $1) > 0)", []any{"x"}},
		{"icontains", store.SQLite, []store.FilterParam{{"species__icontains", "bov"}}, "instr(lower(c.species), lower($1)) > 0", []any{"bov"}},
		{"is_null", store.SQLite, []store.FilterParam{{"note__is_null", "true"}, {"note__is_null", "false"}}, "c.note IS NULL AND c.note IS NOT NULL", nil},
		{"related field", store.SQLite, []store.FilterParam{{"prescription.status__in", "ACTIVE,INITIATED"}},
			"c.rx_id IN (SELECT p.id FROM rx_prescriptions p WHERE p.status IN ($1, $2))", []any{"ACTIVE", "INITIATED"}},
		{"negated related field", store.SQLite, []store.FilterParam{{"prescription.status__not_in", "RECALLED"}},
			"(c.rx_id IS NULL OR c.rx_id NOT IN (SELECT p.id FROM rx_prescriptions p WHERE p.status IN ($1)))", []any{"RECALLED"}},
		{"related field of a fixed collection", store.SQLite, []store.FilterParam{{"farm.username__icontains", "seed"}},
			"c.mor_id IN (SELECT u.id FROM rx_users u WHERE u.user_type = 'MOR' AND instr(lower(u.uname), lower($1)) > 0)", []any{"seed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := store.CompileFilters(tc.engine, r.Fields, r.Relations, tc.params, 1)
			if err != nil {
				t.Fatal(err)
			}
			if w.SQL != tc.sql {
				t.Errorf("SQL\n got %s\nwant %s", w.SQL, tc.sql)
			}
			if !reflect.DeepEqual(w.Args, tc.args) {
				t.Errorf("args = %#v, want %#v", w.Args, tc.args)
			}
		})
	}
}

func TestCompileFiltersRefuses(t *testing.T) {
	r := caseResource(t)
	tests := []struct {
		param, value, rule string
	}{
		{"colour", "red", `unknown field "colour"`},
		{"id__like", "1", `unknown method "like"`},
		{"id", "one", `"one" is not an integer of 64 bits`},
		{"head", "99999999999", `"99999999999" is not an integer of 32 bits`},
		{"initiation__gt", "yesterday", `"yesterday" is not a time (want YYYY-MM-DD hh:mm+hh:mm`},
		{"id__contains", "1", "method contains does not apply to integer field id"},
		{"case_data", "{}", `unknown field "case_data"`},
		{"id__range", "1", "want 2 comma-separated values, got 1"},
		{"id__range", "1,2,3", "want 2 comma-separated values, got 3"},
		{"id__in", strings.Repeat("1,", 200) + "1", "want 1 to 200 comma-separated values, got 201"},
		{"note__is_null", "maybe", "want true or false"},
		{"note__contains", "", "want a non-empty substring"},
		{"note", "a\x00b", "must be UTF-8 text without NUL"},
		{"note", "\xff", "must be UTF-8 text without NUL"},
		{"herd.size", "1", `unknown related object "herd"`},
		{"prescription.colour", "1", `unknown field "colour" of prescription`},
		{"prescription.protocol", "1", `unknown field "protocol" of prescription`},
	}
	for _, tc := range tests {
		t.Run(tc.param, func(t *testing.T) {
			_, err := store.CompileFilters(store.SQLite, r.Fields, r.Relations, []store.FilterParam{{tc.param, tc.value}}, 1)
			var fe *store.FilterError
			if !errors.As(err, &fe) || !errors.Is(err, store.ErrBadFilter) {
				t.Fatalf("err = %v, want a *FilterError", err)
			}
			if fe.Param != tc.param || !strings.Contains(fe.Rule, tc.rule) {
				t.Errorf("got param %q rule %q, want param %q rule containing %q", fe.Param, fe.Rule, tc.param, tc.rule)
			}
			if !strings.Contains(err.Error(), tc.param) {
				t.Errorf("error %q does not name the parameter %q", err, tc.param)
			}
		})
	}
}

func TestParseFilterTime(t *testing.T) {
	want := time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-03-01 06:00+01:00", "2026-03-01 06:00 01:00", "2026-03-01 05:00Z", "2026-03-01 06:00:00+01:00", "2026-03-01T06:00:00+01:00", "2026-03-01T05:00:00Z"} {
		got, err := store.ParseFilterTime(s)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseFilterTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := store.ParseFilterTime("2026-03-01"); err != nil || !got.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("bare date = %v, %v", got, err)
	}
	for _, s := range []string{"", "01/03/2026", "2026-03-01 25:00+01:00", "2026-13-01"} {
		if _, err := store.ParseFilterTime(s); err == nil {
			t.Errorf("ParseFilterTime(%q) accepted", s)
		}
	}
}

// FuzzCompileFilters checks that no parameter or value makes the compiler
// panic or return another error than a *FilterError, and that no value
// reaches the SQL text: apart from the constant conditions of the
// collections, the SQL holds no quote, semicolon or comment, whatever the
// value held.
func FuzzCompileFilters(f *testing.F) {
	for _, s := range [][2]string{{"animal_id", "A1"}, {"note__contains", "'; DROP TABLE rx_cases; --"}, {"initiation__range", "2026-01-01,2026-02-01 00:00+01:00"},
		{"prescription.status__in", "A',B"}, {"id__is_null", "true"}, {"x__y__z", ""}, {"farm.username__icontains", "/* x */"}} {
		f.Add(s[0], s[1])
	}
	r, _ := store.RestResourceNamed("cases")
	constants := strings.NewReplacer("'MOR'", "", "'CLINIC'", "", "'FARM'", "", "'MEMBER'", "")
	f.Fuzz(func(t *testing.T, param, value string) {
		for _, e := range []store.Engine{store.SQLite, store.PostgreSQL} {
			w, err := store.CompileFilters(e, r.Fields, r.Relations, []store.FilterParam{{param, value}}, 1)
			if err != nil {
				var fe *store.FilterError
				if !errors.As(err, &fe) || fe.Param != param {
					t.Fatalf("error %v is not a *FilterError naming %q", err, param)
				}
				continue
			}
			rest := constants.Replace(w.SQL)
			for _, bad := range []string{"'", ";", "--", "/*", `"`} {
				if strings.Contains(rest, bad) {
					t.Fatalf("%s=%q compiled to SQL holding %s: %s", param, value, bad, w.SQL)
				}
			}
		}
	})
}
