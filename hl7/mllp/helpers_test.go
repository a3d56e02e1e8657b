package mllp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/hl7"
)

// oruText is a lab result message; %s marks the control ID.
const oruText = "MSH|^~\\&|ANALYZER|VETLAB|VETLINK|CLINIC|20261121120000||ORU^R01^ORU_R01|%s|P|2.5.1\r" +
	"PID|1||A-1234^^^CLINIC||Bossie^Cow\r" +
	"OBX|1|NM|2345-7^Glucose^LN||3.1|mmol/L|||||F\r"

// message parses oruText with the given control ID.
func message(t testing.TB, controlID string) *hl7.Message {
	t.Helper()
	m, err := hl7.Parse([]byte(strings.Replace(oruText, "%s", controlID, 1)))
	if err != nil {
		t.Fatalf("parsing test message: %v", err)
	}
	return m
}

// get returns the value at path, failing the test on a bad path.
func get(t testing.TB, m *hl7.Message, path string) string {
	t.Helper()
	v, err := m.Get(path)
	if err != nil {
		t.Fatalf("Get(%q): %v", path, err)
	}
	return v
}

// serve starts srv on a loopback port and returns its address; the server is
// closed when the test ends.
func serve(t testing.TB, srv *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve() = %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// testPKI is a certificate authority with a server certificate for
// 127.0.0.1 and a client certificate, generated for one test run.
type testPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "vetlink test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP) tls.Certificate {
		key := newKey(t)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	}
	return &testPKI{
		pool:   pool,
		server: issue(2, "mllp.test", x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)}),
		client: issue(3, "analyzer-7", x509.ExtKeyUsageClientAuth, nil),
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
