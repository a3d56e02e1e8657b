package nahln

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

// Sender errors.
var (
	// ErrHTTPStatus is wrapped by *HTTPError: the receiver answered with a
	// status other than 2xx.
	ErrHTTPStatus = errors.New("nahln: HTTP status")
	// ErrBadACK means the answer is not a v2.xml ACK to the message sent.
	ErrBadACK = errors.New("nahln: malformed acknowledgment")
	// ErrConfig means the Sender configuration cannot be used.
	ErrConfig = errors.New("nahln: invalid sender configuration")
)

// HTTPError is a non-2xx answer. Body holds at most the first 512 bytes.
type HTTPError struct {
	StatusCode int
	Body       string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("nahln: HTTP status %d: %s", e.StatusCode, e.Body)
}

// Unwrap returns ErrHTTPStatus.
func (e *HTTPError) Unwrap() error { return ErrHTTPStatus }

// Temporary reports whether sending again later may succeed: 408, 429
// and 5xx answers.
func (e *HTTPError) Temporary() bool {
	return e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Auth is how the Sender authenticates. Any combination may be set; the
// zero value sends no credentials.
type Auth struct {
	// UsernameHeader and PasswordHeader name the request headers that
	// carry Username and Password (the NAHLN receiver takes credentials
	// in headers; the header names are what your on-boarding documents
	// say). Both must be set to send them.
	UsernameHeader, PasswordHeader string
	Username, Password             string
	// BearerToken is sent as "Authorization: Bearer <token>".
	BearerToken string
	// Certificate is a client certificate for mutual TLS. It is used only
	// when Sender.Client is nil; with your own client, configure its TLS.
	Certificate *tls.Certificate
	// RootCAs verifies the receiver's certificate; nil means the system
	// roots.
	RootCAs *x509.CertPool
}

// Default limits of a Sender.
const (
	DefaultTimeout          = 60 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	// DefaultContentType is the Content-Type of a report: what
	// NAHLN-O-MATIC sends (source: vetlink issue 13).
	DefaultContentType = "text/xml"
)

// Sender posts reports to a NAHLN receiver as v2.xml. Its zero value (with
// URL set) works; it must not be copied after first use.
type Sender struct {
	// URL is the receiver's endpoint.
	URL string
	// Auth holds the credentials.
	Auth Auth
	// Client sends the requests; nil means a client with DefaultTimeout
	// and Auth's TLS settings.
	Client *http.Client
	// ContentType of the request; "" means DefaultContentType, "text/xml",
	// the type NAHLN-O-MATIC (NAHLN's reference sender) sends (source:
	// vetlink issue 13).
	ContentType string
	// Namespace makes the document element declare the v2.xml namespace
	// (xmlns="urn:hl7-org:v2xml"). By default it declares none, as
	// NAHLN-O-MATIC builds it; NAHLN validates the schema on receipt
	// (source: vetlink issue 13).
	Namespace bool
	// MaxResponseBytes bounds the answer read; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64

	once   sync.Once
	client *http.Client
}

func (s *Sender) httpClient() *http.Client {
	s.once.Do(func() {
		if s.Client != nil {
			s.client = s.Client
			return
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if s.Auth.Certificate != nil || s.Auth.RootCAs != nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: s.Auth.RootCAs}
			if s.Auth.Certificate != nil {
				tr.TLSClientConfig.Certificates = []tls.Certificate{*s.Auth.Certificate}
			}
		}
		s.client = &http.Client{Timeout: DefaultTimeout, Transport: tr}
	})
	return s.client
}

// Ack is the receiver's acknowledgment of one message.
type Ack struct {
	Code      hl7.AckCode // MSA-1
	ControlID string      // MSA-2, the MSH-10 of the message sent
	Text      string      // MSA-3
	Errors    []AckError  // the ERR segments
	ACK       *hl7.Message
}

// Accepted reports whether the receiver took the report: MSA-1 is AA (or
// CA, a commit accept).
func (r *Ack) Accepted() bool { return r.Code == hl7.AA || r.Code == hl7.CA }

