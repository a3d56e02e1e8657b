package openapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/vetlink/vetlink/auth"
	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/vetview"
	"github.com/vetlink/vetlink/webhook"
)

// Defaults of Config's limits.
const (
	DefaultMaxBody  = 1 << 20 // 1 MiB: the largest protocol seen is ~40 KB
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Transactor runs fn in one database transaction (store.DB implements
// it). Every write of the API runs in one, together with the webhook
// events it publishes, so a rolled-back request notifies no one.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Config is what the API handler is built from. DB, Rx, Library, Site,
// Auth and Webhooks are required; the rest have useful zero values.
type Config struct {
	DB       Transactor
	Rx       *rx.Service
	Library  *rx.Library
	Site     *site.Service
	Auth     *auth.Service
	Webhooks *webhook.Service
	// Published is called after a transaction that published webhook
	// events has committed (the dispatcher's Wake), so they go out at once
	// rather than at the dispatcher's next poll. Nil means nothing.
	Published func()
	// Logger receives one line per request and the causes of 500s; nil
	// discards.
	Logger *slog.Logger
	// NoValidation turns off the validation of requests against the
	// document. It exists to measure what validation costs; a server
	// should never set it.
	NoValidation bool
	// MaxBody bounds a request body; zero means DefaultMaxBody.
	MaxBody int64
	// Mailer sends the mail of the API: the link that confirms a new
	// account's address (createProfile) and the invitation of a user
	// created by a relation (createRightRelation), with which they set
	// their password. Nil means mail is not configured: no link is issued,
	// and the SAOR sets passwords (changePassword).
	Mailer Mailer
	// PublicURL is the scheme and host (and path prefix) of the API as its
	// users reach it, such as https://vetlink.example.org, for the links
	// of mails. Empty means the scheme and Host of the request that causes
	// the mail, which is right unless a proxy rewrites the Host.
	PublicURL string
	// Vetview and Audit serve the admin API (/api/admin/servers, jobs and
	// webhooks): the job scheduler's service and the log every change of
	// an administrator is recorded in. Either nil: those operations answer
	// 501.
	Vetview *vetview.Service
	Audit   AuditLog
	// Outbox, when set, receives the API's mail in the transaction of the
	// change that causes it (package mail): a prescription's PDF to the
	// client and the VOR (emailToClient, emailToVOR), messages sent with
	// modes=EMAIL with their yes/no links, and each user comment to the
	// administrators. Mailer defaults to it.
	Outbox *vmail.Outbox
}

// Mailer sends one plain-text e-mail. When the Mailer is Config.Outbox
// (the default), the mail of an invitation or an address confirmation is
// written to the outbox in the transaction that issues its token, and
// commits with it. Any other Mailer is called after that transaction has
// committed; its error is logged and does not fail the request (the token
// can be issued again).
type Mailer interface {
	Mail(ctx context.Context, to, subject, body string) error
}

// API implements the operations of vetlink.yaml (StrictServerInterface)
// over the domain services. It maps HTTP to domain calls and back and
// holds no business rule of its own: every decision (who may, what is
// valid, what follows) is the domain packages'.
type API struct {
	cfg    Config
	logger *slog.Logger
}

// NewHandler returns the API as an http.Handler: the gate (routing,
// authentication, request validation against the embedded document),
// then the generated strict server, then Handler. It also serves the
// document itself at /openapi.yaml and /openapi.json and a page that
// reads it at /docs.
func NewHandler(cfg Config) (http.Handler, error) {
	switch {
	case cfg.DB == nil, cfg.Rx == nil, cfg.Library == nil, cfg.Site == nil, cfg.Auth == nil, cfg.Webhooks == nil:
		return nil, errors.New("openapi: Config needs DB, Rx, Library, Site, Auth and Webhooks")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Mailer == nil && cfg.Outbox != nil {
		cfg.Mailer = cfg.Outbox
	}
	h := &API{cfg: cfg, logger: logger}

	doc, err := Swagger()
	if err != nil {
		return nil, err
	}
	strict := NewStrictHandlerWithOptions(h, []StrictMiddlewareFunc{withAccept, withBaseURL}, StrictHTTPServerOptions{
		RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			WriteProblem(w, r, newProblem(http.StatusBadRequest, "bad_request", firstLine(err.Error())))
		},
		ResponseErrorHandlerFunc: h.writeError,
	})
	api := newAPIMux()
	HandlerWithOptions(strict, StdHTTPServerOptions{
		BaseRouter: api,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			WriteProblem(w, r, newProblem(http.StatusBadRequest, "bad_request", firstLine(err.Error())))
		},
	})
	g, err := newGate(doc, cfg.Auth, !cfg.NoValidation, cfg.MaxBody, api)
	if err != nil {
		return nil, err
	}

	root := http.NewServeMux()
	root.Handle("/", g)
	root.HandleFunc("GET /openapi.yaml", serveDocument("application/yaml", Document()))
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: encoding the document as JSON: %w", err)
	}
	root.HandleFunc("GET /openapi.json", serveDocument("application/json", docJSON))
	docs, err := docsPage(doc)
	if err != nil {
		return nil, err
	}
	root.Handle("GET /docs", docs)
	return Logged(logger, root), nil
}

// serveDocument answers with a fixed body.
func serveDocument(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}

// writeError answers a handler's error as a problem, logging the cause of
// a 500 (which the client never sees).
func (h *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemFor(err)
	if p.Status >= 500 {
		h.logger.ErrorContext(r.Context(), "request failed", "request_id", RequestID(r.Context()), "err", err)
	}
	WriteProblem(w, r, p)
}

// actor loads the authenticated user of ctx with their relationships.
func (h *API) actor(ctx context.Context) (rx.Actor, error) {
	id, ok := UserFromContext(ctx)
	if !ok {
		return rx.Actor{}, auth.ErrBadToken
	}
	return h.cfg.Rx.Actor(ctx, id)
}

// inTx runs fn in one transaction; when it commits and fn published
// events, the dispatcher is woken.
func (h *API) inTx(ctx context.Context, fn func(ctx context.Context, pub *publisher) error) error {
	pub := &publisher{svc: h.cfg.Webhooks}
	err := h.cfg.DB.InTx(ctx, func(ctx context.Context) error { return fn(ctx, pub) })
	if err == nil && pub.n > 0 && h.cfg.Published != nil {
		h.cfg.Published()
	}
	return err
}

// publisher publishes webhook events inside the request's transaction.
type publisher struct {
	svc *webhook.Service
	n   int
}

// publish stores one event of type t about resource id, with data as the
// envelope's data when not nil.
func (p *publisher) publish(ctx context.Context, t webhook.EventType, id string, data any) error {
	e := webhook.Event{Type: t, ResourceID: id}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("openapi: encoding the %s event: %w", t, err)
		}
		e.Data = b
	}
	if _, err := p.svc.Publish(ctx, e); err != nil {
		return err
	}
	p.n++
	return nil
}
