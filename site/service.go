package site

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vetlink/vetlink/rx"
)

// Default token lifetimes, used when the Service's are zero.
const (
	// DefaultMessageTokenTTL is how long a message's question may be
	// answered: 48 hours, as the VCPR says is typical.
	DefaultMessageTokenTTL = 48 * time.Hour
	// DefaultEmailTokenTTL is how long an e-mail confirmation link works.
	DefaultEmailTokenTTL = 48 * time.Hour
)

// Service carries out site's operations over a Store. The zero value of
// every field but Store is useful.
//
// Methods a user calls take the acting user (an rx.Actor, as loaded by
// rx.Service.Actor) and check the matching May… rule before they read or
// write. Answer and ConfirmEmail take no actor: the token is the
// authority. Help and HelpKeys take none either: anyone reads help.
//
// The Service sends no mail: Send and IssueEmailToken return the token for
// the caller's link, and the caller queues the mail.
type Service struct {
	Store Store
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// MessageTokenTTL is how long a message's question may be answered;
	// zero means DefaultMessageTokenTTL.
	MessageTokenTTL time.Duration
	// EmailTokenTTL is how long an e-mail confirmation token works; zero
	// means DefaultEmailTokenTTL.
	EmailTokenTTL time.Duration
}

func (s *Service) now() time.Time {
	if s.Clock != nil {
		return s.Clock().UTC()
	}
	return time.Now().UTC()
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// ---- address and profile

// Address returns the address of user: for the user and the SAOR. It
// fails with rx.ErrNotFound when none is saved.
func (s *Service) Address(ctx context.Context, a rx.Actor, user rx.UserID) (Address, error) {
	const op = "address"
	if err := MayManage(a, user); err != nil {
		return Address{}, withOp(op, err)
	}
	ad, err := s.Store.Address(ctx, user)
	return ad, withOp(op, err)
}

// UpdateAddress creates or replaces the address of ad.UserID (zero means
// the actor's own): for the user and the SAOR.
func (s *Service) UpdateAddress(ctx context.Context, a rx.Actor, ad Address) (Address, error) {
	const op = "update address"
	if ad.UserID == 0 {
		ad.UserID = a.User.ID
	}
	if err := MayManage(a, ad.UserID); err != nil {
		return Address{}, withOp(op, err)
	}
	if err := ad.Validate(); err != nil {
		return Address{}, withOp(op, err)
	}
	if err := s.Store.SaveAddress(ctx, ad); err != nil {
		return Address{}, withOp(op, err)
	}
	return ad, nil
}

// Profile returns the profile of user: for the user and the SAOR.
func (s *Service) Profile(ctx context.Context, a rx.Actor, user rx.UserID) (Profile, error) {
	const op = "profile"
	if err := MayManage(a, user); err != nil {
		return Profile{}, withOp(op, err)
	}
	p, err := s.Store.Profile(ctx, user)
	return p, withOp(op, err)
}

// UpdateProfile changes the profile of p.User.ID (zero means the actor's
// own): for the user and the SAOR. It changes names, suffix, phone, the
// address (when any line is given) and the preferences. Uname, user type
// and e-mail belong to rx's account rules and are left as they are; the
// profile returned shows them as stored.
func (s *Service) UpdateProfile(ctx context.Context, a rx.Actor, p Profile) (Profile, error) {
	const op = "update profile"
	id := p.User.ID
	if id == 0 {
		id = a.User.ID
	}
	if err := MayManage(a, id); err != nil {
		return Profile{}, withOp(op, err)
	}
	p.User.ID, p.Address.UserID, p.Prefs.UserID = id, id, id
	if err := p.Validate(); err != nil {
		return Profile{}, withOp(op, err)
	}
	if err := s.Store.SaveProfile(ctx, p); err != nil {
		return Profile{}, withOp(op, err)
	}
	got, err := s.Store.Profile(ctx, id)
	return got, withOp(op, err)
}

// ---- visits

// RecordVisit records a login of user at the Service's clock. The
// authentication layer calls it after a successful login; it takes no
// actor. The message is cut to MaxField bytes.
func (s *Service) RecordVisit(ctx context.Context, user rx.UserID, message string) (Visit, error) {
	const op = "record visit"
	if user <= 0 {
		return Visit{}, withOp(op, invalid("userId", "must name a user"))
	}
	v := Visit{UserID: user, When: s.now(), Message: cut(strings.ToValidUTF8(message, "\uFFFD"), MaxField)}
	return v, withOp(op, s.Store.AddVisit(ctx, v))
}

// Visits lists the last MaxList logins of user, newest first: for the user
// and the SAOR.
func (s *Service) Visits(ctx context.Context, a rx.Actor, user rx.UserID) ([]Visit, error) {
	const op = "visits"
	if err := MayManage(a, user); err != nil {
		return nil, withOp(op, err)
	}
	vs, err := s.Store.Visits(ctx, user, MaxList)
	return vs, withOp(op, err)
}

// ---- comments

// RecordComment records a comment for the site managers: for any
// logged-in user. A comment is anonymous when c.UserID is zero, and
// otherwise must be the actor's own. Its time is the Service's clock.
func (s *Service) RecordComment(ctx context.Context, a rx.Actor, c Comment) (Comment, error) {
	const op = "record comment"
	if err := MayComment(a); err != nil {
		return Comment{}, withOp(op, err)
	}
	if c.UserID != 0 && c.UserID != a.User.ID {
		return Comment{}, withOp(op, invalid(fmt.Sprintf("userId %d", c.UserID), "must be your own or zero (anonymous)"))
	}
	if err := c.Validate(); err != nil {
		return Comment{}, withOp(op, err)
	}
	c.ID, c.Created = 0, s.now()
	if err := s.Store.AddComment(ctx, &c); err != nil {
		return Comment{}, withOp(op, err)
	}
	return c, nil
}

// Comments lists the last MaxList comments, newest first: every comment for
// the SAOR, the public ones for any other logged-in user.
func (s *Service) Comments(ctx context.Context, a rx.Actor) ([]Comment, error) {
	const op = "comments"
	if err := MayComment(a); err != nil {
		return nil, withOp(op, err)
	}
	cs, err := s.Store.Comments(ctx, a.User.Type != rx.SAOR, MaxList)
	return cs, withOp(op, err)
}

// ---- messages

// Send records a message from the actor to m.To (MayMessage decides) and
// returns it as stored. m.From must be zero or the actor. When ask is set
// the message asks a yes/no question: Send returns a token (NewToken) for
// the links the caller mails, good for MessageTokenTTL and one answer
// (Answer). Otherwise token is empty.
func (s *Service) Send(ctx context.Context, a rx.Actor, m Message, ask bool) (sent SentMessage, token string, err error) {
	const op = "send message"
	if m.From == 0 {
		m.From = a.User.ID
	}
	if m.From != a.User.ID {
		return SentMessage{}, "", withOp(op, invalid(fmt.Sprintf("from %d", m.From), "must be the sender"))
	}
	if err := MayMessage(a, m.To); err != nil {
		return SentMessage{}, "", withOp(op, err)
	}
	if err := m.Validate(); err != nil {
		return SentMessage{}, "", withOp(op, err)
	}
	sent = SentMessage{Message: m, Sent: s.now(), Ask: ask}
	if ask {
		token, sent.TokenHash = NewToken()
		sent.Expires = sent.Sent.Add(orDefault(s.MessageTokenTTL, DefaultMessageTokenTTL))
	}
	if err := s.Store.AddMessage(ctx, &sent); err != nil {
		return SentMessage{}, "", withOp(op, err)
	}
	return sent, token, nil
}

// Messages lists the last MaxList messages user sent or received, newest
// first: for the user and the SAOR.
func (s *Service) Messages(ctx context.Context, a rx.Actor, user rx.UserID) ([]SentMessage, error) {
	const op = "messages"
	if err := MayManage(a, user); err != nil {
		return nil, withOp(op, err)
	}
	ms, err := s.Store.Messages(ctx, user, MaxList)
	return ms, withOp(op, err)
}

// Answer records the recipient's yes or no to the message of token
// (/messages/ok/{token}/). The token is the authority: whoever holds it
// answers. It fails with rx.ErrInvalid for a malformed token,
// rx.ErrNotFound for an unknown one, rx.ErrConflict when the message was
// answered already (the first answer stands), and ErrExpired after
// MessageTokenTTL.
func (s *Service) Answer(ctx context.Context, token string, yes bool) (SentMessage, error) {
	const op = "answer message"
	if err := CheckToken(token); err != nil {
		return SentMessage{}, withOp(op, err)
	}
	m, err := s.Store.AnswerMessage(ctx, HashToken(token), yes, s.now())
	return m, withOp(op, err)
}

// ---- e-mail confirmation

// IssueEmailToken issues a token confirming the e-mail address user has
// now (/api/users/token/{token}): for the user and the SAOR. The token is
// returned once, for the link the caller mails; it works once, for
// EmailTokenTTL.
func (s *Service) IssueEmailToken(ctx context.Context, a rx.Actor, user rx.UserID) (EmailToken, string, error) {
	const op = "issue e-mail token"
	if err := MayManage(a, user); err != nil {
		return EmailToken{}, "", withOp(op, err)
	}
	p, err := s.Store.Profile(ctx, user)
	if err != nil {
		return EmailToken{}, "", withOp(op, err)
	}
	if p.User.Email == "" {
		return EmailToken{}, "", withOp(op, invalid("email", fmt.Sprintf("user %d has no e-mail address", user)))
	}
	token, hash := NewToken()
	now := s.now()
	t := EmailToken{UserID: user, Email: p.User.Email, Created: now,
		Expires: now.Add(orDefault(s.EmailTokenTTL, DefaultEmailTokenTTL)), Hash: hash}
	if err := s.Store.AddEmailToken(ctx, t); err != nil {
		return EmailToken{}, "", withOp(op, err)
	}
	return t, token, nil
}

// ConfirmEmail uses an e-mail token and returns it: the user holding the
// link receives mail at t.Email. What follows (an UNCONFIRMED account
// becoming active) is rx's to decide. It fails as Answer does, and with
// rx.ErrConflict when the user's address changed since the token was
// issued (the token is used up all the same).
func (s *Service) ConfirmEmail(ctx context.Context, token string) (EmailToken, error) {
	const op = "confirm e-mail"
	if err := CheckToken(token); err != nil {
		return EmailToken{}, withOp(op, err)
	}
	t, err := s.Store.UseEmailToken(ctx, HashToken(token), s.now())
	if err != nil {
		return EmailToken{}, withOp(op, err)
	}
	p, err := s.Store.Profile(ctx, t.UserID)
	if err != nil {
		return EmailToken{}, withOp(op, err)
	}
	if !strings.EqualFold(p.User.Email, t.Email) {
		return EmailToken{}, withOp(op, fail("", "token", fmt.Sprintf("user %d's e-mail address changed since it was issued", t.UserID), rx.ErrConflict))
	}
	return t, nil
}

// ---- help screens

// Help returns the help screen of key. Anyone may read help.
func (s *Service) Help(ctx context.Context, key string) (HelpScreen, error) {
	const op = "help"
	if err := CheckHelpKey(key); err != nil {
		return HelpScreen{}, withOp(op, err)
	}
	h, err := s.Store.Help(ctx, key)
	return h, withOp(op, err)
}

// HelpKeys lists the keys of every help screen, sorted. Anyone may read
// them.
func (s *Service) HelpKeys(ctx context.Context) ([]string, error) {
	keys, err := s.Store.HelpKeys(ctx)
	return keys, withOp("help keys", err)
}

// PutHelp creates or replaces a help screen: for the SAOR.
func (s *Service) PutHelp(ctx context.Context, a rx.Actor, h HelpScreen) (HelpScreen, error) {
	const op = "put help"
	if err := MayEditHelp(a); err != nil {
		return HelpScreen{}, withOp(op, err)
	}
	if err := h.Validate(); err != nil {
		return HelpScreen{}, withOp(op, err)
	}
	return h, withOp(op, s.Store.PutHelp(ctx, h))
}

// DeleteHelp deletes a help screen: for the SAOR. It fails with
// rx.ErrNotFound when there is none.
func (s *Service) DeleteHelp(ctx context.Context, a rx.Actor, key string) error {
	const op = "delete help"
	if err := MayEditHelp(a); err != nil {
		return withOp(op, err)
	}
	if err := CheckHelpKey(key); err != nil {
		return withOp(op, err)
	}
	return withOp(op, s.Store.DeleteHelp(ctx, key))
}

// ---- client log

// Log records a line a client logged (/api/logging): for anyone but a
// REMOVED user, the zero Actor (not logged in) included. The empty level
// is LevelInfo; a message longer than MaxLogMessage bytes is cut there (at
// a character boundary), and invalid UTF-8 is replaced, so that a client
// can always log what went wrong. The time is the Service's clock.
func (s *Service) Log(ctx context.Context, a rx.Actor, level Level, message string) (LogEntry, error) {
	const op = "log"
	if err := MayLog(a); err != nil {
		return LogEntry{}, withOp(op, err)
	}
	if level == "" {
		level = LevelInfo
	}
	if !level.Valid() {
		return LogEntry{}, withOp(op, invalid("severity "+quote(string(level)), "must be DEBUG, INFO, WARN or ERROR"))
	}
	message = strings.ToValidUTF8(message, "\uFFFD")
	if strings.TrimSpace(message) == "" {
		return LogEntry{}, withOp(op, invalid("message", "must not be empty"))
	}
	e := LogEntry{Level: level, Message: cut(message, MaxLogMessage), User: a.User.ID, Time: s.now()}
	if err := s.Store.AddLog(ctx, &e); err != nil {
		return LogEntry{}, withOp(op, err)
	}
	return e, nil
}

// LogEntries lists up to MaxList log lines at or after since, newest
// first: for the SAOR.
func (s *Service) LogEntries(ctx context.Context, a rx.Actor, since time.Time) ([]LogEntry, error) {
	const op = "log entries"
	if err := MayReadLog(a); err != nil {
		return nil, withOp(op, err)
	}
	es, err := s.Store.LogEntries(ctx, since, MaxList)
	return es, withOp(op, err)
}

// PruneLog deletes log lines older than before and returns how many: for
// the SAOR. The log has no other bound on its rows; the server prunes it
// on a schedule.
func (s *Service) PruneLog(ctx context.Context, a rx.Actor, before time.Time) (int64, error) {
	const op = "prune log"
	if err := MayReadLog(a); err != nil {
		return 0, withOp(op, err)
	}
	n, err := s.Store.PruneLog(ctx, before)
	return n, withOp(op, err)
}

// cut shortens s to at most n bytes, at a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
