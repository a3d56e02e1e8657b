package client_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/vetlink/vetlink/client"
	"github.com/vetlink/vetlink/oauth"
	"github.com/vetlink/vetlink/oauth/storage"
	"github.com/vetlink/vetlink/store"
	"github.com/vetlink/vetlink/store/storetest"
)

// BenchmarkList reads a farm's 1,000 cases through the integration API
// with List, a filter on the farm and one on the initiation time, in
// pages of 100 (10 requests over loopback HTTP per iteration), on both
// engines.
func BenchmarkList(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}}
	if os.Getenv(storetest.EnvPostgres) != "" {
		engines = append(engines, struct {
			name string
			open func(testing.TB) *store.DB
		}{"postgres", storetest.Postgres})
	}
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			ctx := context.Background()
			e := newIntegrationEnv(b, eng.open(b))
			now := time.Now().UTC().Truncate(time.Minute)
			h := &storetest.Herd{Animals: 1000, Cases: 1000, Years: 1, Now: now}
			storetest.SeedHerd(b, e.DB, h)
			cl, secret, err := e.OAuth.CreateClient(ctx, oauth.NewClient{Name: "bench", Type: storage.Confidential,
				GrantTypes: []storage.GrantType{storage.ClientCredentials}, Scopes: []string{"cases.read"}})
			require.NoError(b, err)
			api, err := client.New(ctx, e.URL, client.WithClientCredentials(clientcredentials.Config{ClientID: cl.ID, ClientSecret: secret}))
			require.NoError(b, err)
			since := now.AddDate(-2, 0, 0)
			b.ResetTimer()
			for b.Loop() {
				n := 0
				for _, err := range client.List[caseObject](ctx, api, "cases", &client.ListOptions{PageSize: 100},
					client.Filter("farm").Eq(int64(h.MOR)), client.Filter("initiation").Gte(since)) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 1000 {
					b.Fatalf("listed %d cases, want 1000", n)
				}
			}
		})
	}
}
