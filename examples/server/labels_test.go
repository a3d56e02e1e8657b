package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol/labels"
	"github.com/vetlink/vetlink/store"
)

// TestComposeLoadsApprovedLabels: the reference server classifies
// protocols against the verified label claims of protocol/labels, so an
// approved on-label use (enrofloxacin for BRD in beef cattle) is not
// refused as extra-label.
func TestComposeLoadsApprovedLabels(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "vetlink.db"))
	require.NoError(t, err)
	defer db.Close()
	key := bytes.Repeat([]byte{7}, 32)
	require.NoError(t, db.SetSecretKey(key))

	s, err := compose(db, key, config{}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)

	want, err := labels.Default()
	require.NoError(t, err)
	require.NotEmpty(t, want)
	require.Len(t, s.rx.Labels, len(want))
	var enrofloxacin bool
	for i, l := range s.rx.Labels {
		require.Equal(t, want[i].ID, l.ID)
		enrofloxacin = enrofloxacin || l.Generic == "ENROFLOXACIN"
	}
	require.True(t, enrofloxacin, "the server's label claims have no enrofloxacin claim")
}
