package rx_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store/storetest"
)

// The protocols of the library tables: vet 1 owns px 7; vet 2 holds a
// share of it in some rows. The actors are those of authz_test.go.
var (
	px7        = &protocol.Protocol{ID: 7, OwnerID: 1, Status: protocol.StatusUnknown}
	px7All     = &protocol.Protocol{ID: 7, OwnerID: 1, Status: protocol.StatusUnknown, ShareAll: true}
	px7AllCl   = &protocol.Protocol{ID: 7, OwnerID: 1, Status: protocol.StatusUnknown, ShareAll: true, ShareClonable: true}
	px7Deleted = &protocol.Protocol{ID: 7, OwnerID: 1, Status: protocol.StatusDeprecated, ShareAll: true}
	toVet2     = &rx.ProtocolShare{PxID: 7, ShareTo: 2}
	toVet2Cl   = &rx.ProtocolShare{PxID: 7, ShareTo: 2, Clonable: true}
	otherPx    = &rx.ProtocolShare{PxID: 8, ShareTo: 2, Clonable: true} // a share of another protocol
)

func TestMayReadProtocol(t *testing.T) {
	tests := []struct {
		name    string
		a       rx.Actor
		p       *protocol.Protocol
		share   *rx.ProtocolShare
		allowed bool
	}{
		{"owner VOR", vet, px7, nil, true},
		{"owner VOR, deleted", vet, px7Deleted, nil, true},
		{"other VOR", vet2, px7, nil, false},
		{"other VOR, share of another protocol", vet2, px7, otherPx, false},
		{"shared VOR", vet2, px7, toVet2, true},
		{"shared VOR, deleted", vet2, px7Deleted, toVet2, false},
		{"other VOR, shared to all", vet2, px7All, nil, true},
		{"other VOR, deleted from the library", vet2, px7Deleted, nil, false},
		{"MOR, client of the owner", farm, px7All, nil, false},
		{"TOR", tech, px7All, nil, false},
		{"SAOR", admin, px7, nil, true},
		{"SAOR, deleted", admin, px7Deleted, nil, true},
		{"REMOVED", removed, px7All, nil, false},
		{"pending VOR", pending, px7, nil, false},
		{"FARM account", farmAcct, px7All, nil, false},
	}
	for _, tt := range tests {
		checkAllowed(t, tt.name, rx.MayReadProtocol(tt.a, tt.p, tt.share), tt.allowed)
	}
}

func TestMayWriteDeleteProtocol(t *testing.T) {
	tests := []struct {
		name          string
		a             rx.Actor
		p             *protocol.Protocol
		write, delete bool
	}{
		{"owner VOR", vet, px7, true, true},
		{"other VOR", vet2, px7, false, false},
		{"other VOR, shared to all", vet2, px7AllCl, false, false},
		{"MOR", farm, px7, false, false},
		{"TOR", tech, px7, false, false},
		{"SAOR", admin, px7, false, true},
		{"REMOVED", removed, px7, false, false},
		{"pending owner", pending, px7, false, false},
	}
	for _, tt := range tests {
		checkAllowed(t, tt.name+": write", rx.MayWriteProtocol(tt.a, tt.p), tt.write)
		checkAllowed(t, tt.name+": delete", rx.MayDeleteProtocol(tt.a, tt.p), tt.delete)
	}
}

func TestMayShareProtocol(t *testing.T) {
	vor2 := rx.User{ID: 2, Type: rx.VOR}
	tests := []struct {
		name    string
		a       rx.Actor
		to      rx.User
		allowed bool
	}{
		{"owner to a VOR", vet, vor2, true},
		{"owner to itself", vet, rx.User{ID: 1, Type: rx.VOR}, false},
		{"owner to an MOR", vet, rx.User{ID: 10, Type: rx.MOR}, false},
		{"owner to a pending VOR", vet, rx.User{ID: 3, Type: rx.PreVOR}, false},
		{"other VOR", vet2, rx.User{ID: 3, Type: rx.VOR}, false},
		{"SAOR", admin, vor2, false},
		{"MOR", farm, vor2, false},
		{"REMOVED", removed, vor2, false},
	}
	for _, tt := range tests {
		checkAllowed(t, tt.name, rx.MayShareProtocol(tt.a, px7, tt.to), tt.allowed)
	}
	if err := rx.MayShareProtocol(vet, px7, rx.User{ID: 10, Type: rx.MOR}); !errors.Is(err, rx.ErrInvalid) {
		t.Errorf("share to an MOR: %v, want ErrInvalid", err)
	}
}

