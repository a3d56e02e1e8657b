package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/vetlink/vetlink/webhook"
)

// WebhookStore keeps webhook subscriptions, the outbox of events, their
// deliveries and the delivery log. It implements [webhook.Store].
type WebhookStore struct{ db *DB }

var (
	_ webhook.Store         = (*WebhookStore)(nil)
	_ webhook.Transactor    = (*WebhookStore)(nil)
	_ webhook.MatchingStore = (*WebhookStore)(nil)
)

// Webhooks returns the webhook store of db.
func (db *DB) Webhooks() *WebhookStore { return &WebhookStore{db: db} }

// InTx runs fn in a transaction of the store's database, as [DB.InTx]
// does; it makes WebhookStore a [webhook.Transactor].
func (w *WebhookStore) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return w.db.InTx(ctx, fn)
}

// secretJSON is one element of webhook_subscriptions.secrets.
type secretJSON struct {
	// Key is the secret sealed ("sealed:v1:…", see seal.go), or, in a row
	// written before secrets were sealed, the plain "whsec_…" text.
	Key       string `json:"key"`
	ExpiresAt int64  `json:"expires_at,omitempty"` // microseconds; 0 means none
}

const subscriptionColumns = `s.id, s.name, s.url, s.department, s.format, s.secrets, s.active, s.strict_200,
	s.max_in_flight, s.failing_since, s.disabled_at, s.disabled_reason, s.created_at, s.updated_at,
	s.timeout_ms, s.headers, s.rate_limit`

// subscriptionSelect selects the subscriptionColumns and, last, the
// subscription's event types joined by commas (event types have none), so
// that one query reads whole subscriptions.
func (w *WebhookStore) subscriptionSelect() string {
	agg := `group_concat(event_type, ',' ORDER BY event_type)`
	if w.db.engine == PostgreSQL {
		agg = `string_agg(event_type, ',' ORDER BY event_type)`
	}
	return `SELECT ` + subscriptionColumns + `, COALESCE((SELECT ` + agg + `
		FROM webhook_subscription_events WHERE subscription_id = s.id), '') FROM webhook_subscriptions s`
}

func splitEvents(joined string) []webhook.EventType {
	if joined == "" {
		return nil
	}
	parts := strings.Split(joined, ",")
	out := make([]webhook.EventType, len(parts))
	for i, p := range parts {
		out[i] = webhook.EventType(p)
	}
	return out
}

// scanSubscription reads the subscriptionColumns from dest-first scanner
// arguments; extra are scanned after them. sl opens the sealed secrets; it
// is nil on a DB without a secret key, which still reads legacy plaintext
// secrets.
func scanSubscription(sl *sealer, scan func(...any) error, extra ...any) (webhook.Subscription, error) {
	var (
		s                        webhook.Subscription
		id, format, secrets      string
		failingSince, disabledAt sql.NullInt64
		createdAt, updatedAt     int64
		maxInFlight, timeoutMS   int64
		headers                  string
	)
	args := append([]any{&id, &s.Name, &s.URL, &s.Department, &format, &secrets, &s.Active, &s.Strict200,
		&maxInFlight, &failingSince, &disabledAt, &s.DisabledReason, &createdAt, &updatedAt,
		&timeoutMS, &headers, &s.RateLimit}, extra...)
	if err := scan(args...); err != nil {
		return webhook.Subscription{}, err
	}
	var err error
	if s.ID, err = uuid.Parse(id); err != nil {
		return webhook.Subscription{}, fmt.Errorf("store: webhook subscription id %q: %w", id, err)
	}
	var js []secretJSON
	if err := json.Unmarshal([]byte(secrets), &js); err != nil {
		return webhook.Subscription{}, fmt.Errorf("store: webhook subscription %s secrets: %w", id, err)
	}
	for i, j := range js {
		key, err := sl.open(s.ID, i+1, j.Key)
		if err != nil {
			return webhook.Subscription{}, err
		}
		sec := webhook.Secret{Key: key}
		if j.ExpiresAt != 0 {
			sec.ExpiresAt = fromMicros(j.ExpiresAt)
		}
		s.Secrets = append(s.Secrets, sec)
	}
	if headers != "" && headers != "{}" {
		if err := json.Unmarshal([]byte(headers), &s.Headers); err != nil {
			return webhook.Subscription{}, fmt.Errorf("store: webhook subscription %s headers: %w", id, err)
		}
	}
	s.Timeout = time.Duration(timeoutMS) * time.Millisecond
	s.Format = webhook.Format(format)
	s.MaxInFlight = int(maxInFlight)
	s.FailingSince = fromNullMicros(failingSince)
	s.DisabledAt = fromNullMicros(disabledAt)
	s.CreatedAt = fromMicros(createdAt)
	s.UpdatedAt = fromMicros(updatedAt)
	return s, nil
}

// headersJSON is the headers column of a subscription: a JSON object.
func headersJSON(h map[string]string) string {
	if len(h) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(h) // strings always encode
	return string(b)
}

// eventTypeMatch is the SQL condition "the subscription's entry se.event_type
// selects event type typ": equal, or a pattern "prefix.*" whose prefix
// starts typ (see webhook.MatchEventType). The same on both engines.
func eventTypeMatch(typ string) string {
	return `(se.event_type = ` + typ + ` OR (se.event_type LIKE '%*' AND
		substr(` + typ + `, 1, length(se.event_type) - 1) = substr(se.event_type, 1, length(se.event_type) - 1)))`
}

// sealSecrets returns the secrets column of subscription id: every secret
// sealed. Legacy plaintext secrets read from an older row are sealed here
// too, so a row is sealed from its first write after the upgrade. Without
// a secret key it fails with ErrNoSecretKey, unless there is nothing to
// seal.
func (w *WebhookStore) sealSecrets(id uuid.UUID, secs []webhook.Secret) (string, error) {
	sl := w.db.sealer.Load()
	if sl == nil && len(secs) > 0 {
		return "", fmt.Errorf("%w: webhook subscription %s has %d secret(s) to seal", ErrNoSecretKey, id, len(secs))
	}
	js := make([]secretJSON, len(secs))
	for i, s := range secs {
		js[i] = secretJSON{Key: sl.seal(id, s.Key)}
		if !s.ExpiresAt.IsZero() {
			js[i].ExpiresAt = micros(s.ExpiresAt)
		}
	}
	b, _ := json.Marshal(js) // strings and integers always encode
	return string(b), nil
}

