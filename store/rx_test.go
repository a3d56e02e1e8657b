package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestRxStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rxtest.TestStore(t, func(t *testing.T) rx.Store { return db.Rx() })
	})
}

// TestRxEnrollJoinsCallerTransaction shows the webhook integration rx
// documents: the caller runs Enroll inside db.InTx with its own write (an
// outbox row); when that write fails, the enrollment rolls back with it.
func TestRxEnrollJoinsCallerTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := rxtest.NewFixture(t, db.Rx(), "tx")
		p := f.Prescribe(t, 0, time.Time{})
		outboxDown := errors.New("outbox unavailable")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if _, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34")); err != nil {
				return err
			}
			return outboxDown
		})
		if !errors.Is(err, outboxDown) {
			t.Fatalf("InTx: %v", err)
		}
		got, err := db.Rx().Prescription(ctx, p.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.FillsUsed != 0 || got.Status != rx.Prescribed {
			t.Errorf("after rollback: fills used %d, status %s; want 0, PRESCRIBED", got.FillsUsed, got.Status)
		}
		cases, err := db.Rx().Cases(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != 0 {
			t.Errorf("after rollback: %d cases, want 0", len(cases))
		}
		// Committed together, both stay.
		err = db.InTx(ctx, func(ctx context.Context) error {
			_, err := f.Service.Enroll(ctx, f.Farm, f.Cow(p.ID, "Bossie34"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if cases, _ = db.Rx().Cases(ctx, p.ID); len(cases) != 1 {
			t.Errorf("after commit: %d cases, want 1", len(cases))
		}
	})
}
