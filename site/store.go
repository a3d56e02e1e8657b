package site

import (
	"context"
	"time"

	"github.com/vetlink/vetlink/rx"
)

// Store keeps site's records. Package store implements it on SQLite and
// PostgreSQL (store.DB.Site). Its methods do no authorization and little
// validation: the Service does both first.
//
// A missing row is an error wrapping rx.ErrNotFound; a row of a user
// that does not exist (a foreign key) too. Listings are newest first and
// return at most limit rows.
type Store interface {
	// Profile returns the user with their address and preferences; the
	// parts never saved are zero but for their UserID.
	Profile(ctx context.Context, user rx.UserID) (Profile, error)
	// SaveProfile writes, in one transaction, the user's names, suffix and
	// phone (never uname, type or e-mail), their address when it is given
	// (any line set), and their preferences.
	SaveProfile(ctx context.Context, p Profile) error
	// Address returns the user's address.
	Address(ctx context.Context, user rx.UserID) (Address, error)
	// SaveAddress creates or replaces the address of ad.UserID.
	SaveAddress(ctx context.Context, ad Address) error

	// AddVisit records a login.
	AddVisit(ctx context.Context, v Visit) error
	// Visits lists a user's logins.
	Visits(ctx context.Context, user rx.UserID, limit int) ([]Visit, error)

	// AddComment stores c and sets c.ID.
	AddComment(ctx context.Context, c *Comment) error
	// Comments lists comments, public ones only when publicOnly.
	Comments(ctx context.Context, publicOnly bool, limit int) ([]Comment, error)

	// AddMessage stores m and sets m.ID.
	AddMessage(ctx context.Context, m *SentMessage) error
	// Messages lists the messages a user sent or received.
	Messages(ctx context.Context, user rx.UserID, limit int) ([]SentMessage, error)
	// AnswerMessage records the answer to the message whose token hashes
	// to hash, if it is not answered yet and its token has not expired at
	// at, in one conditional write; it returns the message as answered. It
	// fails with rx.ErrNotFound, rx.ErrConflict (already answered) or
	// ErrExpired.
	AnswerMessage(ctx context.Context, hash string, yes bool, at time.Time) (SentMessage, error)

	// AddEmailToken stores t.
	AddEmailToken(ctx context.Context, t EmailToken) error
	// UseEmailToken marks the token hashing to hash used at at, once, as
	// AnswerMessage does, and returns it.
	UseEmailToken(ctx context.Context, hash string, at time.Time) (EmailToken, error)

	// Help returns the help screen of key.
	Help(ctx context.Context, key string) (HelpScreen, error)
	// HelpKeys lists the keys of every help screen, sorted.
	HelpKeys(ctx context.Context) ([]string, error)
	// PutHelp creates or replaces the help screen of h.Key.
	PutHelp(ctx context.Context, h HelpScreen) error
	// DeleteHelp deletes the help screen of key.
	DeleteHelp(ctx context.Context, key string) error

	// AddLog stores e and sets e.ID.
	AddLog(ctx context.Context, e *LogEntry) error
	// LogEntries lists log lines at or after since.
	LogEntries(ctx context.Context, since time.Time, limit int) ([]LogEntry, error)
	// PruneLog deletes log lines before before and returns how many.
	PruneLog(ctx context.Context, before time.Time) (int64, error)
}
