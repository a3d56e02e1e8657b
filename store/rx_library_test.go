package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// libraryBundle is what the library tests need: the service over the
// store, its clock, and five users.
type libraryBundle struct {
	lib              *rx.Library
	clock            *rxtest.Clock
	vet1, vet2, vet3 rx.Actor
	admin, farm      rx.Actor
	store            *store.LibraryStore
	ctx              context.Context
}

func setupLibrary(t testing.TB, db *store.DB) *libraryBundle {
	t.Helper()
	ctx := context.Background()
	mk := func(uname string, typ rx.UserType) rx.Actor {
		u := rx.User{Uname: uname, Type: typ, Email: uname + "@example.com"}
		if err := db.Rx().CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return rx.Actor{User: u}
	}
	b := &libraryBundle{clock: &rxtest.Clock{}, store: db.Library(), ctx: ctx}
	b.clock.Set(rxtest.Start)
	b.lib = &rx.Library{Store: b.store, Clock: b.clock.Now}
	b.vet1, b.vet2, b.vet3 = mk("vet1", rx.VOR), mk("vet2", rx.VOR), mk("vet3", rx.VOR)
	b.admin, b.farm = mk("sa", rx.SAOR), mk("farm", rx.MOR)
	return b
}

// create records a copy of the flunixin protocol named name for a.
func (b *libraryBundle) create(t *testing.T, a rx.Actor, name string) protocol.Protocol {
	t.Helper()
	p := rxtest.Flunixin()
	p.Name = name
	if err := b.lib.CreateProtocol(b.ctx, a, &p); err != nil {
		t.Fatalf("create %q: %v", name, err)
	}
	return p
}

func names(ps []protocol.Protocol) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLibraryProtocols(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx

		t.Run("RoundTrip", func(t *testing.T) {
			p := rxtest.Flunixin()
			p.Extra = map[string]json.RawMessage{"wtNote": json.RawMessage(`"not for veal"`)}
			if err := b.lib.CreateProtocol(ctx, b.vet1, &p); err != nil {
				t.Fatal(err)
			}
			got, err := b.lib.Protocol(ctx, b.vet1, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(p)
			have, _ := json.Marshal(got)
			if string(want) != string(have) {
				t.Errorf("read back\n%s\nwant\n%s", have, want)
			}
			if got.Status != protocol.StatusUnknown || got.OwnerID != int64(b.vet1.User.ID) || !got.Created.Equal(rxtest.Start) {
				t.Errorf("status %s owner %d created %v", got.Status, got.OwnerID, got.Created)
			}
		})

		t.Run("UpdateOptimistic", func(t *testing.T) {
			p := b.create(t, b.vet1, "update me")
			stale := p
			b.clock.Set(rxtest.Start.Add(time.Hour))
			p.VetNote = "first edit"
			if err := b.lib.UpdateProtocol(ctx, b.vet1, &p); err != nil {
				t.Fatalf("update: %v", err)
			}
			if !p.Edited.Equal(rxtest.Start.Add(time.Hour)) {
				t.Errorf("edited %v", p.Edited)
			}
			stale.VetNote = "edit of a stale copy"
			if err := b.lib.UpdateProtocol(ctx, b.vet1, &stale); !errors.Is(err, rx.ErrConflict) {
				t.Errorf("stale update: %v, want ErrConflict", err)
			}
			p.VetNote = "by another vet"
			if err := b.lib.UpdateProtocol(ctx, b.vet2, &p); !errors.Is(err, rx.ErrForbidden) {
				t.Errorf("other vet updates: %v, want ErrForbidden", err)
			}
			bad := p
			bad.Treatments = nil
			if err := b.lib.UpdateProtocol(ctx, b.vet1, &bad); !errors.Is(err, rx.ErrInvalid) {
				t.Errorf("update without treatments: %v, want ErrInvalid", err)
			}
			got, _ := b.lib.Protocol(ctx, b.vet1, p.ID)
			if got.VetNote != "first edit" {
				t.Errorf("vetNote %q after refused writes, want the first edit", got.VetNote)
			}
			missing := p
			missing.ID, missing.Edited = 1<<40, nil
			if err := b.lib.UpdateProtocol(ctx, b.vet1, &missing); !errors.Is(err, rx.ErrNotFound) {
				t.Errorf("update of a missing protocol: %v, want ErrNotFound", err)
			}
			b.clock.Set(rxtest.Start)
		})

		t.Run("CreateRefusals", func(t *testing.T) {
			p := rxtest.Flunixin()
			p.Treatments = nil
			if err := b.lib.CreateProtocol(ctx, b.vet1, &p); !errors.Is(err, rx.ErrInvalid) {
				t.Errorf("no treatments: %v, want ErrInvalid", err)
			}
			p = rxtest.Flunixin()
			if err := b.lib.CreateProtocol(ctx, b.farm, &p); !errors.Is(err, rx.ErrForbidden) {
				t.Errorf("MOR creates: %v, want ErrForbidden", err)
			}
			if err := b.lib.CreateProtocol(ctx, b.admin, &p); !errors.Is(err, rx.ErrForbidden) {
				t.Errorf("SAOR creates: %v, want ErrForbidden", err)
			}
		})
	})
}

