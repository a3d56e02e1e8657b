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
//	                               servers sharing the database (host name)
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
// GET /healthz answers whether the process is alive and its database
// answers; GET /readyz whether it has finished starting and is not
// stopping. A SIGINT or SIGTERM stops accepting requests, lets those in
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
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vetlink/vetlink/auth"
	"github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/protocol/labels"
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

	// From the environment only: secrets do not belong on a command line.
	SecretKey     string       // VETLINK_SECRET_KEY, hex
	AdminUsername string       // VETLINK_ADMIN_USERNAME
	AdminPassword string       // VETLINK_ADMIN_PASSWORD
	APIKey        string       // VETLINK_API_KEY
	Mail          mailSettings // VETLINK_SMTP_URL, VETLINK_MAIL_FROM (see mail.go)
}

func main() {
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
	ready      atomic.Bool
}

// run serves until ctx is done, then shuts down gracefully. When ready is
// not nil it receives the listening address once the server accepts
// connections (tests listen on port 0).
func run(ctx context.Context, cfg config, logger *slog.Logger, ready chan<- string) error {
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
	s, err := compose(db, key, cfg, logger)
	if err != nil {
		return err
	}
	if err := bootstrap(ctx, s, cfg, logger, os.Stdout); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /healthz", healthHandler(db))
	mux.Handle("GET /readyz", readyHandler(&s.ready))
	site, err := withDashboard(ctx, s, key, false)
	if err != nil {
		return err
	}
	mux.Handle("/", site)
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
	background("webhook dispatcher", s.dispatcher.Run)
	background("vetview scheduler", s.vetview.Run)
	background("mail outbox", s.outbox.Run)

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
	s := &server{db: db}
	s.library = &rx.Library{Store: db.Library()}
	// The shipped, verified label claims (protocol/labels), so an approved
	// on-label use is classified ONLABEL rather than refused as extra-label.
	approved, err := labels.Default()
	if err != nil {
		return nil, fmt.Errorf("label claims: %w", err)
	}
	s.rx = &rx.Service{Store: db.Rx(), Logger: logger, Labels: approved}
	if s.outbox, err = newOutbox(db, s.rx, cfg.Mail, logger); err != nil {
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
	s.webhooks = &webhook.Service{Store: db.Webhooks()}
	s.dispatcher = &webhook.Dispatcher{Store: db.Webhooks(), Logger: logger}

	var kinds vetview.Registry
	vetview.MustRegister(&kinds, jobs.WebhookMaintenanceKind(s.webhooks, logger))
	vetview.MustRegister(&kinds, jobs.ReminderKind(db.Rx(), reminderSender(s.outbox)))
	vv, err := vetview.New(vetview.Config{
		Store:      db.Vetview(),
		Kinds:      &kinds,
		Logger:     logger,
		ServerName: cfg.ServerName,
	})
	if err != nil {
		return nil, err
	}
	s.vetview = vv

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
	Status        string `json:"status"` // "ok" or "unavailable"
	Database      string `json:"database"`
	SchemaVersion int    `json:"schemaVersion"`
	Error         string `json:"error,omitempty"`
}

// healthHandler answers 200 when the database answers within two seconds,
// and 503 with the reason when it does not.
func healthHandler(db *store.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		h := health{Status: "ok", Database: string(db.Engine())}
		code := http.StatusOK
		applied, _, err := db.SchemaVersion(ctx)
		if err != nil {
			h.Status, h.Error, code = "unavailable", "the database did not answer", http.StatusServiceUnavailable
		}
		h.SchemaVersion = applied
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(h)
	})
}

// readyHandler answers 200 while the server takes requests: after start-up
// (migrations, bootstrap) and until shutdown begins, so a load balancer
// stops sending before the listener closes.
func readyHandler(ready *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"not ready"}` + "\n"))
			return
		}
		w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
}
