// Command server is vetlink's reference server: configuration, then the
// durable store, then the domain services, the webhook dispatcher and the
// vetview scheduler, then the HTTP API of openapi/vetlink.yaml.
//
// It runs on the embedded SQLite by default and needs no set-up:
//
//	go run ./examples/server
//
// serves on :8080 with its database in ./vetlink.db. Point it at PostgreSQL
// when several servers share one database:
//
//	go run ./examples/server -db 'postgres://vetlink@db.example/vetlink'
//
// Every flag has an environment variable of the same meaning; a flag given
// on the command line wins:
//
//	-addr      VETLINK_ADDR        listen address (:8080)
//	-db        VETLINK_DB          SQLite path or postgres:// URL (vetlink.db)
//	-key-file  VETLINK_KEY_FILE    where the generated secret key is kept
//	                               (vetlink.key beside the SQLite file, or in
//	                               the working directory for PostgreSQL)
//	-name      VETLINK_SERVER_NAME this server's name among the vetview
//	                               servers sharing the database (host name);
//	                               jobs are assigned to servers by name
//	-roles     VETLINK_ROLES       what this server runs: api, jobs,
//	                               dispatcher, comma-separated, or all (all)
//	-webhook-allow VETLINK_WEBHOOK_ALLOW  internal address ranges webhook
//	                               receivers may have (none: the SSRF guard
//	                               refuses loopback and private addresses)
//
// VETLINK_SECRET_KEY (64 hex digits) gives the secret key directly; servers
// that share a database must share it, since it signs the login tokens.
//
// On a fresh database the server creates the first administrator (SAOR)
// and an API key, seeds the reference data, and prints how to log in.
// VETLINK_ADMIN_USERNAME, VETLINK_ADMIN_PASSWORD and VETLINK_API_KEY, when
// set, are used instead of generated ones.
//
// The server sends no mail yet (the mail outbox is its own issue): each
// mail the API sends — the link that confirms a new account's address,
// the invitation with which a user created by a VOR or an MOR sets a
// password — is written to the log instead, as one record "mail" with
// the members to, subject and body. An operator passes the link on, or
// the administrator sets the password (PUT /api/users/{id}/password).
//
// Several servers may share one PostgreSQL database, each with its roles:
// an external API server (-roles api) and an internal interface server
// (-roles jobs,dispatcher -name interfaces-1) do not interfere, since only
// the latter runs jobs and delivers webhooks.
//
// GET /healthz (liveness) answers while the process serves, with its
// version, and never looks at the database; GET /readyz (readiness)
// answers 200 once start-up is done, until shutdown begins, while the
// database answers with the schema version this build knows. GET /metrics
// is the Prometheus exposition of the server's OpenTelemetry instruments;
// the OTEL_* variables push them and the request traces over OTLP (see
// telemetry.go). The version, from the build information, is logged at
// start. A SIGINT or SIGTERM stops accepting requests, lets those in
// flight finish, then stops the scheduler (runs in progress finish or are
// handed back) and the dispatcher (attempts in flight are recorded).
package main

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/vetview/jobs"
	"github.com/vetlink/vetlink/webhook"
)

