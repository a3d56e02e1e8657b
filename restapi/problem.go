package restapi

import (
	"encoding/json"
	"net/http"
)

// Problem is an RFC 9457 problem document in the shape of the rest of
// vetlink's API (errorType beside type; see openapi.Problem), with the
// rejected parameter in Errors for a 400.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	ErrorType string         `json:"errorType"`
	Errors    []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem names a rejected query parameter: the parameter as written,
// its value, and the rule it broke.
type FieldProblem struct {
	Field string `json:"field"`
	Value string `json:"value,omitempty"`
	Rule  string `json:"rule"`
}

func problem(status int, errorType, detail string) Problem {
	return Problem{
		Type:      "https://vetlink.dev/problems/" + errorType,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		ErrorType: errorType,
	}
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
}
