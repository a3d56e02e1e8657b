package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/protocol/labels"
	"github.com/vetlink/vetlink/store"
)

// TestComposeLoadsApprovedLabels: the reference server classifies
// protocols against the library's label claims, which its start (bootstrap,
// Library.Seed) fills with the verified claims of protocol/labels, so an
// approved on-label use (enrofloxacin for BRD in beef cattle) is not
// refused as extra-label; a second start adds nothing.
func TestComposeLoadsApprovedLabels(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "vetlink.db"))
	require.NoError(t, err)
	defer db.Close()
	key := bytes.Repeat([]byte{7}, 32)
	require.NoError(t, db.SetSecretKey(key))

	s, err := compose(db, key, config{}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Nil(t, s.rx.Labels, "the server reads the library's claims, not a static slice")
	for range 2 {
		require.NoError(t, bootstrap(ctx, s, config{}, slog.New(slog.DiscardHandler), io.Discard))
	}

	want, err := labels.Default()
	require.NoError(t, err)
	require.NotEmpty(t, want)
	got, err := s.rx.LabelClaims(ctx)
	require.NoError(t, err)
	require.Len(t, got, len(want))
	var enrofloxacin bool
	for i, l := range got {
		require.Equal(t, want[i].ID, l.ID)
		enrofloxacin = enrofloxacin || l.Generic == "ENROFLOXACIN"
	}
	require.True(t, enrofloxacin, "the server's label claims have no enrofloxacin claim")
}
