package protocol

import (
	"errors"
	"fmt"
	"strings"
)

// NDCConfig is the segment layout of a National Drug Code: labeler,
// product and package digits.
type NDCConfig uint8

// The NDC configurations. FDA assigns 10-digit codes in three layouts;
// billing systems pad them to the 11-digit 5-4-2 form, which loses the
// layout. Product NDCs have no package segment.
const (
	ConfigUnknown   NDCConfig = iota
	Config442                 // 4-4-2
	Config532                 // 5-3-2
	Config541                 // 5-4-1
	Config542                 // 5-4-2, the 11-digit billing form
	ConfigProduct44           // 4-4 product NDC
	ConfigProduct53           // 5-3 product NDC
	ConfigProduct54           // 5-4 product NDC
)

var ndcLayouts = [...][3]int{
	Config442:       {4, 4, 2},
	Config532:       {5, 3, 2},
	Config541:       {5, 4, 1},
	Config542:       {5, 4, 2},
	ConfigProduct44: {4, 4, 0},
	ConfigProduct53: {5, 3, 0},
	ConfigProduct54: {5, 4, 0},
}

// String returns the layout, "4-4-2".
func (c NDCConfig) String() string {
	if c == ConfigUnknown || int(c) >= len(ndcLayouts) {
		return "unknown"
	}
	l := ndcLayouts[c]
	if l[2] == 0 {
		return fmt.Sprintf("%d-%d", l[0], l[1])
	}
	return fmt.Sprintf("%d-%d-%d", l[0], l[1], l[2])
}

// NDC is a National Drug Code: a package NDC such as 0010-3495-01 or a
// product NDC such as 0010-3495. It keeps its segments as digit strings
// and knows its configuration.
type NDC struct {
	Labeler, Product, Package string
	Config                    NDCConfig
}

// ErrNDC is returned for text that is not an NDC.
var ErrNDC = errors.New("protocol: invalid NDC")

// ErrNDCAmbiguous is returned when an NDC's 10-digit configuration cannot
// be known: an 11-digit code whose padding could have come from more than
// one layout, or 10 digits without hyphens.
var ErrNDCAmbiguous = errors.New("protocol: ambiguous NDC configuration")

// ParseNDC reads an NDC with hyphens ("0010-3495-01", "00010-3495-01",
// "0010-3495") or the 11-digit billing form without them ("00010349501").
// Ten digits without hyphens are rejected with ErrNDCAmbiguous: they fit
// all three layouts.
func ParseNDC(s string) (NDC, error) {
	t := strings.TrimSpace(s)
	parts := strings.Split(t, "-")
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return NDC{}, fmt.Errorf("%w: %q: segments must be digits", ErrNDC, s)
		}
	}
	switch len(parts) {
	case 1:
		switch len(t) {
		case 11:
			return NDC{Labeler: t[:5], Product: t[5:9], Package: t[9:], Config: Config542}, nil
		case 10:
			return NDC{}, fmt.Errorf("%w: %q: ten digits without hyphens fit 4-4-2, 5-3-2 and 5-4-1", ErrNDCAmbiguous, s)
		}
		return NDC{}, fmt.Errorf("%w: %q: want 10 digits with hyphens or 11 digits", ErrNDC, s)
	case 2, 3:
		var lens [3]int
		for i, p := range parts {
			lens[i] = len(p)
		}
		for c := Config442; int(c) < len(ndcLayouts); c++ {
			if ndcLayouts[c] == lens {
				n := NDC{Labeler: parts[0], Product: parts[1], Config: c}
				if len(parts) == 3 {
					n.Package = parts[2]
				}
				return n, nil
			}
		}
		return NDC{}, fmt.Errorf("%w: %q: segments %v match no NDC layout", ErrNDC, s, lens[:len(parts)])
	}
	return NDC{}, fmt.Errorf("%w: %q: too many segments", ErrNDC, s)
}

// String returns the code with hyphens in its configuration.
func (n NDC) String() string {
	if n.Package == "" {
		return n.Labeler + "-" + n.Product
	}
	return n.Labeler + "-" + n.Product + "-" + n.Package
}

// IsProduct reports whether n is a product NDC (no package segment).
func (n NDC) IsProduct() bool { return n.Package == "" }

// Eleven returns the 11-digit 5-4-2 billing form without hyphens, padding
// the short segment with a leading zero. Product NDCs have no such form.
func (n NDC) Eleven() (string, error) {
	if n.IsProduct() {
		return "", fmt.Errorf("%w: %s is a product NDC; the 11-digit form needs a package", ErrNDC, n)
	}
	return pad(n.Labeler, 5) + pad(n.Product, 4) + pad(n.Package, 2), nil
}

func pad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// ProductNDC returns the product part of n (labeler and product).
func (n NDC) ProductNDC() NDC {
	c := n.Config
	switch c {
	case Config442:
		c = ConfigProduct44
	case Config532:
		c = ConfigProduct53
	case Config541, Config542:
		c = ConfigProduct54
	}
	return NDC{Labeler: n.Labeler, Product: n.Product, Config: c}
}

// Ten returns the 10-digit FDA form of an 11-digit code. An 11-digit code
// came from the layout whose short segment was padded with a zero; when
// more than one segment starts with zero it is ambiguous and Ten returns
// ErrNDCAmbiguous with the candidates (see Candidates). A 10-digit NDC is
// returned unchanged.
func (n NDC) Ten() (NDC, error) {
	if n.Config != Config542 {
		return n, nil
	}
	c := n.Candidates()
	switch len(c) {
	case 0:
		return NDC{}, fmt.Errorf("%w: %s has no zero-padded segment, so it has no 10-digit form", ErrNDC, n)
	case 1:
		return c[0], nil
	}
	forms := make([]string, len(c))
	for i, x := range c {
		forms[i] = x.String()
	}
	return NDC{}, fmt.Errorf("%w: %s could be %s; give the configuration", ErrNDCAmbiguous, n, strings.Join(forms, " or "))
}

// Candidates returns every 10-digit NDC that pads to the 11-digit code n,
// in the order 4-4-2, 5-3-2, 5-4-1.
func (n NDC) Candidates() []NDC {
	if n.Config != Config542 {
		return []NDC{n}
	}
	var out []NDC
	if n.Labeler[0] == '0' {
		out = append(out, NDC{Labeler: n.Labeler[1:], Product: n.Product, Package: n.Package, Config: Config442})
	}
	if n.Product[0] == '0' {
		out = append(out, NDC{Labeler: n.Labeler, Product: n.Product[1:], Package: n.Package, Config: Config532})
	}
	if n.Package[0] == '0' {
		out = append(out, NDC{Labeler: n.Labeler, Product: n.Product, Package: n.Package[1:], Config: Config541})
	}
	return out
}

// WithConfig returns the 10-digit NDC of the 11-digit code n in the given
// layout, checking that the dropped digit is a padding zero.
func (n NDC) WithConfig(c NDCConfig) (NDC, error) {
	for _, x := range n.Candidates() {
		if x.Config == c {
			return x, nil
		}
	}
	return NDC{}, fmt.Errorf("%w: %s has no %s form", ErrNDC, n, c)
}
