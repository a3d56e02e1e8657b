package openapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/openapi"
	"github.com/vetlink/vetlink/store/storetest"
)

func TestRouteSlotNamesTheOperationNotThePath(t *testing.T) {
	e := newTestEnv(t, storetest.SQLite(t))
	h := e.handler(t, envOptions{})
	tests := []struct {
		name, method, path string
		token              bool
		wantRoute          string
	}{
		{"path parameter", http.MethodGet, "/api/users/12345", true, "/api/users/{id}"},
		{"unauthenticated still routed", http.MethodGet, "/api/users/12345", false, "/api/users/{id}"},
		{"fixed path", http.MethodGet, "/api/users/withholds", true, "/api/users/withholds"},
		{"no operation", http.MethodGet, "/api/no/such/thing", true, ""},
		{"the document", http.MethodGet, "/openapi.yaml", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.Header.Set(openapi.APIKeyHeader, e.APIKey)
			if tt.token {
				r.Header.Set(openapi.AuthTokenHeader, e.Admin.Token)
			}
			ctx, slot := openapi.WithRouteSlot(r.Context())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r.WithContext(ctx))
			require.Equal(t, tt.wantRoute, slot.Route(), "status %d", w.Code)
		})
	}
}