// AckError is one ERR segment of an acknowledgment.
type AckError struct {
	Location string // ERR-2, e.g. "PID^1^35"
	Code     string // ERR-3.1, HL7 table 0357
	Text     string // ERR-3.2, or ERR-8 when given
	Severity string // ERR-4
}

// Send posts m, as v2.xml, and returns the receiver's acknowledgment. An
// answer with MSA-1 other than AA is an Ack, not an error: the receiver
// has seen the report and said why it refused it (Ack.Errors). Errors
// are for the cases where it is unknown whether the report was taken:
// transport failures, *HTTPError (non-2xx), ErrBadACK (an answer that is
// not an ACK for m's MSH-10).
func (s *Sender) Send(ctx context.Context, m *hl7.Message) (*Ack, error) {
	if s.URL == "" {
		return nil, fmt.Errorf("%w: URL is empty", ErrConfig)
	}
	if (s.Auth.UsernameHeader == "") != (s.Auth.PasswordHeader == "") {
		return nil, fmt.Errorf("%w: set both UsernameHeader and PasswordHeader, or neither", ErrConfig)
	}
	body, err := s.Encode(m)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	ct := s.ContentType
	if ct == "" {
		ct = DefaultContentType
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/xml, text/xml")
	if a := s.Auth; a.UsernameHeader != "" {
		req.Header.Set(a.UsernameHeader, a.Username)
		req.Header.Set(a.PasswordHeader, a.Password)
	}
	if s.Auth.BearerToken != "" {
		req.Header.Set("Authorization", "Bearer "+s.Auth.BearerToken)
	}
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	limit := s.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &HTTPError{StatusCode: resp.StatusCode, Body: strings.ToValidUTF8(string(answer[:min(len(answer), 512)]), "?")}
	}
	if int64(len(answer)) > limit {
		return nil, fmt.Errorf("%w: answer longer than %d bytes", ErrBadACK, limit)
	}
	controlID, _ := m.Get("MSH-10")
	return ParseACK(answer, controlID)
}

// Encode returns the v2.xml document Send posts for m: without a namespace
// declaration unless s.Namespace is set.
func (s *Sender) Encode(m *hl7.Message) ([]byte, error) {
	return v2xml.EncodeOptions{OmitNamespace: !s.Namespace}.Marshal(m)
}

// ParseACK reads a v2.xml acknowledgment. When controlID is not empty,
// MSA-2 must equal it.
func ParseACK(doc []byte, controlID string) (*Ack, error) {
	ack, err := v2xml.DecodeOptions{MaxBytes: DefaultMaxResponseBytes}.Unmarshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadACK, err)
	}
	get := func(p string) string { v, _ := ack.Get(p); return v }
	if _, ok := ack.FindSegment("MSA", 1); !ok {
		return nil, fmt.Errorf("%w: no MSA segment", ErrBadACK)
	}
	r := &Ack{Code: hl7.AckCode(get("MSA-1")), ControlID: get("MSA-2"), Text: get("MSA-3"), ACK: ack}
	if !r.Code.Valid() {
		return nil, fmt.Errorf("%w: MSA-1 %q is not an acknowledgment code", ErrBadACK, r.Code)
	}
	if controlID != "" && r.ControlID != controlID {
		return nil, fmt.Errorf("%w: MSA-2 %q does not answer message %q", ErrBadACK, r.ControlID, controlID)
	}
	for i := range ack.SegmentsNamed("ERR") {
		p := fmt.Sprintf("ERR[%d]-", i+1)
		e := AckError{
			Location: rawComponents(ack, p+"2"),
			Code:     get(p + "3.1"),
			Text:     get(p + "8"),
			Severity: get(p + "4"),
		}
		if e.Text == "" {
			e.Text = get(p + "3.2")
		}
		r.Errors = append(r.Errors, e)
	}
	return r, nil
}

// rawComponents returns the components of the first repetition of a
// field joined by "^", e.g. "PID^1^35" for an ERL.
func rawComponents(m *hl7.Message, path string) string {
	v, err := m.Value(path)
	if err != nil || !v.Present() {
		return ""
	}
	rep := v.Rep(1)
	parts := make([]string, rep.Components())
	for i := range parts {
		parts[i] = rep.Component(i + 1).String()
	}
	return strings.Join(parts, "^")
}
