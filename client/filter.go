package client

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FilterTimeLayout is how a time is written in a filter of the
// integration API ("2026-03-01 06:00+01:00"), with ":05" seconds added
// when the time has them; the server parses both.
const FilterTimeLayout = "2006-01-02 15:04-07:00"

// FilterField is a field of a collection of the integration API
// (/api/0.1/) to filter on, as Filter names it. Its methods are the
// filter methods the server knows; each returns a Condition.
type FilterField struct {
	name string
	err  error
}

// Condition is one filter of a list of the integration API:
// field__method=value, with the value written as the server parses it.
// A Condition built from a bad field or value carries the error, which
// List returns before sending anything: a Condition never becomes an
// invalid query string.
type Condition struct {
	field, method, value string
	err                  error
}

// fieldName is a field, or a related object's field (prescription.status).
var fieldName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$`)

// reserved are the query parameters of a list that are not filters.
var reserved = map[string]bool{"limit": true, "offset": true, "format": true}

// Filter names a field of a collection to filter on: "admitted_time", or
// "prescription.status" for a field of a linked object. A field that is
// not lowercase letters, digits and underscores (with at most one dot),
// contains "__", or is one of the list's own parameters (limit, offset,
// format, expose_…) makes every Condition of it an error. Whether the
// collection has the field, and its type, only the server knows: it
// answers 400 naming the parameter.
func Filter(field string) FilterField {
	switch {
	case !fieldName.MatchString(field) || strings.Contains(field, "__"):
		return FilterField{name: field, err: fmt.Errorf("client: filter field %q: must be lowercase letters, digits and underscores, with no \"__\", optionally related.field", field)}
	case reserved[field] || strings.HasPrefix(field, "expose_"):
		return FilterField{name: field, err: fmt.Errorf("client: filter field %q: is a parameter of the list, not a field", field)}
	}
	return FilterField{name: field}
}

func (f FilterField) cond(method string, values ...any) Condition {
	c := Condition{field: f.name, method: method, err: f.err}
	if c.err != nil {
		return c
	}
	parts := make([]string, len(values))
	for i, v := range values {
		s, err := filterValue(v)
		if err != nil {
			c.err = fmt.Errorf("client: filter %s__%s: %w", f.name, method, err)
			return c
		}
		if len(values) > 1 || method == "in" || method == "not_in" {
			// The list methods split on commas: a value with one cannot
			// be written.
			if strings.Contains(s, ",") {
				c.err = fmt.Errorf("client: filter %s__%s: value %q: contains a comma, which separates the values of %s", f.name, method, s, method)
				return c
			}
		}
		parts[i] = s
	}
	c.value = strings.Join(parts, ",")
	return c
}

// Eq matches objects whose field equals v.
func (f FilterField) Eq(v any) Condition { return f.cond("eq", v) }

// Neq matches objects whose field differs from v, or is null.
func (f FilterField) Neq(v any) Condition { return f.cond("neq", v) }

// Lt matches objects whose field is less than v.
func (f FilterField) Lt(v any) Condition { return f.cond("lt", v) }

// Lte matches objects whose field is at most v.
func (f FilterField) Lte(v any) Condition { return f.cond("lte", v) }

// Gt matches objects whose field is greater than v.
func (f FilterField) Gt(v any) Condition { return f.cond("gt", v) }

// Gte matches objects whose field is at least v.
func (f FilterField) Gte(v any) Condition { return f.cond("gte", v) }

// Range matches objects whose field is within [lo, hi].
func (f FilterField) Range(lo, hi any) Condition { return f.cond("range", lo, hi) }

// NotInRange matches objects whose field is outside [lo, hi], or null.
func (f FilterField) NotInRange(lo, hi any) Condition { return f.cond("not_in_range", lo, hi) }

// Contains matches objects whose text field contains s (case matters).
func (f FilterField) Contains(s string) Condition { return f.cond("contains", s) }

// ContainsNot matches objects whose text field does not contain s.
func (f FilterField) ContainsNot(s string) Condition { return f.cond("contains_not", s) }

// IContains matches objects whose text field contains s, ignoring case.
func (f FilterField) IContains(s string) Condition { return f.cond("icontains", s) }

// IContainsNot matches objects whose text field does not contain s,
// ignoring case.
func (f FilterField) IContainsNot(s string) Condition { return f.cond("icontains_not", s) }

// In matches objects whose field is one of vs (at least one).
func (f FilterField) In(vs ...any) Condition {
	if len(vs) == 0 {
		return Condition{field: f.name, method: "in", err: fmt.Errorf("client: filter %s__in: needs at least one value", f.name)}
	}
	return f.cond("in", vs...)
}

// NotIn matches objects whose field is none of vs (at least one), or null.
func (f FilterField) NotIn(vs ...any) Condition {
	if len(vs) == 0 {
		return Condition{field: f.name, method: "not_in", err: fmt.Errorf("client: filter %s__not_in: needs at least one value", f.name)}
	}
	return f.cond("not_in", vs...)
}

// IsNull matches objects whose field is null (null true) or set (false).
func (f FilterField) IsNull(null bool) Condition { return f.cond("is_null", null) }

// errFilterValue is the rule a value of an unsupported type breaks.
var errFilterValue = errors.New("a filter value is a string, an integer, a bool or a time.Time")

// filterValue writes v as the server parses a filter value.
func filterValue(v any) (string, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "", errors.New("value: must not be empty")
		}
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint32:
		return strconv.FormatUint(uint64(x), 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		if x.IsZero() {
			return "", errors.New("time: must not be the zero time")
		}
		if x.Nanosecond() != 0 {
			return "", fmt.Errorf("time %s: the server reads whole seconds; truncate it first", x.Format(time.RFC3339Nano))
		}
		if x.Second() != 0 {
			return x.Format("2006-01-02 15:04:05-07:00"), nil
		}
		return x.Format(FilterTimeLayout), nil
	case fmt.Stringer:
		return filterValue(x.String())
	}
	return "", fmt.Errorf("%v (%T): %w", v, v, errFilterValue)
}

// Err is the error the condition was built with, nil when it is good.
func (c Condition) Err() error { return c.err }

// String is the condition as a query parameter, escaped
// ("admitted_time__gte=2026-03-01+06%3A00%2B01%3A00"), or "" when it
// carries an error.
func (c Condition) String() string {
	if c.err != nil {
		return ""
	}
	return url.QueryEscape(c.field+"__"+c.method) + "=" + url.QueryEscape(c.value)
}

// Query encodes conditions as a query string, or returns the first error
// one carries. Several conditions on one field and method are all sent
// (the server ANDs them).
func Query(conds ...Condition) (string, error) {
	parts := make([]string, 0, len(conds))
	for _, c := range conds {
		if c.err != nil {
			return "", c.err
		}
		parts = append(parts, c.String())
	}
	return strings.Join(parts, "&"), nil
}