func TestMayCloneProtocol(t *testing.T) {
	tests := []struct {
		name    string
		a       rx.Actor
		p       *protocol.Protocol
		share   *rx.ProtocolShare
		allowed bool
	}{
		{"owner VOR", vet, px7, nil, true},
		{"owner VOR, deleted", vet, px7Deleted, nil, true},
		{"shared VOR, not clonable", vet2, px7, toVet2, false},
		{"shared VOR, clonable", vet2, px7, toVet2Cl, true},
		{"shared VOR, clonable share of another protocol", vet2, px7, otherPx, false},
		{"other VOR, in the library", vet2, px7All, nil, false},
		{"other VOR, in the library as clonable", vet2, px7AllCl, nil, true},
		{"shared VOR, deleted", vet2, px7Deleted, toVet2Cl, false},
		{"SAOR", admin, px7AllCl, nil, false},
		{"MOR", farm, px7AllCl, nil, false},
		{"TOR", tech, px7AllCl, nil, false},
		{"REMOVED", removed, px7AllCl, nil, false},
	}
	for _, tt := range tests {
		checkAllowed(t, tt.name, rx.MayCloneProtocol(tt.a, tt.p, tt.share), tt.allowed)
	}
}

func TestMayLibraryRoles(t *testing.T) {
	tests := []struct {
		name                        string
		a                           rx.Actor
		create, list, curate, catal bool
	}{
		{"VOR", vet, true, true, false, true},
		{"MOR", farm, false, false, false, true},
		{"TOR", tech, false, false, false, true},
		{"SAOR", admin, false, false, true, true},
		{"REMOVED", removed, false, false, false, false},
		{"pending VOR", pending, false, false, false, false},
		{"FARM account", farmAcct, false, false, false, false},
	}
	for _, tt := range tests {
		checkAllowed(t, tt.name+": create protocol", rx.MayCreateProtocol(tt.a), tt.create)
		checkAllowed(t, tt.name+": list protocols", rx.MayListProtocols(tt.a), tt.list)
		checkAllowed(t, tt.name+": curate", rx.MayCurate(tt.a), tt.curate)
		checkAllowed(t, tt.name+": read catalog", rx.MayReadCatalog(tt.a), tt.catal)
	}
}

func TestMayReadPromise(t *testing.T) {
	vet1 := int64(1)
	public := &protocol.Promise{ID: 3, Name: "record the animal ID"}
	private := &protocol.Promise{ID: 4, OwnerID: &vet1, Name: "call me at 36 hours"}
	tests := []struct {
		name    string
		a       rx.Actor
		p       *protocol.Promise
		allowed bool
	}{
		{"VOR, public", vet2, public, true},
		{"MOR, public", farm, public, true},
		{"TOR, public", tech, public, true},
		{"owner VOR, private", vet, private, true},
		{"other VOR, private", vet2, private, false},
		{"MOR, private", farm, private, false},
		{"SAOR, private", admin, private, true},
		{"REMOVED, public", removed, public, false},
	}
	for _, tt := range tests {
		checkAllowed(t, tt.name, rx.MayReadPromise(tt.a, tt.p), tt.allowed)
	}
}

func TestStubOf(t *testing.T) {
	at := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	p := rxtest.Flunixin()
	p.ID, p.OwnerID, p.Created, p.Edited, p.ShareAll = 9, 1, &at, &at, true
	p.Instructions = &protocol.Instructions{DoThis: "<p>IV, jugular</p>"}
	p.Extra = map[string]json.RawMessage{"wtNote": json.RawMessage(`"not for veal calves"`)}
	got := rx.StubOf(&p)
	if got.ID != 9 || got.OwnerID != 1 || got.Name != p.Name || !got.ShareAll || got.DoThis != "<p>IV, jugular</p>" ||
		got.WtNote != "not for veal calves" || !got.Edited.Equal(at) {
		t.Errorf("StubOf = %+v", got)
	}
}

// TestLibraryFlow runs the protocol operations on the real SQLite store:
// store/rx_library_test.go runs them on both engines.
func TestLibraryFlow(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	users := db.Rx()
	mk := func(uname string, typ rx.UserType) rx.Actor {
		u := rx.User{Uname: uname, Type: typ}
		if err := users.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return rx.Actor{User: u}
	}
	owner, other, sa := mk("vet1", rx.VOR), mk("vet2", rx.VOR), mk("sa", rx.SAOR)
	clock := &rxtest.Clock{}
	clock.Set(rxtest.Start)
	lib := &rx.Library{Store: db.Library(), Clock: clock.Now}

	p := rxtest.Flunixin()
	if err := lib.CreateProtocol(ctx, owner, &p); err != nil {
		t.Fatalf("create: %v", err)
	}
	if p.ID == 0 || p.OwnerID != int64(owner.User.ID) || p.Status != protocol.StatusUnknown || !p.Edited.Equal(rxtest.Start) {
		t.Fatalf("created %d owner %d status %s edited %v", p.ID, p.OwnerID, p.Status, p.Edited)
	}
	if _, err := lib.Protocol(ctx, other, p.ID); !errors.Is(err, rx.ErrForbidden) {
		t.Errorf("other VOR reads before the share: %v, want ErrForbidden", err)
	}
	if created, err := lib.Share(ctx, owner, rx.ProtocolShare{PxID: p.ID, ShareTo: other.User.ID}); err != nil || !created {
		t.Fatalf("share: %v, %v", created, err)
	}
	if _, err := lib.Protocol(ctx, other, p.ID); err != nil {
		t.Errorf("shared VOR reads: %v", err)
	}
	if err := lib.DeleteProtocol(ctx, other, p.ID); !errors.Is(err, rx.ErrForbidden) {
		t.Errorf("shared VOR deletes: %v, want ErrForbidden", err)
	}
	if err := lib.DeleteProtocol(ctx, sa, p.ID); err != nil {
		t.Fatalf("SAOR deletes: %v", err)
	}
	if _, err := lib.Protocol(ctx, other, p.ID); !errors.Is(err, rx.ErrForbidden) {
		t.Errorf("shared VOR reads a deleted protocol: %v, want ErrForbidden", err)
	}
	got, err := lib.Protocol(ctx, owner, p.ID)
	if err != nil || got.Status != protocol.StatusDeprecated {
		t.Errorf("owner reads the deleted protocol: %v, %v", got.Status, err)
	}
}