func TestLibrarySharing(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx
		a := b.create(t, b.vet1, "A mine")
		shared := b.create(t, b.vet1, "B shared with vet2")
		lib := b.create(t, b.vet1, "C in the library")
		gone := b.create(t, b.vet1, "D deleted")
		theirs := b.create(t, b.vet2, "E vet2's own")
		_ = b.create(t, b.vet3, "F vet3's, private")

		created, err := b.lib.Share(ctx, b.vet1, rx.ProtocolShare{PxID: shared.ID, ShareTo: b.vet2.User.ID})
		if err != nil || !created {
			t.Fatalf("share: %v %v", created, err)
		}
		created, err = b.lib.Share(ctx, b.vet1, rx.ProtocolShare{PxID: shared.ID, ShareTo: b.vet2.User.ID, Clonable: true})
		if err != nil || created {
			t.Fatalf("share again as clonable: created %v, %v; want an update", created, err)
		}
		if _, err := b.lib.Share(ctx, b.vet1, rx.ProtocolShare{PxID: shared.ID, ShareTo: b.farm.User.ID}); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("share with an MOR: %v, want ErrInvalid", err)
		}
		if _, err := b.lib.Share(ctx, b.vet2, rx.ProtocolShare{PxID: shared.ID, ShareTo: b.vet3.User.ID}); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("recipient reshares: %v, want ErrForbidden", err)
		}
		if _, err := b.lib.Share(ctx, b.vet1, rx.ProtocolShare{PxID: 1 << 40, ShareTo: b.vet2.User.ID}); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("share of a missing protocol: %v, want ErrNotFound", err)
		}
		if err := b.lib.ShareToAll(ctx, b.vet1, lib.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := b.lib.ShareToAll(ctx, b.vet1, gone.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := b.lib.DeleteProtocol(ctx, b.vet1, gone.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.lib.ShareToAll(ctx, b.vet2, a.ID, true); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("other vet shares to all: %v, want ErrForbidden", err)
		}

		mine, total, err := b.lib.MyProtocols(ctx, b.vet2, rx.ProtocolQuery{})
		if want := []string{"B shared with vet2", "E vet2's own"}; err != nil || total != 2 || !equalStrings(names(mine), want) {
			t.Errorf("vet2's protocols: %v (of %d), %v; want %v", names(mine), total, err, want)
		}
		mine, total, _ = b.lib.MyProtocols(ctx, b.vet1, rx.ProtocolQuery{Offset: 1, Limit: 1})
		if want := []string{"B shared with vet2"}; total != 3 || !equalStrings(names(mine), want) {
			t.Errorf("vet1's page 2 of 1: %v (of %d); want %v of 3", names(mine), total, want)
		}
		mine, _, _ = b.lib.MyProtocols(ctx, b.vet1, rx.ProtocolQuery{Statuses: []protocol.ProtocolStatus{protocol.StatusDeprecated}})
		if want := []string{"D deleted"}; !equalStrings(names(mine), want) {
			t.Errorf("vet1's deleted: %v; want %v", names(mine), want)
		}
		mine, _, _ = b.lib.MyProtocols(ctx, b.vet1, rx.ProtocolQuery{Tags: []string{"ORGANIC"}})
		if len(mine) != 0 {
			t.Errorf("vet1's ORGANIC: %v; want none", names(mine))
		}
		libs, err := b.lib.LibraryProtocols(ctx, b.vet3)
		if want := []string{"C in the library"}; err != nil || !equalStrings(names(libs), want) {
			t.Errorf("library: %v, %v; want %v", names(libs), err, want)
		}
		stubs, _ := b.lib.LibraryStubs(ctx, b.vet3)
		if len(stubs) != 1 || stubs[0].ID != lib.ID || !stubs[0].ShareAll {
			t.Errorf("library stubs: %+v", stubs)
		}
		stubs, _ = b.lib.ExclusiveStubs(ctx, b.vet2)
		if len(stubs) != 1 || stubs[0].ID != theirs.ID {
			t.Errorf("vet2's exclusive stubs: %+v", stubs)
		}
		all, _ := b.lib.SharedToAll(ctx, b.vet1)
		if len(all) != 1 || all[0] != (rx.SharedToAll{PxID: lib.ID, Name: "C in the library"}) {
			t.Errorf("vet1's shares to all: %+v", all)
		}
		if _, err := b.lib.LibraryProtocols(ctx, b.farm); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("MOR reads the library: %v, want ErrForbidden", err)
		}

		// Reads follow the shares.
		for _, c := range []struct {
			name string
			a    rx.Actor
			id   int64
			err  error
		}{
			{"vet2 reads the shared one", b.vet2, shared.ID, nil},
			{"vet3 reads the shared one", b.vet3, shared.ID, rx.ErrForbidden},
			{"vet3 reads the library one", b.vet3, lib.ID, nil},
			{"vet3 reads the deleted library one", b.vet3, gone.ID, rx.ErrForbidden},
			{"SAOR reads the deleted one", b.admin, gone.ID, nil},
			{"MOR reads the library one", b.farm, lib.ID, rx.ErrForbidden},
			{"vet1 reads a missing one", b.vet1, 1 << 40, rx.ErrNotFound},
		} {
			if _, err := b.lib.Protocol(ctx, c.a, c.id); !errors.Is(err, c.err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.err)
			}
		}

		// Clones follow the clonable flags.
		cl, err := b.lib.Clone(ctx, b.vet2, shared.ID)
		if err != nil || cl.OwnerID != int64(b.vet2.User.ID) || cl.ID == shared.ID || cl.ShareAll {
			t.Errorf("vet2 clones the clonable share: %+v, %v", cl, err)
		}
		if _, err := b.lib.Clone(ctx, b.vet3, lib.ID); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("vet3 clones a non-clonable library protocol: %v, want ErrForbidden", err)
		}

		ss, err := b.lib.Shares(ctx, b.vet1, 0, 0)
		if want := (rx.ProtocolShare{PxID: shared.ID, ShareTo: b.vet2.User.ID, Clonable: true}); err != nil || len(ss) != 1 || ss[0] != want {
			t.Errorf("vet1's shares: %+v, %v; want %+v", ss, err, want)
		}
		if ss, _ := b.lib.Shares(ctx, b.vet1, a.ID, 0); len(ss) != 0 {
			t.Errorf("vet1's shares of A: %+v; want none", ss)
		}
		if ss, _ := b.lib.Shares(ctx, b.vet2, 0, 0); len(ss) != 0 {
			t.Errorf("vet2's shares: %+v; want none (it received, not gave)", ss)
		}
		if err := b.lib.Unshare(ctx, b.vet2, shared.ID, b.vet2.User.ID); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("recipient unshares: %v, want ErrForbidden", err)
		}
		if err := b.lib.Unshare(ctx, b.vet1, shared.ID, b.vet2.User.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.lib.Unshare(ctx, b.vet1, shared.ID, b.vet2.User.ID); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("unshare twice: %v, want ErrNotFound", err)
		}
		if _, err := b.lib.Protocol(ctx, b.vet2, shared.ID); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("vet2 reads after the unshare: %v, want ErrForbidden", err)
		}
		if err := b.lib.UnshareToAll(ctx, b.vet1, lib.ID); err != nil {
			t.Fatal(err)
		}
		if libs, _ := b.lib.LibraryProtocols(ctx, b.vet3); len(libs) != 0 {
			t.Errorf("library after unshare to all: %v", names(libs))
		}
	})
}

