package store

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrBadFilter reports a filter parameter of the REST API that names no
// field, no method, or carries a value of the wrong type. Every such error
// is a [*FilterError] naming the parameter; test with errors.Is.
var ErrBadFilter = errors.New("store: bad filter")

// FilterError is a rejected filter parameter: the parameter as the client
// wrote it (Param, e.g. "created_at__gte"), its Value, and the Rule it
// broke. It unwraps to [ErrBadFilter].
type FilterError struct {
	Param, Value, Rule string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("store: filter %s=%q: %s", e.Param, e.Value, e.Rule)
}

// Unwrap makes errors.Is(err, ErrBadFilter) true.
func (e *FilterError) Unwrap() error { return ErrBadFilter }

// FieldType is the type of a filterable field: it decides how a filter's
// value is parsed and which methods apply.
type FieldType uint8

// The field types. Time fields are stored as microseconds since the Unix
// epoch (see time.go) and are written in filters as "YYYY-MM-DD hh:mm+hh:mm"
// (see [ParseFilterTime]).
const (
	FieldText FieldType = iota + 1
	FieldInt
	FieldTime
	FieldBool
	// FieldJSON is returned but never filtered on.
	FieldJSON
)

// String names the type as the API documents it.
func (t FieldType) String() string {
	switch t {
	case FieldText:
		return "string"
	case FieldInt:
		return "integer"
	case FieldTime:
		return "datetime"
	case FieldBool:
		return "boolean"
	case FieldJSON:
		return "object"
	}
	return "FieldType(" + strconv.Itoa(int(t)) + ")"
}

// Field is one column a filter may name. Column is an SQL expression written
// in this package, never taken from a request; the client's values only ever
// reach the database as parameters.
type Field struct {
	Name   string
	Column string
	Type   FieldType
	// NoFilter marks a field that is returned but cannot be filtered on
	// (an aggregate, or a JSON document).
	NoFilter bool
	// Int32 marks an integer column of 32 bits (INTEGER on PostgreSQL):
	// a value outside its range is refused rather than sent.
	Int32 bool
}

// Filterable reports whether filters may name f.
func (f Field) Filterable() bool { return !f.NoFilter && f.Type != FieldJSON }

// FilterMethod is the part of a filter parameter after "__".
type FilterMethod string

// The filter methods. A parameter without "__" means [MethodEq]; "is" is
// a synonym of eq and "is_not" and "not_eq" of neq.
const (
	MethodEq           FilterMethod = "eq"
	MethodNeq          FilterMethod = "neq"
	MethodLt           FilterMethod = "lt"
	MethodLte          FilterMethod = "lte"
	MethodGt           FilterMethod = "gt"
	MethodGte          FilterMethod = "gte"
	MethodRange        FilterMethod = "range"
	MethodNotInRange   FilterMethod = "not_in_range"
	MethodContains     FilterMethod = "contains"
	MethodContainsNot  FilterMethod = "contains_not"
	MethodIContains    FilterMethod = "icontains"
	MethodIContainsNot FilterMethod = "icontains_not"
	MethodIn           FilterMethod = "in"
	MethodNotIn        FilterMethod = "not_in"
	MethodIsNull       FilterMethod = "is_null"
)

// methodAliases maps every spelling a client may use to its method.
var methodAliases = map[string]FilterMethod{
	"is": MethodEq, "eq": MethodEq,
	"is_not": MethodNeq, "not_eq": MethodNeq, "neq": MethodNeq,
	"lt": MethodLt, "lte": MethodLte, "gt": MethodGt, "gte": MethodGte,
	"range": MethodRange, "not_in_range": MethodNotInRange,
	"contains": MethodContains, "contains_not": MethodContainsNot,
	"icontains": MethodIContains, "icontains_not": MethodIContainsNot,
	"in": MethodIn, "not_in": MethodNotIn,
	"is_null": MethodIsNull,
}

