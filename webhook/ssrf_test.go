package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vetlink/vetlink/webhook"
)

func TestGuardCheck(t *testing.T) {
	tests := []struct {
		addr    string
		allowed bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"0.0.0.0", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"172.32.0.1", true},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // AWS, GCP, Azure metadata
		{"100.100.100.200", false}, // Alibaba metadata, in CGNAT
		{"100.64.0.1", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"::1", false},
		{"::", false},
		{"::ffff:127.0.0.1", false}, // IPv4-mapped loopback
		{"::ffff:169.254.169.254", false},
		{"::ffff:8.8.8.8", true},    // IPv4-mapped public
		{"64:ff9b::7f00:1", false},  // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false}, // NAT64 refused whatever it wraps
		{"fd00:ec2::254", false},    // AWS IPv6 metadata
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"2002:7f00:1::", false},      // 6to4 of 127.0.0.1
		{"2001:0:4136:e378::", false}, // Teredo
		{"ff02::1", false},
	}
	var g webhook.Guard
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := g.Check(netip.MustParseAddr(tt.addr))
			if tt.allowed {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, webhook.ErrForbiddenAddress)
			}
		})
	}
}

func TestGuardAllowList(t *testing.T) {
	g := webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}}
	require.NoError(t, g.Check(netip.MustParseAddr("10.20.3.4")))
	require.NoError(t, g.Check(netip.MustParseAddr("::ffff:10.20.3.4")), "mapped form of an allowed address")
	require.ErrorIs(t, g.Check(netip.MustParseAddr("10.21.3.4")), webhook.ErrForbiddenAddress)
	require.NoError(t, (&webhook.Guard{Disabled: true}).Check(netip.MustParseAddr("127.0.0.1")))
}

// The check happens at connect time, after name resolution: a name that
// resolves to loopback is refused even though the URL has no IP in it.
func TestClientRefusesNamesResolvingInside(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	c := webhook.NewClient(nil, 5*time.Second)
	for _, u := range []string{"http://localhost" + port + "/", srv.URL, "http://[::ffff:127.0.0.1]" + port + "/"} {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, u, nil)
		require.NoError(t, err)
		_, err = c.Do(req)
		require.ErrorIs(t, err, webhook.ErrForbiddenAddress, u)
	}
	require.Zero(t, hits.Load())
	allowed := webhook.NewClient(loopback, 5*time.Second)
	resp, err := allowed.Post("http://localhost"+port+"/", "text/plain", nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, int64(1), hits.Load(), "the allowlist lets the test's receiver through")
}
