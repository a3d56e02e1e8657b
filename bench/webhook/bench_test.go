package webhook_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/vetlink/vetlink/webhook"
)

// Side by side, in one run: BenchmarkSign/vetlink/100B against
// BenchmarkSign/standardwebhooks/100B, and so on.
var sizes = []int{100, 2048}

func BenchmarkSign(b *testing.B) {
	key, _ := webhook.ParseKey(specSecret)
	ours, _ := webhook.NewSigner(key)
	theirs, _ := standardwebhooks.NewWebhook(specSecret)
	ts := time.Unix(1614265330, 0)
	for _, n := range sizes {
		body := []byte(strings.Repeat("x", n))
		b.Run("vetlink/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = ours.Sign(specID, ts, body)
			}
		})
		b.Run("standardwebhooks/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := theirs.Sign(specID, ts, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	key, _ := webhook.ParseKey(specSecret)
	ours := &webhook.Verifier{Keys: []webhook.Key{key}}
	theirs, _ := standardwebhooks.NewWebhook(specSecret)
	signer, _ := webhook.NewSigner(key)
	for _, n := range sizes {
		body := []byte(strings.Repeat("x", n))
		// Fresh timestamps: both libraries check them against the clock.
		now := time.Now()
		h := http.Header{}
		signer.SignHeader(h, specID, now, body)
		b.Run("vetlink/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := ours.Verify(h, body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("standardwebhooks/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := theirs.Verify(body, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
