package protocol

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// AppKind is the kind of FDA animal drug application.
type AppKind string

// Kinds of FDA animal drug applications.
const (
	// NADA is a new animal drug application (a pioneer approval).
	NADA AppKind = "NADA"
	// ANADA is an abbreviated application (a generic approval).
	ANADA AppKind = "ANADA"
	// CNADA is a conditional approval.
	CNADA AppKind = "CNADA"
)

// AppNumber is an FDA application number such as NADA 141-299 or
// ANADA 200-008: a kind and a six-digit number written NNN-NNN. Kind is
// empty when the text gave only the number ("200-308"); the number alone
// does not reliably say which kind it is.
type AppNumber struct {
	Kind   AppKind
	Number int
}

// ErrAppNumber is returned for text that is not an FDA application number.
var ErrAppNumber = errors.New("protocol: invalid FDA application number")

// ParseAppNumber reads "NADA 141-299", "ANADA200008", "anada 200-008",
// "CNADA 141-501" or a bare "200-308" / "200308".
func ParseAppNumber(s string) (AppNumber, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	var a AppNumber
	for _, k := range []AppKind{ANADA, CNADA, NADA} { // ANADA/CNADA before NADA
		if strings.HasPrefix(t, string(k)) {
			a.Kind = k
			t = strings.TrimSpace(strings.TrimPrefix(t, string(k)))
			t = strings.TrimPrefix(t, "#")
			break
		}
	}
	digits := strings.Replace(t, "-", "", 1)
	if len(digits) != 6 || strings.Trim(digits, "0123456789") != "" || (len(t) == 7 && t[3] != '-') {
		return AppNumber{}, fmt.Errorf("%w: %q: want an optional NADA/ANADA/CNADA and six digits NNN-NNN", ErrAppNumber, s)
	}
	n, _ := strconv.Atoi(digits)
	a.Number = n
	return a, nil
}

// String returns "NADA 141-299", or "200-308" without a kind.
func (a AppNumber) String() string {
	num := fmt.Sprintf("%03d-%03d", a.Number/1000, a.Number%1000)
	if a.Kind == "" {
		return num
	}
	return string(a.Kind) + " " + num
}

// Compact returns the Green Book form without spaces or hyphen,
// "ANADA200008".
func (a AppNumber) Compact() string {
	return string(a.Kind) + fmt.Sprintf("%06d", a.Number)
}
