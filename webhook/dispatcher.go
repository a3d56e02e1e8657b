package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Defaults of [Dispatcher].
const (
	DefaultWorkers      = 512
	DefaultMaxInFlight  = 64
	DefaultSlowAttempt  = time.Second
	DefaultTimeout      = 15 * time.Second
	DefaultMaxResponse  = 20 << 10
	DefaultPollInterval = 250 * time.Millisecond
	DefaultBatch        = 200
)

// userAgent is sent with every delivery.
const userAgent = "vetlink-webhook/1"

// A Dispatcher delivers the outbox: it claims due deliveries from the
// Store, posts them signed to their subscriptions, and records each attempt
// and the next one.
//
// Delivery is at least once. A delivery is claimed under a lease (Timeout
// plus a margin); if the dispatcher dies before recording the outcome, the
// lease lapses and a dispatcher (this one restarted, or another sharing the
// database) sends it again, with the same webhook-id, which receivers use to
// drop duplicates. Several dispatchers may run against one PostgreSQL
// database; on SQLite, run one process. The outbox rows are written in the
// application's transactions and are as durable as they are; a Store may
// record claims and outcomes without waiting for the disk (store does on
// PostgreSQL), so that a crash of the database server repeats the last
// moments' deliveries rather than losing any.
//
// Isolation: each subscription has an adaptive in-flight cap and a circuit
// breaker, so a hung or failing receiver holds a few workers and never the
// others'. The cap starts at 4 deliveries in flight, grows while attempts
// succeed within SlowAttempt (doubling each round trip at first, then one
// more per round trip), and halves on a failed or slow attempt (once per
// round trip), between 1 and MaxInFlight (the subscription's own
// MaxInFlight overrides). The circuit breaker stops attempts for a while
// after repeated failures. A subscription's RateLimit, when set, spaces
// its deliveries with a token bucket.
//
// Waking: [Dispatcher.Wake] makes it claim at once, in this process. When
// the Store is a [Notifier] (store's WebhookStore on PostgreSQL), Run also
// listens for the enqueues of every process sharing the database, so a
// publisher in another process is delivered within milliseconds rather
// than at the next poll; if the listening connection fails, it reconnects
// with backoff and the poll carries on meanwhile.
//
// Disabling: when an attempt disables its subscription (410 Gone, failing
// for longer than Policy.DisableAfter, an address the Guard refuses), the
// dispatcher cancels the subscription's other attempts in flight (they are
// not logged) and sends none of the deliveries it has claimed for it; the
// store fails them with the subscription. Another dispatcher sharing the
// database claims nothing more for it once the disabling commits, but may
// still send what it had claimed before.
//
// Configure the fields, then call Run; do not change them while it runs.
// Only Store is required.
type Dispatcher struct {
	Store Store
	// Client posts deliveries. Nil means NewClient(Guard, Timeout), with an
	// idle connection kept per worker: the SSRF guard on, redirects not
	// followed. A Client of your own is used as a copy whose transport is
	// a clone of yours set to dial through Guard, without proxy (a
	// DialContext or DialTLSContext of yours is replaced): the Guard is
	// part of every transport the dispatcher uses. A transport that is not
	// an *http.Transport cannot be guarded, and Run refuses it with
	// ErrUnguardedClient unless Guard.Disabled is set. Keep redirects off
	// in your Client, and enough idle connections per host
	// (http.Transport keeps 2 by default) not to dial for most attempts.
	Client *http.Client
	// Guard checks the destination of every connection, and of every
	// redirect a Client of yours follows; nil means the zero Guard, which
	// refuses internal addresses. A delivery the Guard refuses fails at
	// once, and disables its subscription with the reason.
	Guard *Guard
	// Logger receives one record per failed attempt and per disabled
	// subscription; nil discards.
	Logger *slog.Logger
	// Policy decides retries; its zero value is the default schedule.
	Policy Policy
	// Breaker configures the per-subscription circuit breaker.
	Breaker BreakerPolicy
	// Catalogue supplies the identifying parameter of each event type;
	// nil means DefaultCatalogue.
	Catalogue *Catalogue
	// Owner names this dispatcher in leases; "" means host-pid-random.
	Owner string
	// Observer is told of every attempt, for metrics and traces; nil means
	// none.
	Observer Observer
	// Workers is the most deliveries claimed at once, in flight or queued
	// behind their subscription's cap; zero means 512.
	Workers int
	// MaxInFlight is the most deliveries in flight to one subscription
	// (its own MaxInFlight overrides), the ceiling of its adaptive cap;
	// zero means 64.
	MaxInFlight int
	// SlowAttempt is the latency above which an attempt counts as slow and
	// shrinks its subscription's in-flight cap; zero means 1 s.
	SlowAttempt time.Duration
	// PollOnly ignores the Store's [Notifier]: the dispatcher then claims
	// on Wake and every PollInterval only.
	PollOnly bool
	// Timeout bounds each attempt, connection to last byte, unless the
	// subscription sets its own; zero means 15 s.
	Timeout time.Duration
	// MaxResponse is how much of a response body the log keeps; zero means
	// 20 KiB.
	MaxResponse int
	// PollInterval is how often the outbox is checked when idle; zero
	// means 250 ms. [Dispatcher.Wake] checks at once.
	PollInterval time.Duration
	// Batch is the most deliveries one claim takes; zero means 200.
	Batch int
	// Claimers is how many claims may run at once; zero means 4. A claim
	// is one statement on PostgreSQL; several at once keep the workers fed
	// while each waits for a busy database.
	Claimers int
	// Recorders is how many batches of outcomes may be recorded at once;
	// zero means 2. Recording a batch is a transaction whose time grows
	// with the batch; with two, one batch gathers while the other commits,
	// and a database with more than one core works on both. On SQLite,
	// which has one writer at a time, 1 avoids the recorders waiting for
	// each other.
	Recorders int
	// Lease is how long a claim holds before another dispatcher may send
	// the delivery again; it must exceed Timeout. Zero means Timeout + 30 s.
	// A dispatcher that dies delays its claimed deliveries by up to Lease.
	Lease time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	initOnce sync.Once
	initErr  error // why Run cannot start, found by init
	wake     chan struct{}
	client   *http.Client
	logger   *slog.Logger
	breakers *breakers
	service  *Service
	signers  sync.Map // subscription ID -> *cachedSigner
}

