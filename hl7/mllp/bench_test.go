package mllp

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkRoundTrip measures MLLP round trips with acknowledgment over
// loopback: each Client writes a message and waits for the server's AA, which
// the server builds with hl7.NewACK after a full parse. conns Clients (one
// connection each) send in parallel, over plain TCP or mutual TLS; the
// roundtrips/s metric is the total, and cpu-µs/roundtrip the CPU time
// spent per round trip by both sides.
func BenchmarkRoundTrip(b *testing.B) {
	for _, tc := range []struct {
		conns int
		tls   bool
	}{{1, false}, {4, false}, {4, true}} {
		name := fmt.Sprintf("conns=%d", tc.conns)
		if tc.tls {
			name = "mTLS," + name
		}
		b.Run(name, func(b *testing.B) {
			srv := &Server{Handler: acceptAll}
			var clientTLS *tls.Config
			if tc.tls {
				pki := newTestPKI(b)
				srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.pool}
				clientTLS = &tls.Config{RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client}}
			}
			addr := serve(b, srv)
			msg := message(b, "BENCH0001")
			clients := make([]*Client, tc.conns)
			for i := range clients {
				clients[i] = &Client{Addr: addr, TLSConfig: clientTLS}
				defer clients[i].Close()
				if _, err := clients[i].Send(context.Background(), msg); err != nil { // connect
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			cpu0 := processCPU()
			for _, c := range clients {
				wg.Go(func() {
					for next.Add(1) <= int64(b.N) {
						if _, err := c.Send(context.Background(), msg); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "roundtrips/s")
			if cpu0 >= 0 {
				// Client and server run in this process: the CPU time of
				// both sides per round trip, which other jobs on the
				// machine do not inflate the way they do wall time.
				b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/1e3, "cpu-µs/roundtrip")
			}
		})
	}
}

// BenchmarkReadFrame measures framing alone on an in-memory stream of
// result messages.
func BenchmarkReadFrame(b *testing.B) {
	payload := message(b, "BENCH0001").Bytes()
	var stream bytes.Buffer
	w := NewWriter(&stream)
	for range 1000 {
		w.WriteFrame(payload)
	}
	data := stream.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), 0)
		for {
			if _, err := r.ReadFrame(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