// CreateSubscription stores a new subscription, its secrets sealed. On a
// DB without a secret key it fails with [ErrNoSecretKey] and stores
// nothing.
func (w *WebhookStore) CreateSubscription(ctx context.Context, s webhook.Subscription) error {
	secrets, err := w.sealSecrets(s.ID, s.Secrets)
	if err != nil {
		return err
	}
	return w.db.InTx(ctx, func(ctx context.Context) error {
		_, err := w.db.q(ctx).ExecContext(ctx, `INSERT INTO webhook_subscriptions
			(id, name, url, department, format, secrets, active, strict_200, max_in_flight,
			 failing_since, disabled_at, disabled_reason, created_at, updated_at, timeout_ms, headers, rate_limit)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			s.ID.String(), s.Name, s.URL, s.Department, string(s.Format), secrets, s.Active, s.Strict200,
			s.MaxInFlight, nullMicros(s.FailingSince), nullMicros(s.DisabledAt), s.DisabledReason,
			micros(s.CreatedAt), micros(s.UpdatedAt), s.Timeout.Milliseconds(), headersJSON(s.Headers), s.RateLimit)
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: webhook subscription %s already exists", webhook.ErrConflict, s.ID)
		}
		if err != nil {
			return fmt.Errorf("store: create webhook subscription %s: %w", s.ID, err)
		}
		return w.setEvents(ctx, s.ID, s.Events)
	})
}

func (w *WebhookStore) setEvents(ctx context.Context, id uuid.UUID, events []webhook.EventType) error {
	q := w.db.q(ctx)
	if _, err := q.ExecContext(ctx, `DELETE FROM webhook_subscription_events WHERE subscription_id = $1`, id.String()); err != nil {
		return fmt.Errorf("store: webhook subscription %s events: %w", id, err)
	}
	seen := make(map[webhook.EventType]bool, len(events))
	for _, t := range events {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := q.ExecContext(ctx, `INSERT INTO webhook_subscription_events (subscription_id, event_type) VALUES ($1, $2)`,
			id.String(), string(t)); err != nil {
			return fmt.Errorf("store: webhook subscription %s events: %w", id, err)
		}
	}
	return nil
}

// UpdateSubscription replaces the subscription with s.ID, its secrets
// sealed (a legacy row's plaintext secrets among them). On a DB without a
// secret key it fails with [ErrNoSecretKey] and changes nothing.
func (w *WebhookStore) UpdateSubscription(ctx context.Context, s webhook.Subscription) error {
	secrets, err := w.sealSecrets(s.ID, s.Secrets)
	if err != nil {
		return err
	}
	return w.db.InTx(ctx, func(ctx context.Context) error {
		res, err := w.db.q(ctx).ExecContext(ctx, `UPDATE webhook_subscriptions SET
			name = $2, url = $3, department = $4, format = $5, secrets = $6, active = $7, strict_200 = $8,
			max_in_flight = $9, failing_since = $10, disabled_at = $11, disabled_reason = $12, updated_at = $13,
			timeout_ms = $14, headers = $15, rate_limit = $16
			WHERE id = $1`,
			s.ID.String(), s.Name, s.URL, s.Department, string(s.Format), secrets, s.Active, s.Strict200,
			s.MaxInFlight, nullMicros(s.FailingSince), nullMicros(s.DisabledAt), s.DisabledReason, micros(s.UpdatedAt),
			s.Timeout.Milliseconds(), headersJSON(s.Headers), s.RateLimit)
		if err != nil {
			return fmt.Errorf("store: update webhook subscription %s: %w", s.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: webhook subscription %s", webhook.ErrNotFound, s.ID)
		}
		if !s.Active {
			// Switched off: nothing more goes out. Its waiting deliveries
			// are parked as a dispatcher's disabling parks them, so they are
			// stranded (and recovered) if the subscription is switched on again.
			if _, err := w.db.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET state = $2, last_error = $3,
				lease_owner = NULL, lease = NULL, updated_at = $4, completed_at = $4, parked = TRUE
				WHERE subscription_id = $1 AND state = 'pending'`,
				s.ID.String(), string(webhook.StateFailed), "subscription disabled: switched off", micros(s.UpdatedAt)); err != nil {
				return fmt.Errorf("store: park deliveries of webhook subscription %s: %w", s.ID, err)
			}
		}
		return w.setEvents(ctx, s.ID, s.Events)
	})
}

// Subscription returns the subscription with id.
func (w *WebhookStore) Subscription(ctx context.Context, id uuid.UUID) (webhook.Subscription, error) {
	row := w.db.q(ctx).QueryRowContext(ctx, w.subscriptionSelect()+` WHERE s.id = $1`, id.String())
	var events string
	s, err := scanSubscription(w.db.sealer.Load(), row.Scan, &events)
	if errors.Is(err, sql.ErrNoRows) {
		return webhook.Subscription{}, fmt.Errorf("%w: webhook subscription %s", webhook.ErrNotFound, id)
	}
	if err != nil {
		return webhook.Subscription{}, fmt.Errorf("store: webhook subscription %s: %w", id, err)
	}
	s.Events = splitEvents(events)
	return s, nil
}

