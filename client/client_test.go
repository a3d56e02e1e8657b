package client_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/protocol"
)

// TestClientSpeaksDomainTypes checks that the client decodes into and
// encodes from the domain types, Extra members included, and sends both
// authentication headers.
func TestClientSpeaksDomainTypes(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../protocol/testdata/vcpr_example_protocol.json")
	require.NoError(t, err)
	var p protocol.Protocol
	require.NoError(t, json.Unmarshal(doc, &p))
	p.Extra = map[string]json.RawMessage{"x-farm-system": json.RawMessage(`{"herd":"North"}`)}
	want, err := json.Marshal(p)
	require.NoError(t, err)

	var posted []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "key-1", r.Header.Get("X-APIKEY"))
		require.Equal(t, "token-1", r.Header.Get("X-Auth-Token"))
		switch r.Method + " " + r.URL.Path {
		case "GET /api/protocols/42":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"protocol":` + string(want) + `}`))
		case "POST /api/protocols":
			posted, _ = io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"protocol":` + string(posted) + `}`))
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"type":"about:blank","title":"Not Found","status":404,"errorType":"not_found"}`))
		}
	}))
	t.Cleanup(srv.Close)

	c, err := client.NewClientWithResponses(srv.URL, client.WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
		req.Header.Set("X-APIKEY", "key-1")
		req.Header.Set("X-Auth-Token", "token-1")
		return nil
	}))
	require.NoError(t, err)
	ctx := context.Background()

	got, err := c.GetProtocolWithResponse(ctx, 42)
	require.NoError(t, err)
	require.NotNil(t, got.JSON200)
	var gp *protocol.Protocol = got.JSON200.Protocol
	require.Equal(t, json.RawMessage(`{"herd":"North"}`), gp.Extra["x-farm-system"])

	created, err := c.CreateProtocolWithResponse(ctx, p)
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(posted))
	require.NotNil(t, created.JSON200)

	missing, err := c.GetProtocolWithResponse(ctx, 7)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, missing.StatusCode())
}