func TestSeedEligibilityNames(t *testing.T) {
	want := map[protocol.Species]string{
		protocol.BeefCattle:              "Beef cattle",
		protocol.ChickensNotLaying:       "Chickens not laying",
		protocol.DairyCattle:             "Lactating dairy cattle",
		protocol.DairyCattleNonLactating: "Dairy heifers, not yet calved",
		protocol.Bison:                   "Bison",
	}
	es := rx.SeedEligibilities()
	if len(es) != 29 {
		t.Errorf("%d eligibilities, want the 29 FDA classes of the VCPR list", len(es))
	}
	for _, e := range es {
		if w, ok := want[e.FDASpecies]; ok && e.Name != w {
			t.Errorf("%s: named %q, want %q", e.FDASpecies, e.Name, w)
		}
	}
}

func TestLibrarySeed(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	sa := rx.User{Uname: "sa", Type: rx.SAOR}
	if err := db.Rx().CreateUser(ctx, &sa); err != nil {
		t.Fatal(err)
	}
	lib := &rx.Library{Store: db.Library()}
	if _, err := lib.Seed(ctx, vet); !errors.Is(err, rx.ErrForbidden) {
		t.Errorf("VOR seeds: %v, want ErrForbidden", err)
	}
	// The diagnoses are the 5 of SeedDiagnoses and the indications of the
	// shipped verified claims; 1 Green Book drug, Bio-Mycin 200.
	claims, err := rx.SeedLabelClaims()
	if err != nil {
		t.Fatal(err)
	}
	dx := map[string]bool{}
	for _, d := range rx.SeedDiagnoses() {
		dx[d.Name] = true
	}
	for _, c := range claims {
		dx[c.Diagnosis] = true
	}
	for i, want := range []rx.SeedCounts{{29, len(dx), 2, len(claims), 1}, {}} {
		got, err := lib.Seed(ctx, rx.Actor{User: sa})
		if err != nil || got != want {
			t.Errorf("seed %d: %+v, %v; want %+v", i+1, got, err, want)
		}
	}
	ps, err := lib.Promises(ctx, vet2)
	if err != nil || len(ps) != 2 || ps[0].Name != "Affirm the extended withdrawal will be observed" {
		t.Errorf("public promises after the seed: %+v, %v", ps, err)
	}
}

// A protocol created or updated without instructions is stored with empty
// ones, so that what the API answers is a protocol createPrescription
// takes as it is (its schema requires instructions); instructions given
// are kept.
func TestLibraryProtocolInstructions(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	u := rx.User{Uname: "vet1", Type: rx.VOR}
	if err := db.Rx().CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	owner := rx.Actor{User: u}
	lib := &rx.Library{Store: db.Library()}

	p := rxtest.Flunixin()
	p.Instructions = nil
	if err := lib.CreateProtocol(ctx, owner, &p); err != nil {
		t.Fatalf("create: %v", err)
	}
	stored, err := lib.Protocol(ctx, owner, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(stored)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"instructions":{}`) {
		t.Errorf("created without instructions, stored as %s; want \"instructions\":{}", b)
	}

	stored.Instructions = &protocol.Instructions{DoThis: "Give the dose IV."}
	if err := lib.UpdateProtocol(ctx, owner, &stored); err != nil {
		t.Fatalf("update with instructions: %v", err)
	}
	if got, _ := lib.Protocol(ctx, owner, p.ID); got.Instructions == nil || got.Instructions.DoThis != "Give the dose IV." {
		t.Errorf("instructions given are kept: got %+v", got.Instructions)
	}
	stored.Instructions, stored.Edited = nil, nil
	if err := lib.UpdateProtocol(ctx, owner, &stored); err != nil {
		t.Fatalf("update without instructions: %v", err)
	}
	if got, _ := lib.Protocol(ctx, owner, p.ID); got.Instructions == nil || *got.Instructions != (protocol.Instructions{}) {
		t.Errorf("updated without instructions: got %+v, want empty instructions", got.Instructions)
	}
}
