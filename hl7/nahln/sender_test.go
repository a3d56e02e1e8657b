package nahln_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/nahln"
	"github.com/vetlink/vetlink/hl7/v2xml"
)

// receiver is a loopback NAHLN receiver: it checks the credentials,
// decodes the v2.xml it is sent, checks it against the profile and answers
// with an XML ACK built from the problems.
type receiver struct {
	t        *testing.T
	check    func(r *http.Request) bool // credentials
	status   int                        // answer this status instead, when set
	body     string                     // answer this body instead, when set
	received []*hl7.Message
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc.check != nil && !rc.check(r) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if rc.status != 0 {
		http.Error(w, "receiver unavailable", rc.status)
		return
	}
	data, err := io.ReadAll(r.Body)
	require.NoError(rc.t, err)
	require.Equal(rc.t, nahln.DefaultContentType, r.Header.Get("Content-Type"))
	m, err := v2xml.Unmarshal(data)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.received = append(rc.received, m)
	if rc.body != "" {
		_, _ = io.WriteString(w, rc.body)
		return
	}
	ack, err := hl7.NewACKFromProblems(m, nahln.ResultBase.Check(m), hl7.ACKOptions{ControlID: "NAHLN-ACK-1", Time: time.Date(2026, 11, 21, 20, 30, 5, 0, time.UTC)})
	require.NoError(rc.t, err)
	x, err := v2xml.Marshal(ack)
	require.NoError(rc.t, err)
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(x)
}

func build(t *testing.T, edit func(*nahln.Report)) *hl7.Message {
	t.Helper()
	r := sampleReport()
	if edit != nil {
		edit(&r)
	}
	m, err := nahln.Build(r)
	require.NoError(t, err)
	return m
}

func TestSendAccepted(t *testing.T) {
	rc := &receiver{t: t, check: func(r *http.Request) bool {
		return r.Header.Get("username") == "wvdl" && r.Header.Get("password") == "s3cret"
	}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := &nahln.Sender{URL: srv.URL, Auth: nahln.Auth{UsernameHeader: "username", PasswordHeader: "password", Username: "wvdl", Password: "s3cret"}}

	ack, err := s.Send(context.Background(), build(t, nil))
	require.NoError(t, err)
	require.True(t, ack.Accepted())
	require.Equal(t, hl7.AA, ack.Code)
	require.Equal(t, "WVDL-20261121-0007", ack.ControlID)
	require.Empty(t, ack.Errors)
	require.Len(t, rc.received, 1)
	species, _ := rc.received[0].Get("PID-35.1")
	require.Equal(t, "9913008", species)
}

func TestSendRejectedWithErrors(t *testing.T) {
	srv := httptest.NewServer(&receiver{t: t})
	defer srv.Close()
	s := &nahln.Sender{URL: srv.URL}
	m := build(t, func(r *nahln.Report) {
		r.Animal.Species = nahln.Code{Code: "BOV", System: "L"}
		r.Accession = nahln.Identifier{}
	})
	ack, err := s.Send(context.Background(), m)
	require.NoError(t, err)
	require.False(t, ack.Accepted())
	require.Equal(t, hl7.AE, ack.Code)
	require.Equal(t, []nahln.AckError{
		{Location: "PV1^1^19^^1", Code: "101", Text: "required by the NAHLN profile", Severity: "E"},
		{Location: "PID^1^35^^3", Code: "103", Text: `coding system is "L", must be SCT`, Severity: "E"},
	}, ack.Errors)
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name  string
		rc    *receiver
		auth  nahln.Auth
		check func(t *testing.T, err error)
	}{
		{"unavailable", &receiver{status: http.StatusServiceUnavailable}, nahln.Auth{}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, nahln.ErrHTTPStatus)
			var he *nahln.HTTPError
			require.ErrorAs(t, err, &he)
			require.Equal(t, 503, he.StatusCode)
			require.True(t, he.Temporary())
		}},
		{"wrong credentials", &receiver{check: func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer right" }},
			nahln.Auth{BearerToken: "wrong"}, func(t *testing.T, err error) {
				var he *nahln.HTTPError
				require.ErrorAs(t, err, &he)
				require.Equal(t, 401, he.StatusCode)
				require.False(t, he.Temporary())
			}},
		{"answer is not XML", &receiver{body: "<html><body>Gateway says hi</body></html>"}, nahln.Auth{}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, nahln.ErrBadACK)
		}},
		{"answer is not an ACK", &receiver{body: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2></MSH></ACK>`}, nahln.Auth{}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, nahln.ErrBadACK)
			require.ErrorContains(t, err, "no MSA")
		}},
		{"ACK for another message", &receiver{body: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2></MSH><MSA><MSA.1>AA</MSA.1><MSA.2>OTHER</MSA.2></MSA></ACK>`}, nahln.Auth{}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, nahln.ErrBadACK)
			require.ErrorContains(t, err, `"OTHER"`)
		}},
		{"bad acknowledgment code", &receiver{body: `<ACK xmlns="urn:hl7-org:v2xml"><MSH><MSH.1>|</MSH.1><MSH.2>^~\&amp;</MSH.2></MSH><MSA><MSA.1>OK</MSA.1><MSA.2>WVDL-20261121-0007</MSA.2></MSA></ACK>`}, nahln.Auth{}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, nahln.ErrBadACK)
		}},
		{"half the header credentials", &receiver{}, nahln.Auth{UsernameHeader: "username"}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, nahln.ErrConfig)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rc.t = t
			srv := httptest.NewServer(tt.rc)
			defer srv.Close()
			s := &nahln.Sender{URL: srv.URL, Auth: tt.auth}
			_, err := s.Send(context.Background(), build(t, nil))
			require.Error(t, err)
			tt.check(t, err)
		})
	}
}

// A receiver that requires a client certificate accepts the Sender only
// when Auth carries one its CA signed.
func TestSendClientCertificate(t *testing.T) {
	ca, caKey := newCA(t)
	srv := httptest.NewUnstartedServer(&receiver{t: t, check: func(r *http.Request) bool {
		return r.TLS != nil && len(r.TLS.PeerCertificates) == 1 && r.TLS.PeerCertificates[0].Subject.CommonName == "wvdl-lims"
	}})
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below is expected
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	cert := newClientCert(t, ca, caKey, "wvdl-lims")
	s := &nahln.Sender{URL: srv.URL, Auth: nahln.Auth{Certificate: &cert, RootCAs: roots}}
	ack, err := s.Send(context.Background(), build(t, nil))
	require.NoError(t, err)
	require.True(t, ack.Accepted())

	without := &nahln.Sender{URL: srv.URL, Auth: nahln.Auth{RootCAs: roots}}
	_, err = without.Send(context.Background(), build(t, nil))
	require.Error(t, err) // the TLS handshake fails
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return ca, key
}

func newClientCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
