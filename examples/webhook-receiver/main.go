// Command webhook-receiver is a small receiver of vetlink webhooks: it
// verifies each delivery's Standard Webhooks signature with
// webhook.Verifier's middleware, drops duplicates by webhook-id (delivery
// is at least once), and logs what arrived.
//
//	VETLINK_WEBHOOK_SECRET=whsec_... go run ./examples/webhook-receiver -addr :9090
//
// Several secrets (during a rotation) are separated by commas; "whpk_"
// public keys verify Ed25519 ("v1a") signatures. It answers 204 No Content
// to a delivery it accepts, 401 to one whose signature does not verify.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vetlink/vetlink/webhook"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	addr := flag.String("addr", ":9090", "listen address")
	path := flag.String("path", "/webhooks/vetlink", "path deliveries are posted to")
	flag.Parse()
	h, err := newHandler(os.Getenv("VETLINK_WEBHOOK_SECRET"), logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(2)
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+*path, h)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	logger.Info("receiving webhooks", "addr", *addr, "path", *path)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("receiver stopped", "err", err)
		os.Exit(1)
	}
}

// newHandler returns the verified, de-duplicating handler for the
// comma-separated keys.
func newHandler(keys string, logger *slog.Logger) (http.Handler, error) {
	if strings.TrimSpace(keys) == "" {
		return nil, errors.New("set VETLINK_WEBHOOK_SECRET to the subscription's whsec_ secret (or whpk_ public key)")
	}
	v := &webhook.Verifier{}
	for _, s := range strings.Split(keys, ",") {
		k, err := webhook.ParseKey(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		v.Keys = append(v.Keys, k)
	}
	seen := &recentIDs{max: 10000}
	return v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(webhook.HeaderID)
		body, _ := io.ReadAll(r.Body)
		if !seen.add(id) {
			logger.Info("duplicate delivery ignored", "webhook_id", id)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		logger.Info("delivery", "webhook_id", id, "content_type", r.Header.Get("Content-Type"), "body", string(body))
		w.WriteHeader(http.StatusNoContent)
	})), nil
}

// recentIDs remembers the last max webhook-ids, to drop redeliveries.
// Duplicates arrive within the retry schedule, so a bounded memory is
// enough for a demo; a real receiver keeps the IDs with the data it writes.
type recentIDs struct {
	mu    sync.Mutex
	max   int
	order []string
	set   map[string]bool
}

// add records id and reports whether it is new.
func (r *recentIDs) add(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set == nil {
		r.set = make(map[string]bool)
	}
	if r.set[id] {
		return false
	}
	r.set[id] = true
	r.order = append(r.order, id)
	if len(r.order) > r.max {
		delete(r.set, r.order[0])
		r.order = r.order[1:]
	}
	return true
}
