package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
)

// SiteStore keeps site's records: addresses, preferences, logins,
// comments, messages, e-mail tokens, help screens and client log lines.
// It implements [site.Store].
type SiteStore struct{ db *DB }

var _ site.Store = (*SiteStore)(nil)

// Site returns the site store of db.
func (db *DB) Site() *SiteStore { return &SiteStore{db: db} }

// userRef maps a foreign-key failure on a user reference to rx.ErrNotFound.
func userRef(err error, what string, user rx.UserID) error {
	if isForeignKeyViolation(err) {
		return fmt.Errorf("store: %s: user %d: %w", what, user, rx.ErrNotFound)
	}
	return err
}

// ---- profile and address

const siteAddressColumns = `user_id, bus_name, address1, address2, town, state, zip, country`

func scanAddress(scan func(...any) error) (site.Address, error) {
	var ad site.Address
	err := scan(&ad.UserID, &ad.BusName, &ad.Address1, &ad.Address2, &ad.Town, &ad.State, &ad.Zip, &ad.Country)
	return ad, err
}

// Address implements [site.Store].
func (s *SiteStore) Address(ctx context.Context, user rx.UserID) (site.Address, error) {
	ad, err := scanAddress(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+siteAddressColumns+` FROM site_addresses WHERE user_id = $1`, int64(user)).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return site.Address{}, rxNotFound("address of user", user)
	}
	return ad, err
}

// SaveAddress implements [site.Store].
func (s *SiteStore) SaveAddress(ctx context.Context, ad site.Address) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO site_addresses (`+siteAddressColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (user_id) DO UPDATE SET bus_name = excluded.bus_name, address1 = excluded.address1,
			address2 = excluded.address2, town = excluded.town, state = excluded.state,
			zip = excluded.zip, country = excluded.country`,
		int64(ad.UserID), ad.BusName, ad.Address1, ad.Address2, ad.Town, ad.State, ad.Zip, ad.Country)
	return userRef(err, "address", ad.UserID)
}

// Profile implements [site.Store].
func (s *SiteStore) Profile(ctx context.Context, user rx.UserID) (site.Profile, error) {
	u, err := s.db.Rx().User(ctx, user)
	if err != nil {
		return site.Profile{}, err
	}
	p := site.Profile{User: u, Address: site.Address{UserID: user}, Prefs: site.UserPrefs{UserID: user}}
	switch ad, err := s.Address(ctx, user); {
	case err == nil:
		p.Address = ad
	case !errors.Is(err, rx.ErrNotFound):
		return site.Profile{}, err
	}
	err = s.db.q(ctx).QueryRowContext(ctx, `SELECT sandbox_name, email_tips, email_news, rx_header
		FROM site_prefs WHERE user_id = $1`, int64(user)).
		Scan(&p.Prefs.SandboxName, &p.Prefs.EmailTips, &p.Prefs.EmailNews, &p.Prefs.RxHeader)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return site.Profile{}, err
	}
	return p, nil
}

// SaveProfile implements [site.Store].
func (s *SiteStore) SaveProfile(ctx context.Context, p site.Profile) error {
	id := p.User.ID
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res, err := s.db.q(ctx).ExecContext(ctx, `UPDATE rx_users SET firstname = $2, lastname = $3,
			suffix = $4, phone = $5 WHERE id = $1`,
			int64(id), p.User.Firstname, p.User.Lastname, p.User.Suffix, p.User.Phone)
		if err := affected(res, err, "user", id); err != nil {
			return err
		}
		if ad := p.Address; ad != (site.Address{UserID: ad.UserID}) {
			ad.UserID = id
			if err := s.SaveAddress(ctx, ad); err != nil {
				return err
			}
		}
		_, err = s.db.q(ctx).ExecContext(ctx, `INSERT INTO site_prefs
			(user_id, sandbox_name, email_tips, email_news, rx_header) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (user_id) DO UPDATE SET sandbox_name = excluded.sandbox_name,
				email_tips = excluded.email_tips, email_news = excluded.email_news, rx_header = excluded.rx_header`,
			int64(id), p.Prefs.SandboxName, p.Prefs.EmailTips, p.Prefs.EmailNews, p.Prefs.RxHeader)
		return userRef(err, "preferences", id)
	})
}

// ---- visits

// AddVisit implements [site.Store].
func (s *SiteStore) AddVisit(ctx context.Context, v site.Visit) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO site_visits (user_id, at, message) VALUES ($1, $2, $3)`,
		int64(v.UserID), micros(v.When), v.Message)
	return userRef(err, "visit", v.UserID)
}

// Visits implements [site.Store].
func (s *SiteStore) Visits(ctx context.Context, user rx.UserID, limit int) ([]site.Visit, error) {
	return queryAll(ctx, s.db, func(scan func(...any) error) (site.Visit, error) {
		var v site.Visit
		var at int64
		err := scan(&v.UserID, &at, &v.Message)
		v.When = fromMicros(at)
		return v, err
	}, `SELECT user_id, at, message FROM site_visits WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
		int64(user), limit)
}