// cachedSigner is a subscription's Signer, kept while its secrets stay the
// same: parsing keys and keying HMAC for every delivery would cost more
// than signing.
type cachedSigner struct {
	secrets []Secret
	signer  *Signer
}

// signerFor returns the Signer of sub's secrets, or an error when none can
// sign at now.
func (d *Dispatcher) signerFor(sub *Subscription, now time.Time) (*Signer, error) {
	var s *Signer
	if v, ok := d.signers.Load(sub.ID); ok && slices.Equal(v.(*cachedSigner).secrets, sub.Secrets) {
		s = v.(*cachedSigner).signer
	} else {
		var err error
		if s, err = sub.signer(); err != nil {
			return nil, fmt.Errorf("no valid secret to sign with: %w", err)
		}
		d.signers.Store(sub.ID, &cachedSigner{secrets: slices.Clone(sub.Secrets), signer: s})
	}
	if !s.validAt(now) {
		return nil, errors.New("no valid secret to sign with: every secret has expired")
	}
	return s, nil
}

func (d *Dispatcher) init() {
	d.initOnce.Do(func() {
		d.wake = make(chan struct{}, 1)
		if d.Workers <= 0 {
			d.Workers = DefaultWorkers
		}
		if d.MaxInFlight <= 0 {
			d.MaxInFlight = DefaultMaxInFlight
		}
		if d.Timeout <= 0 {
			d.Timeout = DefaultTimeout
		}
		if d.SlowAttempt <= 0 {
			d.SlowAttempt = DefaultSlowAttempt
		}
		if d.Observer == nil {
			d.Observer = BaseObserver{}
		}
		if d.MaxResponse <= 0 {
			d.MaxResponse = DefaultMaxResponse
		}
		if d.PollInterval <= 0 {
			d.PollInterval = DefaultPollInterval
		}
		if d.Batch <= 0 {
			d.Batch = DefaultBatch
		}
		if d.Claimers <= 0 {
			d.Claimers = 4
		}
		if d.Recorders <= 0 {
			d.Recorders = 2
		}
		if d.Catalogue == nil {
			d.Catalogue = defaultCatalogue
		}
		if d.Owner == "" {
			host, _ := os.Hostname()
			var b [4]byte
			rand.Read(b[:])
			d.Owner = host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
		}
		d.client = d.Client
		if d.client == nil {
			d.client = newClient(d.Guard, d.Timeout, max(64, d.Workers))
		} else if c, err := guardClient(d.Client, d.Guard); err != nil {
			d.initErr = err // Run refuses to start
		} else {
			d.client = c
		}
		d.logger = d.Logger
		if d.logger == nil {
			d.logger = slog.New(slog.DiscardHandler)
		}
		d.breakers = newBreakers(d.Breaker)
		d.service = &Service{Store: d.Store, Catalogue: d.Catalogue, Guard: d.Guard, Now: d.Now}
	})
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

// timeoutOf is the timeout of an attempt to sub: its own, or the
// dispatcher's, and never so long that the lease lapses while it runs.
func (d *Dispatcher) timeoutOf(sub *Subscription) time.Duration {
	if sub.Timeout <= 0 {
		return d.Timeout
	}
	return min(sub.Timeout, max(d.Timeout, d.lease()*2/3))
}

// lease is how long a claim holds: an attempt's timeout, plus time to
// record it.
func (d *Dispatcher) lease() time.Duration {
	if d.Lease > d.Timeout {
		return d.Lease
	}
	return d.Timeout + 30*time.Second
}

// Wake makes a running dispatcher check the outbox now rather than at its
// next poll: call it after committing a transaction that published events.
// It never blocks.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then stops claiming, lets the attempts in
// flight finish (each within Timeout), records them, releases the claimed
// deliveries not yet attempted, and returns nil. It returns an error only
// when it cannot start.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Store == nil {
		return errors.New("webhook: Dispatcher.Store is nil")
	}
	d.init()
	if d.initErr != nil {
		return d.initErr
	}
	r := &runState{
		d:       d,
		subs:    make(map[uuid.UUID]*subState),
		caps:    make(map[uuid.UUID]*inflightCap),
		buckets: make(map[uuid.UUID]*tokenBucket),
		stopped: make(map[uuid.UUID]time.Time),
		results: make(chan Outcome, 4*d.Workers),
		freed:   make(chan struct{}, 1),
	}
	// Attempts outlive ctx so that a stop never cuts a request in half.
	sendCtx := context.WithoutCancel(ctx)
	if n, ok := d.Store.(Notifier); ok && !d.PollOnly {
		var listening sync.WaitGroup
		lctx, stopListening := context.WithCancel(ctx)
		listening.Go(func() {
			err := n.Listen(lctx, d.Wake)
			if err != nil && !errors.Is(err, ErrNotifyUnsupported) && lctx.Err() == nil {
				d.logger.WarnContext(ctx, "webhook: not listening for other processes' events; polling", "err", err)
			}
		})
		defer listening.Wait()
		defer stopListening()
	}
	var writers sync.WaitGroup
	for range d.Recorders {
		writers.Go(func() { d.writeOutcomes(sendCtx, r.results) })
	}

	// While deliveries are in flight, claim only when a quarter of the
	// batch is free: a claim is a transaction, and many small ones cost
	// more than they deliver. Up to Claimers claims run at once, so the
	// workers need not idle while one waits for the database; a further
	// claim starts only while the outbox keeps filling them.
	lowWater := max(1, min(d.Workers, d.Batch)/4)
	var claims sync.WaitGroup
	// A claim is wanted when something may be due that is not claimed: at
	// start, on Wake, after a claim that got all it asked for or all it
	// could of a subscription, when a subscription at its cap frees a slot
	// (r.more), and every PollInterval for retries coming due. A finished attempt alone frees a slot but makes
	// nothing due: claiming on every one would cost a query per delivery.
	want := true
	lastClaim := time.Now()
	poll := time.NewTimer(d.PollInterval)
	defer poll.Stop()
	for ctx.Err() == nil {
		if time.Since(lastClaim) >= d.PollInterval {
			want = true
		}
		r.mu.Lock()
		if r.more {
			want, r.more = true, false
		}
		busy := r.running + r.queued + r.reserved
		limit := min(d.Workers-busy, d.Batch)
		start := want && limit > 0 && (busy == 0 || limit >= lowWater) &&
			(r.claiming == 0 || r.claiming < d.Claimers && r.lastFull)
		if start {
			r.claiming++
			r.reserved += limit
		}
		r.mu.Unlock()
		if start {
			want, lastClaim = false, time.Now()
			claims.Add(1)
			go func() {
				defer claims.Done()
				d.claim(ctx, sendCtx, r, limit)
			}()
			continue
		}
		if !poll.Stop() {
			select {
			case <-poll.C:
			default:
			}
		}
		poll.Reset(max(0, d.PollInterval-time.Since(lastClaim)))
		select {
		case <-ctx.Done():
		case <-d.wake:
			want = true
		case <-r.freed:
		case <-poll.C:
		}
	}
	claims.Wait()
	r.stop()
	close(r.results)
	writers.Wait()
	return nil
}

