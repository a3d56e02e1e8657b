package protocol

import (
	"encoding/json"
	"fmt"
)

// PromiseKind is the VCPR "_type" of a Promise: what kind of answer
// completes it.
type PromiseKind string

// The Promise kinds of the VCPR API.
const (
	AffirmationPromise PromiseKind = "models.AffirmationPromise"
	BooleanPromise     PromiseKind = "models.BooleanPromise"
	StringPromise      PromiseKind = "models.StringPromise"
	NumberPromise      PromiseKind = "models.NumberPromise"
	MassPromise        PromiseKind = "models.MassPromise"
	CategoryPromise    PromiseKind = "models.CategoryPromise"
)

// Valid reports whether k is one of the VCPR promise kinds.
func (k PromiseKind) Valid() bool {
	switch k {
	case AffirmationPromise, BooleanPromise, StringPromise, NumberPromise, MassPromise, CategoryPromise:
		return true
	}
	return false
}

// Promise is an act that must be done on or after enrolling a case, When
// after initiation: "record the animal's ID", "affirm the extended
// withdrawal". Plan turns each Promise into a PromiseTask due at
// initiation + When.
//
// Query is the question asked; a CategoryPromise asks a choice instead,
// given as Choices (key → label) and written in the "query" member as an
// object.
type Promise struct {
	Kind     PromiseKind       `json:"_type"`
	ID       int64             `json:"id,omitempty"`
	OwnerID  *int64            `json:"ownerId,omitempty"`
	Name     string            `json:"name"`
	Descrip  string            `json:"descrip,omitempty"`
	When     Duration          `json:"when"`
	Query    string            `json:"-"`
	Choices  map[string]string `json:"-"`
	Response json.RawMessage   `json:"response,omitempty"`
}

type promiseWire struct {
	Kind     PromiseKind     `json:"_type"`
	ID       int64           `json:"id,omitempty"`
	OwnerID  *int64          `json:"ownerId,omitempty"`
	Name     string          `json:"name"`
	Descrip  string          `json:"descrip,omitempty"`
	When     Duration        `json:"when"`
	Query    json.RawMessage `json:"query"`
	Response json.RawMessage `json:"response,omitempty"`
}

// MarshalJSON writes the VCPR Promise.
func (p Promise) MarshalJSON() ([]byte, error) {
	w := promiseWire{Kind: p.Kind, ID: p.ID, OwnerID: p.OwnerID, Name: p.Name, Descrip: p.Descrip, When: p.When, Response: p.Response}
	var err error
	if p.Kind == CategoryPromise || p.Choices != nil {
		w.Query, err = json.Marshal(p.Choices)
	} else {
		w.Query, err = json.Marshal(p.Query)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the VCPR Promise; "query" may be a string or, for a
// CategoryPromise, an object of choices.
func (p *Promise) UnmarshalJSON(data []byte) error {
	var w promiseWire
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("promise: %w", err)
	}
	out := Promise{Kind: w.Kind, ID: w.ID, OwnerID: w.OwnerID, Name: w.Name, Descrip: w.Descrip, When: w.When, Response: w.Response}
	if len(w.Query) > 0 && w.Query[0] == '{' {
		if err := json.Unmarshal(w.Query, &out.Choices); err != nil {
			return fmt.Errorf("promise %q query: %w", w.Name, err)
		}
	} else if !isNull(w.Query) {
		if err := json.Unmarshal(w.Query, &out.Query); err != nil {
			return fmt.Errorf("promise %q query: %w", w.Name, err)
		}
	}
	*p = out
	return nil
}
