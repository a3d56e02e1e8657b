package webhook

import (
	"encoding/json"
	"net/url"
	"time"
)

// Content types of the payload formats.
const (
	contentTypeJSON = "application/json"
	contentTypeForm = "application/x-www-form-urlencoded"
)

// envelope is the Standard Webhooks payload structure.
type envelope struct {
	Type      EventType       `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// Payload returns the body and content type of event e, of kind k, in
// format f. It is a pure function of its inputs, so every retry of a
// delivery sends the same bytes.
func Payload(f Format, k EventKind, e Event) (body []byte, contentType string, err error) {
	if f == FormatForm {
		return []byte(url.Values{k.Param: {e.ResourceID}}.Encode()), contentTypeForm, nil
	}
	data := e.Data
	if len(data) == 0 {
		data, err = json.Marshal(map[string]string{k.Param: e.ResourceID})
		if err != nil {
			return nil, "", err
		}
	}
	if f == FormatDocument {
		if !json.Valid(data) {
			return nil, "", &EventError{Field: "data", Value: string(e.Data), Reason: "not valid JSON"}
		}
		return data, contentTypeJSON, nil
	}
	body, err = json.Marshal(envelope{
		Type:      e.Type,
		Timestamp: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		Data:      data,
	})
	if err != nil {
		return nil, "", &EventError{Field: "data", Value: string(e.Data), Reason: "not valid JSON"}
	}
	return body, contentTypeJSON, nil
}
