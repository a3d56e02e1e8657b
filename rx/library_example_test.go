package rx_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vetlink/vetlink/protocol"
	"github.com/vetlink/vetlink/protocol/labels"
	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
)

// A veterinarian writes a protocol and shares it with a colleague, who
// may then read it but not change it; a third veterinarian sees it only
// once it is shared to all.
func ExampleLibrary_Share() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "rx-library-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	vet := func(uname string) rx.Actor {
		u := rx.User{Uname: uname, Type: rx.VOR}
		db.Rx().CreateUser(ctx, &u)
		return rx.Actor{User: u}
	}
	hannah, omar, lee := vet("drhannah"), vet("dromar"), vet("drlee")
	lib := &rx.Library{Store: db.Library(), Clock: func() time.Time { return rxtest.Start }}

	p := rxtest.Flunixin()
	if err := lib.CreateProtocol(ctx, hannah, &p); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name, p.Status)

	lib.Share(ctx, hannah, rx.ProtocolShare{PxID: p.ID, ShareTo: omar.User.ID})
	got, _ := lib.Protocol(ctx, omar, p.ID)
	fmt.Println("omar reads:", got.Name)
	got.VetNote = "shorter course?"
	err = lib.UpdateProtocol(ctx, omar, &got)
	fmt.Println("omar edits:", errors.Is(err, rx.ErrForbidden))
	_, err = lib.Protocol(ctx, lee, p.ID)
	fmt.Println("lee reads:", errors.Is(err, rx.ErrForbidden))

	lib.ShareToAll(ctx, hannah, p.ID, false)
	stubs, _ := lib.LibraryStubs(ctx, lee)
	fmt.Println("library:", len(stubs), stubs[0].Name)
	// Output:
	// Flunixin, three daily doses, for fever in lactating cows UNKNOWN
	// omar reads: Flunixin, three daily doses, for fever in lactating cows
	// omar edits: true
	// lee reads: true
	// library: 1 Flunixin, three daily doses, for fever in lactating cows
}

// The SAOR seeds the library with the shipped label claims; a Service that
// reads them (LabelStore) classifies a treatment naming the enrofloxacin
// BRD claim by labelId as on-label in beef cattle, and follows the SAOR's
// edit of that claim at the next call.
func ExampleService_LabelClaims() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "rx-labels-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	sa := rx.User{Uname: "admin01", Type: rx.SAOR}
	db.Rx().CreateUser(ctx, &sa)
	admin := rx.Actor{User: sa}
	lib := &rx.Library{Store: db.Library()}
	n, err := lib.Seed(ctx, admin)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("seeded claims:", n.LabelClaims)

	svc := &rx.Service{Store: db.Rx(), LabelStore: db.Library()}
	claim, _ := lib.LabelClaim(ctx, admin, labels.FirstID)
	id := claim.ID
	p := protocol.Protocol{
		Name:          "Enrofloxacin for BRD",
		Diagnoses:     []protocol.Diagnosis{{Name: claim.Diagnosis}},
		Eligibilities: []protocol.Eligibility{{Name: "Beef cattle", FDASpecies: protocol.BeefCattle}},
		Treatments: []protocol.Treatment{{ID: "enro", LabelID: &id, Product: claim.Product, Route: claim.Route,
			SequenceFunction: claim.SequenceFunction, SizeFunction: claim.SizeFunction}},
	}
	classify := func() protocol.AmducaClass {
		cs, err := svc.LabelClaims(ctx)
		if err != nil {
			fmt.Println(err)
		}
		return protocol.Classify(&p, cs, protocol.Use{})[0].Class
	}
	fmt.Println(claim.ID, claim.Generic, classify())

	claim.FDASpecies = protocol.SpeciesList{protocol.Swine}
	if err := lib.UpdateLabelClaim(ctx, admin, &claim); err != nil {
		fmt.Println(err)
	}
	fmt.Println("after the edit:", classify())
	// Output:
	// seeded claims: 151
	// 100001 ENROFLOXACIN ONLABEL
	// after the edit: OFFLABEL
}