// ---- comments

// AddComment implements [site.Store].
func (s *SiteStore) AddComment(ctx context.Context, c *site.Comment) error {
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO site_comments (user_id, public, comment, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`,
		nullInt(int64(c.UserID)), c.Public, c.Comment, micros(c.Created)).Scan(&c.ID)
	return userRef(err, "comment", c.UserID)
}

// Comments implements [site.Store].
func (s *SiteStore) Comments(ctx context.Context, publicOnly bool, limit int) ([]site.Comment, error) {
	return queryAll(ctx, s.db, func(scan func(...any) error) (site.Comment, error) {
		var c site.Comment
		var user sql.NullInt64
		var created int64
		err := scan(&c.ID, &user, &c.Public, &c.Comment, &created)
		c.UserID, c.Created = rx.UserID(user.Int64), fromMicros(created)
		return c, err
	}, `SELECT id, user_id, public, comment, created_at FROM site_comments
		WHERE public OR NOT $1 ORDER BY created_at DESC, id DESC LIMIT $2`, publicOnly, limit)
}

// ---- messages

const siteMessageColumns = `id, from_id, to_id, subject, message, detail, sent_at, token_hash, expires_at, answer, answered_at`

func scanSiteMessage(scan func(...any) error) (site.SentMessage, error) {
	var (
		m                 site.SentMessage
		sent              int64
		hash              sql.NullString
		expires, answered sql.NullInt64
		answer            sql.NullBool
	)
	err := scan(&m.ID, &m.Message.From, &m.Message.To, &m.Message.Subject, &m.Message.Message, &m.Message.Detail,
		&sent, &hash, &expires, &answer, &answered)
	m.Sent, m.TokenHash, m.Ask = fromMicros(sent), hash.String, hash.Valid
	m.Expires, m.Answered = fromNullMicros(expires), fromNullMicros(answered)
	if answer.Valid {
		m.Answer = &answer.Bool
	}
	return m, err
}

// AddMessage implements [site.Store].
func (s *SiteStore) AddMessage(ctx context.Context, m *site.SentMessage) error {
	msg := m.Message
	err := s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO site_messages
		(from_id, to_id, subject, message, detail, sent_at, token_hash, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		int64(msg.From), int64(msg.To), msg.Subject, msg.Message, msg.Detail, micros(m.Sent),
		nullString(m.TokenHash), nullMicros(m.Expires)).Scan(&m.ID)
	return userRef(err, "message", msg.To)
}

// Messages implements [site.Store].
func (s *SiteStore) Messages(ctx context.Context, user rx.UserID, limit int) ([]site.SentMessage, error) {
	return queryAll(ctx, s.db, scanSiteMessage, `SELECT `+siteMessageColumns+` FROM site_messages
		WHERE from_id = $1 OR to_id = $1 ORDER BY sent_at DESC, id DESC LIMIT $2`, int64(user), limit)
}

// AnswerMessage implements [site.Store]. The answer is one conditional
// UPDATE, so of two concurrent answers exactly one wins; only when it
// changes nothing is the row read again to say why.
func (s *SiteStore) AnswerMessage(ctx context.Context, hash string, yes bool, at time.Time) (site.SentMessage, error) {
	m, err := scanSiteMessage(s.db.q(ctx).QueryRowContext(ctx, `UPDATE site_messages SET answer = $2, answered_at = $3
		WHERE token_hash = $1 AND answered_at IS NULL AND expires_at > $3
		RETURNING `+siteMessageColumns, hash, yes, micros(at)).Scan)
	if !errors.Is(err, sql.ErrNoRows) {
		return m, err
	}
	m, err = scanSiteMessage(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+siteMessageColumns+` FROM site_messages WHERE token_hash = $1`, hash).Scan)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return site.SentMessage{}, fmt.Errorf("store: message token: %w", rx.ErrNotFound)
	case err != nil:
		return site.SentMessage{}, err
	case !m.Answered.IsZero():
		return site.SentMessage{}, fmt.Errorf("store: message %d: answered at %s: %w", m.ID, m.Answered.Format(time.RFC3339), rx.ErrConflict)
	}
	return site.SentMessage{}, fmt.Errorf("store: message %d: token expired at %s: %w", m.ID, m.Expires.Format(time.RFC3339), site.ErrExpired)
}

// ---- e-mail tokens

const siteEmailTokenColumns = `token_hash, user_id, email, created_at, expires_at, used_at`

func scanEmailToken(scan func(...any) error) (site.EmailToken, error) {
	var (
		t                site.EmailToken
		created, expires int64
		used             sql.NullInt64
	)
	err := scan(&t.Hash, &t.UserID, &t.Email, &created, &expires, &used)
	t.Created, t.Expires, t.Used = fromMicros(created), fromMicros(expires), fromNullMicros(used)
	return t, err
}

// AddEmailToken implements [site.Store].
func (s *SiteStore) AddEmailToken(ctx context.Context, t site.EmailToken) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO site_email_tokens (`+siteEmailTokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		t.Hash, int64(t.UserID), t.Email, micros(t.Created), micros(t.Expires), nullMicros(t.Used))
	if isUniqueViolation(err) {
		return fmt.Errorf("store: e-mail token exists: %w", rx.ErrConflict)
	}
	return userRef(err, "e-mail token", t.UserID)
}

