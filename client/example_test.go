package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/rx"
)

// fakeServer answers a login, a missing protocol and five Green Book
// drugs, two a page, so the examples have a server to talk to.
func fakeServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /api/users/logins":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"token":"not-a-jwt","user":{"id":1,"uname":"vet-example","userType":"VOR"}}`)
		case "GET /api/admin/gbd":
			off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			var page []map[string]string
			for i := off; i < min(off+limit, 5); i++ {
				page = append(page, map[string]string{"ndc": fmt.Sprintf("0010-%04d", i)})
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(page)
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"type":"https://vetlink.dev/problems/not_found","title":"Not Found","status":404,"errorType":"not_found","detail":"protocol 42 not found"}`)
		}
	}))
}

func ExampleNew() {
	srv := fakeServer()
	defer srv.Close()
	ctx := context.Background()

	api, err := client.New(ctx, srv.URL,
		client.WithAPIKey("vlk_example"),
		client.WithLogin("vet-example", "correct horse battery"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = client.Check(api.GetProtocolWithResponse(ctx, 42))
	fmt.Println(err)
	fmt.Println(errors.Is(err, rx.ErrNotFound))
	// Output:
	// vetlink: 404 not_found: protocol 42 not found
	// true
}

func ExampleProblemOf() {
	srv := fakeServer()
	defer srv.Close()
	ctx := context.Background()
	api, err := client.New(ctx, srv.URL, client.WithAPIKey("vlk_example"), client.WithToken("token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := api.GetProtocolWithResponse(ctx, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	if p := client.ProblemOf(resp); p != nil {
		fmt.Println(p.Status, p.ErrorType, p.Detail)
	}
	// Output:
	// 404 not_found protocol 42 not found
}

func ExampleAPI_AllGreenbookDrugs() {
	srv := fakeServer()
	defer srv.Close()
	ctx := context.Background()
	api, err := client.New(ctx, srv.URL, client.WithAPIKey("vlk_example"), client.WithToken("token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	limit := int32(2) // pages of two, to show them followed
	for drug, err := range api.AllGreenbookDrugs(ctx, &client.GetGreenbookDrugsParams{Limit: &limit}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(drug.NDC)
	}
	// Output:
	// 0010-0000
	// 0010-0001
	// 0010-0002
	// 0010-0003
	// 0010-0004
}
