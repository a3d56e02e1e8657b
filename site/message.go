package site

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// MessageMode is a channel a message is sent by (VCPR MessageMode).
type MessageMode string

// EMail is the only mode the VCPR defines, and the default.
const EMail MessageMode = "EMAIL"

// SimpleMessageType is the "_type" of a VCPR SimpleMessage.
const SimpleMessageType = "models.SimpleMessage"

// Message is a message from one user to another (the VCPR UserMessage of
// type SimpleMessage). Message and Detail are HTML. A RenewRequest, the
// other UserMessage, is rx's (rx.Service.RequestRenewal).
type Message struct {
	From    rx.UserID `json:"from"`
	To      rx.UserID `json:"to"`
	Subject string    `json:"subject"`
	Message string    `json:"message"`
	Detail  string    `json:"detail,omitempty"`
}

type messageJSON struct {
	Type string `json:"_type"`
	messageFields
}

type messageFields Message

// MarshalJSON writes a VCPR SimpleMessage, "_type" included.
func (m Message) MarshalJSON() ([]byte, error) {
	return json.Marshal(messageJSON{Type: SimpleMessageType, messageFields: messageFields(m)})
}

// UnmarshalJSON reads a VCPR SimpleMessage. A "_type" other than
// models.SimpleMessage (a RenewRequest) fails with rx.ErrInvalid.
func (m *Message) UnmarshalJSON(b []byte) error {
	var w messageJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.Type != "" && w.Type != SimpleMessageType {
		return invalid("_type "+quote(w.Type), "want "+SimpleMessageType)
	}
	*m = Message(w.messageFields)
	return nil
}

// Validate checks the recipient, the subject (1 to MaxField bytes) and the
// message (1 to MaxHTML bytes; the detail too).
func (m Message) Validate() error {
	if m.To <= 0 {
		return invalid("to", "must name a user")
	}
	if err := nonEmpty("subject", m.Subject); err != nil {
		return err
	}
	if err := maxLen("subject", m.Subject, MaxField); err != nil {
		return err
	}
	if err := nonEmpty("message", m.Message); err != nil {
		return err
	}
	if err := maxLen("message", m.Message, MaxHTML); err != nil {
		return err
	}
	return maxLen("detail", m.Detail, MaxHTML)
}

// SentMessage is a message as stored: when it was sent and, when it asked
// a yes/no question, the token's expiry and the answer.
type SentMessage struct {
	ID      int64     `json:"id"`
	Message Message   `json:"message"`
	Sent    time.Time `json:"sent"`
	// Ask is set when the message asks a yes/no question answered through
	// its token (Service.Answer).
	Ask     bool      `json:"ask,omitempty"`
	Expires time.Time `json:"expires,omitzero"`
	// Answer is the recipient's answer, nil until answered.
	Answer   *bool     `json:"answer,omitempty"`
	Answered time.Time `json:"answered,omitzero"`
	// TokenHash is the SHA-256 of the message's token (HashToken), empty
	// when it asks nothing. The token itself is never stored.
	TokenHash string `json:"-"`
}

// EmailToken confirms that a user receives mail at an address
// (/api/users/token/{token}).
type EmailToken struct {
	UserID  rx.UserID
	Email   string
	Created time.Time
	Expires time.Time
	// Used is when the token was confirmed; zero until then.
	Used time.Time
	// Hash is the SHA-256 of the token (HashToken).
	Hash string
}

// tokenBytes is the randomness of a token: 256 bits.
const tokenBytes = 32

// NewToken returns a random token of 256 bits from crypto/rand, as 43
// URL-safe characters, and its hash as stored (HashToken).
func NewToken() (token, hash string) {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the hex SHA-256 of a token: the key it is stored and
// looked up by. A token of 256 random bits needs no salt or slow hash.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CheckToken reports whether s has the form of a token NewToken makes, so
// that a malformed token from a URL fails as rx.ErrInvalid before any
// lookup.
func CheckToken(s string) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != tokenBytes {
		return invalid("token", fmt.Sprintf("must be %d URL-safe base64 characters", base64.RawURLEncoding.EncodedLen(tokenBytes)))
	}
	return nil
}