func TestLibraryReferenceData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx

		// Tags: SAOR-curated, unique names of at most 15 characters.
		tag := protocol.Tag{Name: "ORGANIC", Color: "#008000"}
		if err := b.lib.CreateTag(ctx, b.vet1, &tag); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR creates a tag: %v, want ErrForbidden", err)
		}
		if err := b.lib.CreateTag(ctx, b.admin, &tag); err != nil || tag.ID == 0 {
			t.Fatalf("create tag: %v (id %d)", err, tag.ID)
		}
		dup := protocol.Tag{Name: "ORGANIC"}
		if err := b.lib.CreateTag(ctx, b.admin, &dup); !errors.Is(err, rx.ErrConflict) {
			t.Errorf("duplicate tag: %v, want ErrConflict", err)
		}
		long := protocol.Tag{Name: "SIXTEEN-CHARS-XX"}
		if err := b.lib.CreateTag(ctx, b.admin, &long); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("16-character tag: %v, want ErrInvalid", err)
		}
		tags, err := b.lib.Tags(ctx, b.farm)
		if err != nil || len(tags) != 1 || tags[0].ID != tag.ID || tags[0].Color != "#008000" {
			t.Errorf("tags: %+v, %v", tags, err)
		}
		if err := b.lib.DeleteTag(ctx, b.admin, tag.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.lib.DeleteTag(ctx, b.admin, tag.ID); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("delete tag twice: %v, want ErrNotFound", err)
		}

		// Diagnoses and eligibilities.
		dx := protocol.Diagnosis{Name: "Mastitis"}
		if err := b.lib.CreateDiagnosis(ctx, b.admin, &dx); err != nil {
			t.Fatal(err)
		}
		if ds, _ := b.lib.Diagnoses(ctx, b.vet1); len(ds) != 1 || ds[0] != dx {
			t.Errorf("diagnoses: %+v", ds)
		}
		if err := b.lib.DeleteDiagnosis(ctx, b.vet1, dx.ID); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR deletes a diagnosis: %v, want ErrForbidden", err)
		}
		el := protocol.Eligibility{Name: "Lactating dairy cows", FDASpecies: protocol.DairyCattle}
		if err := b.lib.CreateEligibility(ctx, b.admin, &el); err != nil {
			t.Fatal(err)
		}
		bad := protocol.Eligibility{Name: "Unicorns", FDASpecies: "Unicorns"}
		if err := b.lib.CreateEligibility(ctx, b.admin, &bad); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("eligibility of an unknown class: %v, want ErrInvalid", err)
		}
		if es, _ := b.lib.Eligibilities(ctx, b.vet1); len(es) != 1 || es[0] != el {
			t.Errorf("eligibilities: %+v", es)
		}
		if err := b.lib.DeleteEligibility(ctx, b.admin, el.ID); err != nil {
			t.Fatal(err)
		}
		if sp, _ := b.lib.FDASpecies(ctx, b.vet1); len(sp) != 29 || sp[0] != protocol.BeefCattle || sp[28] != protocol.Bison {
			t.Errorf("FDA species: %d, %v", len(sp), sp)
		}

		// Promises: public for all, private to their VOR.
		pub := protocol.Promise{Kind: protocol.AffirmationPromise, Name: "Affirm the withdrawal", When: protocol.Hours(0)}
		if err := b.lib.CreatePublicPromise(ctx, b.admin, &pub); err != nil {
			t.Fatal(err)
		}
		priv := protocol.Promise{Kind: protocol.BooleanPromise, Name: "Call the clinic at 36 h", When: protocol.Hours(36), Query: "Called?"}
		if err := b.lib.CreatePrivatePromise(ctx, b.vet1, &priv); err != nil {
			t.Fatal(err)
		}
		short := protocol.Promise{Kind: protocol.BooleanPromise, Name: "Call"}
		if err := b.lib.CreatePrivatePromise(ctx, b.vet1, &short); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("short promise name: %v, want ErrInvalid", err)
		}
		for _, c := range []struct {
			a    rx.Actor
			want int
		}{{b.vet1, 2}, {b.vet2, 1}, {b.admin, 1}, {b.farm, 1}} {
			if ps, err := b.lib.Promises(ctx, c.a); err != nil || len(ps) != c.want {
				t.Errorf("promises of %s: %d, %v; want %d", c.a.User.Uname, len(ps), err, c.want)
			}
		}
		got, err := b.lib.Promise(ctx, b.vet1, priv.ID)
		if err != nil || got.Query != "Called?" || got.OwnerID == nil || *got.OwnerID != int64(b.vet1.User.ID) {
			t.Errorf("private promise: %+v, %v", got, err)
		}
		if _, err := b.lib.Promise(ctx, b.vet2, priv.ID); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("other vet reads a private promise: %v, want ErrForbidden", err)
		}
		if _, err := b.lib.Promise(ctx, b.farm, pub.ID); err != nil {
			t.Errorf("MOR reads a public promise: %v", err)
		}
	})
}

