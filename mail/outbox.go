package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"sync"
	"time"
)

// State is where an outbox row is in its life.
type State string

// The states of an outbox row.
const (
	// Pending rows are due at NextAttempt.
	Pending State = "pending"
	// Sent rows were accepted by the Sender.
	Sent State = "sent"
	// Failed rows used every attempt of the Policy; they stay for the log.
	Failed State = "failed"
)

// Mail is one outbox row: a message, its state, and its attempts so far.
type Mail struct {
	ID          string
	Message     Message
	State       State
	Attempts    int
	NextAttempt time.Time
	Created     time.Time
	// Sent is when the Sender accepted it; zero until then.
	Sent      time.Time
	LastError string
	// Lease is set by Claim: the owner's proof when it records the
	// outcome.
	Lease string
}

// Attempt is one try at delivering a Mail: the delivery log.
type Attempt struct {
	MailID   string
	N        int
	At       time.Time
	Duration time.Duration
	// Error is empty for the attempt that sent the mail.
	Error string
}

// Outcome is what an attempt did to its Mail: the row's new state and,
// when Pending, when it is due again.
type Outcome struct {
	Attempt     Attempt
	Lease       string
	State       State
	NextAttempt time.Time
}

// ErrNotFound reports an outbox row that does not exist.
var ErrNotFound = errors.New("mail: not found")

// ErrLeaseLost reports an outcome for a row whose lease another worker
// took over (the attempt took longer than the lease).
var ErrLeaseLost = errors.New("mail: lease lost")

// Store keeps the outbox. Add runs in the transaction of its context, so
// the row commits with the change that caused it.
type Store interface {
	// AddMail stores m (Pending, due at m.NextAttempt).
	AddMail(ctx context.Context, m Mail) error
	// ClaimMail leases up to limit Pending rows due at now (or whose lease
	// ended), oldest due first, until now+lease, to owner; a leased row is
	// not claimed again while its lease runs.
	ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Mail, error)
	// FinishMail records an attempt and sets the row's state where the
	// lease still holds (ErrLeaseLost otherwise).
	FinishMail(ctx context.Context, o Outcome) error
	// Mail reads one row (ErrNotFound).
	Mail(ctx context.Context, id string) (Mail, error)
	// MailAttempts lists the attempts of a row, in order.
	MailAttempts(ctx context.Context, id string) ([]Attempt, error)
	// MailBacklog counts the Pending rows.
	MailBacklog(ctx context.Context) (int, error)
	// PruneMail deletes up to limit Sent or Failed rows created before
	// before, with their attempts, and returns how many it deleted.
	PruneMail(ctx context.Context, before time.Time, limit int) (int, error)
}

// Policy is when an undelivered mail is tried again.
type Policy struct {
	// Backoff is the wait after each failed attempt; the last is repeated.
	// Nil means DefaultBackoff.
	Backoff []time.Duration
	// Attempts is how many times a mail is tried before it is Failed; zero
	// means DefaultAttempts.
	Attempts int
}

// DefaultBackoff waits a minute, then longer, up to six hours: a mail
// server down for a day still gets the mail.
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// DefaultAttempts tries a mail 10 times (about 31 hours with
// DefaultBackoff).
const DefaultAttempts = 10

// wait is the backoff after attempt n (1-based) failed.
func (p Policy) wait(n int) time.Duration {
	b := p.Backoff
	if len(b) == 0 {
		b = DefaultBackoff
	}
	return b[min(n, len(b))-1]
}

func (p Policy) attempts() int {
	if p.Attempts <= 0 {
		return DefaultAttempts
	}
	return p.Attempts
}

// Observer is told about the outbox, for metrics: it imports no telemetry
// library. Its methods must not block.
type Observer interface {
	// Backlog is the number of Pending mails after each pass.
	Backlog(n int)
	// Attempted is called after each attempt: the mail's kind, whether it
	// was sent, and how long the attempt took.
	Attempted(kind string, sent bool, d time.Duration)
}

// Resolver makes the attachment an Attachment.Source names, at delivery.
type Resolver func(ctx context.Context, source string) (Attachment, error)

// Outbox queues mail in the Store and delivers it with the Sender. Store,
// Sender and From are required; the rest have useful zero values.
type Outbox struct {
	Store  Store
	Sender Sender
	// From is the sender of every mail whose Message.From is zero.
	From   mail.Address
	Policy Policy
	// Resolve makes the attachments named by Source; nil fails them.
	Resolve Resolver
	// Observer, when set, is told the backlog and each attempt.
	Observer Observer
	Logger   *slog.Logger
	// Owner names this worker in leases; empty means a random name.
	Owner string
	// Lease is how long a claimed mail is this worker's; zero means 5
	// minutes. It must exceed the Sender's timeout.
	Lease time.Duration
	// PollInterval is how often Run looks for due mail when not woken;
	// zero means 10 seconds.
	PollInterval time.Duration
	// Batch is how many mails one pass claims; zero means 20.
	Batch int
	// Retention is how long sent and failed mail (and its attempts) is
	// kept for the log; zero means DefaultRetention. Run prunes older rows
	// once an hour; pending mail is never pruned.
	Retention time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	once sync.Once
	wake chan struct{}
}