// claim claims up to limit deliveries, whose slots r has reserved, and
// starts them.
func (d *Dispatcher) claim(ctx, sendCtx context.Context, r *runState, limit int) {
	now := d.now()
	skip, room := r.room(now)
	jobs, err := d.Store.Claim(ctx, ClaimRequest{
		Owner:           d.Owner,
		Lease:           newLease(),
		Now:             now,
		Until:           now.Add(d.lease()),
		Limit:           limit,
		PerSubscription: initialInFlight,
		Room:            room,
		Skip:            skip,
	})
	if err != nil && ctx.Err() == nil {
		d.logger.ErrorContext(ctx, "webhook: claim deliveries", "err", err)
	}
	perSub := make(map[uuid.UUID]int)
	for _, j := range jobs {
		r.add(sendCtx, j)
		perSub[j.Subscription.ID]++
	}
	full := err == nil && len(jobs) == limit
	// More may be due when the claim got all it asked for, or all it could
	// take of a subscription.
	more := full
	for id, n := range perSub {
		free, ok := room[id]
		if !ok {
			free = initialInFlight
		}
		more = more || n >= free
	}
	r.mu.Lock()
	r.claiming--
	r.reserved -= limit
	r.lastFull = full
	r.more = r.more || more
	r.mu.Unlock()
	r.signal()
}