// Subscriptions lists the subscriptions q selects, oldest first.
func (w *WebhookStore) Subscriptions(ctx context.Context, q webhook.SubscriptionQuery) ([]webhook.Subscription, error) {
	query := w.subscriptionSelect()
	var (
		args  []any
		where []string
	)
	if q.EventType != "" || len(q.EventTypes) > 0 {
		types := make([]string, 0, len(q.EventTypes)+1)
		if q.EventType != "" {
			types = append(types, string(q.EventType))
		}
		for _, t := range q.EventTypes {
			types = append(types, string(t))
		}
		_, arg := w.inSet("", 1, types)
		args = append(args, arg)
		where = append(where, `EXISTS (SELECT 1 FROM webhook_subscription_events se, `+w.typeSet(1)+`
			WHERE se.subscription_id = s.id AND `+eventTypeMatch("q.t")+`)`)
	}
	if q.ActiveOnly {
		where = append(where, `s.active`)
	}
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY s.created_at, s.id`
	rows, err := w.db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list webhook subscriptions: %w", err)
	}
	defer rows.Close()
	var subs []webhook.Subscription
	for rows.Next() {
		var events string
		s, err := scanSubscription(w.db.sealer.Load(), rows.Scan, &events)
		if err != nil {
			return nil, fmt.Errorf("store: list webhook subscriptions: %w", err)
		}
		s.Events = splitEvents(events)
		subs = append(subs, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list webhook subscriptions: %w", err)
	}
	return subs, nil
}

// DeleteSubscription deletes a subscription, its deliveries and their log.
func (w *WebhookStore) DeleteSubscription(ctx context.Context, id uuid.UUID) error {
	res, err := w.db.q(ctx).ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id.String())
	if err != nil {
		return fmt.Errorf("store: delete webhook subscription %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: webhook subscription %s", webhook.ErrNotFound, id)
	}
	return nil
}

// Enqueue stores events es and their pending deliveries ds, in the
// transaction ctx carries (or one of its own): on PostgreSQL in one
// statement, on SQLite a prepared statement a row.
func (w *WebhookStore) Enqueue(ctx context.Context, es []webhook.Event, ds []webhook.Delivery) error {
	if w.db.engine == PostgreSQL {
		return w.enqueuePostgres(ctx, es, ds)
	}
	// Inside the caller's transaction, no savepoint: a failure here fails
	// the caller's transaction anyway, and it saves two round trips.
	inTx := w.db.InTx
	if w.db.InTransaction(ctx) {
		inTx = func(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }
	}
	return inTx(ctx, func(ctx context.Context) error {
		err := insertEach(ctx, w.db.q(ctx), `INSERT INTO webhook_events (id, type, resource_id, department, data, occurred_at) VALUES `,
			6, len(es), func(i int) []any {
				e := es[i]
				var data sql.NullString
				if len(e.Data) > 0 {
					data = sql.NullString{String: string(e.Data), Valid: true}
				}
				return []any{e.ID.String(), string(e.Type), e.ResourceID, e.Department, data, micros(e.OccurredAt)}
			})
		if err != nil {
			return fmt.Errorf("store: enqueue %d webhook events: %w", len(es), err)
		}
		err = insertEach(ctx, w.db.q(ctx), `INSERT INTO webhook_deliveries
			(id, event_id, subscription_id, event_type, state, attempts, next_attempt_at, created_at, updated_at) VALUES `,
			9, len(ds), func(i int) []any {
				d := ds[i]
				return []any{d.ID.String(), d.EventID.String(), d.SubscriptionID.String(), string(d.EventType),
					string(webhook.StatePending), 0, micros(d.NextAttemptAt), micros(d.CreatedAt), micros(d.UpdatedAt)}
			})
		if err != nil {
			return fmt.Errorf("store: enqueue %d webhook deliveries: %w", len(ds), err)
		}
		return nil
	})
}

// EnqueueMatching stores events es with one pending delivery, due at now,
// per subscription that [webhook.Subscription.Matches] them. On PostgreSQL
// it is one statement that matches in the database, giving each delivery
// a random (version 4) UUID; on SQLite, where a round trip costs no
// network, it reads the subscriptions and calls Enqueue.
func (w *WebhookStore) EnqueueMatching(ctx context.Context, es []webhook.Event, now time.Time) error {
	if w.db.engine != PostgreSQL {
		var types []webhook.EventType
		for _, e := range es {
			if !slices.Contains(types, e.Type) {
				types = append(types, e.Type)
			}
		}
		subs, err := w.Subscriptions(ctx, webhook.SubscriptionQuery{EventTypes: types, ActiveOnly: true})
		if err != nil {
			return err
		}
		var ds []webhook.Delivery
		for _, e := range es {
			for _, sub := range subs {
				if sub.Matches(e) {
					ds = append(ds, webhook.Delivery{ID: uuid.New(), EventID: e.ID, SubscriptionID: sub.ID, EventType: e.Type,
						State: webhook.StatePending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
				}
			}
		}
		return w.Enqueue(ctx, es, ds)
	}
	ids, types, resources, depts, data, at := eventArrays(es)
	// The event's department limits the department-bound subscriptions:
	// one without a department triggers only organisation-wide ones.
	_, err := w.db.q(ctx).ExecContext(ctx, `WITH ev AS (
			INSERT INTO webhook_events (id, type, resource_id, department, data, occurred_at)
			SELECT e.id, e.type, e.resource_id, e.department, e.data::jsonb, e.occurred_at
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
				AS e(id, type, resource_id, department, data, occurred_at)
			RETURNING id, type, department
		), ins AS (
		INSERT INTO webhook_deliveries (id, event_id, subscription_id, event_type, state, attempts, next_attempt_at, created_at, updated_at)
		SELECT gen_random_uuid()::text, ev.id, s.id, ev.type, 'pending', 0, $7, $7, $7
		FROM ev
		JOIN webhook_subscriptions s ON s.active AND (s.department = '' OR s.department = ev.department)
		WHERE EXISTS (SELECT 1 FROM webhook_subscription_events se WHERE se.subscription_id = s.id AND `+eventTypeMatch("ev.type")+`)
		RETURNING 1
	)
	SELECT pg_notify('`+notifyChannel+`', '') WHERE EXISTS (SELECT 1 FROM ins)`,
		ids, types, resources, depts, data, at, micros(now))
	if err != nil {
		return fmt.Errorf("store: enqueue %d webhook events: %w", len(es), err)
	}
	return nil
}

// eventArrays returns the columns of es as arrays, for unnest.
func eventArrays(es []webhook.Event) (ids, types, resources, depts []string, data []*string, at []int64) {
	ids, types, resources, depts = make([]string, len(es)), make([]string, len(es)), make([]string, len(es)), make([]string, len(es))
	data, at = make([]*string, len(es)), make([]int64, len(es))
	for i, e := range es {
		ids[i], types[i], resources[i], depts[i], at[i] = e.ID.String(), string(e.Type), e.ResourceID, e.Department, micros(e.OccurredAt)
		if len(e.Data) > 0 {
			d := string(e.Data)
			data[i] = &d
		}
	}
	return ids, types, resources, depts, data, at
}

// enqueuePostgres is Enqueue as one statement, an array per column: the
// outbox write is a single round trip inside the caller's transaction, and
// one statement text for any number of rows, planned once. The deliveries'
// references to their events are checked at the end of the statement,
// when the events are in.
func (w *WebhookStore) enqueuePostgres(ctx context.Context, es []webhook.Event, ds []webhook.Delivery) error {
	eIDs, eTypes, eResources, eDepts, eData, eAt := eventArrays(es)
	var (
		dIDs, dEvents, dSubs, dTypes = make([]string, len(ds)), make([]string, len(ds)), make([]string, len(ds)), make([]string, len(ds))
		dNext, dCreated, dUpdated    = make([]int64, len(ds)), make([]int64, len(ds)), make([]int64, len(ds))
	)
	for i, d := range ds {
		dIDs[i], dEvents[i], dSubs[i], dTypes[i] = d.ID.String(), d.EventID.String(), d.SubscriptionID.String(), string(d.EventType)
		dNext[i], dCreated[i], dUpdated[i] = micros(d.NextAttemptAt), micros(d.CreatedAt), micros(d.UpdatedAt)
	}
	_, err := w.db.q(ctx).ExecContext(ctx, `WITH ev AS (
			INSERT INTO webhook_events (id, type, resource_id, department, data, occurred_at)
			SELECT e.id, e.type, e.resource_id, e.department, e.data::jsonb, e.occurred_at
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
				AS e(id, type, resource_id, department, data, occurred_at)
		), ins AS (
		INSERT INTO webhook_deliveries (id, event_id, subscription_id, event_type, state, attempts, next_attempt_at, created_at, updated_at)
		SELECT d.id, d.event_id, d.subscription_id, d.event_type, 'pending', 0, d.next, d.created, d.updated
		FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[])
			AS d(id, event_id, subscription_id, event_type, next, created, updated)
		RETURNING 1
		)
		SELECT pg_notify('`+notifyChannel+`', '') WHERE EXISTS (SELECT 1 FROM ins)`,
		eIDs, eTypes, eResources, eDepts, eData, eAt, dIDs, dEvents, dSubs, dTypes, dNext, dCreated, dUpdated)
	if err != nil {
		return fmt.Errorf("store: enqueue %d webhook events, %d deliveries: %w", len(es), len(ds), err)
	}
	return nil
}

// typeSet is a FROM item q(t) of the strings of parameter param, the
// argument inSet makes.
func (w *WebhookStore) typeSet(param int) string {
	if w.db.engine == PostgreSQL {
		return fmt.Sprintf("unnest($%d::text[]) AS q(t)", param)
	}
	return fmt.Sprintf("(SELECT value AS t FROM json_each($%d)) AS q", param)
}

// inSet returns a condition "col is one of ids" whose SQL text does not
// depend on how many ids there are, with its one argument at position
// param: PostgreSQL keeps one prepared statement for every size, where an
// IN list of placeholders would be planned again for each new length.
func (w *WebhookStore) inSet(col string, param int, ids []string) (string, any) {
	if w.db.engine == PostgreSQL {
		return fmt.Sprintf("%s = ANY($%d)", col, param), ids
	}
	b, _ := json.Marshal(ids) // strings always encode
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", col, param), string(b)
}

// insertRows runs insert (which ends in "VALUES ") for n rows of cols
// columns, a hundred rows a statement; row(i) gives the values of row i.
func insertRows(ctx context.Context, q querier, insert string, cols, n int, row func(i int) []any) error {
	for start := 0; start < n; start += 100 {
		end := min(start+100, n)
		var sb strings.Builder
		args := make([]any, 0, cols*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + placeholders((i-start)*cols+1, cols) + ")")
			args = append(args, row(i)...)
		}
		if _, err := q.ExecContext(ctx, insert+sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

const deliveryColumns = `d.id, d.event_id, d.subscription_id, d.event_type, d.state, d.attempts, d.next_attempt_at,
	d.last_status, d.last_error, d.created_at, d.updated_at, d.completed_at`

func scanDelivery(scan func(...any) error, extra ...any) (webhook.Delivery, error) {
	var (
		d                           webhook.Delivery
		id, eventID, subID, typ, st string
		next, created, updated      int64
		completed                   sql.NullInt64
	)
	args := append([]any{&id, &eventID, &subID, &typ, &st, &d.Attempts, &next, &d.LastStatus, &d.LastError,
		&created, &updated, &completed}, extra...)
	if err := scan(args...); err != nil {
		return webhook.Delivery{}, err
	}
	var err error
	if d.ID, err = uuid.Parse(id); err != nil {
		return webhook.Delivery{}, fmt.Errorf("store: webhook delivery id %q: %w", id, err)
	}
	if d.EventID, err = uuid.Parse(eventID); err != nil {
		return webhook.Delivery{}, fmt.Errorf("store: webhook delivery %s event id %q: %w", id, eventID, err)
	}
	if d.SubscriptionID, err = uuid.Parse(subID); err != nil {
		return webhook.Delivery{}, fmt.Errorf("store: webhook delivery %s subscription id %q: %w", id, subID, err)
	}
	d.EventType = webhook.EventType(typ)
	d.State = webhook.DeliveryState(st)
	d.NextAttemptAt = fromMicros(next)
	d.CreatedAt = fromMicros(created)
	d.UpdatedAt = fromMicros(updated)
	d.CompletedAt = fromNullMicros(completed)
	return d, nil
}

// Claim leases due deliveries. On PostgreSQL the candidate rows are locked
// with SKIP LOCKED, so concurrent claimers take disjoint sets without
// waiting, and the claim is one statement, committed without waiting for
// the disk (see asyncCommit) unless ctx carries a transaction; on SQLite a
// transaction holds the database's write lock across the claim and the
// read of what it claimed.
func (w *WebhookStore) Claim(ctx context.Context, r webhook.ClaimRequest) ([]webhook.Job, error) {
	if r.Limit <= 0 {
		return nil, nil
	}
	per := r.PerSubscription
	if per <= 0 {
		per = r.Limit
	}
	skipIDs := make([]string, len(r.Skip))
	for i, id := range r.Skip {
		skipIDs[i] = id.String()
	}
	inSkip, skipArg := w.inSet("subscription_id", 7, skipIDs)
	now := micros(r.Now)
	room := make(map[string]int, len(r.Room))
	for id, n := range r.Room {
		room[id.String()] = n
	}
	roomJSON, _ := json.Marshal(room) // strings and integers always encode
	args := []any{now, min(r.Limit+r.Limit/2, 1000), micros(r.Until), r.Owner, r.Lease, per, skipArg, r.Limit, string(roomJSON)}
	// room(sub, n) is how many of a subscription's deliveries the
	// dispatcher has room for, where it says.
	roomSet := `(SELECT key AS sub, value AS n FROM json_each($9)) AS room`
	if w.db.engine == PostgreSQL {
		roomSet = `(SELECT key AS sub, value::int AS n FROM jsonb_each_text($9::jsonb)) AS room`
	}
	// cand is a window of the due deliveries, oldest due first, a little
	// larger than the limit so that the per-subscription cap (ranked) can
	// pass over a busy subscription's rows and still fill the claim.
	cand := `cand AS (
			SELECT id, subscription_id, next_attempt_at FROM webhook_deliveries
			WHERE state = 'pending' AND next_attempt_at <= $1 AND NOT (` + inSkip + `)
			ORDER BY next_attempt_at LIMIT $2`
	ranked := `ranked AS (
			SELECT id, subscription_id, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY subscription_id ORDER BY next_attempt_at, id) AS rn
			FROM cand
		)`
	update := `UPDATE webhook_deliveries SET next_attempt_at = $3, lease_owner = $4, lease = $5, updated_at = $1
		WHERE id IN (SELECT ranked.id FROM ranked LEFT JOIN ` + roomSet + ` ON room.sub = ranked.subscription_id
			WHERE ranked.rn <= COALESCE(room.n, $6) ORDER BY ranked.next_attempt_at LIMIT $8)`
	jobSelect := `SELECT ` + deliveryColumns + `, e.resource_id, e.department, e.data, e.occurred_at, ` + subscriptionColumns
	jobJoin := ` JOIN webhook_events e ON e.id = d.event_id
		JOIN webhook_subscriptions s ON s.id = d.subscription_id`

	if w.db.engine == PostgreSQL {
		// One statement: the UPDATE's RETURNING feeds the join that loads
		// each job's event and subscription. Outside a caller's
		// transaction it is its own transaction, one round trip: it turns
		// synchronous_commit off for itself (set_config local to the
		// statement's implicit transaction, see asyncCommit for why that is
		// safe), where BEGIN, SET LOCAL and COMMIT would be three more
		// round trips, which under load cost more than the claim.
		query := `WITH ` + cand + ` FOR UPDATE SKIP LOCKED
			), ` + ranked + `, d AS (
				` + update + `
				RETURNING id, event_id, subscription_id, event_type, state, attempts, next_attempt_at,
					last_status, last_error, created_at, updated_at, completed_at
			)
			` + jobSelect + ` FROM d` + jobJoin
		var jobs []webhook.Job
		claim := func(ctx context.Context) error {
			rows, err := w.db.q(ctx).QueryContext(ctx, query+` ORDER BY d.created_at`, args...)
			if err != nil {
				return err
			}
			jobs, err = scanJobs(w.db.sealer.Load(), rows, r.Lease)
			return err
		}
		var err error
		if w.db.InTransaction(ctx) {
			err = claim(ctx)
		} else {
			query += ` CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS async`
			err = claim(ctx)
		}
		if err != nil {
			return nil, fmt.Errorf("store: claim webhook deliveries: %w", err)
		}
		return jobs, nil
	}

	defer w.sqliteWriter(ctx)()
	var jobs []webhook.Job
	err := w.db.InTx(ctx, func(ctx context.Context) error {
		q := w.db.q(ctx)
		rows, err := q.QueryContext(ctx, `WITH `+cand+`), `+ranked+`
			`+update+` RETURNING id`, args...)
		if err != nil {
			return fmt.Errorf("store: claim webhook deliveries: %w", err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: claim webhook deliveries: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: claim webhook deliveries: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		inClaimed, claimedArg := w.inSet("d.id", 1, ids)
		rows, err = q.QueryContext(ctx, jobSelect+` FROM webhook_deliveries d`+jobJoin+`
			WHERE `+inClaimed+` ORDER BY d.created_at`, claimedArg)
		if err != nil {
			return fmt.Errorf("store: load claimed webhook deliveries: %w", err)
		}
		if jobs, err = scanJobs(w.db.sealer.Load(), rows, r.Lease); err != nil {
			return fmt.Errorf("store: load claimed webhook deliveries: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// scanJobs reads the rows of a claim, each a delivery with its event and
// subscription, and closes them.
func scanJobs(sl *sealer, rows *sql.Rows, lease string) ([]webhook.Job, error) {
	defer rows.Close()
	var jobs []webhook.Job
	for rows.Next() {
		var (
			j        webhook.Job
			data     sql.NullString
			occurred int64
			err      error
		)
		j.Delivery, err = scanDelivery(func(dest ...any) error {
			var err error
			j.Subscription, err = scanSubscription(sl, func(sdest ...any) error {
				return rows.Scan(append(dest, sdest...)...)
			})
			return err
		}, &j.Event.ResourceID, &j.Event.Department, &data, &occurred)
		if err != nil {
			return nil, err
		}
		j.Event.ID = j.Delivery.EventID
		j.Event.Type = j.Delivery.EventType
		if data.Valid {
			j.Event.Data = json.RawMessage(data.String)
		}
		j.Event.OccurredAt = fromMicros(occurred)
		j.Lease = lease
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return jobs, nil
}

// Complete records a batch of outcomes in one transaction. On PostgreSQL
// a batch that disables no subscription is one statement, committed
// without waiting for the disk (see asyncCommit): one statement per batch
// is what lets one dispatcher record thousands of outcomes a second. A
// batch that disables a subscription commits synchronously, with the
// event that announces it.
func (w *WebhookStore) Complete(ctx context.Context, os []webhook.Outcome) ([]uuid.UUID, error) {
	if w.db.engine == PostgreSQL && !slices.ContainsFunc(os, func(o webhook.Outcome) bool { return o.Disable != "" }) {
		return nil, w.completePostgres(ctx, os)
	}
	defer w.sqliteWriter(ctx)()
	var disabled []uuid.UUID
	err := w.db.InTx(ctx, func(ctx context.Context) error {
		disabled = disabled[:0]
		q := w.db.q(ctx)
		if err := w.insertAttempts(ctx, os); err != nil {
			return err
		}
		if err := w.updateDeliveries(ctx, os); err != nil {
			return err
		}
		// The last attempted outcome of each subscription says whether it
		// is failing now.
		healthy, failing, since := subscriptionHealth(os)
		for i, id := range failing {
			if _, err := q.ExecContext(ctx, `UPDATE webhook_subscriptions SET failing_since = $2
				WHERE id = $1 AND failing_since IS NULL`, id, since[i]); err != nil {
				return fmt.Errorf("store: record webhook subscription %s failing: %w", id, err)
			}
		}
		if len(healthy) > 0 {
			in, arg := w.inSet("id", 1, healthy)
			if _, err := q.ExecContext(ctx, `UPDATE webhook_subscriptions SET failing_since = NULL
				WHERE `+in+` AND failing_since IS NOT NULL`, arg); err != nil {
				return fmt.Errorf("store: record webhook subscriptions healthy: %w", err)
			}
		}
		for _, o := range os {
			if o.Disable == "" {
				continue
			}
			res, err := q.ExecContext(ctx, `UPDATE webhook_subscriptions SET active = $2, disabled_at = $3, disabled_reason = $4, updated_at = $3
				WHERE id = $1 AND active`, o.SubscriptionID.String(), false, micros(o.At), o.Disable)
			if err != nil {
				return fmt.Errorf("store: disable webhook subscription %s: %w", o.SubscriptionID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // already disabled
			}
			disabled = append(disabled, o.SubscriptionID)
			if _, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET state = $2, last_error = $3,
				lease_owner = NULL, lease = NULL, updated_at = $4, completed_at = $4, parked = TRUE
				WHERE subscription_id = $1 AND state = 'pending'`,
				o.SubscriptionID.String(), string(webhook.StateFailed), "subscription disabled: "+o.Disable, micros(o.At)); err != nil {
				return fmt.Errorf("store: fail deliveries of disabled webhook subscription %s: %w", o.SubscriptionID, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return disabled, nil
}

// updateDeliveries applies the outcomes to their deliveries where the lease
// still holds.
func (w *WebhookStore) updateDeliveries(ctx context.Context, os []webhook.Outcome) error {
	if w.db.engine == PostgreSQL {
		return w.updateDeliveriesPostgres(ctx, os)
	}
	// SQLite: one statement, prepared once, per outcome. In-process there
	// is no round trip to save, and parsing a statement of a hundred rows
	// of parameters each time cost more than executing it.
	err := execEach(ctx, w.db.q(ctx), `UPDATE webhook_deliveries SET
		state = $3, attempts = attempts + $4, next_attempt_at = $5,
		last_status = CASE WHEN $4 = 1 THEN $6 ELSE last_status END,
		last_error = CASE WHEN $4 = 1 THEN $7 ELSE last_error END,
		lease_owner = NULL, lease = NULL, updated_at = $8, completed_at = $9
		WHERE id = $1 AND lease = $2`, len(os), func(i int) []any {
		o := os[i]
		inc, status, lastErr := 0, 0, ""
		if o.Attempt != nil {
			inc, status, lastErr = 1, o.Attempt.StatusCode, o.Attempt.Error
		}
		var completed sql.NullInt64
		next := micros(o.NextAttemptAt)
		if o.State != webhook.StatePending {
			completed = nullMicros(o.At)
			next = micros(o.At)
		}
		return []any{o.DeliveryID.String(), o.Lease, string(o.State), inc, next, status, lastErr, micros(o.At), completed}
	})
	if err != nil {
		return fmt.Errorf("store: record %d webhook deliveries: %w", len(os), err)
	}
	return nil
}

// insertEach is insertRows one row a statement, the statement prepared
// once: on SQLite, in-process, that costs less than parsing statements of
// a hundred rows of parameters.
func insertEach(ctx context.Context, q querier, insert string, cols, n int, row func(i int) []any) error {
	return execEach(ctx, q, insert+"("+placeholders(1, cols)+")", n, row)
}

// execEach runs query once for each of n rows, the arguments of row i
// being args(i), with the statement prepared once.
func execEach(ctx context.Context, q querier, query string, n int, args func(i int) []any) error {
	if n == 0 {
		return nil
	}
	p, ok := q.(interface {
		PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	})
	if !ok {
		for i := range n {
			if _, err := q.ExecContext(ctx, query, args(i)...); err != nil {
				return err
			}
		}
		return nil
	}
	st, err := p.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range n {
		if _, err := st.ExecContext(ctx, args(i)...); err != nil {
			return err
		}
	}
	return nil
}

// subscriptionHealth splits the subscriptions of os by their last
// attempted outcome: healthy ones, whose failure run ends, and failing
// ones with the start of their failed attempt, which starts a run if none
// is under way.
func subscriptionHealth(os []webhook.Outcome) (healthy, failing []string, failingSince []int64) {
	last := make(map[uuid.UUID]int, len(os))
	var order []uuid.UUID
	for i, o := range os {
		if o.Attempt == nil {
			continue
		}
		if _, ok := last[o.SubscriptionID]; !ok {
			order = append(order, o.SubscriptionID)
		}
		last[o.SubscriptionID] = i
	}
	for _, id := range order {
		o := os[last[id]]
		if o.SubscriptionFailing {
			failing = append(failing, id.String())
			failingSince = append(failingSince, micros(o.Attempt.StartedAt))
		} else {
			healthy = append(healthy, id.String())
		}
	}
	return healthy, failing, failingSince
}

// completePostgres records a batch that disables nothing in one statement:
// the deliveries updated where the lease holds, the attempts logged (those
// of deliveries deleted meanwhile dropped), and the subscriptions' failure
// runs started or ended. The parts touch disjoint rows, as a statement
// with several data-modifying parts requires.
func (w *WebhookStore) completePostgres(ctx context.Context, os []webhook.Outcome) error {
	n := len(os)
	var (
		ids, leases, states, errs  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		incs, nexts, statuses, ats = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		completed                  = make([]*int64, n)

		aDelivery, aResponse, aError        []string
		aNumber, aStarted, aDuration, aCode []int64
		aNext                               []*int64
	)
	for i, o := range os {
		ids[i], leases[i], states[i] = o.DeliveryID.String(), o.Lease, string(o.State)
		if a := o.Attempt; a != nil {
			incs[i], statuses[i], errs[i] = 1, int64(a.StatusCode), a.Error
			aDelivery = append(aDelivery, a.DeliveryID.String())
			aNumber = append(aNumber, int64(a.Number))
			aStarted = append(aStarted, micros(a.StartedAt))
			aDuration = append(aDuration, a.Duration.Microseconds())
			aCode = append(aCode, int64(a.StatusCode))
			aResponse = append(aResponse, validUTF8(a.Response))
			aError = append(aError, validUTF8(a.Error))
			var next *int64
			if !a.NextAttemptAt.IsZero() {
				v := micros(a.NextAttemptAt)
				next = &v
			}
			aNext = append(aNext, next)
		}
		nexts[i], ats[i] = micros(o.NextAttemptAt), micros(o.At)
		if o.State != webhook.StatePending {
			at := micros(o.At)
			completed[i], nexts[i] = &at, at
		}
	}
	healthy, failing, failingSince := subscriptionHealth(os)
	args := []any{ids, leases, states, incs, nexts, statuses, errs, ats, completed,
		nonNil(aDelivery), nonNil(aNumber), nonNil(aStarted), nonNil(aDuration), nonNil(aCode), nonNil(aResponse), nonNil(aError), nonNil(aNext),
		nonNil(healthy), nonNil(failing), nonNil(failingSince)}
	err := w.asyncCommit(ctx, func(ctx context.Context) error {
		_, err := w.db.q(ctx).ExecContext(ctx, completePostgresSQL, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record %d webhook delivery outcomes: %w", n, err)
	}
	return nil
}

// completePostgresSQL is the statement of completePostgres.
const completePostgresSQL = `WITH upd AS (
			UPDATE webhook_deliveries SET
				state = v.state, attempts = attempts + v.inc, next_attempt_at = v.next,
				last_status = CASE WHEN v.inc = 1 THEN v.status ELSE last_status END,
				last_error = CASE WHEN v.inc = 1 THEN v.err ELSE last_error END,
				lease_owner = NULL, lease = NULL, updated_at = v.at, completed_at = v.completed
			FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[], $9::bigint[])
				AS v(id, lease, state, inc, next, status, err, at, completed)
			WHERE webhook_deliveries.id = v.id AND webhook_deliveries.lease = v.lease
		), ins AS (
			INSERT INTO webhook_attempts (delivery_id, number, started_at, duration_us, status_code, response, error, next_attempt_at)
			SELECT a.delivery_id, a.number, a.started_at, a.duration_us, a.status_code, a.response, a.error, a.next_attempt_at
			FROM unnest($10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::text[], $16::text[], $17::bigint[])
				WITH ORDINALITY AS a(delivery_id, number, started_at, duration_us, status_code, response, error, next_attempt_at, ord)
			WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = a.delivery_id)
			ORDER BY a.ord
		), healthy AS (
			UPDATE webhook_subscriptions SET failing_since = NULL
			WHERE id = ANY($18::text[]) AND failing_since IS NOT NULL
		)
		UPDATE webhook_subscriptions s SET failing_since = f.since
		FROM unnest($19::text[], $20::bigint[]) AS f(id, since)
		WHERE s.id = f.id AND s.failing_since IS NULL`

// sqliteTurn orders the dispatcher's writes to one SQLite database.
type sqliteTurn struct {
	mu     sync.Mutex
	freeAt time.Time // the next turn starts no earlier: the lock is left to others until then
}

// sqliteWriter makes the dispatcher's claims and outcome batches on SQLite
// take turns in this process before they ask SQLite for its write lock, and
// returns the function that ends the turn.
//
// SQLite has no queue for that lock: a writer that finds it taken sleeps
// 1, 2, 5, 10 ... 100 ms before it looks again. Left to that, the claimer
// and the recorders of one dispatcher spend much of their time asleep,
// polling each other; a mutex hands over at once. But handing over at once
// would keep the lock taken nearly all the time, and the application's own
// transactions, asleep in that same polling, would starve (they did, in
// TestDispatcherThroughput: 150 commits/s). So each turn leaves the lock
// free, after it, for a third of the time it held it: the dispatcher takes
// at most about three quarters of the database's write time.
//
// Inside a caller's transaction, which may hold the SQLite lock already, it
// does nothing (waiting there could deadlock with a claim waiting for that
// lock). On PostgreSQL it does nothing.
func (w *WebhookStore) sqliteWriter(ctx context.Context) (done func()) {
	if w.db.engine != SQLite || w.db.InTransaction(ctx) {
		return func() {}
	}
	turn := &w.db.dispatchTurn
	turn.mu.Lock()
	if wait := time.Until(turn.freeAt); wait > 0 {
		time.Sleep(wait)
	}
	start := time.Now()
	return func() {
		end := time.Now()
		turn.freeAt = end.Add(end.Sub(start) / 3)
		turn.mu.Unlock()
	}
}

// asyncCommit runs fn in a transaction of its own that commits without
// waiting for PostgreSQL to flush it to disk (synchronous_commit off), or,
// when ctx carries the caller's transaction, in that one unchanged.
//
// It is for the dispatcher's own bookkeeping, claims and outcomes, which
// would otherwise wait for a disk flush each, two per batch. The outbox
// itself, written in the application's transactions, stays synchronous:
// an event that committed is never lost. What a crash of the database
// server (not of the dispatcher) can lose is the last fraction of a second
// of claims and outcomes, and the database stays consistent: a claim lost
// is a delivery due again, sent again; an outcome lost is a lease that
// lapses, and the delivery is sent again with the same webhook-id, which
// at-least-once delivery allows; an attempt may then be missing from the
// log.
func (w *WebhookStore) asyncCommit(ctx context.Context, fn func(ctx context.Context) error) error {
	if w.db.InTransaction(ctx) {
		return fn(ctx)
	}
	return w.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := w.db.q(ctx).ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
			return err
		}
		return fn(ctx)
	})
}