func (o *Outbox) init() {
	o.once.Do(func() {
		o.wake = make(chan struct{}, 1)
		if o.Owner == "" {
			o.Owner = "mail-" + newID()[:12]
		}
	})
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

func (o *Outbox) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Enqueue validates m and writes it to the outbox, due now, in the
// transaction ctx carries (if any): call it inside the transaction of the
// change the mail reports. Call Wake after the commit to send at once.
func (o *Outbox) Enqueue(ctx context.Context, m Message) (Mail, error) {
	if m.From.Address == "" {
		m.From = o.From
	}
	if err := m.Validate(); err != nil {
		return Mail{}, err
	}
	if m.From.Address == "" {
		return Mail{}, headerErr("from", "", "is required (set Outbox.From)")
	}
	now := o.now()
	row := Mail{ID: newID(), Message: m, State: Pending, NextAttempt: now, Created: now}
	if err := o.Store.AddMail(ctx, row); err != nil {
		return Mail{}, fmt.Errorf("mail: queue %s mail: %w", m.Kind, err)
	}
	return row, nil
}

// DefaultRetention keeps the log of delivered mail for 30 days.
const DefaultRetention = 30 * 24 * time.Hour

// Prune deletes the sent and failed mail older than Retention, in batches
// of 1000, and returns how many rows it deleted.
func (o *Outbox) Prune(ctx context.Context) (int, error) {
	keep := o.Retention
	if keep <= 0 {
		keep = DefaultRetention
	}
	before := o.now().Add(-keep)
	total := 0
	for {
		n, err := o.Store.PruneMail(ctx, before, 1000)
		total += n
		if err != nil {
			return total, fmt.Errorf("mail: prune: %w", err)
		}
		if n < 1000 {
			return total, nil
		}
	}
}

// Wake makes Run look for due mail now rather than at its next poll.
func (o *Outbox) Wake() {
	o.init()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run delivers due mail until ctx is done, then returns ctx's error.
func (o *Outbox) Run(ctx context.Context) error {
	o.init()
	poll := o.PollInterval
	if poll <= 0 {
		poll = 10 * time.Second
	}
	t := time.NewTimer(0)
	defer t.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-o.wake:
		}
		for {
			n, err := o.DeliverDue(ctx)
			if err != nil && ctx.Err() == nil {
				o.logger().ErrorContext(ctx, "mail outbox pass failed", "err", err)
			}
			if err != nil || n < o.batch() {
				break
			}
		}
		if now := o.now(); now.Sub(pruned) >= time.Hour {
			pruned = now
			if _, err := o.Prune(ctx); err != nil && ctx.Err() == nil {
				o.logger().ErrorContext(ctx, "mail outbox prune failed", "err", err)
			}
		}
		t.Reset(poll)
	}
}

func (o *Outbox) batch() int {
	if o.Batch <= 0 {
		return 20
	}
	return o.Batch
}

// DeliverDue makes one pass: it claims the due mail, tries each once and
// records the outcomes. It returns how many it tried.
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	o.init()
	lease := o.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	ms, err := o.Store.ClaimMail(ctx, o.Owner, o.now(), lease, o.batch())
	if err != nil {
		return 0, fmt.Errorf("mail: claim: %w", err)
	}
	var errs []error
	for _, m := range ms {
		if err := o.attempt(ctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	if o.Observer != nil {
		if n, err := o.Store.MailBacklog(ctx); err == nil {
			o.Observer.Backlog(n)
		} else {
			errs = append(errs, err)
		}
	}
	return len(ms), errors.Join(errs...)
}

// attempt tries m once and records the outcome.
func (o *Outbox) attempt(ctx context.Context, m Mail) error {
	start := o.now()
	began := time.Now()
	err := o.send(ctx, m)
	d := time.Since(began)
	n := m.Attempts + 1
	out := Outcome{Attempt: Attempt{MailID: m.ID, N: n, At: start, Duration: d}, Lease: m.Lease}
	switch {
	case err == nil:
		out.State = Sent
	case n >= o.Policy.attempts():
		out.State = Failed
	default:
		out.State = Pending
		out.NextAttempt = start.Add(o.Policy.wait(n))
	}
	if err != nil {
		out.Attempt.Error = err.Error()
		o.logger().WarnContext(ctx, "mail not delivered", "mail", m.ID, "kind", m.Message.Kind, "attempt", n, "state", out.State, "err", err)
	}
	if o.Observer != nil {
		o.Observer.Attempted(m.Message.Kind, err == nil, d)
	}
	// The outcome is recorded even when ctx ended during the attempt.
	if ferr := o.Store.FinishMail(context.WithoutCancel(ctx), out); ferr != nil {
		return fmt.Errorf("mail: record attempt %d of %s: %w", n, m.ID, ferr)
	}
	return nil
}

// send resolves the attachments of m, renders it and hands it to the
// Sender.
func (o *Outbox) send(ctx context.Context, m Mail) error {
	msg := m.Message
	msg.Attachments = append([]Attachment(nil), msg.Attachments...)
	for i, at := range msg.Attachments {
		if len(at.Data) > 0 {
			continue
		}
		if o.Resolve == nil {
			return fmt.Errorf("mail: attachment %q: no resolver for source %q", at.Name, at.Source)
		}
		made, err := o.Resolve(ctx, at.Source)
		if err != nil {
			return fmt.Errorf("mail: attachment %q from %q: %w", at.Name, at.Source, err)
		}
		if made.Name == "" {
			made.Name = at.Name
		}
		if made.ContentType == "" {
			made.ContentType = at.ContentType
		}
		msg.Attachments[i] = made
	}
	b, err := msg.Bytes(m.ID, m.Created)
	if err != nil {
		return err
	}
	return o.Sender.Send(ctx, msg.From.Address, msg.Recipients(), b)
}

// Mail queues one plain-text mail to the address to (kind "notice") and
// wakes the worker: the one-call form for code that mails after its
// transaction has committed, such as openapi.Mailer.
func (o *Outbox) Mail(ctx context.Context, to, subject, body string) error {
	_, err := o.Enqueue(ctx, Message{Kind: "notice", To: []mail.Address{{Address: to}}, Subject: subject, Text: body})
	if err == nil {
		o.Wake()
	}
	return err
}