func newLease() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// runState is one Run's bookkeeping of claimed deliveries.
type runState struct {
	d       *Dispatcher
	results chan Outcome
	freed   chan struct{}

	mu   sync.Mutex
	subs map[uuid.UUID]*subState
	// caps and buckets hold each subscription's adaptive in-flight cap and
	// rate limit for the whole run, idle or not.
	caps    map[uuid.UUID]*inflightCap
	buckets map[uuid.UUID]*tokenBucket
	// stopped holds the subscriptions this run disabled, with when: their
	// claimed work is released unsent, until the store has them disabled.
	stopped  map[uuid.UUID]time.Time
	running  int
	queued   int
	reserved int  // slots of the claims in progress
	claiming int  // claims in progress
	lastFull bool // the last claim to finish got all it asked for
	more     bool // a claim may find more due: claim again
	stopping bool
	wg       sync.WaitGroup
}

type subState struct {
	cap      *inflightCap
	passed   bool // a claim passed it over, short of room
	inflight int
	queue    []Job
	// ctx is the context of the subscription's attempts; cancel stops
	// those in flight when the subscription is disabled.
	ctx    context.Context
	cancel context.CancelFunc
}

// stoppedHold is how long after disabling a subscription a dispatcher
// keeps it out of its claims: long enough for the store to record the
// disabling, short enough that a subscription enabled again soon after is
// not held up.
func (d *Dispatcher) stoppedHold() time.Duration { return max(time.Second, 4*d.PollInterval) }

