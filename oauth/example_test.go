package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/vetlink/vetlink/oauth"
)

// A handler of the integration API names the permission it needs; a token
// without it gets a 403 problem naming the permission.
func ExampleRequire() {
	verifier := verifierFunc(func(ctx context.Context, token string) (oauth.Principal, error) {
		if token != "t0k3n" {
			return oauth.Principal{}, oauth.ErrUnauthenticated
		}
		return oauth.Principal{ClientID: "vlc_herdsync", Organisation: "12345",
			Permissions: []oauth.Permission{oauth.ReadCases}}, nil
	})
	cases := oauth.Middleware(verifier, oauth.Require(oauth.ReadCases, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := oauth.PrincipalFromContext(r.Context())
		fmt.Fprintf(w, "cases of organisation %s", p.Organisation)
	})))
	withholds := oauth.Middleware(verifier, oauth.Require(oauth.ReadWithholds, http.NotFoundHandler()))

	for _, h := range []http.Handler{cases, withholds} {
		r := httptest.NewRequest("GET", "/api/0.1/cases", nil)
		r.Header.Set("Authorization", "Bearer t0k3n")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	// Output:
	// 200 cases of organisation 12345
	// 403 {"type":"https://vetlink.dev/problems/forbidden","title":"Forbidden","status":403,"detail":"this token lacks the permission \"withholds.read\"","instance":"/api/0.1/cases","errorType":"forbidden"}
}

func ExamplePrincipal_Require() {
	p := oauth.Principal{Permissions: []oauth.Permission{oauth.ReadCases, oauth.ReadFarms}}
	fmt.Println(p.Require(oauth.ReadFarms))
	fmt.Println(p.Require(oauth.ReadAnimals))
	// Output:
	// <nil>
	// oauth: permission "animals.read" is required and not granted to this token
}
