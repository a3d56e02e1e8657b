package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrForbiddenAddress reports a connection refused by the [Guard]: the
// destination resolved to an address inside the network vetlink runs in.
var ErrForbiddenAddress = errors.New("webhook: destination address not allowed")

// A forbiddenRange is a range a webhook must never reach, with the rule
// that forbids it, for the error.
type forbiddenRange struct {
	prefix netip.Prefix
	rule   string
}

// forbidden are the ranges a webhook must never reach: they address the
// host itself, private networks, cloud metadata services, or wrap such
// addresses in another form.
var forbidden = []forbiddenRange{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network; 0.0.0.0 reaches the host"},
	{netip.MustParsePrefix("10.0.0.0/8"), "RFC 1918"},
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT, RFC 6598 (also Alibaba's metadata 100.100.100.200)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local, including 169.254.169.254 metadata"},
	{netip.MustParsePrefix("172.16.0.0/12"), "RFC 1918"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "TEST-NET-1"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast"},
	{netip.MustParsePrefix("192.168.0.0/16"), "RFC 1918"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "TEST-NET-2"},
	{netip.MustParsePrefix("203.0.113.0/24"), "TEST-NET-3"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved, and broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64, RFC 6052"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64, RFC 8215"},
	{netip.MustParsePrefix("100::/64"), "discard"},
	{netip.MustParsePrefix("2001::/32"), "Teredo, wraps IPv4"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2002::/16"), "6to4, wraps IPv4"},
	{netip.MustParsePrefix("fc00::/7"), "unique local, including AWS's fd00:ec2::254 metadata"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "IPv4-translated, RFC 2765"},
	{netip.MustParsePrefix("2001:10::/28"), "ORCHID"},
	{netip.MustParsePrefix("2001:20::/28"), "ORCHIDv2"},
	{netip.MustParsePrefix("3fff::/20"), "documentation, RFC 9637"},
	{netip.MustParsePrefix("5f00::/16"), "segment routing SIDs"},
	{netip.MustParsePrefix("2620:4f:8000::/48"), "AS112 DNS"},
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking"},
	{netip.MustParsePrefix("2001:3::/32"), "AMT"},
	{netip.MustParsePrefix("2001:4:112::/48"), "AS112-v6"},
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

// An AddressError is the error of a destination the [Guard] refuses: the
// address and the forbidden range it falls in, with the rule that forbids
// it. It wraps ErrForbiddenAddress.
type AddressError struct {
	Host   string       // the host name or literal as given; "" at connection time
	Addr   netip.Addr   // the refused address
	Prefix netip.Prefix // the forbidden range Addr is in
	Rule   string       // why the range is forbidden, e.g. "loopback"
}

// Error names the address, the range and the rule, e.g. "webhook:
// destination address not allowed: 169.254.169.254, in 169.254.0.0/16
// (link-local, including 169.254.169.254 metadata)".
func (e *AddressError) Error() string {
	s := ErrForbiddenAddress.Error() + ": "
	if e.Host != "" && e.Host != e.Addr.String() {
		s += e.Host + " resolves to "
	}
	return s + e.Addr.String() + ", in " + e.Prefix.String() + " (" + e.Rule + ")"
}

// Unwrap returns ErrForbiddenAddress.
func (e *AddressError) Unwrap() error { return ErrForbiddenAddress }

// Check reports whether a connection to addr may be made; the error is an
// [*AddressError], which wraps ErrForbiddenAddress.
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
	for _, f := range forbidden {
		if f.prefix.Contains(addr) {
			return &AddressError{Addr: addr, Prefix: f.prefix, Rule: f.rule}
		}
	}
	return nil
}

// resolveTimeout bounds the name resolution of [Guard.CheckURL].
const resolveTimeout = 3 * time.Second

// CheckURL checks a subscription's URL before it is stored: an absolute
// http or https URL with a host, whose host is not a forbidden address
// literal and does not resolve to one. A name that cannot be resolved now is
// accepted: the check at connection time, after resolution, still applies
// to every delivery. The error is an [*AddressError] for a forbidden
// address, a plain error for a URL that is not http or https.
func (g *Guard) CheckURL(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("%q is not an absolute http or https URL with a host", rawURL)
	}
	if g != nil && g.Disabled {
		return nil
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if err := g.Check(addr); err != nil {
			err.(*AddressError).Host = host
			return err
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // not resolvable now; the dialer checks every connection
	}
	for _, a := range addrs {
		if err := g.Check(a); err != nil {
			err.(*AddressError).Host = host
			return err
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

// ErrUnguardedClient reports a [Dispatcher.Client] whose transport the
// dispatcher cannot put its [Guard] into.
var ErrUnguardedClient = errors.New("webhook: Dispatcher.Client's transport is not an *http.Transport, so the SSRF guard cannot be applied to it; use an *http.Transport, or set Guard.Disabled to take the risk")

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
	return &http.Client{
		Transport: guardTransport(&http.Transport{
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          max(256, idlePerHost),
			MaxIdleConnsPerHost:   idlePerHost,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
		}, guard),
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// guardTransport sets t to dial through guard (nil means the zero Guard):
// a dialer whose Control checks every address, no proxy, and no custom
// dialers that would bypass it.
func guardTransport(t *http.Transport, guard *Guard) *http.Transport {
	if guard == nil {
		guard = &Guard{}
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: guard.Control}
	t.Proxy = nil
	t.Dial = nil // cleared: it would bypass DialContext
	t.DialTLS = nil
	t.DialTLSContext = nil
	t.DialContext = dialer.DialContext
	return t
}

// guardClient returns the client a dispatcher posts with when the caller
// gave c: a copy of c whose *http.Transport (or http.DefaultTransport, when
// nil) is cloned and set to dial through guard, without proxy. A transport
// of another type cannot be guarded and is refused with
// ErrUnguardedClient, unless guard is Disabled.
func guardClient(c *http.Client, guard *Guard) (*http.Client, error) {
	if guard != nil && guard.Disabled {
		return c, nil
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("%w (it is %T)", ErrUnguardedClient, rt)
	}
	cc := *c
	cc.Transport = guardTransport(t.Clone(), guard)
	return &cc, nil
}
