// Package rxtest is the conformance suite of rx.Store and the fixtures its
// tests and rx's own use: a veterinarian, a farm with an employee, a
// three-dose flunixin protocol, and a Service on a clock the test moves.
//
// A Store implementation runs the suite from its own tests:
//
//	func TestRxStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, db *store.DB) {
//			rxtest.TestStore(t, func(t *testing.T) rx.Store { return db.Rx() })
//		})
//	}
package rxtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
)

//go:embed testdata/flunixin3.json
var flunixinJSON []byte

// Flunixin returns a fresh copy of the suite's protocol: flunixin 2.2 mg/kg
// IV once a day for 3 doses, meat 96 h and milk 36 h after the last dose,
// for lactating dairy cattle, with two promises (tag at initiation, recheck
// at 36 h).
func Flunixin() protocol.Protocol {
	var p protocol.Protocol
	if err := json.Unmarshal(flunixinJSON, &p); err != nil {
		panic("rxtest: flunixin fixture: " + err.Error())
	}
	return p
}

// Start is the suite's clock at NewFixture: Monday 2 March 2026, 06:00 UTC.
var Start = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

// Clock is a settable clock for a Service.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Fixture is a Service over a store with the parties of a small VCPR: the
// SAOR Admin, the veterinarian Vet with the client Farm (an MOR) whose
// employee is Tech (a TOR), and Other, a VOR with no clients.
type Fixture struct {
	Service                       *rx.Service
	Clock                         *Clock
	Admin, Vet, Farm, Tech, Other rx.Actor
}

// NewFixture creates the parties in s (user names get suffix so several
// fixtures may share a store) and returns them with a Service whose clock
// stands at Start.
func NewFixture(t testing.TB, s rx.Store, suffix string) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{Clock: &Clock{now: Start}}
	f.Service = &rx.Service{Store: s, Clock: f.Clock.Now}
	admin := rx.User{Uname: "admin-" + suffix, Type: rx.SAOR, Firstname: "Ada", Lastname: "Admin"}
	if err := s.CreateUser(ctx, &admin); err != nil {
		t.Fatalf("rxtest: create SAOR: %v", err)
	}
	f.Admin = rx.Actor{User: admin}
	add := func(a rx.Actor, u rx.User, kind rx.RelationKind) rx.User {
		t.Helper()
		u, err := f.Service.AddUser(ctx, a, u, kind)
		if err != nil {
			t.Fatalf("rxtest: add %s: %v", u.Uname, err)
		}
		return u
	}
	vet := add(f.Admin, rx.User{Uname: "drherd-" + suffix, Type: rx.VOR, Firstname: "Hannah", Lastname: "Herd", Suffix: "DVM"}, "")
	other := add(f.Admin, rx.User{Uname: "drother-" + suffix, Type: rx.VOR, Firstname: "Otto", Lastname: "Other", Suffix: "DVM"}, "")
	f.Vet = f.actor(t, vet.ID)
	farm := add(f.Vet, rx.User{Uname: "meadowfarm-" + suffix, Type: rx.MOR, Firstname: "Mia", Lastname: "Meadow"}, rx.Client)
	f.Farm = f.actor(t, farm.ID)
	tech := add(f.Farm, rx.User{Uname: "tomtech-" + suffix, Type: rx.TOR, Firstname: "Tom", Lastname: "Tech"}, rx.Employee)
	f.Vet, f.Farm, f.Tech, f.Other = f.actor(t, vet.ID), f.actor(t, farm.ID), f.actor(t, tech.ID), f.actor(t, other.ID)
	return f
}

func (f *Fixture) actor(t testing.TB, id rx.UserID) rx.Actor {
	t.Helper()
	a, err := f.Service.Actor(context.Background(), id)
	if err != nil {
		t.Fatalf("rxtest: actor %d: %v", id, err)
	}
	return a
}

// Prescribe writes the flunixin protocol from Vet to Farm with the given
// refills and expiration (zero: none).
func (f *Fixture) Prescribe(t testing.TB, refills int, expiration time.Time) rx.Prescription {
	t.Helper()
	p, err := f.Service.Prescribe(context.Background(), f.Vet, rx.PrescriptionRequest{
		Protocol: Flunixin(), MOR: f.Farm.ID(), Refills: refills, Expiration: expiration,
	})
	if err != nil {
		t.Fatalf("rxtest: prescribe: %v", err)
	}
	return p
}

// FlunixinProduct is the product of the Flunixin protocol, and
// FlunixinConcentration its strength: 1320 mg is 26.4 ml.
const FlunixinProduct = "Flunixin meglumine 50 mg/mL"

// FlunixinConcentration is the strength of FlunixinProduct, 50 mg/ml.
var FlunixinConcentration = protocol.Concentration{Amount: protocol.Q(protocol.Int(50), protocol.Milligram), Per: protocol.Q(protocol.Int(1), protocol.Milliliter)}

// Cow is an enrollment of a 600 kg lactating cow under rxID, initiated at
// the clock's time, with the concentration of FlunixinProduct (a test
// that prescribes another product gives its own Products).
func (f *Fixture) Cow(rxID, animal string) rx.EnrollRequest {
	return rx.EnrollRequest{
		RxID: rxID, AnimalID: animal, Initiation: f.Clock.Now(),
		Data:     &protocol.WeightData{Weight: protocol.Q(protocol.Int(600), protocol.Kilogram)},
		Animal:   protocol.Animal{Class: protocol.DairyCattle, Female: true},
		Products: map[string]protocol.Product{FlunixinProduct: {Concentration: FlunixinConcentration}},
	}
}