// FilterMethodNames lists every method spelling a filter accepts, sorted.
func FilterMethodNames() []string {
	names := make([]string, 0, len(methodAliases))
	for n := range methodAliases {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Methods returns the method spellings that apply to fields of type t:
// the contains family to text only, the order comparisons and ranges to
// text, integers and times, equality, in and is_null to all.
func (t FieldType) Methods() []string {
	var out []string
	for _, n := range FilterMethodNames() {
		if methodApplies(methodAliases[n], t) {
			out = append(out, n)
		}
	}
	return out
}

func methodApplies(m FilterMethod, t FieldType) bool {
	switch m {
	case MethodContains, MethodContainsNot, MethodIContains, MethodIContainsNot:
		return t == FieldText
	case MethodLt, MethodLte, MethodGt, MethodGte, MethodRange, MethodNotInRange:
		return t == FieldText || t == FieldInt || t == FieldTime
	case MethodIn, MethodNotIn:
		return t != FieldBool && t != FieldJSON
	}
	return t != FieldJSON
}

// Relation lets a filter reach a field of a related object:
// "prescription.status__eq=ACTIVE" on cases compiles to
// "c.rx_id IN (SELECT p.id FROM rx_prescriptions p WHERE p.status = $1)".
// Column is the local column holding the related object's key, From and
// Key the related table (with its alias) and key, Fields its fields.
type Relation struct {
	Name     string
	Column   string
	Resource string
	From     string
	Key      string
	Fields   []Field
	// fixed is the related collection's constant condition, if any.
	fixed string
}

// negations maps each negated method to the positive one it negates.
var negations = map[FilterMethod]FilterMethod{
	MethodNeq: MethodEq, MethodNotIn: MethodIn, MethodNotInRange: MethodRange,
	MethodContainsNot: MethodContains, MethodIContainsNot: MethodIContains,
}

// FilterParam is one query parameter given to a list: "status__in" and
// "REQUIRED,EXECUTED".
type FilterParam struct {
	Param, Value string
}

// Where is compiled SQL: a condition (empty for none) and its arguments,
// numbered from the first placeholder given to [CompileFilters].
type Where struct {
	SQL  string
	Args []any
}

// maxInValues bounds the values of one in, not_in or range list.
const maxInValues = 200

// CompileFilters compiles params against fields and relations into one
// condition joined by AND, with its values as arguments numbered from $first.
// The SQL text holds only column expressions written in this package and
// placeholders: no byte of a parameter's value is ever part of it.
//
// A parameter is "field", "field__method", "relation.field" or
// "relation.field__method". It fails with a [*FilterError] naming the
// parameter when the field or method is unknown, when the method does not
// apply to the field's type, or when the value does not parse as that type.
func CompileFilters(e Engine, fields []Field, relations []Relation, params []FilterParam, first int) (Where, error) {
	c := compiler{engine: e, next: first}
	var conds []string
	for _, p := range params {
		cond, err := c.param(fields, relations, p)
		if err != nil {
			return Where{}, err
		}
		conds = append(conds, cond)
	}
	return Where{SQL: strings.Join(conds, " AND "), Args: c.args}, nil
}

type compiler struct {
	engine Engine
	next   int
	args   []any
}

func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	s := "$" + strconv.Itoa(c.next)
	c.next++
	return s
}

func (c *compiler) param(fields []Field, relations []Relation, p FilterParam) (string, error) {
	bad := func(rule string) error { return &FilterError{Param: p.Param, Value: p.Value, Rule: rule} }
	// PostgreSQL text holds neither NUL nor invalid UTF-8: refuse them
	// here as the client's mistake rather than fail in the database.
	if !utf8.ValidString(p.Value) || strings.ContainsRune(p.Value, 0) {
		return "", bad("must be UTF-8 text without NUL")
	}
	name, mname, hasMethod := strings.Cut(p.Param, "__")
	method := MethodEq
	if hasMethod {
		m, ok := methodAliases[mname]
		if !ok {
			return "", bad(fmt.Sprintf("unknown method %q (want one of %s)", mname, strings.Join(FilterMethodNames(), ", ")))
		}
		method = m
	}
	relName, prop, dotted := strings.Cut(name, ".")
	if !dotted {
		f, ok := findField(fields, name)
		if !ok {
			return "", bad(fmt.Sprintf("unknown field %q (want one of %s)", name, strings.Join(filterableNames(fields, relations), ", ")))
		}
		return c.condition(f, method, p)
	}
	var rel *Relation
	for i := range relations {
		if relations[i].Name == relName {
			rel = &relations[i]
		}
	}
	if rel == nil {
		return "", bad(fmt.Sprintf("unknown related object %q", relName))
	}
	f, ok := findField(rel.Fields, prop)
	if !ok {
		return "", bad(fmt.Sprintf("unknown field %q of %s (want one of %s)", prop, relName, strings.Join(filterableNames(rel.Fields, nil), ", ")))
	}
	// A negated method through a relation means "no related object
	// matches the positive one", so that, as for a field of the object
	// itself, the objects with no related object are among the results.
	positive, negated := negations[method]
	if negated {
		method = positive
	}
	cond, err := c.condition(f, method, p)
	if err != nil {
		return "", err
	}
	if rel.fixed != "" {
		cond = rel.fixed + " AND " + cond
	}
	sub := "(SELECT " + rel.Key + " FROM " + rel.From + " WHERE " + cond + ")"
	if negated {
		return "(" + rel.Column + " IS NULL OR " + rel.Column + " NOT IN " + sub + ")", nil
	}
	return rel.Column + " IN " + sub, nil
}

func findField(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name && f.Filterable() {
			return f, true
		}
	}
	return Field{}, false
}

// filterableNames lists what a parameter may name, for error messages.
func filterableNames(fields []Field, relations []Relation) []string {
	var out []string
	for _, f := range fields {
		if f.Filterable() {
			out = append(out, f.Name)
		}
	}
	for _, r := range relations {
		out = append(out, r.Name+".<field>")
	}
	return out
}

