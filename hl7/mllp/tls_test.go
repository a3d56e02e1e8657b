package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"testing"

	"github.com/vetlink/vetlink/hl7"
)

// Mutual TLS on loopback with certificates made for the test: the server
// requires a client certificate from its CA and the handler sees who sent.
func TestMutualTLS(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	senders := make(chan string, 1)
	addr := serve(t, &Server{
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{pki.server},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pki.pool,
		},
		Handler: func(ctx context.Context, m *hl7.Message) (*hl7.Message, error) {
			p, _ := PeerFromContext(ctx)
			senders <- p.TLS.PeerCertificates[0].Subject.CommonName
			return nil, nil
		},
	})

	t.Run("client certificate accepted", func(t *testing.T) {
		c := &Client{Addr: addr, TLSConfig: &tls.Config{
			RootCAs:      pki.pool,
			Certificates: []tls.Certificate{pki.client},
		}}
		defer c.Close()
		ack, err := c.Send(context.Background(), message(t, "TLS1"))
		if err != nil {
			t.Fatalf("Send() error = %v", err)
		}
		if got := get(t, ack, "MSA-1"); got != "AA" {
			t.Errorf("MSA-1 = %q, want AA", got)
		}
		if got := <-senders; got != "analyzer-7" {
			t.Errorf("handler saw sender %q, want analyzer-7", got)
		}
	})

	t.Run("no client certificate", func(t *testing.T) {
		c := &Client{Addr: addr, MaxAttempts: 1, TLSConfig: &tls.Config{RootCAs: pki.pool}}
		defer c.Close()
		if _, err := c.Send(context.Background(), message(t, "TLS2")); err == nil {
			t.Fatal("Send() without a client certificate succeeded")
		}
	})

	t.Run("server not trusted", func(t *testing.T) {
		c := &Client{Addr: addr, MaxAttempts: 1, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pki.client}}}
		defer c.Close()
		_, err := c.Send(context.Background(), message(t, "TLS3"))
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) {
			t.Fatalf("Send() error = %v, want a certificate verification error", err)
		}
	})

	t.Run("plain TCP sender", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.send(msgText("PLAIN"))
		c.expectClosed()
	})
}
