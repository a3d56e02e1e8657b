package main

import (
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/restapi"
	"github.com/vetlink/vetlink/store"
)

// withRestAPI serves the integration REST API (package restapi) at
// /api/0.1/ beside next. Its bearer tokens are those the OAuth server
// issues (v is *oauth.Server); each endpoint requires its permission.
// The URLs in its objects start with VETLINK_PUBLIC_URL when set (the
// server's URL as integrations reach it), else with the request's host.
func withRestAPI(db *store.DB, v oauth.Verifier, logger *slog.Logger, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(restapi.Prefix, restapi.New(restapi.Config{
		Store:    db.RestAPI(),
		Verifier: v,
		BaseURL:  strings.TrimRight(os.Getenv("VETLINK_PUBLIC_URL"), "/"),
		Logger:   logger,
	}))
	mux.Handle("/", next)
	return mux
}