func (c *compiler) condition(f Field, m FilterMethod, p FilterParam) (string, error) {
	bad := func(rule string) error { return &FilterError{Param: p.Param, Value: p.Value, Rule: rule} }
	if !methodApplies(m, f.Type) {
		return "", bad(fmt.Sprintf("method %s does not apply to %s field %s (want one of %s)", m, f.Type, f.Name, strings.Join(f.Type.Methods(), ", ")))
	}
	col := f.Column
	one := func() (string, error) {
		v, err := parseFilterValue(f, p.Value)
		if err != nil {
			return "", bad(err.Error())
		}
		return c.arg(v), nil
	}
	list := func(min, max int) ([]string, error) {
		parts := strings.Split(p.Value, ",")
		if len(parts) < min || len(parts) > max {
			if min == max {
				return nil, bad(fmt.Sprintf("want %d comma-separated values, got %d", min, len(parts)))
			}
			return nil, bad(fmt.Sprintf("want %d to %d comma-separated values, got %d", min, max, len(parts)))
		}
		marks := make([]string, len(parts))
		for i, s := range parts {
			v, err := parseFilterValue(f, s)
			if err != nil {
				return nil, bad(err.Error())
			}
			marks[i] = c.arg(v)
		}
		return marks, nil
	}
	switch m {
	case MethodEq, MethodNeq, MethodLt, MethodLte, MethodGt, MethodGte:
		mark, err := one()
		if err != nil {
			return "", err
		}
		op := map[FilterMethod]string{MethodEq: "=", MethodNeq: "<>", MethodLt: "<", MethodLte: "<=", MethodGt: ">", MethodGte: ">="}[m]
		if m == MethodNeq {
			// NULL is not equal to any value: a client asking for "not X"
			// wants the rows without a value too.
			return "(" + col + " <> " + mark + " OR " + col + " IS NULL)", nil
		}
		return col + " " + op + " " + mark, nil
	case MethodRange, MethodNotInRange:
		marks, err := list(2, 2)
		if err != nil {
			return "", err
		}
		if m == MethodRange {
			return col + " BETWEEN " + marks[0] + " AND " + marks[1], nil
		}
		return "(" + col + " NOT BETWEEN " + marks[0] + " AND " + marks[1] + " OR " + col + " IS NULL)", nil
	case MethodIn, MethodNotIn:
		marks, err := list(1, maxInValues)
		if err != nil {
			return "", err
		}
		in := col + " IN (" + strings.Join(marks, ", ") + ")"
		if m == MethodIn {
			return in, nil
		}
		return "(" + col + " NOT " + in[len(col)+1:] + " OR " + col + " IS NULL)", nil
	case MethodContains, MethodContainsNot, MethodIContains, MethodIContainsNot:
		if p.Value == "" {
			return "", bad("want a non-empty substring")
		}
		mark := c.arg(p.Value)
		// A substring search by position, not LIKE: a client's % and _
		// are plain characters, and SQLite's LIKE would ignore case.
		find := "strpos"
		if c.engine == SQLite {
			find = "instr"
		}
		expr := find + "(" + col + ", " + mark + ") > 0"
		if m == MethodIContains || m == MethodIContainsNot {
			expr = find + "(lower(" + col + "), lower(" + mark + ")) > 0"
		}
		if m == MethodContains || m == MethodIContains {
			return expr, nil
		}
		return "(" + col + " IS NULL OR NOT " + expr + ")", nil
	case MethodIsNull:
		isNull, err := strconv.ParseBool(p.Value)
		if err != nil {
			return "", bad("want true or false")
		}
		if isNull {
			return col + " IS NULL", nil
		}
		return col + " IS NOT NULL", nil
	}
	return "", bad(fmt.Sprintf("unknown method %q", m))
}

// parseFilterValue parses s as a value of f's type, as the database keeps it.
func parseFilterValue(f Field, s string) (any, error) {
	switch f.Type {
	case FieldInt:
		bits := 64
		if f.Int32 {
			bits = 32
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer of %d bits", s, bits)
		}
		return n, nil
	case FieldBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", s)
		}
		return b, nil
	case FieldTime:
		tm, err := ParseFilterTime(s)
		if err != nil {
			return nil, err
		}
		return micros(tm), nil
	}
	return s, nil
}

// filterTimeLayouts are the forms a time filter takes: the API's own
// "YYYY-MM-DD hh:mm+hh:mm", with seconds, RFC 3339, and a bare date
// (midnight UTC).
var filterTimeLayouts = []string{
	"2006-01-02 15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	time.RFC3339Nano,
	"2006-01-02",
}

// ParseFilterTime parses a time written in a filter: "2026-03-01 06:00+01:00"
// (also with seconds, "Z" for UTC, or in RFC 3339), or a bare date
// "2026-03-01" meaning its midnight in UTC. A query string turns an
// unescaped "+" into a space, so "2026-03-01 06:00 01:00" is read as
// "+01:00".
func ParseFilterTime(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	// "2026-03-01 06:00 01:00": the + of the offset arrived as a space.
	if i := strings.LastIndexByte(v, ' '); i > 10 && i+6 == len(v) && v[i+3] == ':' {
		v = v[:i] + "+" + v[i+1:]
	}
	for _, layout := range filterTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want YYYY-MM-DD hh:mm+hh:mm, e.g. 2026-03-01 06:00+01:00)", s)
}
