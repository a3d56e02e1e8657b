package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/vetlink/vetlink/webhook"
)

// Side by side, in one run: BenchmarkSign/vetlink/100B against
// BenchmarkSign/standardwebhooks/100B, and so on. Each size also has the
// floor of any HMAC-SHA256 signer: sha256 of the signed bytes
// ("id.timestamp.body") alone, with no key, no encoding, no allocation.
// At 2 KB both libraries spend most of their time there.
var sizes = []int{100, 2048}

// signedBytes is what an HMAC signer hashes for body: "id.timestamp.body".
func signedBytes(ts time.Time, body []byte) []byte {
	return append([]byte(specID+"."+strconv.FormatInt(ts.Unix(), 10)+"."), body...)
}

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
		msg := signedBytes(ts, body)
		b.Run("sha256-floor/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = sha256.Sum256(msg)
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

// BenchmarkPair measures the libraries interleaved: each iteration runs a
// round of chunk operations of each, so a neighbour's load on a shared
// machine falls on both alike, and reports each one's ns/op, the ratio
// standardwebhooks/vetlink (how many times faster vetlink is), and the
// floors: bare sha256 of the signed bytes, and the standard library's
// HMAC-SHA256 of them with its keyed state reused (what a signer costs
// before it formats anything).
func BenchmarkPair(b *testing.B) {
	key, _ := webhook.ParseKey(specSecret)
	signer, _ := webhook.NewSigner(key)
	verifier := &webhook.Verifier{Keys: []webhook.Key{key}}
	theirs, _ := standardwebhooks.NewWebhook(specSecret)
	for _, n := range sizes {
		body := []byte(strings.Repeat("x", n))
		now := time.Now()
		h := http.Header{}
		signer.SignHeader(h, specID, now, body)
		msg := signedBytes(now, body)
		mac := hmac.New(sha256.New, secretBytes(b))
		var sum [32]byte
		floors := []pairFn{
			{"sha256", func() { _ = sha256.Sum256(msg) }},
			{"hmac", func() { mac.Reset(); mac.Write(msg); mac.Sum(sum[:0]) }},
		}
		b.Run("sign/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			pair(b, append([]pairFn{
				{"vetlink", func() { _ = signer.Sign(specID, now, body) }},
				{"standardwebhooks", func() {
					if _, err := theirs.Sign(specID, now, body); err != nil {
						b.Fatal(err)
					}
				}},
			}, floors...))
		})
		b.Run("verify/"+strconv.Itoa(n)+"B", func(b *testing.B) {
			pair(b, append([]pairFn{
				{"vetlink", func() {
					if err := verifier.Verify(h, body); err != nil {
						b.Fatal(err)
					}
				}},
				{"standardwebhooks", func() {
					if err := theirs.Verify(body, h); err != nil {
						b.Fatal(err)
					}
				}},
			}, floors...))
		})
	}
}

type pairFn struct {
	name string
	fn   func()
}

// pair runs fns interleaved, chunk calls of each per iteration, and
// reports each one's time per call and the ratio of the second to the
// first.
func pair(b *testing.B, fns []pairFn) {
	const chunk = 32
	total := make([]time.Duration, len(fns))
	calls := 0
	for b.Loop() {
		for i, f := range fns {
			start := time.Now()
			for range chunk {
				f.fn()
			}
			total[i] += time.Since(start)
		}
		calls += chunk
	}
	for i, f := range fns {
		b.ReportMetric(float64(total[i].Nanoseconds())/float64(calls), f.name+"-ns/op")
	}
	b.ReportMetric(float64(total[1])/float64(total[0]), "x-faster")
	b.ReportMetric(0, "ns/op") // the sum of all of them says nothing
}

// secretBytes returns the raw key of specSecret.
func secretBytes(b *testing.B) []byte {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(specSecret, webhook.SecretPrefix))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
