package webhook_test

import (
	"testing"
	"time"

	"github.com/vetlink/vetlink/webhook"
)

// FuzzVerifyMessage feeds arbitrary header values to the verifier: it must
// never panic, and must accept nothing but the one genuine signature.
func FuzzVerifyMessage(f *testing.F) {
	f.Add(specID, "1614265330", specSignature, []byte(specBody))
	f.Add(specID, "1614265330", "v1,AAAA v1a,BBBB", []byte(specBody))
	f.Add("", "-1", "v1", []byte{})
	f.Add(specID, "99999999999999999999", "v1a,"+string(make([]byte, 88)), []byte("x"))
	key, err := webhook.ParseKey(specSecret)
	if err != nil {
		f.Fatal(err)
	}
	_, pub := webhook.NewSigningKey()
	pk, err := webhook.ParseKey(pub)
	if err != nil {
		f.Fatal(err)
	}
	v := &webhook.Verifier{Keys: []webhook.Key{key, pk}, Now: func() time.Time { return time.Unix(specTimestamp, 0) }}
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		err := v.VerifyMessage(id, ts, sig, body)
		if err == nil && (id != specID || ts != "1614265330" || string(body) != specBody) {
			t.Fatalf("accepted a message that was not signed: id=%q ts=%q sig=%q body=%q", id, ts, sig, body)
		}
	})
}

// FuzzParseKey checks that no text makes ParseKey panic, and that every
// key it accepts round-trips through String.
func FuzzParseKey(f *testing.F) {
	f.Add(specSecret)
	f.Add("whsk_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
	f.Add("whpk_ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=")
	f.Add("whsec_")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := webhook.ParseKey(s)
		if err != nil {
			return
		}
		if k.String() != s {
			t.Fatalf("String() = %q, want %q", k.String(), s)
		}
	})
}
