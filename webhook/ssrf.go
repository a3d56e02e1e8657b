package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress reports a connection refused by the [Guard]: the
// destination resolved to an address inside the network vetlink runs in.
var ErrForbiddenAddress = errors.New("webhook: destination address not allowed")

// forbidden are the ranges a webhook must never reach: they address the
// host itself, private networks, cloud metadata services, or wrap such
// addresses in another form.
var forbidden = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),         // "this network"; 0.0.0.0 reaches the host
	netip.MustParsePrefix("10.0.0.0/8"),        // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),     // CGNAT, RFC 6598 (also Alibaba's metadata 100.100.100.200)
	netip.MustParsePrefix("127.0.0.0/8"),       // loopback
	netip.MustParsePrefix("169.254.0.0/16"),    // link-local, including 169.254.169.254 metadata
	netip.MustParsePrefix("172.16.0.0/12"),     // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),      // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),      // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),    // 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),    // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),     // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),   // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),    // TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),       // multicast
	netip.MustParsePrefix("240.0.0.0/4"),       // reserved, and broadcast
	netip.MustParsePrefix("::/128"),            // unspecified
	netip.MustParsePrefix("::1/128"),           // loopback
	netip.MustParsePrefix("::/96"),             // IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b::/96"),      // NAT64, RFC 6052
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use NAT64, RFC 8215
	netip.MustParsePrefix("100::/64"),          // discard
	netip.MustParsePrefix("2001::/32"),         // Teredo, wraps IPv4
	netip.MustParsePrefix("2001:db8::/32"),     // documentation
	netip.MustParsePrefix("2002::/16"),         // 6to4, wraps IPv4
	netip.MustParsePrefix("fc00::/7"),          // unique local, including AWS's fd00:ec2::254 metadata
	netip.MustParsePrefix("fe80::/10"),         // link-local
	netip.MustParsePrefix("fec0::/10"),         // site-local (deprecated)
	netip.MustParsePrefix("ff00::/8"),          // multicast
	netip.MustParsePrefix("::ffff:0:0:0/96"),   // IPv4-translated, RFC 2765
	netip.MustParsePrefix("2001:10::/28"),      // ORCHID
	netip.MustParsePrefix("2001:20::/28"),      // ORCHIDv2
	netip.MustParsePrefix("3fff::/20"),         // documentation, RFC 9637
	netip.MustParsePrefix("5f00::/16"),         // segment routing SIDs
	netip.MustParsePrefix("2620:4f:8000::/48"), // AS112 DNS
	netip.MustParsePrefix("2001:2::/48"),       // benchmarking
	netip.MustParsePrefix("2001:3::/32"),       // AMT
	netip.MustParsePrefix("2001:4:112::/48"),   // AS112-v6
}

// A Guard refuses connections to internal addresses. It checks the address
// a connection is about to be made to, after DNS resolution, so a name that
// resolves (or re-resolves, in a DNS rebinding attack) to an internal
// address is refused too. IPv4-mapped IPv6 addresses are checked as the
// IPv4 address they carry.
//
// The zero Guard refuses every forbidden range and allows the rest of the
// Internet.
type Guard struct {
	// Allow lists ranges connected to even though they are forbidden: an
	// internal receiver you trust, or a test's loopback listener.
	Allow []netip.Prefix
	// Disabled turns the guard off entirely. Use Allow instead where you can.
	Disabled bool
}

// Check reports whether a connection to addr may be made; the error wraps
// ErrForbiddenAddress.
func (g *Guard) Check(addr netip.Addr) error {
	if g != nil && g.Disabled {
		return nil
	}
	addr = addr.Unmap().WithZone("")
	if g != nil {
		for _, p := range g.Allow {
			if p.Contains(addr) {
				return nil
			}
		}
	}
	for _, p := range forbidden {
		if p.Contains(addr) {
			return fmt.Errorf("%w: %s is in %s", ErrForbiddenAddress, addr, p)
		}
	}
	return nil
}

// Control is a [net.Dialer] Control function that applies the guard to
// every connection the dialer makes, after name resolution.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address and port", ErrForbiddenAddress, address)
	}
	return g.Check(ap.Addr())
}

// NewClient returns the HTTP client a dispatcher uses by default: every
// connection checked by guard (nil means the zero Guard), no redirects
// followed (a redirect is the receiver's answer, and a failure), no proxy
// (a proxy would make the dial target the proxy, not the receiver), and
// timeout for the whole request.
//
// It keeps up to 64 idle connections per receiver; a [Dispatcher] with
// more workers builds its default client with one per worker, so that
// every attempt to a busy receiver reuses a connection instead of dialing.
func NewClient(guard *Guard, timeout time.Duration) *http.Client {
	return newClient(guard, timeout, 64)
}

func newClient(guard *Guard, timeout time.Duration, idlePerHost int) *http.Client {
	if guard == nil {
		guard = &Guard{}
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: guard.Control}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          max(256, idlePerHost),
			MaxIdleConnsPerHost:   idlePerHost,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
		},
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
