package site_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/site"
	"github.com/vetlink/vetlink/store"
)

// A veterinarian asks a client a yes/no question; the client answers by the
// link in the mail, once.
func ExampleService_Send() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "site-example")
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	vet := rx.User{Uname: "drsmith1", Type: rx.VOR, Firstname: "Ann", Lastname: "Smith", Suffix: "DVM"}
	farm := rx.User{Uname: "greenacres", Type: rx.MOR, Firstname: "Bob", Lastname: "Green"}
	db.Rx().CreateUser(ctx, &vet)
	db.Rx().CreateUser(ctx, &farm)
	client := rx.Relation{Kind: rx.Client, Left: vet.ID, Right: farm.ID}
	db.Rx().AddRelation(ctx, client)

	svc := &site.Service{Store: db.Site(), Clock: func() time.Time {
		return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	}}
	asVet := rx.Actor{User: vet, Relations: []rx.Relation{client}}
	sent, token, err := svc.Send(ctx, asVet, site.Message{
		To: farm.ID, Subject: "Renew the mastitis protocol?", Message: "Shall I renew it for 6 months?",
	}, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("question expires", sent.Expires.Format(time.RFC3339))

	// GET /messages/ok/{token}/?response=true
	answered, _ := svc.Answer(ctx, token, true)
	fmt.Println("answer:", *answered.Answer)
	_, err = svc.Answer(ctx, token, false)
	fmt.Println("again:", errors.Is(err, rx.ErrConflict))
	// Output:
	// question expires 2026-03-03T08:00:00Z
	// answer: true
	// again: true
}