// nonNil returns s, or an empty slice for nil, which would be a NULL array
// rather than an empty one.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// updateDeliveriesPostgres is updateDeliveries with one array per column:
// one statement text for any number of outcomes, planned once.
func (w *WebhookStore) updateDeliveriesPostgres(ctx context.Context, os []webhook.Outcome) error {
	var (
		ids, leases, states, errs  = make([]string, len(os)), make([]string, len(os)), make([]string, len(os)), make([]string, len(os))
		incs, nexts, statuses, ats = make([]int64, len(os)), make([]int64, len(os)), make([]int64, len(os)), make([]int64, len(os))
		completed                  = make([]*int64, len(os))
	)
	for i, o := range os {
		ids[i], leases[i], states[i] = o.DeliveryID.String(), o.Lease, string(o.State)
		if o.Attempt != nil {
			incs[i], statuses[i], errs[i] = 1, int64(o.Attempt.StatusCode), o.Attempt.Error
		}
		nexts[i], ats[i] = micros(o.NextAttemptAt), micros(o.At)
		if o.State != webhook.StatePending {
			at := micros(o.At)
			completed[i], nexts[i] = &at, at
		}
	}
	if _, err := w.db.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET
		state = v.state, attempts = attempts + v.inc, next_attempt_at = v.next,
		last_status = CASE WHEN v.inc = 1 THEN v.status ELSE last_status END,
		last_error = CASE WHEN v.inc = 1 THEN v.err ELSE last_error END,
		lease_owner = NULL, lease = NULL, updated_at = v.at, completed_at = v.completed
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[], $9::bigint[])
			AS v(id, lease, state, inc, next, status, err, at, completed)
		WHERE webhook_deliveries.id = v.id AND webhook_deliveries.lease = v.lease`,
		ids, leases, states, incs, nexts, statuses, errs, ats, completed); err != nil {
		return fmt.Errorf("store: record %d webhook deliveries: %w", len(os), err)
	}
	return nil
}

func (w *WebhookStore) insertAttempts(ctx context.Context, os []webhook.Outcome) error {
	var attempts []*webhook.Attempt
	var ids []string
	for _, o := range os {
		if o.Attempt != nil {
			attempts = append(attempts, o.Attempt)
			ids = append(ids, o.Attempt.DeliveryID.String())
		}
	}
	if len(attempts) == 0 {
		return nil
	}
	// A delivery may have been deleted with its subscription while it was
	// in flight: its attempt has nothing left to belong to, and must not
	// fail the batch.
	exists := make(map[string]bool, len(ids))
	in, arg := w.inSet("id", 1, ids)
	rows, err := w.db.q(ctx).QueryContext(ctx, `SELECT id FROM webhook_deliveries WHERE `+in, arg)
	if err != nil {
		return fmt.Errorf("store: log webhook attempts: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("store: log webhook attempts: %w", err)
		}
		exists[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: log webhook attempts: %w", err)
	}
	attempts = slices.DeleteFunc(attempts, func(a *webhook.Attempt) bool { return !exists[a.DeliveryID.String()] })
	insert := insertRows
	if w.db.engine == SQLite {
		insert = insertEach
	}
	err = insert(ctx, w.db.q(ctx), `INSERT INTO webhook_attempts
		(delivery_id, number, started_at, duration_us, status_code, response, error, next_attempt_at) VALUES `,
		8, len(attempts), func(i int) []any {
			a := attempts[i]
			return []any{a.DeliveryID.String(), a.Number, micros(a.StartedAt), a.Duration.Microseconds(),
				a.StatusCode, validUTF8(a.Response), validUTF8(a.Error), nullMicros(a.NextAttemptAt)}
		})
	if err != nil {
		return fmt.Errorf("store: log webhook attempts: %w", err)
	}
	return nil
}

// validUTF8 makes a response excerpt storable as TEXT: PostgreSQL refuses
// invalid UTF-8 and NUL bytes.
func validUTF8(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Delivery returns the delivery with id.
func (w *WebhookStore) Delivery(ctx context.Context, id uuid.UUID) (webhook.Delivery, error) {
	row := w.db.q(ctx).QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d WHERE d.id = $1`, id.String())
	d, err := scanDelivery(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return webhook.Delivery{}, fmt.Errorf("%w: webhook delivery %s", webhook.ErrNotFound, id)
	}
	if err != nil {
		return webhook.Delivery{}, fmt.Errorf("store: webhook delivery %s: %w", id, err)
	}
	return d, nil
}

