package store

import (
	"database/sql"
	"time"
)

// micros encodes an instant as the store keeps it: microseconds since the
// Unix epoch. Sub-microsecond precision is dropped.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros decodes an instant stored by [micros], in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros encodes an optional instant: the zero time is NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// fromNullMicros decodes an optional instant: NULL is the zero time.
func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}
