// Command withhold-sync is an integration that keeps a herd program's
// copy of the withholds in force (when an animal's meat and milk may enter
// the food chain again) in sync with a vetlink server, using the client
// SDK's ways in for integrations:
//
//   - POST /hookup receives the integration's registration when an
//     organisation adds it in vetlink (client.RegistrationHandler: the
//     signature verified with the hookup secret, the document validated);
//     the program then signs in with the registration's client
//     credentials (client.WithClientCredentials) and syncs at once.
//   - POST /events receives vetlink webhooks (withhold.started, .updated,
//     .released), verified with webhook.Verifier; each one makes the
//     program sync again.
//   - A sync lists /api/0.1/withholds/ with typed filters (release_at at
//     or after now, and the farm when -farm is set), page by page, and
//     writes the withholds in force to -out as JSON, replacing the file
//     at once (a rename), so the herd program never reads half of it.
//
// Run it with the two secrets the vetlink administrator gives:
//
//	VETLINK_HOOKUP_SECRET=whsec_... VETLINK_WEBHOOK_SECRET=whsec_... \
//		go run ./examples/withhold-sync -addr :9191 -out withholds.json
//
// The registration holds a client secret: a real integration stores it
// encrypted and signs in again with it after a restart; this example
// keeps it in memory only, so after a restart it waits for the next
// registration.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/webhook"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	addr := flag.String("addr", ":9191", "listen address")
	out := flag.String("out", "withholds.json", "file the withholds in force are written to")
	farm := flag.Int64("farm", 0, "sync this farm's withholds only (its vetlink user ID); 0 for every farm the integration may read")
	flag.Parse()
	s, err := newSyncer(os.Getenv("VETLINK_HOOKUP_SECRET"), os.Getenv("VETLINK_WEBHOOK_SECRET"), *out, *farm, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "withhold-sync:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go s.Run(ctx)
	srv := &http.Server{Addr: *addr, Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("withhold-sync listening", "addr", *addr, "out", *out)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("withhold-sync stopped", "err", err)
		os.Exit(1)
	}
}

// Withhold is a withhold of the integration API as the herd program's
// file keeps it.
type Withhold struct {
	ID        int64     `json:"id"`
	Farm      string    `json:"farm"` // the farm's URL in the integration API
	AnimalID  string    `json:"animal_id"`
	MeatUntil time.Time `json:"meat_until,omitzero"`
	MilkUntil time.Time `json:"milk_until,omitzero"`
	ReleaseAt time.Time `json:"release_at,omitzero"`
}

// syncer holds the integration's API, once registered, and syncs the
// withholds when asked.
type syncer struct {
	hookup *client.RegistrationHandler
	events *webhook.Verifier
	out    string
	farm   int64
	logger *slog.Logger
	now    func() time.Time
	// newAPI signs in with a registration; a field so tests can give the
	// API options.
	newAPI func(ctx context.Context, reg client.Registration) (*client.API, error)

	mu   sync.Mutex
	api  *client.API
	wake chan struct{} // a sync is due; capacity 1, so asks coalesce
	// Synced hears of each sync's outcome, when set (tests).
	synced func(n int, err error)
}

func newSyncer(hookupSecret, webhookSecret, out string, farm int64, logger *slog.Logger) (*syncer, error) {
	hk, err := webhook.ParseKey(hookupSecret)
	if err != nil {
		return nil, fmt.Errorf("VETLINK_HOOKUP_SECRET: %w", err)
	}
	wk, err := webhook.ParseKey(webhookSecret)
	if err != nil {
		return nil, fmt.Errorf("VETLINK_WEBHOOK_SECRET: %w", err)
	}
	s := &syncer{events: &webhook.Verifier{Keys: []webhook.Key{wk}}, out: out, farm: farm, logger: logger,
		now: time.Now, wake: make(chan struct{}, 1)}
	s.newAPI = func(ctx context.Context, reg client.Registration) (*client.API, error) {
		return client.New(ctx, reg.BaseURL(), client.WithClientCredentials(reg.ClientCredentials("withholds.read")),
			client.WithLogger(logger))
	}
	s.hookup = &client.RegistrationHandler{Verifier: &webhook.Verifier{Keys: []webhook.Key{hk}}, Accept: s.register, Logger: logger}
	return s, nil
}

// Handler serves POST /hookup and POST /events.
func (s *syncer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /hookup", s.hookup)
	mux.Handle("POST /events", s.events.Middleware(http.HandlerFunc(s.event)))
	return mux
}

// register signs in with a new registration and asks for a sync. A
// failure to sign in answers 500, so the server delivers it again.
func (s *syncer) register(ctx context.Context, reg client.Registration) error {
	if reg.AuthorizationGrantType != "client_credentials" {
		return fmt.Errorf("registration of %s: grant %q: this integration signs in with client_credentials", reg.ClientID, reg.AuthorizationGrantType)
	}
	api, err := s.newAPI(ctx, reg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.api = api
	s.mu.Unlock()
	s.logger.InfoContext(ctx, "registered", "organisation", string(reg.ProvetID), "client_id", reg.ClientID)
	s.ask()
	return nil
}

// event asks for a sync when a withhold changed; other events are
// acknowledged and ignored.
func (s *syncer) event(w http.ResponseWriter, r *http.Request) {
	typ := r.Header.Get("webhook-event")
	if typ == "" {
		var env struct {
			Type string `json:"type"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &env)
		typ = env.Type
	}
	if strings.HasPrefix(typ, "withhold.") {
		s.ask()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *syncer) ask() {
	select {
	case s.wake <- struct{}{}:
	default: // a sync is already due; it will see this change too
	}
}

// Run syncs whenever asked, until ctx is done.
func (s *syncer) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		n, err := s.sync(ctx)
		if err != nil {
			s.logger.ErrorContext(ctx, "sync failed", "err", err)
		} else {
			s.logger.InfoContext(ctx, "synced", "withholds", n, "out", s.out)
		}
		if s.synced != nil {
			s.synced(n, err)
		}
	}
}

// sync lists the withholds in force and writes them to the file.
func (s *syncer) sync(ctx context.Context) (int, error) {
	s.mu.Lock()
	api := s.api
	s.mu.Unlock()
	if api == nil {
		return 0, errors.New("not registered yet: no credentials")
	}
	conds := []client.Condition{client.Filter("release_at").Gte(s.now().Truncate(time.Minute))}
	if s.farm != 0 {
		conds = append(conds, client.Filter("farm").Eq(s.farm))
	}
	withholds := []Withhold{}
	for w, err := range client.List[Withhold](ctx, api, "withholds", &client.ListOptions{PageSize: 200}, conds...) {
		if err != nil {
			return 0, err
		}
		withholds = append(withholds, w)
	}
	b, err := json.MarshalIndent(withholds, "", "  ")
	if err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.out), ".withholds-*.json")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	return len(withholds), os.Rename(tmp.Name(), s.out)
}