// UseEmailToken implements [site.Store], as AnswerMessage does.
func (s *SiteStore) UseEmailToken(ctx context.Context, hash string, at time.Time) (site.EmailToken, error) {
	t, err := scanEmailToken(s.db.q(ctx).QueryRowContext(ctx, `UPDATE site_email_tokens SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
		RETURNING `+siteEmailTokenColumns, hash, micros(at)).Scan)
	if !errors.Is(err, sql.ErrNoRows) {
		return t, err
	}
	t, err = scanEmailToken(s.db.q(ctx).QueryRowContext(ctx,
		`SELECT `+siteEmailTokenColumns+` FROM site_email_tokens WHERE token_hash = $1`, hash).Scan)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return site.EmailToken{}, fmt.Errorf("store: e-mail token: %w", rx.ErrNotFound)
	case err != nil:
		return site.EmailToken{}, err
	case !t.Used.IsZero():
		return site.EmailToken{}, fmt.Errorf("store: e-mail token of user %d: used at %s: %w", t.UserID, t.Used.Format(time.RFC3339), rx.ErrConflict)
	}
	return site.EmailToken{}, fmt.Errorf("store: e-mail token of user %d: expired at %s: %w", t.UserID, t.Expires.Format(time.RFC3339), site.ErrExpired)
}

// ---- help screens

// Help implements [site.Store].
func (s *SiteStore) Help(ctx context.Context, key string) (site.HelpScreen, error) {
	var h site.HelpScreen
	err := s.db.q(ctx).QueryRowContext(ctx, `SELECT help_key, msg, lang FROM site_help WHERE help_key = $1`, key).
		Scan(&h.Key, &h.Msg, &h.Lang)
	if errors.Is(err, sql.ErrNoRows) {
		return site.HelpScreen{}, rxNotFound("help screen", fmt.Sprintf("%q", key))
	}
	return h, err
}

// HelpKeys implements [site.Store].
func (s *SiteStore) HelpKeys(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s.db, func(scan func(...any) error) (string, error) {
		var k string
		return k, scan(&k)
	}, `SELECT help_key FROM site_help ORDER BY help_key`)
}

// PutHelp implements [site.Store].
func (s *SiteStore) PutHelp(ctx context.Context, h site.HelpScreen) error {
	_, err := s.db.q(ctx).ExecContext(ctx, `INSERT INTO site_help (help_key, msg, lang) VALUES ($1, $2, $3)
		ON CONFLICT (help_key) DO UPDATE SET msg = excluded.msg, lang = excluded.lang`, h.Key, h.Msg, h.Lang)
	return err
}

// DeleteHelp implements [site.Store].
func (s *SiteStore) DeleteHelp(ctx context.Context, key string) error {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM site_help WHERE help_key = $1`, key)
	return affected(res, err, "help screen", fmt.Sprintf("%q", key))
}

// ---- client log

// AddLog implements [site.Store].
func (s *SiteStore) AddLog(ctx context.Context, e *site.LogEntry) error {
	return s.db.q(ctx).QueryRowContext(ctx, `INSERT INTO site_log (level, message, user_id, at)
		VALUES ($1, $2, $3, $4) RETURNING id`,
		string(e.Level), e.Message, nullInt(int64(e.User)), micros(e.Time)).Scan(&e.ID)
}

// LogEntries implements [site.Store].
func (s *SiteStore) LogEntries(ctx context.Context, since time.Time, limit int) ([]site.LogEntry, error) {
	return queryAll(ctx, s.db, func(scan func(...any) error) (site.LogEntry, error) {
		var (
			e     site.LogEntry
			level string
			user  sql.NullInt64
			at    int64
		)
		err := scan(&e.ID, &level, &e.Message, &user, &at)
		e.Level, e.User, e.Time = site.Level(level), rx.UserID(user.Int64), fromMicros(at)
		return e, err
	}, `SELECT id, level, message, user_id, at FROM site_log WHERE at >= $1 ORDER BY at DESC, id DESC LIMIT $2`,
		micros(since), limit)
}

// PruneLog implements [site.Store].
func (s *SiteStore) PruneLog(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.q(ctx).ExecContext(ctx, `DELETE FROM site_log WHERE at < $1`, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
