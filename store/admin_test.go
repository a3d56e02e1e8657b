package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestAdminAuditLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := db.Admin()
		at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
		rows := []struct {
			action, target string
			detail         string
		}{
			{"createAdminJob", "", `{"name":"Lab","kind":"hl7-mllp-listener"}`},
			{"runAdminJobNow", "7f9c24e5-0b1d-4b3e-9a57-1d2f0e6c8a10", ""},
			{"deleteAdminServer", "0b6f0f0e-2c67-4e0a-9a3e-5b1de1b4c2aa", `null`},
		}
		var ids []int64
		for i, r := range rows {
			var d []byte
			if r.detail != "" {
				d = []byte(r.detail)
			}
			id, err := log.RecordAdminChange(ctx, at.Add(time.Duration(i)*time.Second), 42, r.action, r.target, d)
			require.NoError(t, err)
			ids = append(ids, id)
		}
		require.Less(t, ids[0], ids[1])

		got, err := log.AdminChanges(ctx, 0, 10)
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.Equal(t, "deleteAdminServer", got[0].Action)
		require.Equal(t, "runAdminJobNow", got[1].Action)
		require.Nil(t, got[1].Detail)
		require.Equal(t, at.Add(time.Second), got[1].At)
		require.Equal(t, int64(42), got[2].Actor)
		var d map[string]string
		require.NoError(t, json.Unmarshal(got[2].Detail, &d))
		require.Equal(t, map[string]string{"name": "Lab", "kind": "hl7-mllp-listener"}, d)

		older, err := log.AdminChanges(ctx, ids[1], 10)
		require.NoError(t, err)
		require.Len(t, older, 1)
		require.Equal(t, ids[0], older[0].ID)

		var each []string
		require.NoError(t, log.EachAdminChange(ctx, 0, 2, func(id int64, at time.Time, actor int64, action, target string, detail []byte) {
			each = append(each, action+" "+target)
		}))
		require.Equal(t, []string{"deleteAdminServer 0b6f0f0e-2c67-4e0a-9a3e-5b1de1b4c2aa", "runAdminJobNow 7f9c24e5-0b1d-4b3e-9a57-1d2f0e6c8a10"}, each)

		// A change rolled back leaves no record.
		err = db.InTx(ctx, func(ctx context.Context) error {
			if _, err := log.RecordAdminChange(ctx, at, 42, "deleteAdminJob", "x", nil); err != nil {
				return err
			}
			return context.Canceled
		})
		require.ErrorIs(t, err, context.Canceled)
		all, err := log.AdminChanges(ctx, 0, 10)
		require.NoError(t, err)
		require.Len(t, all, 3)

		_, err = log.RecordAdminChange(ctx, at, 42, "x", "", []byte(`{not json`))
		require.ErrorContains(t, err, "must be JSON")
		_, err = log.RecordAdminChange(ctx, at, 42, "", "", nil)
		require.ErrorContains(t, err, "action must not be empty")
	})
}
