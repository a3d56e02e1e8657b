package protocol

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Members that this package does not model (VCPR payloads carry a few, such
// as a protocol's "withholdNote" and "eligibility") are kept in an Extra map
// on Protocol and Treatment and written back after the known members, so
// that decoding and re-encoding a protocol never drops data.

var knownCache sync.Map // reflect.Type → map[string]bool

// knownMembers returns the lower-cased JSON member names of struct type t.
// encoding/json matches member names case-insensitively, so "Product" is
// decoded into the product field and must not also be kept as extra.
func knownMembers(t reflect.Type) map[string]bool {
	if v, ok := knownCache.Load(t); ok {
		return v.(map[string]bool)
	}
	m := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[strings.ToLower(name)] = true
	}
	knownCache.Store(t, m)
	return m
}

// splitExtra returns the members of the JSON object data that are not
// members of wire struct type t, or nil when there are none.
func splitExtra(data []byte, t reflect.Type, alsoKnown ...string) (map[string]json.RawMessage, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, err
	}
	known := knownMembers(t)
	var extra map[string]json.RawMessage
	for k, v := range all {
		if known[strings.ToLower(k)] || slices.Contains(alsoKnown, k) {
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = v
	}
	return extra, nil
}

// appendExtra adds the extra members, in sorted order, to the encoded
// object body.
func appendExtra(body []byte, extra map[string]json.RawMessage) []byte {
	if len(extra) == 0 {
		return body
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := body[:len(body)-1]
	for _, k := range keys {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = append(b, extra[k]...)
	}
	return append(b, '}')
}
