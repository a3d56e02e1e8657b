package mllp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vetlink/vetlink/hl7"
	"github.com/vetlink/vetlink/hl7/mllp"
)

// A laboratory result message, as an analyzer would send it.
const result = "MSH|^~\\&|ANALYZER|VETLAB|VETLINK|CLINIC|20261121120000||ORU^R01^ORU_R01|MSG0001|P|2.5.1\r" +
	"PID|1||A-1234^^^CLINIC||Bossie^Cow\r" +
	"OBX|1|NM|2345-7^Glucose^LN||3.1|mmol/L|||||F\r"

// A server that stores lab results and acknowledges them. Returning nil, nil
// from the handler sends the standard AA acknowledgment; returning an error
// sends AE.
func ExampleServer() {
	srv := &mllp.Server{
		ReadTimeout:  5 * time.Minute, // instruments reconnect after an idle close
		WriteTimeout: 10 * time.Second,
		Handler: func(ctx context.Context, msg *hl7.Message) (*hl7.Message, error) {
			test, _ := msg.Get("OBX-3.2")
			value, _ := msg.Get("OBX-5")
			units, _ := msg.Get("OBX-6")
			fmt.Println("stored:", test, value, units)
			return nil, nil
		},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0") // srv.ListenAndServe() uses srv.Addr, ":2575" by default
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	client := &mllp.Client{Addr: l.Addr().String()}
	defer client.Close()
	msg, _ := hl7.Parse([]byte(result))
	ack, err := client.Send(context.Background(), msg)
	if err != nil {
		log.Fatal(err)
	}
	code, _ := ack.Get("MSA-1")
	id, _ := ack.Get("MSA-2")
	fmt.Println("ack:", code, id)
	// Output:
	// stored: Glucose 3.1 mmol/L
	// ack: AA MSG0001
}

// A client that sends a message and tells a rejection from a transport
// failure. Send retries broken connections on its own until its context is
// done; a negative acknowledgment comes back as a *mllp.NegativeAckError
// together with the ACK.
func ExampleClient() {
	srv := &mllp.Server{Handler: func(ctx context.Context, msg *hl7.Message) (*hl7.Message, error) {
		return nil, errors.New("unknown patient")
	}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	client := &mllp.Client{
		Addr:        l.Addr().String(),
		ReadTimeout: 30 * time.Second, // an ACK later than this means a broken connection: resend
		MaxAttempts: 5,
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	msg, _ := hl7.Parse([]byte(result))
	_, err = client.Send(ctx, msg)
	var nak *mllp.NegativeAckError
	switch {
	case errors.As(err, &nak):
		fmt.Println("refused:", nak.Code, nak.ControlID)
	case err != nil:
		fmt.Println("not delivered:", err)
	default:
		fmt.Println("accepted")
	}
	// Output:
	// refused: AE MSG0001
}

// Reading frames from any byte stream: bytes between frames are skipped.
func ExampleReader() {
	stream := "\x0bMSH|first\r\x1c\r\r\n\x0bMSH|second\r\x1c\r"
	r := mllp.NewReader(strings.NewReader(stream), 1<<20)
	for {
		frame, err := r.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%q\n", frame)
	}
	fmt.Println("skipped bytes:", r.Discarded())
	// Output:
	// "MSH|first\r"
	// "MSH|second\r"
	// skipped bytes: 2
}

// A frame larger than the limit fails as soon as the limit is passed.
func ExampleFrameError() {
	r := mllp.NewReader(strings.NewReader("\x0b"+strings.Repeat("x", 100)), 64)
	_, err := r.ReadFrame()
	fmt.Println(errors.Is(err, mllp.ErrFrameTooLarge))
	fmt.Println(err)
	// Output:
	// true
	// mllp: frame starting at byte 0 is longer than the maximum frame size of 64 bytes
}

// A production listener: mutual TLS, so that only analyzers holding a
// certificate from the laboratory's CA can connect, a JSON log without
// message content, and a graceful stop on SIGTERM. (Not run: it needs
// certificate files and a port.)
func ExampleServer_ListenAndServe() {
	cert, err := tls.LoadX509KeyPair("/etc/vetlink/mllp.crt", "/etc/vetlink/mllp.key")
	if err != nil {
		log.Fatal(err)
	}
	caPEM, err := os.ReadFile("/etc/vetlink/analyzers-ca.pem")
	if err != nil {
		log.Fatal(err)
	}
	analyzers := x509.NewCertPool()
	analyzers.AppendCertsFromPEM(caPEM)

	srv := &mllp.Server{
		Addr: ":2575",
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    analyzers,
		},
		ReadTimeout:  10 * time.Minute,
		WriteTimeout: 30 * time.Second,
		ParseOptions: hl7.ParseOptions{Lenient: true}, // some analyzers end segments with LF
		Logger:       slog.New(slog.NewJSONHandler(os.Stderr, nil)),
		Handler: func(ctx context.Context, msg *hl7.Message) (*hl7.Message, error) {
			peer, _ := mllp.PeerFromContext(ctx)
			analyzer := peer.TLS.PeerCertificates[0].Subject.CommonName
			_ = analyzer // store the result under the analyzer that sent it
			return nil, nil
		},
	}

	stop, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	go func() {
		<-stop.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.ListenAndServe(); err != mllp.ErrServerClosed {
		log.Fatal(err)
	}
}
