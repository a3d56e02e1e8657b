package webhook

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// Defaults of [BreakerPolicy].
const (
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
)

// BreakerPolicy configures the circuit breaker a dispatcher keeps per
// subscription: after Threshold failed attempts in a row the circuit opens
// and the subscription's deliveries wait Cooldown, without being attempted;
// then one trial delivery is let through, which closes the circuit if it
// succeeds and opens it again if not. A receiver that is down thus costs a
// trickle of requests instead of a worker per delivery.
//
// The zero value is the default policy.
type BreakerPolicy struct {
	Threshold int           // zero means DefaultBreakerThreshold
	Cooldown  time.Duration // zero means DefaultBreakerCooldown
}

// breakers holds one dispatcher's circuit per subscription.
type breakers struct {
	policy BreakerPolicy
	mu     sync.Mutex
	m      map[uuid.UUID]*circuit
}

type circuit struct {
	failures  int
	openUntil time.Time
	trial     bool // a trial delivery is in flight
}

func newBreakers(p BreakerPolicy) *breakers {
	if p.Threshold <= 0 {
		p.Threshold = DefaultBreakerThreshold
	}
	if p.Cooldown <= 0 {
		p.Cooldown = DefaultBreakerCooldown
	}
	return &breakers{policy: p, m: make(map[uuid.UUID]*circuit)}
}

// allow reports whether a delivery to sub may be attempted at now, and
// when not, the time the circuit lets a trial through.
func (b *breakers) allow(sub uuid.UUID, now time.Time) (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.m[sub]
	if c == nil || c.failures < b.policy.Threshold {
		return true, time.Time{}
	}
	if now.Before(c.openUntil) {
		return false, c.openUntil
	}
	if c.trial {
		return false, now.Add(b.policy.Cooldown)
	}
	c.trial = true
	return true, time.Time{}
}

// open reports whether the circuit of sub is open at now.
func (b *breakers) open(sub uuid.UUID, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.m[sub]
	return c != nil && c.isOpen(b.policy.Threshold, now)
}

// isOpen reports whether c holds attempts back at now: open and cooling
// down, or with its one trial in flight.
func (c *circuit) isOpen(threshold int, now time.Time) bool {
	return c.failures >= threshold && (now.Before(c.openUntil) || c.trial)
}

// record notes the result of an attempt to sub at now.
func (b *breakers) record(sub uuid.UUID, ok bool, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		delete(b.m, sub)
		return
	}
	c := b.m[sub]
	if c == nil {
		c = &circuit{}
		b.m[sub] = c
	}
	c.failures++
	c.trial = false
	if c.failures >= b.policy.Threshold {
		c.openUntil = now.Add(b.policy.Cooldown)
	}
}

// openIDs lists the subscriptions whose circuit is open at now.
func (b *breakers) openIDs(now time.Time) []uuid.UUID {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ids []uuid.UUID
	for id, c := range b.m {
		if c.isOpen(b.policy.Threshold, now) {
			ids = append(ids, id)
		}
	}
	return ids
}

// forget ends a trial that made no request (the delivery could not be
// built), so the next delivery may be the trial.
func (b *breakers) forget(sub uuid.UUID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.m[sub]; c != nil {
		c.trial = false
	}
}