// Deliveries lists the deliveries q selects, newest first.
func (w *WebhookStore) Deliveries(ctx context.Context, q webhook.DeliveryQuery) ([]webhook.Delivery, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.SubscriptionID != uuid.Nil {
		add("d.subscription_id = $%d", q.SubscriptionID.String())
	}
	if q.EventID != uuid.Nil {
		add("d.event_id = $%d", q.EventID.String())
	}
	if q.State != "" {
		add("d.state = $%d", string(q.State))
	}
	if !q.CreatedFrom.IsZero() {
		add("d.created_at >= $%d", micros(q.CreatedFrom))
	}
	if !q.CreatedBefore.IsZero() {
		add("d.created_at < $%d", micros(q.CreatedBefore))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT ` + deliveryColumns + ` FROM webhook_deliveries d`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY d.created_at DESC, d.id DESC LIMIT $%d`, len(args))
	rows, err := w.db.q(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list webhook deliveries: %w", err)
	}
	defer rows.Close()
	var ds []webhook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: list webhook deliveries: %w", err)
		}
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

// Attempts lists the attempts of a delivery, oldest first.
func (w *WebhookStore) Attempts(ctx context.Context, deliveryID uuid.UUID) ([]webhook.Attempt, error) {
	rows, err := w.db.q(ctx).QueryContext(ctx, `SELECT number, started_at, duration_us, status_code, response, error, next_attempt_at
		FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id`, deliveryID.String())
	if err != nil {
		return nil, fmt.Errorf("store: webhook attempts of %s: %w", deliveryID, err)
	}
	defer rows.Close()
	var as []webhook.Attempt
	for rows.Next() {
		a := webhook.Attempt{DeliveryID: deliveryID}
		var started, dur int64
		var next sql.NullInt64
		if err := rows.Scan(&a.Number, &started, &dur, &a.StatusCode, &a.Response, &a.Error, &next); err != nil {
			return nil, fmt.Errorf("store: webhook attempts of %s: %w", deliveryID, err)
		}
		a.StartedAt = fromMicros(started)
		a.Duration = time.Duration(dur) * time.Microsecond
		a.NextAttemptAt = fromNullMicros(next)
		as = append(as, a)
	}
	return as, rows.Err()
}

