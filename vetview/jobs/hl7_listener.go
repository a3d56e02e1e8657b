package jobs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/mllp"
	"github.com/vetlink/vetlink/vetview"
)

// MLLPListenerSettings configure a job of kind "hl7-mllp-listener".
type MLLPListenerSettings struct {
	// Addr is the TCP address to listen on, e.g. ":2575".
	Addr string `json:"addr"`
	// Source names the messages this listener stores; "" means the job's
	// name.
	Source string `json:"source,omitempty"`
	// WindowMinutes is how long one run listens before it stops accepting
	// connections, answers what it has and returns. Schedule the job every
	// minute: between two runs the port is closed for at most the
	// scheduler's poll interval, and MLLP senders retry until acknowledged.
	// When the server running it dies, another assigned server takes the
	// next run, so the listener fails over.
	WindowMinutes int `json:"windowMinutes"`
	// ReadTimeoutSeconds closes connections idle for longer.
	ReadTimeoutSeconds int `json:"readTimeoutSeconds"`
	// MaxFrameBytes bounds one message; 0 means the mllp default.
	MaxFrameBytes int `json:"maxFrameBytes,omitempty"`
	// Lenient accepts LF and CR LF segment terminators.
	Lenient bool `json:"lenient,omitempty"`
	// CertFile and KeyFile switch on TLS; ClientCAFile also requires
	// client certificates signed by that CA (mutual TLS).
	CertFile     string `json:"certFile,omitempty"`
	KeyFile      string `json:"keyFile,omitempty"`
	ClientCAFile string `json:"clientCAFile,omitempty"`
}

// Validate implements the settings check vetview runs on configuration.
func (s MLLPListenerSettings) Validate() error {
	switch {
	case s.Addr == "":
		return errors.New("addr must be set")
	case s.WindowMinutes < 1:
		return errors.New("windowMinutes must be at least 1")
	case s.ReadTimeoutSeconds < 0 || s.MaxFrameBytes < 0:
		return errors.New("readTimeoutSeconds and maxFrameBytes must not be negative")
	case (s.CertFile == "") != (s.KeyFile == ""):
		return errors.New("set certFile and keyFile together")
	case s.ClientCAFile != "" && s.CertFile == "":
		return errors.New("clientCAFile needs certFile and keyFile")
	}
	return nil
}

// MLLPListenerOptions are the collaborators of the listener kind.
type MLLPListenerOptions struct {
	// Logger receives connection events (never message content); nil
	// means none.
	Logger *slog.Logger
	// Listen opens the listener; nil means net.Listen.
	Listen func(network, addr string) (net.Listener, error)
	// Now is the clock stamped on stored messages; nil means time.Now.
	Now func() time.Time
	// Observer is told of every message answered, with the listener
	// named by its Source; nil means none.
	Observer mllp.Observer
}

// MLLPListenerKind is the job kind "hl7-mllp-listener": an MLLP server
// that stores every message lab instruments send in st and acknowledges
// it. A message is acknowledged with AA (CA in enhanced mode) only once it
// is stored, and with AE (CE) when storing fails, so the sender sends it
// again; a retransmission of a stored message is acknowledged and not
// stored twice.
func MLLPListenerKind(st HL7Store, opts MLLPListenerOptions) vetview.Kind[MLLPListenerSettings] {
	return vetview.Kind[MLLPListenerSettings]{
		Name:        "hl7-mllp-listener",
		Title:       "Receive lab instrument results (HL7 over MLLP)",
		Description: "Listens for HL7 v2 messages over MLLP, stores each one and acknowledges it.",
		Defaults:    MLLPListenerSettings{Addr: ":2575", WindowMinutes: 10, ReadTimeoutSeconds: 300},
		Run: func(ctx context.Context, run vetview.RunInfo, s MLLPListenerSettings) error {
			return runListener(ctx, st, opts, run, s)
		},
		// A listener listens until its window ends: when its server stops
		// it closes at once and another server listens in its place.
		StopWithServer: true,
	}
}

func runListener(ctx context.Context, st HL7Store, opts MLLPListenerOptions, run vetview.RunInfo, s MLLPListenerSettings) error {
	source := s.Source
	if source == "" {
		source = run.Job.Name
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	tlsConfig, err := s.tlsConfig()
	if err != nil {
		return err
	}
	listen := opts.Listen
	if listen == nil {
		listen = net.Listen
	}
	l, err := listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("jobs: hl7-mllp-listener: %w", err)
	}
	srv := &mllp.Server{
		Handler:      storeInbound(st, source, now),
		TLSConfig:    tlsConfig,
		ReadTimeout:  time.Duration(s.ReadTimeoutSeconds) * time.Second,
		WriteTimeout: 30 * time.Second,
		MaxFrameSize: s.MaxFrameBytes,
		ParseOptions: hl7.ParseOptions{Lenient: s.Lenient},
		Logger:       opts.Logger,
		Name:         source,
		Observer:     opts.Observer,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	window := time.NewTimer(time.Duration(s.WindowMinutes) * time.Minute)
	defer window.Stop()
	select {
	case err := <-served:
		return fmt.Errorf("jobs: hl7-mllp-listener on %s: %w", s.Addr, err)
	case <-window.C:
	case <-ctx.Done():
	}
	// Stop accepting; give messages being handled a moment to be stored
	// and acknowledged.
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, mllp.ErrServerClosed) {
		return fmt.Errorf("jobs: hl7-mllp-listener on %s: %w", s.Addr, err)
	}
	return nil
}

// storeInbound is the MLLP handler: store, then acknowledge.
func storeInbound(st HL7Store, source string, now func() time.Time) mllp.HandlerFunc {
	return func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
		h := m.Header()
		in := InboundMessage{
			ID:                 uuid.New(),
			Source:             source,
			SendingApplication: h.SendingApplication.NamespaceID,
			SendingFacility:    h.SendingFacility.NamespaceID,
			ControlID:          h.ControlID,
			MessageType:        h.MessageType + "^" + h.TriggerEvent,
			ReceivedAt:         now().UTC(),
			Data:               append([]byte(nil), m.Bytes()...),
		}
		if p, ok := mllp.PeerFromContext(ctx); ok && p.RemoteAddr != nil {
			in.RemoteAddr = p.RemoteAddr.String()
		}
		if _, err := st.SaveInbound(ctx, in); err != nil {
			return nil, err // AE: the sender keeps the message and retries
		}
		return nil, nil
	}
}

func (s MLLPListenerSettings) tlsConfig() (*tls.Config, error) {
	if s.CertFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("jobs: hl7-mllp-listener: %w", err)
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if s.ClientCAFile != "" {
		pem, err := os.ReadFile(s.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("jobs: hl7-mllp-listener: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("jobs: hl7-mllp-listener: no certificate in %s", s.ClientCAFile)
		}
		c.ClientCAs, c.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return c, nil
}
