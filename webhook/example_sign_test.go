package webhook_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/vetlink/vetlink/webhook"
)

func ExampleSigner() {
	key, err := webhook.ParseKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	signer, err := webhook.NewSigner(key)
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	signer.SignHeader(h, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(h.Get("webhook-signature"))
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

func ExampleVerifier_VerifyMessage() {
	key, _ := webhook.ParseKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	v := webhook.Verifier{
		Keys: []webhook.Key{key},
		// A fixed clock for the example; receivers leave Now nil.
		Now: func() time.Time { return time.Unix(1614265330, 0).Add(10 * time.Second) },
	}
	err := v.VerifyMessage("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	fmt.Println(err)
	err = v.VerifyMessage("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 0}`))
	fmt.Println(err)
	// Output:
	// <nil>
	// webhook: no matching signature: webhook-signature
}

func ExampleVerifier_Middleware() {
	key, _ := webhook.ParseKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	v := &webhook.Verifier{Keys: []webhook.Key{key}}
	http.Handle("POST /webhooks/vetlink", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// r.Body is the verified body; r.Header.Get("webhook-id") identifies
		// the message across retries, for de-duplication.
		w.WriteHeader(http.StatusNoContent)
	})))
}
