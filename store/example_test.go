package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/store"
)

// Open a SQLite file (created and migrated on first use), and write through
// a domain store inside a transaction: when the function returns an error,
// nothing it wrote is kept.
func Example() {
	dir, err := os.MkdirTemp("", "vetlink-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "vetlink.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	applied, known, err := db.SchemaVersion(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(db.Engine(), "schema up to date:", applied == known)

	users := db.Rx()
	vet := rx.User{Uname: "drherd", Type: rx.VOR, Firstname: "Hannah", Lastname: "Herd"}
	errDeclined := errors.New("the clinic declined the new account")
	err = db.InTx(ctx, func(ctx context.Context) error {
		if err := users.CreateUser(ctx, &vet); err != nil {
			return err
		}
		return errDeclined // roll back the user written above
	})
	fmt.Println("transaction:", err)
	_, err = users.User(ctx, vet.ID)
	fmt.Println("after rollback:", errors.Is(err, rx.ErrNotFound))
	// Output:
	// sqlite schema up to date: true
	// transaction: the clinic declined the new account
	// after rollback: true
}
