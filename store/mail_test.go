package store_test

import (
	"context"
	"errors"
	"net/mail"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	vmail "github.com/vetlink/vetlink/mail"
	"github.com/vetlink/vetlink/mail/mailtest"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestMailStore(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			mailtest.TestStore(t, func(t *testing.T) vmail.Store { return storetest.Open(t, engine).Mail() })
		})
	}
}

// A mail queued in a transaction commits with it, or not at all.
func TestMailEnqueueJoinsTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ob := &vmail.Outbox{Store: db.Mail(), From: mail.Address{Address: "vetlink@example.org"}}
		msg := func(subject string) vmail.Message {
			return vmail.Message{Kind: "test", To: []mail.Address{{Address: "farm@example.org"}}, Subject: subject, Text: "x"}
		}
		errRollback := errors.New("the change failed")
		var lost vmail.Mail
		err := db.InTx(ctx, func(ctx context.Context) error {
			var err error
			lost, err = ob.Enqueue(ctx, msg("rolled back"))
			require.NoError(t, err)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		var kept vmail.Mail
		require.NoError(t, db.InTx(ctx, func(ctx context.Context) error {
			var err error
			kept, err = ob.Enqueue(ctx, msg("committed"))
			return err
		}))
		_, err = db.Mail().Mail(ctx, lost.ID)
		require.ErrorIs(t, err, vmail.ErrNotFound)
		got, err := db.Mail().Mail(ctx, kept.ID)
		require.NoError(t, err)
		require.Equal(t, "committed", got.Message.Subject)
		ms, err := db.Mail().MailByKind(ctx, "test")
		require.NoError(t, err)
		require.Len(t, ms, 1)
		require.WithinDuration(t, time.Now(), got.Created, time.Minute)
	})
}