// room lists the subscriptions not to claim for (at their cap, out of
// tokens, their circuit open), and how many of the others' deliveries
// their caps and rate limits leave room for.
func (r *runState) room(now time.Time) (skip []uuid.UUID, room map[uuid.UUID]int) {
	skip = r.d.breakers.openIDs(now)
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, at := range r.stopped {
		if now.Sub(at) < r.d.stoppedHold() {
			skip = append(skip, id)
		} else {
			delete(r.stopped, id)
		}
	}
	room = make(map[uuid.UUID]int, len(r.caps))
	for id, c := range r.caps {
		// A subscription has room for its cap, and one that answers fast
		// for more, queued, so that its next deliveries are at hand when a
		// slot frees and it never waits for a claim; it is claimed for once
		// it has room for half its cap, so that claims are not of one or two.
		free := r.claimable(c)
		s := r.subs[id]
		if s != nil {
			free -= s.inflight + len(s.queue)
		}
		if b := r.buckets[id]; b != nil {
			// One more than the tokens: it waits for the next.
			free = min(free, b.available(time.Now())+1)
		}
		if free < max(1, c.limit()/2) {
			if !slices.Contains(skip, id) {
				skip = append(skip, id)
			}
			if s != nil {
				s.passed = true
			}
			continue
		}
		room[id] = free
	}
	return skip, room
}

// roomFactor is how many times its in-flight cap a subscription whose
// receiver answers fast may have claimed, in flight and queued.
const roomFactor = 4

// claimable is how many deliveries a subscription with cap c may have
// claimed, in flight and queued: its cap, or, while its receiver answers
// fast and its cap has grown, roomFactor times that, up to half the
// workers. Only a fast receiver gets a queue: a slow or hung one's queued
// deliveries would hold workers the other subscriptions need, and wait
// long enough for their leases to lapse.
func (r *runState) claimable(c *inflightCap) int {
	n := c.limit()
	if c.fast && n > initialInFlight {
		n = max(n, min(roomFactor*n, r.d.Workers/2))
	}
	return n
}

// capOf returns the in-flight cap of sub, made when first seen; r.mu is
// held.
func (r *runState) capOf(sub *Subscription) *inflightCap {
	ceiling := r.d.MaxInFlight
	if sub.MaxInFlight > 0 {
		ceiling = sub.MaxInFlight
	}
	c := r.caps[sub.ID]
	if c == nil {
		c = newInflightCap(ceiling)
		r.caps[sub.ID] = c
	} else if c.ceiling != ceiling {
		c.setCeiling(ceiling)
	}
	if sub.RateLimit > 0 {
		b := r.buckets[sub.ID]
		if b == nil {
			r.buckets[sub.ID] = newTokenBucket(sub.RateLimit, time.Now())
		} else if b.rate != sub.RateLimit {
			b.setRate(sub.RateLimit)
		}
	} else {
		delete(r.buckets, sub.ID)
	}
	return c
}

func (r *runState) add(ctx context.Context, j Job) {
	r.mu.Lock()
	id := j.Subscription.ID
	if at, ok := r.stopped[id]; ok && !j.Subscription.UpdatedAt.After(at) {
		// Claimed before the store recorded the disabling: not sent. (A
		// subscription enabled again since has a later UpdatedAt.)
		r.mu.Unlock()
		now := r.d.now()
		r.results <- release(j, now.Add(r.d.PollInterval), now)
		return
	}
	defer r.mu.Unlock()
	c := r.capOf(&j.Subscription)
	s := r.subs[id]
	if s == nil {
		s = &subState{cap: c}
		s.ctx, s.cancel = context.WithCancel(ctx)
		r.subs[id] = s
	}
	if s.inflight >= s.cap.limit() {
		s.queue = append(s.queue, j)
		r.queued++
		return
	}
	r.start(s, j)
}

// disable stops the work of subscription id, which an attempt's outcome
// disables at: the attempts in flight are cancelled (and released
// unrecorded), the queued deliveries released unsent, and further claims
// pass it over. The store fails them all when it records the disabling.
func (r *runState) disable(id uuid.UUID, at time.Time) {
	r.d.breakers.forget(id)
	r.mu.Lock()
	r.stopped[id] = at
	var queued []Job
	if s := r.subs[id]; s != nil {
		s.cancel()
		queued, s.queue = s.queue, nil
		r.queued -= len(queued)
	}
	r.mu.Unlock()
	now := r.d.now()
	for _, j := range queued {
		r.results <- release(j, now.Add(r.d.PollInterval), now)
	}
	r.signal()
}