func TestLibraryLabelsAndGreenbook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx

		// A label claim whose meat withdrawal (120 h) is above the
		// protocol's 96 h: a protocol citing it no longer validates.
		claim := protocol.LabelClaim{FDASpecies: protocol.SpeciesList{protocol.DairyCattle, protocol.BeefCattle},
			Diagnosis: "fever", Product: "Flunixin meglumine 50 mg/mL", Route: "IV",
			WtMeatHrs: protocol.Int(120), WtMilkHrs: protocol.Int(36), NDC: "0061-0851", IsRx: true}
		if err := b.lib.CreateLabelClaim(ctx, b.vet1, &claim); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR creates a label claim: %v, want ErrForbidden", err)
		}
		if err := b.lib.CreateLabelClaim(ctx, b.admin, &claim); err != nil || claim.ID == 0 {
			t.Fatalf("create label claim: %v", err)
		}
		p := rxtest.Flunixin()
		p.Treatments[0].LabelID = &claim.ID
		err := b.lib.CreateProtocol(ctx, b.vet1, &p)
		if !errors.Is(err, rx.ErrInvalid) || !errors.Is(err, protocol.ErrBelowLabel) {
			t.Errorf("protocol below its label: %v, want ErrInvalid and ErrBelowLabel", err)
		}
		claim.WtMeatHrs = protocol.Int(96)
		if err := b.lib.UpdateLabelClaim(ctx, b.admin, &claim); err != nil {
			t.Fatal(err)
		}
		if err := b.lib.CreateProtocol(ctx, b.vet1, &p); err != nil {
			t.Errorf("protocol at its label: %v", err)
		}
		got, err := b.lib.LabelClaim(ctx, b.vet1, claim.ID)
		if err != nil || got.WtMeatHrs.Cmp(protocol.Int(96)) != 0 || got.NDC != "0061-0851" || len(got.FDASpecies) != 2 {
			t.Errorf("label claim: %+v, %v", got, err)
		}
		negative := claim
		negative.WtMilkHrs = protocol.Int(-1)
		if err := b.lib.UpdateLabelClaim(ctx, b.admin, &negative); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("negative milk withdrawal: %v, want ErrInvalid", err)
		}
		missing := claim
		missing.ID = 1 << 40
		if err := b.lib.UpdateLabelClaim(ctx, b.admin, &missing); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("update a missing claim: %v, want ErrNotFound", err)
		}
		if cs, _ := b.lib.LabelClaims(ctx, b.vet2); len(cs) != 1 {
			t.Errorf("label claims: %d, want 1", len(cs))
		}

		// Green Book drugs, upserted by NDC.
		changed := time.Date(2020, 5, 16, 16, 19, 12, 0, time.UTC)
		drugs := []rx.GreenbookDrug{
			{NDC: "0010-3495", Proprietary: "Bio-Mycin 200", NonProp: "OXYTETRACYCLINE", Labeler: "Boehringer Ingelheim Vetmedica, Inc.",
				ProductType: "OTC ANIMAL DRUG", MarketCat: "ANADA", AppNumber: "ANADA200008", LastChanged: changed},
			{NDC: "0010-4000", Proprietary: "Second of labeler 0010", LastChanged: changed},
			{NDC: "0061-0851", Proprietary: "Banamine", LastChanged: changed},
		}
		for _, d := range drugs {
			if err := b.lib.PutGreenbookDrug(ctx, b.admin, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.lib.PutGreenbookDrug(ctx, b.vet1, drugs[0]); !errors.Is(err, rx.ErrForbidden) {
			t.Errorf("VOR writes a Green Book drug: %v, want ErrForbidden", err)
		}
		if err := b.lib.PutGreenbookDrug(ctx, b.admin, rx.GreenbookDrug{NDC: "10-3495-01", Proprietary: "x"}); !errors.Is(err, rx.ErrInvalid) {
			t.Errorf("bad NDC: %v, want ErrInvalid", err)
		}
		up := drugs[2]
		up.Proprietary = "Banamine Injectable Solution"
		if err := b.lib.PutGreenbookDrug(ctx, b.admin, up); err != nil {
			t.Fatal(err)
		}
		d, err := b.lib.GreenbookDrug(ctx, b.farm, "0061-0851")
		if err != nil || d.Proprietary != "Banamine Injectable Solution" || !d.LastChanged.Equal(changed) {
			t.Errorf("drug 0061-0851: %+v, %v", d, err)
		}
		if _, err := b.lib.GreenbookDrug(ctx, b.farm, "9999-999"); !errors.Is(err, rx.ErrNotFound) {
			t.Errorf("missing drug: %v, want ErrNotFound", err)
		}
		ndcs := func(q rx.GreenbookQuery) []string {
			ds, err := b.lib.GreenbookDrugs(ctx, b.vet1, q)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, d := range ds {
				out = append(out, d.NDC)
			}
			return out
		}
		for _, c := range []struct {
			q    rx.GreenbookQuery
			want []string
		}{
			{rx.GreenbookQuery{}, []string{"0010-3495", "0010-4000", "0061-0851"}},
			{rx.GreenbookQuery{Labeler: "0010"}, []string{"0010-3495", "0010-4000"}},
			{rx.GreenbookQuery{Product: "0851"}, []string{"0061-0851"}},
			{rx.GreenbookQuery{Limit: 1, Offset: 1}, []string{"0010-4000"}},
			{rx.GreenbookQuery{Offset: 2}, []string{"0061-0851"}},
		} {
			if got := ndcs(c.q); !equalStrings(got, c.want) {
				t.Errorf("drugs %+v: %v, want %v", c.q, got, c.want)
			}
		}
	})
}

