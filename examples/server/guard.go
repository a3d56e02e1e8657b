package main

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vetlink/vetlink/webhook"
)

// parseAllow reads -webhook-allow: comma-separated address ranges
// ("10.20.0.0/16,127.0.0.1/32") or addresses that webhook subscriptions
// may point to although the SSRF guard forbids them, for internal
// receivers an operator trusts. "" allows none.
func parseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return nil, fmt.Errorf("webhook-allow %q: %q is neither an address nor an address/prefix range", s, item)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("webhook-allow %q: %q is not an address/prefix range: %v", s, item, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// guard is the SSRF guard of the webhook service and dispatcher: internal
// addresses are refused except the ranges of -webhook-allow.
func guard(cfg config) *webhook.Guard {
	return &webhook.Guard{Allow: cfg.WebhookAllow}
}