// config is everything the server reads at start-up.
type config struct {
	Addr       string // listen address
	DB         string // store DSN: a SQLite path or a postgres:// URL
	KeyFile    string // where a generated secret key is kept; "" means the default
	ServerName string // name in the vetview registry; "" means the host name
	Roles      roles  // what this server runs; the zero value is everything
	// WebhookAllow lists internal ranges webhooks may be sent to.
	WebhookAllow []netip.Prefix

	// From the environment only: secrets do not belong on a command line.
	SecretKey     string       // VETLINK_SECRET_KEY, hex
	AdminUsername string       // VETLINK_ADMIN_USERNAME
	AdminPassword string       // VETLINK_ADMIN_PASSWORD
	APIKey        string       // VETLINK_API_KEY
	Mail          mailSettings // VETLINK_SMTP_URL, VETLINK_MAIL_FROM (see mail.go)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "probe" {
		os.Exit(probe(os.Args[2:], os.Stderr))
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if err != nil {
		// flag has already printed the usage.
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, logger, nil); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// parseConfig reads flags, with environment variables as their defaults.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	cfg := config{
		SecretKey:     getenv("VETLINK_SECRET_KEY"),
		AdminUsername: getenv("VETLINK_ADMIN_USERNAME"),
		AdminPassword: getenv("VETLINK_ADMIN_PASSWORD"),
		APIKey:        getenv("VETLINK_API_KEY"),
		Mail:          mailSettingsFromEnv(getenv),
	}
	fs.StringVar(&cfg.Addr, "addr", or(getenv("VETLINK_ADDR"), ":8080"), "listen address (env VETLINK_ADDR)")
	fs.StringVar(&cfg.DB, "db", or(getenv("VETLINK_DB"), "vetlink.db"), "database: a SQLite file path, sqlite:PATH, or postgres://... (env VETLINK_DB)")
	fs.StringVar(&cfg.KeyFile, "key-file", getenv("VETLINK_KEY_FILE"), "file keeping the generated secret key (env VETLINK_KEY_FILE; default beside the SQLite file)")
	fs.StringVar(&cfg.ServerName, "name", getenv("VETLINK_SERVER_NAME"), "this server's name among the servers sharing the database (env VETLINK_SERVER_NAME; default the host name)")
	rolesFlag := fs.String("roles", or(getenv("VETLINK_ROLES"), "all"), "what this server runs, comma-separated: api, jobs, dispatcher, or all (env VETLINK_ROLES)")
	allowFlag := fs.String("webhook-allow", getenv("VETLINK_WEBHOOK_ALLOW"), "internal address ranges webhooks may be sent to, comma-separated, e.g. 10.20.0.0/16 (env VETLINK_WEBHOOK_ALLOW; default none)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	r, err := parseRoles(*rolesFlag)
	if err != nil {
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
		return config{}, err
	}
	cfg.Roles = r
	if cfg.WebhookAllow, err = parseAllow(*allowFlag); err != nil {
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
		return config{}, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected arguments %q", fs.Args())
		fmt.Fprintln(fs.Output(), err)
		fs.Usage()
		return config{}, err
	}
	return cfg, nil
}

// server is the running process's parts, for run and its tests.
type server struct {
	db         *store.DB
	rx         *rx.Service
	library    *rx.Library
	auth       *auth.Service
	webhooks   *webhook.Service
	dispatcher *webhook.Dispatcher
	vetview    *vetview.Service
	handler    http.Handler
	outbox     *mail.Outbox
	oauth      *oauth.Server    // the integration API's OAuth 2.0 server (oauth.go)
	catalogue  *oauth.Catalogue // the integration catalogue (oauth.go)
	ready      atomic.Bool
	tel        *telemetry
}