// TestLibrarySeedLabelsAndGreenbook seeds twice on both engines: the
// second seed adds nothing, the seeded claims are the verified shipped
// claims of protocol/labels under their shipped IDs, a claim the SAOR
// creates afterwards gets an ID below labels.FirstID, a seed after an
// upgrade (claims missing) adds only the missing ones and keeps the SAOR's
// edit of a shipped claim, and the flunixin claim is ONLABEL for its
// species through the seeded claims.
func TestLibrarySeedLabelsAndGreenbook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx
		shipped, err := labels.Default()
		if err != nil {
			t.Fatal(err)
		}
		dxNames := map[string]bool{}
		for _, d := range rx.SeedDiagnoses() {
			dxNames[d.Name] = true
		}
		for _, c := range shipped {
			dxNames[c.Diagnosis] = true
		}
		first, err := b.lib.Seed(ctx, b.admin)
		if err != nil {
			t.Fatalf("first seed: %v", err)
		}
		if want := (rx.SeedCounts{Eligibilities: 29, Diagnoses: len(dxNames), Promises: 2, LabelClaims: len(shipped), GreenbookDrugs: 1}); first != want {
			t.Errorf("first seed: %+v, want %+v", first, want)
		}
		if again, err := b.lib.Seed(ctx, b.admin); err != nil || again != (rx.SeedCounts{}) {
			t.Errorf("second seed: %+v, %v; want nothing added", again, err)
		}

		got, err := b.lib.LabelClaims(ctx, b.vet1)
		if err != nil || len(got) != len(shipped) {
			t.Fatalf("seeded claims: %d, %v; want %d", len(got), err, len(shipped))
		}
		dxs, err := b.lib.Diagnoses(ctx, b.vet1)
		if err != nil {
			t.Fatal(err)
		}
		dxName := map[int64]string{}
		for _, d := range dxs {
			dxName[d.ID] = d.Name
		}
		var flunixin protocol.LabelClaim
		for i, c := range got {
			if dxName[c.DxID] != c.Diagnosis {
				t.Errorf("claim %d: dxId %d is diagnosis %q, want %q", c.ID, c.DxID, dxName[c.DxID], c.Diagnosis)
			}
			want := shipped[i]
			if c.ID != want.ID || c.ID < labels.FirstID {
				t.Errorf("claim %d: want the shipped id %d", c.ID, want.ID)
			}
			want.DxID = c.DxID
			if g, w := marshalJSON(t, c), marshalJSON(t, want); g != w {
				t.Errorf("claim %d:\n got %s\nwant %s", c.ID, g, w)
			}
			if c.Generic == "FLUNIXIN MEGLUMINE" && c.Route == "IV" && flunixin.ID == 0 {
				flunixin = c
			}
		}
		if flunixin.ID == 0 {
			t.Fatal("no seeded flunixin IV claim (21 CFR 522.970(e)(2))")
		}

		// A claim the SAOR adds is numbered below the shipped range, on
		// SQLite too (which would number it after the largest ID).
		own := shipped[0]
		own.ID, own.Product = 0, "Enrofloxacin injection 100 mg/mL, farm's own entry"
		if err := b.lib.CreateLabelClaim(ctx, b.admin, &own); err != nil || own.ID <= 0 || own.ID >= labels.FirstID {
			t.Fatalf("create after seed: id %d, %v; want 1 to %d", own.ID, err, labels.FirstID-1)
		}

		// An upgrade: claims missing from an older install are added, the
		// SAOR's edit of a shipped claim is kept, the SAOR's own claim
		// stays.
		edited := got[0]
		edited.WtMeatHrs = protocol.Int(1000)
		if err := b.lib.UpdateLabelClaim(ctx, b.admin, &edited); err != nil {
			t.Fatal(err)
		}
		last := shipped[len(shipped)-3:]
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM rx_library_labels WHERE id >= `+fmt.Sprint(last[0].ID)); err != nil {
			t.Fatal(err)
		}
		upgrade, err := b.lib.Seed(ctx, b.admin)
		if err != nil || upgrade != (rx.SeedCounts{LabelClaims: len(last)}) {
			t.Errorf("seed after an upgrade: %+v, %v; want %d label claims added", upgrade, err, len(last))
		}
		after, err := b.lib.LabelClaims(ctx, b.vet1)
		if err != nil || len(after) != len(shipped)+1 {
			t.Fatalf("claims after the upgrade: %d, %v; want %d", len(after), err, len(shipped)+1)
		}
		if c, err := b.lib.LabelClaim(ctx, b.vet1, edited.ID); err != nil || c.WtMeatHrs.Cmp(protocol.Int(1000)) != 0 {
			t.Errorf("edited claim %d after the seed: %+v, %v; want the SAOR's 1000 hours", edited.ID, c.WtMeatHrs, err)
		}

		gbd, err := b.lib.GreenbookDrug(ctx, b.farm, "0010-4753")
		if err != nil || gbd.Proprietary != "Bio-Mycin 200" || gbd.AppNumber != "ANADA200008" || gbd.Labeler != "Boehringer Ingelheim" {
			t.Errorf("Bio-Mycin 200: %+v, %v", gbd, err)
		}

		// 21 CFR 522.970(e)(2): flunixin 1.1 to 2.2 mg/kg IV once a day for
		// up to 3 days in beef and lactating dairy cattle; not swine.
		for _, tt := range []struct {
			species protocol.Species
			want    protocol.AmducaClass
		}{
			{protocol.BeefCattle, protocol.OnLabel},
			{protocol.DairyCattle, protocol.OnLabel},
			{protocol.Swine, protocol.OffLabel},
		} {
			id := flunixin.ID
			p := protocol.Protocol{
				Name:          "Flunixin for fever, " + string(tt.species),
				Diagnoses:     []protocol.Diagnosis{{ID: flunixin.DxID, Name: flunixin.Diagnosis}},
				Eligibilities: []protocol.Eligibility{{Name: string(tt.species), FDASpecies: tt.species}},
				Treatments: []protocol.Treatment{{
					ID: "flu", LabelID: &id, Product: flunixin.Product, Route: flunixin.Route,
					SequenceFunction: flunixin.SequenceFunction, SizeFunction: flunixin.SizeFunction,
				}},
			}
			cs := protocol.Classify(&p, got, protocol.Use{})
			if len(cs) != 1 || cs[0].Class != tt.want {
				t.Errorf("%s: %+v, want %s", tt.species, cs, tt.want)
			}
		}
	})
}

func marshalJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestServiceLabelClaims: rx.Service classifies against Labels when it has
// no LabelStore (a library user without a store), and against the
// library's claims as they are now when it has one, so a claim the SAOR
// creates or edits is used by the next call, on both engines.
func TestServiceLabelClaims(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx
		if _, err := b.lib.Seed(ctx, b.admin); err != nil {
			t.Fatal(err)
		}
		shipped, err := labels.Default()
		if err != nil {
			t.Fatal(err)
		}
		static := shipped[:2]
		for _, tt := range []struct {
			name string
			svc  *rx.Service
			want int
		}{
			{"no store, no labels", &rx.Service{Store: db.Rx()}, 0},
			{"no store, static labels", &rx.Service{Store: db.Rx(), Labels: static}, len(static)},
			{"library store wins over labels", &rx.Service{Store: db.Rx(), Labels: static, LabelStore: db.Library()}, len(shipped)},
		} {
			got, err := tt.svc.LabelClaims(ctx)
			if err != nil || len(got) != tt.want {
				t.Errorf("%s: %d claims, %v; want %d", tt.name, len(got), err, tt.want)
			}
		}

		svc := &rx.Service{Store: db.Rx(), LabelStore: db.Library()}
		// Read once, so what the Service keeps must follow the edits.
		if got, err := svc.LabelClaims(ctx); err != nil || len(got) != len(shipped) || got[0].WtMeatHrs.Cmp(protocol.Int(999)) == 0 {
			t.Fatalf("before the edits: %d claims, %v", len(got), err)
		}
		c, err := b.lib.LabelClaim(ctx, b.vet1, shipped[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		c.WtMeatHrs = protocol.Int(999)
		if err := b.lib.UpdateLabelClaim(ctx, b.admin, &c); err != nil {
			t.Fatal(err)
		}
		added := shipped[1]
		added.ID, added.Product = 0, "Enrofloxacin, the SAOR's entry"
		if err := b.lib.CreateLabelClaim(ctx, b.admin, &added); err != nil {
			t.Fatal(err)
		}
		got, err := svc.LabelClaims(ctx)
		if err != nil || len(got) != len(shipped)+1 {
			t.Fatalf("after the edits: %d claims, %v; want %d", len(got), err, len(shipped)+1)
		}
		byID := map[int64]protocol.LabelClaim{}
		for _, g := range got {
			byID[g.ID] = g
		}
		if g := byID[c.ID]; g.WtMeatHrs.Cmp(protocol.Int(999)) != 0 {
			t.Errorf("edited claim %d: wtMeatHrs %s, want 999", c.ID, g.WtMeatHrs)
		}
		if g := byID[added.ID]; g.Product != added.Product {
			t.Errorf("created claim %d: %+v", added.ID, g)
		}
	})
}

// TestServiceLabelClaimsConcurrent: goroutines classify (read the claims)
// while the SAOR edits a claim; none fails, and after the last edit every
// Service sees it. Run with -race.
func TestServiceLabelClaimsConcurrent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		b := setupLibrary(t, db)
		ctx := b.ctx
		if _, err := b.lib.Seed(ctx, b.admin); err != nil {
			t.Fatal(err)
		}
		svc := &rx.Service{Store: db.Rx(), LabelStore: db.Library()}
		c, err := b.lib.LabelClaim(ctx, b.vet1, labels.FirstID)
		if err != nil {
			t.Fatal(err)
		}
		const edits = 5
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				for range 10 {
					if _, err := svc.LabelClaims(ctx); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		for i := range edits {
			c.WtMeatHrs = protocol.Int(int64(700 + i))
			if err := b.lib.UpdateLabelClaim(ctx, b.admin, &c); err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		got, err := svc.LabelClaims(ctx)
		if err != nil || len(got) == 0 || got[0].ID != c.ID || got[0].WtMeatHrs.Cmp(protocol.Int(700+edits-1)) != 0 {
			t.Fatalf("after the edits: %+v, %v; want claim %d with wtMeatHrs %d", got[:min(1, len(got))], err, c.ID, 700+edits-1)
		}
	})
}

// BenchmarkServiceLabelClaims measures what reading the library's claims
// costs each prescription or enrollment of a Service with a LabelStore:
// the seeded shipped claims' stamp read, and the claims decoded again only
// when it changed (here never).
func BenchmarkServiceLabelClaims(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			bed := setupLibrary(b, db)
			if _, err := bed.lib.Seed(bed.ctx, bed.admin); err != nil {
				b.Fatal(err)
			}
			svc := &rx.Service{Store: db.Rx(), LabelStore: db.Library()}
			for b.Loop() {
				if cs, err := svc.LabelClaims(bed.ctx); err != nil || len(cs) == 0 {
					b.Fatalf("%d claims, %v", len(cs), err)
				}
			}
		})
	}
}