// start runs j in s's context, when its subscription's rate limit lets
// it; r.mu is held.
func (r *runState) start(s *subState, j Job) {
	s.inflight++
	r.running++
	r.wg.Add(1)
	var notBefore time.Time
	if b := r.buckets[j.Subscription.ID]; b != nil {
		notBefore = b.reserve(time.Now())
	}
	go func() {
		defer r.wg.Done()
		if wait := time.Until(notBefore); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.ctx.Done():
			}
			t.Stop()
		}
		o := r.d.attempt(s.ctx, j)
		if o.Disable != "" {
			r.disable(j.Subscription.ID, o.At)
		}
		r.results <- o
		r.done(j.Subscription.ID, o)
	}()
}

// done ends the attempt of subscription id that had outcome o, adapts the
// subscription's cap to it, and starts its next queued delivery.
func (r *runState) done(id uuid.UUID, o Outcome) {
	r.mu.Lock()
	s := r.subs[id]
	if o.Attempt != nil {
		s.cap.observe(o.State == StateSucceeded, o.Attempt.Duration, r.d.SlowAttempt, time.Now())
	}
	if s.passed && s.inflight-1+len(s.queue) <= r.claimable(s.cap)-max(1, s.cap.limit()/2) {
		// A claim passed over this subscription, short of room: it may
		// have more due, and room for them now.
		s.passed = false
		r.more = true
	}
	s.inflight--
	r.running--
	for len(s.queue) > 0 && !r.stopping && s.inflight < s.cap.limit() {
		next := s.queue[0]
		s.queue = s.queue[1:]
		r.queued--
		r.start(s, next)
	}
	if s.inflight == 0 && len(s.queue) == 0 {
		s.cancel()
		delete(r.subs, id)
	}
	r.mu.Unlock()
	r.signal()
}

// signal wakes the claim loop, without blocking.
func (r *runState) signal() {
	select {
	case r.freed <- struct{}{}:
	default:
	}
}

// stop releases the queued jobs and waits for the running ones.
func (r *runState) stop() {
	r.mu.Lock()
	r.stopping = true
	var queued []Job
	for _, s := range r.subs {
		queued = append(queued, s.queue...)
		s.queue = nil
	}
	r.queued = 0
	r.mu.Unlock()
	now := r.d.now()
	for _, j := range queued {
		r.results <- release(j, now, now)
	}
	r.wg.Wait()
}

// release is the outcome of a claimed job not attempted: due again at due.
func release(j Job, due, now time.Time) Outcome {
	return Outcome{
		DeliveryID:     j.Delivery.ID,
		SubscriptionID: j.Subscription.ID,
		Lease:          j.Lease,
		State:          StatePending,
		NextAttemptAt:  due,
		At:             now,
	}
}

