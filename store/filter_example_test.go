package store_test

import (
	"errors"
	"fmt"

	"github.com/vetlink/vetlink/store"
)

// ExampleCompileFilters compiles the filters of a list of cases: the value
// of each is an argument, never part of the SQL, and a filter on a field
// cases do not have is a *FilterError naming the parameter.
func ExampleCompileFilters() {
	cases, _ := store.RestResourceNamed("cases")
	w, err := store.CompileFilters(store.PostgreSQL, cases.Fields, cases.Relations, []store.FilterParam{
		{Param: "animal_id__in", Value: "A00041,A00042"},
		{Param: "initiation__gte", Value: "2026-03-01 06:00+01:00"},
		{Param: "prescription.status", Value: "ACTIVE"},
		{Param: "note__icontains", Value: "'; DROP TABLE rx_cases; --"},
	}, 1)
	fmt.Println(w.SQL)
	fmt.Println(w.Args...)

	_, err = store.CompileFilters(store.SQLite, cases.Fields, cases.Relations, []store.FilterParam{{Param: "head__gt", Value: "many"}}, 1)
	var fe *store.FilterError
	fmt.Println(errors.As(err, &fe), fe.Param, fe.Rule)
	// Output:
	// c.animal_id IN ($1, $2) AND c.initiation >= $3 AND c.rx_id IN (SELECT p.id FROM rx_prescriptions p WHERE p.status = $4) AND strpos(lower(c.note), lower($5)) > 0
	// A00041 A00042 1772341200000000 ACTIVE '; DROP TABLE rx_cases; --
	// true head__gt "many" is not an integer of 32 bits
}
