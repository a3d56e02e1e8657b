package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPServer is a small SMTP submission server for tests, on loopback:
// EHLO, STARTTLS (with a certificate made for the test), AUTH PLAIN (only
// after STARTTLS, and required before MAIL), MAIL, RCPT, DATA, RSET, NOOP,
// QUIT. It keeps every mail it accepts.
type SMTPServer struct {
	// Addr is the server's host:port on 127.0.0.1.
	Addr string
	// Roots trusts the server's certificate (for tls.Config.RootCAs).
	Roots *x509.CertPool
	// User and Password are the credentials AUTH PLAIN accepts.
	User     string
	Password string
	// NoTLS stops the server offering STARTTLS.
	NoTLS bool

	mu sync.Mutex
	// failData answers 451 to the next failData DATA commands.
	failData int
	received []Envelope
	cfg      *tls.Config
	ln       net.Listener
	wg       sync.WaitGroup
}

// Envelope is one accepted mail: the envelope, the message as received
// (dot-unstuffed, lines ending in LF), and how the session was secured.
type Envelope struct {
	From   string
	To     []string
	Data   []byte
	TLS    bool
	AuthAs string
}

// NewSMTPServer starts a server that t's cleanup stops.
func NewSMTPServer(t testing.TB) *SMTPServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), Roots: roots, User: "vetlink", Password: "s3cret pass", ln: ln,
		cfg: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// FailNext makes the next n DATA commands fail with 451 (try later).
func (s *SMTPServer) FailNext(n int) {
	s.mu.Lock()
	s.failData = n
	s.mu.Unlock()
}

// Mails returns the mails accepted so far, in order.
func (s *SMTPServer) Mails() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Envelope(nil), s.received...)
}

func (s *SMTPServer) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	tls_ := false
	var env Envelope
	reply := func(format string, args ...any) { tp.PrintfLine(format, args...) }
	reply("220 localhost vetlink test SMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			lines := []string{"localhost", "8BITMIME"}
			if !tls_ && !s.NoTLS {
				lines = append(lines, "STARTTLS")
			}
			if tls_ {
				lines = append(lines, "AUTH PLAIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				reply("250%s%s", sep, l)
			}
		case "STARTTLS":
			if tls_ || s.NoTLS {
				reply("503 TLS not available")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(c, s.cfg)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, tls_ = tc, true
			tp = textproto.NewConn(tc)
			env = Envelope{TLS: true}
		case "AUTH":
			mech, ir, _ := strings.Cut(arg, " ")
			if !tls_ || !strings.EqualFold(mech, "PLAIN") {
				reply("504 AUTH PLAIN over TLS only")
				continue
			}
			b, err := base64.StdEncoding.DecodeString(ir)
			parts := strings.Split(string(b), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != s.User || parts[2] != s.Password {
				reply("535 5.7.8 authentication failed")
				continue
			}
			env.AuthAs = parts[1]
			reply("235 2.7.0 authenticated")
		case "MAIL":
			if s.User != "" && env.AuthAs == "" {
				reply("530 5.7.0 authentication required")
				continue
			}
			env.From = addrArg(arg, "FROM:")
			env.To = nil
			reply("250 ok")
		case "RCPT":
			env.To = append(env.To, addrArg(arg, "TO:"))
			reply("250 ok")
		case "DATA":
			if env.From == "" || len(env.To) == 0 {
				reply("503 MAIL and RCPT first")
				continue
			}
			reply("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			fail := s.failData > 0
			if fail {
				s.failData--
			} else {
				e := env
				e.Data = data
				s.received = append(s.received, e)
			}
			s.mu.Unlock()
			if fail {
				reply("451 4.3.0 try again later")
			} else {
				reply("250 queued")
			}
			env.From, env.To = "", nil
		case "RSET":
			env.From, env.To = "", nil
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 %s not implemented", verb)
		}
	}
}

// addrArg reads the address of "FROM:<a@b>" or "TO:<a@b>".
func addrArg(arg, prefix string) string {
	arg = strings.TrimSpace(arg)
	if len(arg) >= len(prefix) && strings.EqualFold(arg[:len(prefix)], prefix) {
		arg = arg[len(prefix):]
	}
	arg, _, _ = strings.Cut(arg, " ")
	return strings.Trim(arg, "<>")
}