// attempt sends j once and returns its outcome. When ctx is cancelled
// (the subscription was disabled meanwhile), the delivery is released
// unsent, or its attempt abandoned unrecorded.
func (d *Dispatcher) attempt(ctx context.Context, j Job) Outcome {
	sub := &j.Subscription
	now := d.now()
	if ctx.Err() != nil {
		return release(j, now.Add(d.PollInterval), now)
	}
	if ok, until := d.breakers.allow(sub.ID, now); !ok {
		return release(j, until, now)
	}
	number := j.Delivery.Attempts + 1
	info := AttemptInfo{SubscriptionID: sub.ID, DeliveryID: j.Delivery.ID, EventType: j.Event.Type, Number: number,
		Queued: max(0, now.Sub(j.Delivery.NextAttemptAt))}
	octx := d.Observer.AttemptStarted(ctx, info)
	res, at := d.send(octx, j, now)
	end := d.now()
	if ctx.Err() != nil {
		return release(j, end.Add(d.PollInterval), end)
	}
	dec := d.Policy.Decide(number, res.Result, sub.Strict200, sub.FailingSince, end)
	if res.setupErr != "" {
		// The delivery can never be sent as it is (bad payload, no valid
		// secret): retrying would not help.
		dec = Decision{Verdict: GiveUp, Reason: res.setupErr}
		d.breakers.forget(sub.ID)
	} else if errors.Is(res.Err, ErrForbiddenAddress) {
		// The receiver's address is internal: not transient, and no other
		// delivery to it would pass either. Fail it and disable the
		// subscription, so an administrator sees why.
		dec = Decision{Verdict: Disable, Reason: DisabledForbidden + forbiddenReason(res.Err)}
		d.breakers.forget(sub.ID)
	} else {
		d.breakers.record(sub.ID, dec.Verdict == Delivered, end)
	}
	at.Number = number
	at.Error = dec.Reason
	o := Outcome{
		DeliveryID:          j.Delivery.ID,
		SubscriptionID:      sub.ID,
		Lease:               j.Lease,
		Attempt:             &at,
		SubscriptionFailing: dec.Verdict != Delivered,
		At:                  end,
	}
	switch dec.Verdict {
	case Delivered:
		o.State = StateSucceeded
	case Retry:
		o.State, o.NextAttemptAt = StatePending, dec.At
		at.NextAttemptAt = dec.At
	case GiveUp:
		o.State = StateFailed
	case Disable:
		o.State, o.Disable = StateFailed, dec.Reason
	}
	ar := AttemptResult{Latency: at.Duration, StatusCode: at.StatusCode, Error: dec.Reason, Verdict: dec.Verdict, NextAttemptAt: at.NextAttemptAt}
	if dec.Verdict == Delivered {
		d.Observer.AttemptSucceeded(octx, info, ar)
	} else {
		d.Observer.AttemptFailed(octx, info, ar)
	}
	if dec.Verdict != Delivered {
		d.logger.WarnContext(ctx, "webhook: delivery attempt failed",
			"delivery", j.Delivery.ID, "subscription", sub.ID, "url", sub.URL,
			"attempt", number, "status", at.StatusCode, "reason", dec.Reason, "verdict", dec.Verdict.String())
	}
	return o
}

// DisabledForbidden starts the DisabledReason of a subscription the
// dispatcher disabled because the [Guard] refused its receiver's address
// (and the Error of that attempt in the delivery log). Such a subscription
// is active again only through [Service.UpdateSubscription], which checks
// its URL again.
const DisabledForbidden = "forbidden address: "

// forbiddenReason returns the Guard's own words from a transport error.
func forbiddenReason(err error) string {
	var ae *AddressError
	if errors.As(err, &ae) {
		return ae.Error()
	}
	return err.Error()
}

type sendResult struct {
	Result
	setupErr string
}

// send makes the HTTP request of j.
func (d *Dispatcher) send(ctx context.Context, j Job, now time.Time) (sendResult, Attempt) {
	at := Attempt{DeliveryID: j.Delivery.ID, StartedAt: now}
	kind, ok := d.Catalogue.Lookup(j.Event.Type)
	if !ok {
		return sendResult{setupErr: fmt.Sprintf("event type %q is not in the dispatcher's catalogue", j.Event.Type)}, at
	}
	body, contentType, err := Payload(j.Subscription.Format, kind, j.Event)
	if err != nil {
		return sendResult{setupErr: err.Error()}, at
	}
	signer, err := d.signerFor(&j.Subscription, now)
	if err != nil {
		return sendResult{setupErr: err.Error()}, at
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeoutOf(&j.Subscription))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.Subscription.URL, bytes.NewReader(body))
	if err != nil {
		return sendResult{setupErr: "bad URL: " + err.Error()}, at
	}
	for name, value := range j.Subscription.Headers {
		// Validate refused the reserved names; a row written otherwise
		// still cannot replace them.
		if !reservedHeaders[http.CanonicalHeaderKey(name)] {
			req.Header.Set(name, value)
		}
	}
	req.Header["Content-Type"] = []string{contentType}
	req.Header["User-Agent"] = []string{userAgent}
	req.Header[canonicalEvent] = []string{string(j.Event.Type)}
	signer.SignHeader(req.Header, j.Delivery.MessageID(), now, body)

	start := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		at.Duration = time.Since(start)
		var ne net.Error
		timeout := errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
		return sendResult{Result: Result{Err: err, Timeout: timeout}}, at
	}
	excerpt, readErr := io.ReadAll(io.LimitReader(resp.Body, int64(d.MaxResponse)))
	// Read a little more so the connection can be reused, then drop it.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	at.Duration = time.Since(start)
	at.StatusCode = resp.StatusCode
	at.Response = string(excerpt)
	r := Result{StatusCode: resp.StatusCode, RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), d.now())}
	if readErr != nil && success(resp.StatusCode, j.Subscription.Strict200) {
		// An answer cut short is no answer.
		var ne net.Error
		r.Err, r.Timeout = readErr, errors.Is(readErr, context.DeadlineExceeded) || errors.As(readErr, &ne) && ne.Timeout()
	}
	return sendResult{Result: r}, at
}