// run serves until ctx is done, then shuts down gracefully. When ready is
// not nil it receives the listening address once the server accepts
// connections (tests listen on port 0).
func run(ctx context.Context, cfg config, logger *slog.Logger, ready chan<- string) error {
	version := buildVersion()
	logger.Info("vetlink server starting", "version", version, "roles", cfg.Roles.String())
	tel, err := newTelemetry(ctx, os.Getenv, version, logger)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tel.shutdown(flushCtx); err != nil {
			logger.Warn("telemetry: flushing at exit", "err", err)
		}
	}()
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	logger.Info("database open", "database", db.String(), "schema_version", applied)

	key, err := secretKey(cfg, db.Engine(), logger)
	if err != nil {
		return err
	}
	if err := db.SetSecretKey(key); err != nil {
		return err
	}
	s, err := composeWith(db, key, cfg, logger, tel)
	if err != nil {
		return err
	}
	if err := bootstrap(ctx, s, cfg, logger, os.Stdout); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", tel.instrument("/healthz", healthHandler(version)))
	mux.Handle("GET /readyz", tel.instrument("/readyz", readyHandler(&s.ready, db)))
	if tel.metrics != nil {
		mux.Handle("GET /metrics", tel.metrics)
	}
	if cfg.Roles.api() {
		site, err := withDashboard(ctx, s, key, false)
		if err != nil {
			return err
		}
		site = s.withOAuth(site)
		site = withRestAPI(s.db, s.oauth, logger, site)
		mux.Handle("/", tel.instrument("", site))
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := listen(ctx, cfg.Addr)
	if err != nil {
		return err
	}

	// The dispatcher and the scheduler stop after the HTTP server, so that
	// requests in flight can still publish and the events they published
	// are delivered by this process or, if it stops first, by the next.
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	var wg sync.WaitGroup
	background := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(bg); err != nil {
				logger.Error(name+" stopped", "err", err)
			}
		}()
	}
	// The dispatcher role delivers what others published: webhooks and
	// the mail outbox.
	if cfg.Roles.dispatcher() {
		background("webhook dispatcher", s.dispatcher.Run)
		background("mail outbox", s.outbox.Run)
	}
	if cfg.Roles.jobs() {
		background("vetview scheduler", s.vetview.Run)
	}

	logger.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.ready.Store(true)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	s.ready.Store(false)
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutdownCtx); serr != nil && err == nil {
		err = fmt.Errorf("shutdown: %w", serr)
	}
	stopBackground()
	wg.Wait()
	if err == nil {
		if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
			err = serveErr
		}
	}
	return err
}

// compose builds the domain services over db and the API handler over
// them: the one place where the packages meet.
func compose(db *store.DB, key []byte, cfg config, logger *slog.Logger) (*server, error) {
	return composeWith(db, key, cfg, logger, nil)
}

// composeWith is compose with the server's telemetry, which observes the
// domain services; nil means a telemetry of its own that nobody reads.
func composeWith(db *store.DB, key []byte, cfg config, logger *slog.Logger, tel *telemetry) (*server, error) {
	if tel == nil {
		var err error
		if tel, err = newTelemetry(context.Background(), func(string) string { return "" }, "", slog.New(slog.DiscardHandler)); err != nil {
			return nil, err
		}
	}
	s := &server{db: db, tel: tel}
	jobObs, err := tel.jobObserver()
	if err != nil {
		return nil, err
	}
	mllpObs, err := tel.mllpObserver()
	if err != nil {
		return nil, err
	}
	webhookObs, err := tel.webhookObserver()
	if err != nil {
		return nil, err
	}
	s.library = &rx.Library{Store: db.Library()}
	// The label claims are the library's: the shipped, verified claims of
	// protocol/labels that Seed adds at every start (bootstrap), with the
	// SAOR's additions and corrections, read at each classification, so an
	// approved on-label use is classified ONLABEL rather than refused as
	// extra-label.
	s.rx = &rx.Service{Store: db.Rx(), Logger: logger, LabelStore: db.Library()}
	if s.outbox, err = newOutbox(db, s.rx, cfg.Mail, logger); err != nil {
		return nil, err
	}
	if s.outbox.Observer, err = tel.mailObserver(); err != nil {
		return nil, err
	}
	// The secret key seals webhook secrets (store) and signs login tokens;
	// each use gets its own key derived from it, so neither can stand in
	// for the other.
	tokenKey, err := hkdf.Key(sha256.New, key, nil, "vetlink login tokens v1", 32)
	if err != nil {
		return nil, err
	}
	s.auth = &auth.Service{Store: db.Auth(), Key: tokenKey}
	s.webhooks = &webhook.Service{Store: db.Webhooks(), Guard: guard(cfg)}
	s.dispatcher = &webhook.Dispatcher{Store: db.Webhooks(), Logger: logger, Guard: guard(cfg), Observer: webhookObs}
	if err := composeOAuth(s, key, cfg, logger); err != nil {
		return nil, err
	}

	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.WebhookMaintenanceKind(s.webhooks, logger))
	vetview.MustRegister(&kinds, oauthPurgeKind(s, logger))
	vetview.MustRegister(&kinds, jobs.ReminderKind(db.Rx(), reminderSender(s.outbox)))
	// The HL7 kinds' writes publish lab_result.received and
	// nahln_report.sent with them (hl7events.go).
	hl7Store := newPublishingHL7Store(db, s.webhooks, s.dispatcher.Wake)
	vetview.MustRegister(&kinds, jobs.MLLPListenerKind(hl7Store, jobs.MLLPListenerOptions{Logger: logger, Observer: mllpObs}))
	vetview.MustRegister(&kinds, jobs.NAHLNReportKind(hl7Store, jobs.NAHLNOptions{Logger: logger}))
	vv, err := vetview.New(vetview.Config{
		Store:      db.Vetview(),
		Kinds:      &kinds,
		Logger:     logger,
		ServerName: cfg.ServerName,
		Version:    buildVersion(),
		Observer:   jobObs,
	})
	if err != nil {
		return nil, err
	}
	s.vetview = vv
	if err := errors.Join(
		tel.serverGauge(vv.Servers),
		tel.poolGauges(db.SQL(), string(db.Engine())),
		tel.mailBacklogGauge(db.Mail().MailBacklog),
		tel.webhookBacklogGauges(s.webhooks.Backlog),
	); err != nil {
		return nil, err
	}

	h, err := openapi.NewHandler(openapi.Config{
		DB:        db,
		Rx:        s.rx,
		Library:   s.library,
		Site:      &site.Service{Store: db.Site()},
		Auth:      s.auth,
		Webhooks:  s.webhooks,
		Published: s.dispatcher.Wake,
		Logger:    logger,
		Outbox:    s.outbox,
		Vetview:   s.vetview,
		Audit:     db.Admin(),
	})
	if err != nil {
		return nil, err
	}
	s.handler = h
	return s, nil
}

