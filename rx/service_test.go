package rx_test

import (
	"testing"

	"github.com/vetlink/vetlink/rx"
	"github.com/vetlink/vetlink/rx/rxtest"
	"github.com/vetlink/vetlink/store/storetest"
)

// TestService runs the Store conformance suite, which drives every Service
// operation, on a real SQLite file. (store's own tests run it on
// PostgreSQL too.)
func TestService(t *testing.T) {
	db := storetest.SQLite(t)
	rxtest.TestStore(t, func(t *testing.T) rx.Store { return db.Rx() })
}