// writeOutcomes records outcomes in batches until results is closed. Several
// run at once, each taking its batches from results.
func (d *Dispatcher) writeOutcomes(ctx context.Context, results <-chan Outcome) {
	// A batch gathers what arrives within a few milliseconds of its first
	// outcome: recording is a transaction (a disk flush on most
	// databases), so fewer, larger ones keep up with a faster dispatcher.
	const (
		maxBatch = 256
		linger   = 5 * time.Millisecond
	)
	batch := make([]Outcome, 0, maxBatch)
	timer := time.NewTimer(linger)
	defer timer.Stop()
	for o := range results {
		batch = append(batch[:0], o)
		timer.Reset(linger)
	fill:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-results:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			case <-timer.C:
				break fill
			}
		}
		d.complete(ctx, batch)
	}
}

// complete records one batch, retrying a few times: an outcome that cannot
// be recorded is not lost, its lease lapses and the delivery is sent again.
func (d *Dispatcher) complete(ctx context.Context, batch []Outcome) {
	var err error
	for try := range 5 {
		if try > 0 {
			time.Sleep(time.Duration(try) * 200 * time.Millisecond)
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = d.completeOnce(cctx, batch)
		cancel()
		if err == nil {
			return
		}
	}
	d.logger.ErrorContext(ctx, "webhook: record delivery outcomes; their deliveries will be sent again when the leases lapse",
		"outcomes", len(batch), "err", err)
}

// completeOnce records batch. When it disables subscriptions and the store
// is a Transactor, the events announcing it commit in the same
// transaction.
func (d *Dispatcher) completeOnce(ctx context.Context, batch []Outcome) error {
	disabling := slices.ContainsFunc(batch, func(o Outcome) bool { return o.Disable != "" })
	tx, ok := d.Store.(Transactor)
	if !disabling || !ok {
		disabled, err := d.Store.Complete(ctx, batch)
		if err != nil {
			return err
		}
		return d.announceDisabled(ctx, batch, disabled)
	}
	return tx.InTx(ctx, func(ctx context.Context) error {
		disabled, err := d.Store.Complete(ctx, batch)
		if err != nil {
			return err
		}
		return d.announceDisabled(ctx, batch, disabled)
	})
}

// announceDisabled publishes EventSubscriptionDisabled for each
// subscription the store just disabled.
func (d *Dispatcher) announceDisabled(ctx context.Context, batch []Outcome, disabled []uuid.UUID) error {
	for _, id := range disabled {
		reason := ""
		for _, o := range batch {
			if o.SubscriptionID == id && o.Disable != "" {
				reason = o.Disable
				break
			}
		}
		d.logger.WarnContext(ctx, "webhook: subscription disabled", "subscription", id, "reason", reason)
		data, _ := json.Marshal(map[string]string{"subscription_id": id.String(), "reason": reason})
		if _, err := d.service.Publish(ctx, Event{Type: EventSubscriptionDisabled, ResourceID: id.String(), Data: data}); err != nil {
			return fmt.Errorf("webhook: publish %s for subscription %s: %w", EventSubscriptionDisabled, id, err)
		}
	}
	return nil
}
