package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/webhook"
)

// oauthIssuer is the OAuth server's issuer URL: VETLINK_PUBLIC_URL (the
// server's URL as integrations reach it, https in production), else
// http://localhost with the listening port, which OAuth allows for
// loopback only.
func oauthIssuer(cfg config, getenv func(string) string) string {
	if u := strings.TrimRight(getenv("VETLINK_PUBLIC_URL"), "/"); u != "" {
		return u
	}
	_, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || port == "" || port == "0" {
		port = "8080"
	}
	return "http://localhost:" + port
}

// composeOAuth builds the OAuth 2.0 server of the integration API and the
// integration catalogue over s's store, auth and webhooks. It gives the
// webhook service and dispatcher the catalogue event that carries a
// registration to its hookup URL, so that every role of the server
// (a dispatcher-only one too) can deliver it.
//
// The login page checks passwords with auth.Service.Login under an API
// key derived from the secret key and adopted on first use (as the admin
// dashboard's), so logins there are throttled and locked by auth's rules.
func composeOAuth(s *server, key []byte, cfg config, logger *slog.Logger) error {
	events, err := oauth.WithRegistrationEvent(orDefault(s.webhooks.Catalogue))
	if err != nil {
		return err
	}
	s.webhooks.Catalogue, s.dispatcher.Catalogue = events, events

	oauthKey, err := hkdf.Key(sha256.New, key, nil, "vetlink oauth server v1", 32)
	if err != nil {
		return err
	}
	raw, err := hkdf.Key(sha256.New, key, nil, "vetlink oauth login api key v1", 32)
	if err != nil {
		return err
	}
	apiKey := auth.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	var adopted atomic.Bool
	login := func(ctx context.Context, uname, password string) (rx.UserID, error) {
		if !adopted.Load() {
			if _, err := s.auth.EnsureAPIKey(ctx, "oauth login page", apiKey); err != nil {
				return 0, fmt.Errorf("oauth login page: its API key: %w", err)
			}
			adopted.Store(true)
		}
		sess, err := s.auth.Login(ctx, apiKey, uname, password)
		return sess.User, err
	}
	s.oauth, err = oauth.New(oauth.Config{
		Issuer: oauthIssuer(cfg, os.Getenv),
		Store:  s.db.OAuth(),
		Key:    oauthKey,
		Login:  login,
		Users:  s.db.Rx(),
		Logger: logger,
	})
	if err != nil {
		return err
	}
	s.catalogue = &oauth.Catalogue{
		Server:    s.oauth,
		Store:     s.db.OAuth(),
		Webhooks:  s.webhooks,
		Published: s.dispatcher.Wake,
		Mailer:    s.outbox,
		// Only vetlink's clinics and farms add integrations.
		Organisations: rxOrganisations{rx: s.db.Rx(), site: s.db.Site()},
		Logger:        logger,
	}
	return nil
}

// rxOrganisations is the catalogue's directory of organisations over the
// rx store: an organisation is a CLINIC or FARM user named by its decimal
// ID, its members are the VORs of a clinic and the MORs of a farm joined
// to it by a MEMBER relation (a member whose type has since changed, to
// UNVOR or REMOVED, is no longer one), and its country is its address's
// when that is an ISO 3166-1 alpha-2 code.
type rxOrganisations struct {
	rx   *store.RxStore
	site *store.SiteStore
}

// user reads organisation id's user.
func (d rxOrganisations) user(ctx context.Context, id string) (rx.User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return rx.User{}, fmt.Errorf("%w: %q is not a user ID", oauth.ErrNoOrganisation, id)
	}
	u, err := d.rx.User(ctx, rx.UserID(n))
	if errors.Is(err, rx.ErrNotFound) {
		return rx.User{}, fmt.Errorf("%w: no user %d", oauth.ErrNoOrganisation, n)
	}
	if err != nil {
		return rx.User{}, err
	}
	if u.Type != rx.CLINIC && u.Type != rx.FARM {
		return rx.User{}, fmt.Errorf("%w: user %d is a %s, not a CLINIC or FARM", oauth.ErrNoOrganisation, n, u.Type)
	}
	return u, nil
}

