package vetview_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vetlink/vetlink/vetview"
)

type pollSettings struct {
	URL   string `json:"url"`
	Limit int    `json:"limit"`
}

func (s pollSettings) Validate() error {
	if s.Limit < 1 || s.Limit > 1000 {
		return fmt.Errorf("limit %d: must be between 1 and 1000", s.Limit)
	}
	return nil
}

func pollKind() vetview.Kind[pollSettings] {
	return vetview.Kind[pollSettings]{
		Name: "lab-poll", Title: "Poll the lab", Description: "Fetches new results.",
		Defaults: pollSettings{URL: "https://lab.example/results", Limit: 50},
		Run:      func(context.Context, vetview.RunInfo, pollSettings) error { return nil },
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	var r vetview.Registry
	require.NoError(t, vetview.Register(&r, pollKind()))
	require.ErrorIs(t, vetview.Register(&r, pollKind()), vetview.ErrKindRegistered)

	noName := pollKind()
	noName.Name = ""
	require.ErrorIs(t, vetview.Register(&r, noName), vetview.ErrInvalid)
	noRun := pollKind()
	noRun.Name, noRun.Run = "x", nil
	require.ErrorIs(t, vetview.Register(&r, noRun), vetview.ErrInvalid)
	badDefaults := pollKind()
	badDefaults.Name, badDefaults.Defaults.Limit = "y", 0
	err := vetview.Register(&r, badDefaults)
	require.ErrorIs(t, err, vetview.ErrInvalid)
	require.Contains(t, err.Error(), "limit 0: must be between 1 and 1000")

	require.Equal(t, []vetview.KindInfo{{
		Name: "lab-poll", Title: "Poll the lab", Description: "Fetches new results.",
		Defaults: json.RawMessage(`{"url":"https://lab.example/results","limit":50}`),
	}}, r.Kinds())
}

func TestValidateSettings(t *testing.T) {
	t.Parallel()
	var r vetview.Registry
	vetview.MustRegister(&r, pollKind())
	tests := []struct {
		settings string
		want     string // "" for valid
	}{
		{`{"url":"https://lab.example/x","limit":10}`, ""},
		{``, ""}, // the defaults
		{`{"limit":0}`, "rejected by kind lab-poll: limit 0: must be between 1 and 1000"},
		{`{"limit":"ten"}`, "must be the JSON settings of kind lab-poll"},
		{`{"limt":10}`, `unknown field "limt"`},
		{`{"limit":10} {"limit":11}`, "must be one JSON object"},
		{`[1,2]`, "must be the JSON settings of kind lab-poll"},
	}
	for _, tt := range tests {
		t.Run(tt.settings, func(t *testing.T) {
			err := r.ValidateSettings("lab-poll", json.RawMessage(tt.settings))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, vetview.ErrInvalid)
			var inv *vetview.InvalidError
			require.True(t, errors.As(err, &inv))
			require.Equal(t, "settings", inv.Field)
			require.Contains(t, err.Error(), tt.want)
		})
	}
	require.ErrorIs(t, r.ValidateSettings("nope", nil), vetview.ErrUnknownKind)
}
