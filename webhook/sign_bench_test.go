package webhook_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/webhook"
)

// benchBodies are the body sizes the performance criteria name.
var benchBodies = []int{100, 2048}

func BenchmarkSign(b *testing.B) {
	s, err := webhook.NewSigner(mustKey(b, specSecret))
	if err != nil {
		b.Fatal(err)
	}
	ts := time.Unix(specTimestamp, 0)
	for _, n := range benchBodies {
		body := []byte(strings.Repeat("x", n))
		b.Run(strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				_ = s.Sign(specID, ts, body)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	key := mustKey(b, specSecret)
	s, _ := webhook.NewSigner(key)
	ts := time.Unix(specTimestamp, 0)
	v := &webhook.Verifier{Keys: []webhook.Key{key}, Now: func() time.Time { return ts }}
	for _, n := range benchBodies {
		body := []byte(strings.Repeat("x", n))
		sig := s.Sign(specID, ts, body)
		b.Run(strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				if err := v.VerifyMessage(specID, "1614265330", sig, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
