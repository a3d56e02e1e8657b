package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrUnknownType is returned when a polymorphic VCPR object carries a
// "_type" discriminator this package does not know, or none at all.
var ErrUnknownType = errors.New("protocol: unknown _type")

// peekType reads the "_type" member of a JSON object.
func peekType(data []byte) (string, error) {
	var probe struct {
		Type *string `json:"_type"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return "", err
	}
	if probe.Type == nil {
		return "", fmt.Errorf("%w: missing _type", ErrUnknownType)
	}
	return *probe.Type, nil
}

// marshalTyped encodes v (a struct without a _type member) and inserts
// "_type":typ as the first member.
func marshalTyped(typ string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, len(body)+len(typ)+12)
	b = append(b, `{"_type":`...)
	b = appendJSONString(b, typ)
	if len(body) > 2 {
		b = append(b, ',')
	}
	return append(b, body[1:]...), nil
}

func isNull(data []byte) bool {
	return len(bytes.TrimSpace(data)) == 0 || string(bytes.TrimSpace(data)) == "null"
}
