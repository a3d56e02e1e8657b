package protocol

import "strings"

// Route is a normalised route of administration, such as RouteIV. VCPR
// stores routes as free text ("IV", "intravenous", "intr-corporeal");
// ParseRoute maps the common spellings so that a treatment's route can be
// compared with its label's.
type Route string

// Routes recognised by ParseRoute.
const (
	RouteIV           Route = "IV"
	RouteIM           Route = "IM"
	RouteSC           Route = "SC"
	RouteOral         Route = "PO"
	RouteIntramammary Route = "intramammary"
	RouteIntrauterine Route = "intrauterine"
	RouteTopical      Route = "topical"
)

var routeWords = func() map[string]Route {
	m := map[string]Route{}
	for r, words := range map[Route][]string{
		RouteIV:           {"iv", "intravenous", "intravenously"},
		RouteIM:           {"im", "intramuscular", "intramuscularly"},
		RouteSC:           {"sc", "sq", "subq", "subcut", "subcutaneous", "subcutaneously"},
		RouteOral:         {"po", "oral", "orally", "bymouth"},
		RouteIntramammary: {"intramammary", "imm"},
		RouteIntrauterine: {"intrauterine"},
		RouteTopical:      {"topical", "topically", "pouron", "transdermal"},
	} {
		for _, w := range words {
			m[w] = r
		}
	}
	return m
}()

// ParseRoute normalises a route of administration. Unknown text is
// returned lower-cased and trimmed with ok false, so that two unknown
// spellings still compare equal when they are the same words.
func ParseRoute(s string) (r Route, ok bool) {
	key := strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z':
			return c
		case c >= 'A' && c <= 'Z':
			return c + 'a' - 'A'
		}
		return -1
	}, s)
	if r, ok := routeWords[key]; ok {
		return r, true
	}
	return Route(strings.ToLower(strings.TrimSpace(s))), false
}