// Organisation implements [oauth.OrganisationDirectory].
func (d rxOrganisations) Organisation(ctx context.Context, id string) (oauth.Organisation, error) {
	u, err := d.user(ctx, id)
	if err != nil {
		return oauth.Organisation{}, err
	}
	org := oauth.Organisation{ID: id}
	ad, err := d.site.Address(ctx, u.ID)
	switch {
	case err == nil:
		if c := strings.ToUpper(strings.TrimSpace(ad.Country)); len(c) == 2 && strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
			org.Country = c
		}
	case !errors.Is(err, rx.ErrNotFound):
		return oauth.Organisation{}, err
	}
	return org, nil
}

// HasMember implements [oauth.OrganisationDirectory].
func (d rxOrganisations) HasMember(ctx context.Context, id string, user rx.UserID) (bool, error) {
	org, err := d.user(ctx, id)
	if err != nil {
		return false, err
	}
	u, err := d.rx.User(ctx, user)
	if errors.Is(err, rx.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !(org.Type == rx.CLINIC && u.Type == rx.VOR || org.Type == rx.FARM && u.Type == rx.MOR) {
		return false, nil
	}
	rels, err := d.rx.Relations(ctx, user)
	if err != nil {
		return false, err
	}
	return slices.Contains(rels, rx.Relation{Kind: rx.Member, Left: org.ID, Right: user}), nil
}

func orDefault(c *webhook.Catalogue) *webhook.Catalogue {
	if c == nil {
		return webhook.DefaultCatalogue()
	}
	return c
}

// withOAuth serves the OAuth server (/oauth/, /.well-known/), the
// catalogue's admin API (/api/admin/integrations) and the organisations'
// own (/api/organisations/{org}/integrations) beside next.
func (s *server) withOAuth(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	h := s.oauth.Handler()
	mux.Handle("/oauth/", h)
	mux.Handle(oauth.OpenIDConfigurationPath, h)
	mux.Handle(oauth.AuthorizationServerMetadataPath, h)
	admin := s.catalogue.AdminHandler(s.auth, s.db.Rx())
	mux.Handle(oauth.AdminPath, admin)
	mux.Handle(oauth.AdminPath+"/", admin)
	orgs := s.catalogue.OrganisationHandler(s.auth, s.db.Rx())
	mux.Handle(oauth.OrganisationsPath+"/{org}/integrations", orgs)
	mux.Handle(oauth.OrganisationsPath+"/{org}/integrations/", orgs)
	mux.Handle("/", next)
	return mux
}

// oauthPurgeSettings are the settings of an "oauth-purge" job.
type oauthPurgeSettings struct {
	// KeepHours keeps expired records this long for inspection; 0 means
	// 24.
	KeepHours int `json:"keepHours"`
}

// oauthPurgeKind is the job kind that deletes the OAuth server's expired
// authorization requests and tokens (oauth.Server.Purge): every
// client_credentials grant adds an access-token record, so schedule it
// (hourly is plenty).
func oauthPurgeKind(s *server, logger *slog.Logger) vetview.Kind[oauthPurgeSettings] {
	return vetview.Kind[oauthPurgeSettings]{
		Name:        "oauth-purge",
		Title:       "OAuth purge",
		Description: "Deletes expired OAuth authorization requests, access tokens and refresh-token families of the integration API.",
		Defaults:    oauthPurgeSettings{KeepHours: 24},
		Run: func(ctx context.Context, run vetview.RunInfo, st oauthPurgeSettings) error {
			keep := time.Duration(st.KeepHours) * time.Hour
			if keep <= 0 {
				keep = 24 * time.Hour
			}
			n, err := s.oauth.Purge(ctx, keep)
			level := slog.LevelInfo
			if err != nil {
				level = slog.LevelError
			}
			logger.LogAttrs(ctx, level, "oauth purge", slog.String("job", run.Job.Name), slog.Int64("deleted", n))
			return err
		},
	}
}