// health is the body of GET /healthz.
type health struct {
	Status  string `json:"status"`  // "ok"
	Version string `json:"version"` // from the build information
	Go      string `json:"go"`      // the Go release it was built with
}

// healthHandler answers liveness: 200 while the process serves HTTP at
// all, with its version. It does not look at the database, so that an
// orchestrator does not restart every server when the database is down;
// readiness (/readyz) does.
func healthHandler(version string) http.Handler {
	body, _ := json.Marshal(health{Status: "ok", Version: version, Go: runtime.Version()})
	body = append(body, '\n')
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(body)
	})
}

// readiness is the body of GET /readyz.
type readiness struct {
	Status        string `json:"status"` // "ready" or "not ready"
	Database      string `json:"database"`
	SchemaVersion int    `json:"schemaVersion"` // applied to the database
	KnownVersion  int    `json:"knownVersion"`  // the latest this build knows
	Error         string `json:"error,omitempty"`
}

// readyHandler answers 200 while the server takes requests: after start-up
// (migrations, bootstrap) and until shutdown begins, so a load balancer
// stops sending before the listener closes; and only while the database
// answers within two seconds with the schema version this build knows
// (a newer build may have migrated it further: this one must not serve).
func readyHandler(ready *atomic.Bool, db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rd := readiness{Status: "ready", Database: string(db.Engine())}
		if !ready.Load() {
			rd.Status, rd.Error = "not ready", "starting or stopping"
		} else {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			applied, known, err := db.SchemaVersion(ctx)
			rd.SchemaVersion, rd.KnownVersion = applied, known
			switch {
			case err != nil:
				rd.Status, rd.Error = "not ready", "the database did not answer"
			case applied != known:
				rd.Status, rd.Error = "not ready", fmt.Sprintf("the database's schema version is %d; this build needs %d", applied, known)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if rd.Status != "ready" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(rd)
	})
}
