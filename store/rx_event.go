package store

import (
	"context"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

// AddEvent implements [rx.Store].
func (s *RxStore) AddEvent(ctx context.Context, e *rx.Event) error {
	return s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO rx_events (mor_id, animal_id, kind, at, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		int64(e.MOR), e.AnimalID, string(e.Kind), micros(e.At), int64(e.RecordedBy), micros(e.RecordedAt)).Scan(&e.ID)
}

// Events implements [rx.Store]. It reads the rx_events_animal index.
func (s *RxStore) Events(ctx context.Context, mor rx.UserID, animal string) ([]rx.Event, error) {
	rows, err := s.db.q(ctx).QueryContext(ctx, `SELECT id, mor_id, animal_id, kind, at, recorded_by, recorded_at
		FROM rx_events WHERE mor_id = $1 AND animal_id = $2 ORDER BY at, id`, int64(mor), animal)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rx.Event
	for rows.Next() {
		var (
			e            rx.Event
			kind         string
			at, recorded int64
		)
		if err := rows.Scan(&e.ID, &e.MOR, &e.AnimalID, &kind, &at, &e.RecordedBy, &recorded); err != nil {
			return nil, err
		}
		e.Kind, e.At, e.RecordedAt = protocol.EventKind(kind), fromMicros(at), fromMicros(recorded)
		out = append(out, e)
	}
	return out, rows.Err()
}
