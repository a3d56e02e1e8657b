package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vetlink/vetlink/webhook"
)

var (
	_ webhook.Notifier     = (*WebhookStore)(nil)
	_ webhook.BacklogStore = (*WebhookStore)(nil)
)

// notifyChannel is the PostgreSQL channel of webhook enqueues. Every
// enqueue that stores deliveries sends an empty notification on it in its
// own transaction, so it reaches listeners when, and only if, the
// transaction commits; PostgreSQL folds the identical notifications of one
// transaction into one.
const notifyChannel = "vetlink_webhook_enqueued"

// Listen calls wake after each committed enqueue of deliveries in any
// process sharing the database (PostgreSQL LISTEN/NOTIFY), and once each
// time it starts listening, until ctx is done; it makes WebhookStore a
// [webhook.Notifier], which [webhook.Dispatcher.Run] uses.
//
// It holds one connection of the pool for as long as it runs, through
// pgx directly (database/sql has no notifications). When that connection
// fails it is dropped from the pool, and Listen connects again after a
// backoff growing from 100 ms to 5 s, with jitter; meanwhile the
// dispatcher's poll carries on. On SQLite it returns
// [webhook.ErrNotifyUnsupported] at once.
func (w *WebhookStore) Listen(ctx context.Context, wake func()) error {
	if w.db.engine != PostgreSQL {
		return webhook.ErrNotifyUnsupported
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := w.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(start) > time.Minute {
			backoff = 100 * time.Millisecond // it had been working
		}
		_ = err // the next attempt says whether the database is back
		wait := backoff/2 + rand.N(backoff/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		backoff = min(2*backoff, 5*time.Second)
	}
	return nil
}

// listenOnce listens on one connection until it fails or ctx is done.
func (w *WebhookStore) listenOnce(ctx context.Context, wake func()) error {
	conn, err := w.db.sql.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: listen for webhook enqueues on %s: %w", w.db, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: listen for webhook enqueues: driver connection is %T, not pgx", dc)
		}
		pc := c.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
			return errors.Join(driver.ErrBadConn, err)
		}
		// Whatever committed before LISTEN took effect was not announced
		// to this listener.
		wake()
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				// The connection was cut, or ctx ended the wait, which
				// closes a pgx connection: either way the pool must drop it.
				return errors.Join(driver.ErrBadConn, err)
			}
			wake()
		}
	})
}

// Backlog counts the pending deliveries of each subscription, how many
// are due at now, and when the oldest was created; it makes WebhookStore a
// [webhook.BacklogStore]. It reads the pending deliveries through their
// partial index, so its cost follows the backlog, not the log.
func (w *WebhookStore) Backlog(ctx context.Context, now time.Time) ([]webhook.Backlog, error) {
	rows, err := w.db.q(ctx).QueryContext(ctx, `SELECT subscription_id, COUNT(*),
		SUM(CASE WHEN next_attempt_at <= $1 THEN 1 ELSE 0 END), MIN(created_at)
		FROM webhook_deliveries WHERE state = 'pending' GROUP BY subscription_id ORDER BY subscription_id`, micros(now))
	if err != nil {
		return nil, fmt.Errorf("store: webhook backlog: %w", err)
	}
	defer rows.Close()
	var out []webhook.Backlog
	for rows.Next() {
		var (
			b         webhook.Backlog
			id        string
			due       int64
			oldest    int64
			pending64 int64
		)
		if err := rows.Scan(&id, &pending64, &due, &oldest); err != nil {
			return nil, fmt.Errorf("store: webhook backlog: %w", err)
		}
		if b.SubscriptionID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("store: webhook backlog: subscription id %q: %w", id, err)
		}
		b.Pending, b.Due = int(pending64), int(due)
		b.OldestCreatedAt = fromMicros(oldest)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: webhook backlog: %w", err)
	}
	return out, nil
}
