package vetview

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"
)

// SettingsSchema returns the JSON Schema (draft 2020-12 subset: type,
// properties, required, items, default) of the settings of the named
// kind, derived from the Go type of its settings, so that a form or an API
// client can build valid settings without reading Go code. A member is
// required when its JSON name has no omitempty. It fails with
// [ErrUnknownKind].
func (r *Registry) SettingsSchema(kindName string) (json.RawMessage, error) {
	k, err := r.lookup(kindName)
	if err != nil {
		return nil, err
	}
	v, err := k.decode(k.info.Defaults)
	if err != nil {
		return nil, err
	}
	s := typeSchema(reflect.TypeOf(v), 0)
	var defaults any
	if err := json.Unmarshal(k.info.Defaults, &defaults); err == nil {
		s["default"] = defaults
	}
	s["title"] = k.info.Title
	if k.info.Description != "" {
		s["description"] = k.info.Description
	}
	return json.Marshal(s)
}

// typeSchema describes t as JSON Schema, as encoding/json writes it.
func typeSchema(t reflect.Type, depth int) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if depth > 8 {
		return map[string]any{} // a recursive type: anything
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": typeSchema(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": typeSchema(t.Elem(), depth+1)}
	case reflect.Struct:
		if t.Implements(reflect.TypeFor[json.Marshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Marshaler]()) {
			return map[string]any{} // its own encoding: not described
		}
		props := map[string]any{}
		required := []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" && opts == "" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = typeSchema(f.Type, depth+1)
			if !strings.Contains(","+opts+",", ",omitempty,") && !strings.Contains(","+opts+",", ",omitzero,") {
				required = append(required, name)
			}
		}
		// The decoder refuses unknown members (DisallowUnknownFields).
		return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	}
	return map[string]any{}
}

// SettingsSchema returns the JSON Schema of the settings of the named
// kind ([Registry.SettingsSchema]).
func (s *Service) SettingsSchema(kindName string) (json.RawMessage, error) {
	return s.kinds.SettingsSchema(kindName)
}

// Kind returns the registered kind of that name, or [ErrUnknownKind].
func (s *Service) Kind(name string) (KindInfo, error) {
	k, err := s.kinds.lookup(name)
	if err != nil {
		return KindInfo{}, err
	}
	return k.info, nil
}

// History returns the newest limit runs of job id, newest first; the store
// keeps Config.History finished runs per job. It fails with
// [ErrJobNotFound].
func (s *Service) History(ctx context.Context, id uuid.UUID, limit int) ([]Run, error) {
	if _, err := s.store.Job(ctx, id); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, invalid("limit", fmt.Sprint(limit), "must be positive")
	}
	return s.store.Runs(ctx, id, limit)
}

// StaleMultiple is how many heartbeat intervals a server may miss before
// this service counts it as stale.
func (s *Service) StaleMultiple() int { return s.cfg.StaleMultiple }