// Resend makes a delivery pending again, due at, with a fresh count of
// attempts.
func (w *WebhookStore) Resend(ctx context.Context, id uuid.UUID, at time.Time) error {
	res, err := w.db.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0,
		next_attempt_at = $2, lease_owner = NULL, lease = NULL, updated_at = $2, completed_at = NULL, parked = FALSE
		WHERE id = $1`, id.String(), micros(at))
	if err != nil {
		return fmt.Errorf("store: resend webhook delivery %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: webhook delivery %s", webhook.ErrNotFound, id)
	}
	return nil
}

// Recover makes the failed deliveries of a subscription created in
// [from, before) pending again.
func (w *WebhookStore) Recover(ctx context.Context, subscriptionID uuid.UUID, from, before, at time.Time) (int, error) {
	res, err := w.db.q(ctx).ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0,
		next_attempt_at = $4, lease_owner = NULL, lease = NULL, updated_at = $4, completed_at = NULL, parked = FALSE
		WHERE subscription_id = $1 AND state = 'failed' AND created_at >= $2 AND created_at < $3`,
		subscriptionID.String(), micros(from), micros(before), micros(at))
	if err != nil {
		return 0, fmt.Errorf("store: recover webhook deliveries of %s: %w", subscriptionID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// pruneBatch is the most rows one prune or recovery statement changes:
// small enough that SQLite's write lock is held for milliseconds between
// batches, large enough that a backlog of millions takes few round trips.
const pruneBatch = 500

// Prune deletes the delivery log older than before, pruneBatch rows a
// statement: the attempts of deliveries that are not pending, then the
// completed deliveries (their remaining attempts cascade), then the events
// no delivery refers to. Each batch commits on its own, unless ctx carries
// a transaction, and on SQLite the next waits as long as the last took
// (see yield): a large prune runs at about half speed there, and the
// application's writes get the lock between batches (BenchmarkWebhookPrune
// measures their longest wait).
func (w *WebhookStore) Prune(ctx context.Context, before time.Time) (webhook.PruneResult, error) {
	var r webhook.PruneResult
	b := micros(before)
	var err error
	r.Attempts, err = w.pruneWalk(ctx, "webhook_attempts", "started_at", b,
		`NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = webhook_attempts.delivery_id AND d.state = 'pending')`)
	if err != nil {
		return r, fmt.Errorf("store: prune webhook attempts before %s: %w", before.Format(time.RFC3339), err)
	}
	for {
		// The outer conditions repeat the inner ones: on PostgreSQL a row
		// made pending again (Resend) after the subquery read it is
		// re-checked, and kept.
		start := time.Now()
		res, err := w.db.q(ctx).ExecContext(ctx, `DELETE FROM webhook_deliveries
			WHERE id IN (SELECT id FROM webhook_deliveries WHERE completed_at < $1 AND state <> 'pending'
				ORDER BY completed_at LIMIT $2)
			AND completed_at < $1 AND state <> 'pending'`, b, pruneBatch)
		if err != nil {
			return r, fmt.Errorf("store: prune webhook deliveries before %s: %w", before.Format(time.RFC3339), err)
		}
		n, _ := res.RowsAffected()
		if n == 0 {
			break
		}
		r.Deliveries += int(n)
		if err := w.yield(ctx, time.Since(start)); err != nil {
			return r, fmt.Errorf("store: prune webhook deliveries before %s: %w", before.Format(time.RFC3339), err)
		}
	}
	r.Events, err = w.pruneWalk(ctx, "webhook_events", "occurred_at", b,
		`NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)`)
	if err != nil {
		return r, fmt.Errorf("store: prune webhook events before %s: %w", before.Format(time.RFC3339), err)
	}
	return r, nil
}

// yield pauses a batched write on SQLite for as long as its last batch
// held the write lock. SQLite has no queue for its lock: a writer that
// found it taken polls again after a growing sleep, and a loop that starts
// its next batch the moment the last one commits would keep it out for
// the whole loop. Inside a caller's transaction the lock is held
// throughout, and there is nothing to yield.
func (w *WebhookStore) yield(ctx context.Context, held time.Duration) error {
	if w.db.engine != SQLite || w.db.InTransaction(ctx) {
		return nil
	}
	t := time.NewTimer(max(held, time.Millisecond))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pruneWalk deletes the rows of table whose column col is before b and
// that satisfy cond. It walks the table's (col, id) index pruneBatch rows
// at a time, so rows that cond keeps are read once, not again by every
// batch.
func (w *WebhookStore) pruneWalk(ctx context.Context, table, col string, b int64, cond string) (int, error) {
	q := w.db.q(ctx)
	var (
		total int
		after []any // (col, id) of the last row walked; nil before the first batch
	)
	for {
		where := col + ` < $1`
		args := []any{b}
		if after != nil {
			where += ` AND (` + col + `, id) > ($2, $3)`
			args = append(args, after...)
		}
		var (
			endAt int64
			endID any
		)
		err := q.QueryRowContext(ctx, `SELECT `+col+`, id FROM `+table+` WHERE `+where+`
			ORDER BY `+col+`, id LIMIT 1 OFFSET `+fmt.Sprint(pruneBatch-1), args...).Scan(&endAt, &endID)
		last := errors.Is(err, sql.ErrNoRows)
		if err != nil && !last {
			return total, err
		}
		del := `DELETE FROM ` + table + ` WHERE ` + where + ` AND ` + cond
		if !last {
			del += fmt.Sprintf(` AND (%s, id) <= ($%d, $%d)`, col, len(args)+1, len(args)+2)
			args = append(args, endAt, endID)
		}
		start := time.Now()
		res, err := q.ExecContext(ctx, del, args...)
		if err != nil {
			return total, err
		}
		if err := w.yield(ctx, time.Since(start)); err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += int(n)
		if last {
			return total, nil
		}
		after = []any{endAt, endID}
	}
}

// strandedFrom selects the stranded deliveries d: failed by the disabling
// of their subscription (parked), which is active again and would still
// receive their event.
var strandedFrom = ` FROM webhook_deliveries d
	JOIN webhook_subscriptions s ON s.id = d.subscription_id
	JOIN webhook_events e ON e.id = d.event_id
	WHERE d.parked AND d.state = 'failed' AND s.active
	AND (s.department = '' OR s.department = e.department)
	AND EXISTS (SELECT 1 FROM webhook_subscription_events se WHERE se.subscription_id = s.id AND ` + eventTypeMatch("d.event_type") + `)`

// Stranded lists up to limit stranded deliveries, oldest first.
func (w *WebhookStore) Stranded(ctx context.Context, limit int) ([]webhook.Delivery, error) {
	rows, err := w.db.q(ctx).QueryContext(ctx, `SELECT `+deliveryColumns+strandedFrom+`
		ORDER BY d.created_at, d.id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list stranded webhook deliveries: %w", err)
	}
	defer rows.Close()
	var ds []webhook.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: list stranded webhook deliveries: %w", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list stranded webhook deliveries: %w", err)
	}
	return ds, nil
}

// RecoverStranded makes the stranded deliveries pending again, due at, one
// subscription and pruneBatch deliveries a transaction, yielding between
// them on SQLite as Prune does. On PostgreSQL each
// transaction holds a share lock on the subscription's row, so the
// dispatcher cannot disable it between the check that it is active and the
// commit (which would leave pending deliveries of a disabled subscription);
// on SQLite the transaction holds the write lock.
func (w *WebhookStore) RecoverStranded(ctx context.Context, at time.Time) (int, error) {
	subs, err := w.parkedSubscriptions(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, sub := range subs {
		for {
			var n int64
			start := time.Now()
			err := w.db.InTx(ctx, func(ctx context.Context) error {
				q := w.db.q(ctx)
				if w.db.engine == PostgreSQL {
					var active bool
					err := q.QueryRowContext(ctx, `SELECT active FROM webhook_subscriptions WHERE id = $1 FOR SHARE`, sub).Scan(&active)
					if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
						return nil // deleted or disabled since it was listed
					}
					if err != nil {
						return err
					}
				}
				res, err := q.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0,
					next_attempt_at = $1, lease_owner = NULL, lease = NULL, updated_at = $1, completed_at = NULL, parked = FALSE
					WHERE parked AND state = 'failed' AND id IN (SELECT d.id`+strandedFrom+`
						AND d.subscription_id = $2 ORDER BY d.created_at, d.id LIMIT $3)`, micros(at), sub, pruneBatch)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return total, fmt.Errorf("store: recover stranded webhook deliveries of %s: %w", sub, err)
			}
			if n == 0 {
				break
			}
			total += int(n)
			if err := w.yield(ctx, time.Since(start)); err != nil {
				return total, fmt.Errorf("store: recover stranded webhook deliveries of %s: %w", sub, err)
			}
		}
	}
	return total, nil
}

// parkedSubscriptions lists the active subscriptions that have deliveries
// failed by their disabling.
func (w *WebhookStore) parkedSubscriptions(ctx context.Context) ([]string, error) {
	rows, err := w.db.q(ctx).QueryContext(ctx, `SELECT DISTINCT d.subscription_id FROM webhook_deliveries d
		JOIN webhook_subscriptions s ON s.id = d.subscription_id
		WHERE d.parked AND d.state = 'failed' AND s.active ORDER BY d.subscription_id`)
	if err != nil {
		return nil, fmt.Errorf("store: list webhook subscriptions with stranded deliveries: %w", err)
	}
	defer rows.Close()
	var subs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: list webhook subscriptions with stranded deliveries: %w", err)
		}
		subs = append(subs, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list webhook subscriptions with stranded deliveries: %w", err)
	}
	return subs, nil
}
