package protocol

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Number is an exact rational number: a numerator and a positive
// denominator, both int64, always kept in lowest terms. Dose arithmetic is
// done in Numbers so that 2.2 mg/kg × 600 kg ÷ 50 mg/mL is exactly 26.4 mL and
// 1 lb is exactly 0.45359237 kg; no float64 ever enters a calculation.
//
// Operations that would overflow int64 return ErrOverflow instead of a wrong
// answer. Realistic veterinary quantities (a few decimal places, weights up
// to tonnes, unit factors such as 0.45359237) stay far inside that range.
//
// The zero value is 0. Numbers are comparable with == because they are
// always normalised.
type Number struct {
	num int64
	den int64 // 0 in the zero value, meaning 1
}

// ErrOverflow is returned when an exact result does not fit the int64
// numerator and denominator of a Number.
var ErrOverflow = errors.New("protocol: number out of exact range")

// ErrDivideByZero is returned when dividing by a zero Number.
var ErrDivideByZero = errors.New("protocol: division by zero")

// ErrSyntax is returned when a decimal number cannot be parsed.
var ErrSyntax = errors.New("protocol: invalid number syntax")

// Int returns the Number n.
func Int(n int64) Number { return Number{num: n, den: 1} }

// Ratio returns num/den in lowest terms. It panics if den is zero; use
// NewRatio for untrusted input.
func Ratio(num, den int64) Number {
	r, err := NewRatio(num, den)
	if err != nil {
		panic(err)
	}
	return r
}

// NewRatio returns num/den in lowest terms, or an error if den is zero or the
// value cannot be normalised (math.MinInt64 cases).
func NewRatio(num, den int64) (Number, error) {
	if den == 0 {
		return Number{}, ErrDivideByZero
	}
	return normalise(num, den)
}

// MustParseNumber parses s like ParseNumber and panics on error. It is meant
// for constants in tables and tests.
func MustParseNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

// ParseNumber parses a decimal number in JSON number syntax (optional minus,
// digits, optional fraction, optional exponent, such as "26.4", "-3",
// "1e-3") exactly. It rejects values whose exact form does not fit a
// Number (about 18 significant digits).
func ParseNumber(s string) (Number, error) {
	orig := s
	if s == "" {
		return Number{}, fmt.Errorf("%w: empty", ErrSyntax)
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	var mant uint64
	scale := 0 // number of digits after the decimal point
	seenDigit, seenDot := false, false
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seenDigit = true
			if mant == 0 && c == '0' {
				if seenDot {
					scale++
				}
				continue
			}
			if mant > (math.MaxInt64-9)/10 {
				return Number{}, fmt.Errorf("%w: %q has too many significant digits", ErrOverflow, orig)
			}
			mant = mant*10 + uint64(c-'0')
			if seenDot {
				scale++
			}
		case c == '.' && !seenDot:
			if !seenDigit {
				return Number{}, fmt.Errorf("%w: %q", ErrSyntax, orig)
			}
			seenDot = true
			if i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9' {
				return Number{}, fmt.Errorf("%w: %q", ErrSyntax, orig)
			}
		default:
			goto exponent
		}
	}
exponent:
	if !seenDigit {
		return Number{}, fmt.Errorf("%w: %q", ErrSyntax, orig)
	}
	// JSON forbids leading zeros such as "01"; accept them anyway only as a
	// single "0" before the point.
	if len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9' {
		return Number{}, fmt.Errorf("%w: %q has a leading zero", ErrSyntax, orig)
	}
	exp := 0
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return Number{}, fmt.Errorf("%w: %q", ErrSyntax, orig)
		}
		rest := s[i+1:]
		if rest != "" && rest[0] == '+' {
			rest = rest[1:]
		}
		if rest == "" || rest == "-" || strings.HasPrefix(rest, "+") {
			return Number{}, fmt.Errorf("%w: %q", ErrSyntax, orig)
		}
		e, err := strconv.Atoi(rest)
		if err != nil || e > 40 || e < -40 {
			return Number{}, fmt.Errorf("%w: %q has an exponent out of range", ErrSyntax, orig)
		}
		exp = e
	}
	if mant == 0 {
		return Number{}, nil
	}
	scale -= exp
	num := int64(mant)
	den := int64(1)
	for ; scale > 0; scale-- {
		if den > math.MaxInt64/10 {
			return Number{}, fmt.Errorf("%w: %q", ErrOverflow, orig)
		}
		den *= 10
	}
	for ; scale < 0; scale++ {
		if num > math.MaxInt64/10 {
			return Number{}, fmt.Errorf("%w: %q", ErrOverflow, orig)
		}
		num *= 10
	}
	if neg {
		num = -num
	}
	return normalise(num, den)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs64(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // MinInt64 maps to 1<<63, which is correct as uint64
	}
	return uint64(v)
}

// normalise reduces num/den and makes den positive.
func normalise(num, den int64) (Number, error) {
	if num == 0 {
		return Number{}, nil
	}
	if num == math.MinInt64 || den == math.MinInt64 {
		return Number{}, ErrOverflow
	}
	if den < 0 {
		num, den = -num, -den
	}
	g := int64(gcd(abs64(num), uint64(den)))
	return Number{num: num / g, den: den / g}, nil
}

// fromParts builds a normalised Number from a sign and unsigned parts.
func fromParts(neg bool, n, d uint64) (Number, error) {
	if n == 0 {
		return Number{}, nil
	}
	g := gcd(n, d)
	n, d = n/g, d/g
	if n > math.MaxInt64 || d > math.MaxInt64 {
		return Number{}, ErrOverflow
	}
	v := int64(n)
	if neg {
		v = -v
	}
	return Number{num: v, den: int64(d)}, nil
}

// Num returns the numerator (in lowest terms).
func (a Number) Num() int64 { return a.num }

// Den returns the denominator (in lowest terms, always ≥ 1).
func (a Number) Den() int64 {
	if a.den == 0 {
		return 1
	}
	return a.den
}

// Sign returns -1, 0 or +1.
func (a Number) Sign() int {
	switch {
	case a.num < 0:
		return -1
	case a.num > 0:
		return 1
	}
	return 0
}

// IsZero reports whether a is 0.
func (a Number) IsZero() bool { return a.num == 0 }

// IsInt reports whether a is a whole number.
func (a Number) IsInt() bool { return a.Den() == 1 }

// Neg returns -a.
func (a Number) Neg() Number { return Number{num: -a.num, den: a.den} }

func mul64(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0 && lo <= math.MaxInt64
}

// Mul returns a×b exactly.
func (a Number) Mul(b Number) (Number, error) {
	if a.num == 0 || b.num == 0 {
		return Number{}, nil
	}
	an, ad, bn, bd := abs64(a.num), uint64(a.Den()), abs64(b.num), uint64(b.Den())
	// Cross-reduce first so that intermediate products stay small.
	if g := gcd(an, bd); g > 1 {
		an, bd = an/g, bd/g
	}
	if g := gcd(bn, ad); g > 1 {
		bn, ad = bn/g, ad/g
	}
	n, ok1 := mul64(an, bn)
	d, ok2 := mul64(ad, bd)
	if !ok1 || !ok2 {
		return Number{}, ErrOverflow
	}
	return fromParts((a.num < 0) != (b.num < 0), n, d)
}

// Quo returns a÷b exactly.
func (a Number) Quo(b Number) (Number, error) {
	if b.num == 0 {
		return Number{}, ErrDivideByZero
	}
	inv := Number{num: b.Den(), den: abs64i(b.num)}
	if b.num < 0 {
		inv.num = -inv.num
	}
	return a.Mul(inv)
}

func abs64i(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// Add returns a+b exactly.
func (a Number) Add(b Number) (Number, error) {
	if a.num == 0 {
		return b, nil
	}
	if b.num == 0 {
		return a, nil
	}
	ad, bd := a.Den(), b.Den()
	g := int64(gcd(uint64(ad), uint64(bd)))
	// a.num*(bd/g) + b.num*(ad/g) over ad*(bd/g)
	x, ok1 := mulSigned(a.num, bd/g)
	y, ok2 := mulSigned(b.num, ad/g)
	d, ok3 := mulSigned(ad, bd/g)
	if !ok1 || !ok2 || !ok3 {
		return Number{}, ErrOverflow
	}
	s := x + y
	if (x > 0 && y > 0 && s < 0) || (x < 0 && y < 0 && s >= 0) {
		return Number{}, ErrOverflow
	}
	return normalise(s, d)
}

// Sub returns a-b exactly.
func (a Number) Sub(b Number) (Number, error) { return a.Add(b.Neg()) }

func mulSigned(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p, ok := mul64(abs64(a), abs64(b))
	if !ok {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(p), true
	}
	return int64(p), true
}

// Cmp compares a and b and returns -1, 0 or +1. It never overflows: the
// cross products are compared in 128 bits.
func (a Number) Cmp(b Number) int {
	sa, sb := a.Sign(), b.Sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	// Same sign: compare |a.num|*b.den with |b.num|*a.den.
	h1, l1 := bits.Mul64(abs64(a.num), uint64(b.Den()))
	h2, l2 := bits.Mul64(abs64(b.num), uint64(a.Den()))
	c := 0
	switch {
	case h1 < h2 || (h1 == h2 && l1 < l2):
		c = -1
	case h1 > h2 || (h1 == h2 && l1 > l2):
		c = 1
	}
	if sa < 0 {
		c = -c
	}
	return c
}

// Floor returns the largest integer ≤ a.
func (a Number) Floor() int64 {
	d := a.Den()
	q := a.num / d
	if a.num%d != 0 && a.num < 0 {
		q--
	}
	return q
}

// Ceil returns the smallest integer ≥ a.
func (a Number) Ceil() int64 {
	d := a.Den()
	q := a.num / d
	if a.num%d != 0 && a.num > 0 {
		q++
	}
	return q
}

// Float64 returns the nearest float64. Use it for display or plotting only,
// never to feed a calculation back in.
func (a Number) Float64() float64 { return float64(a.num) / float64(a.Den()) }

// Terminating reports whether a has a finite decimal expansion (its
// denominator has no prime factors other than 2 and 5).
func (a Number) Terminating() bool {
	d := a.Den()
	for d%2 == 0 {
		d /= 2
	}
	for d%5 == 0 {
		d /= 5
	}
	return d == 1
}

// RoundMode selects how Round resolves the digits it drops.
type RoundMode int

const (
	// HalfUp rounds to nearest, ties away from zero: 26.45 → 26.5. This is
	// the rounding printed on drug labels and what people expect to read.
	HalfUp RoundMode = iota
	// Up rounds away from zero (ceiling for positive values). Use it when a
	// rounded amount must never be less than the exact one.
	Up
	// Down rounds toward zero (truncation). Use it when a rounded amount must
	// never exceed the exact one, such as the top of a dose range.
	Down
)

// Round returns a rounded to the given number of decimal places (0–9) with
// the given mode. Rounding is only ever done for display or at an explicit
// boundary chosen by the caller; calculations keep the exact value.
func (a Number) Round(places int, mode RoundMode) (Number, error) {
	if places < 0 || places > 9 {
		return Number{}, fmt.Errorf("protocol: round to %d places: must be 0..9", places)
	}
	if a.num == 0 {
		return a, nil
	}
	scale := uint64(pow10[places])
	n, d := abs64(a.num), uint64(a.Den())
	hi, lo := bits.Mul64(n, scale)
	if hi >= d {
		return Number{}, ErrOverflow
	}
	q, r := bits.Div64(hi, lo, d)
	switch mode {
	case HalfUp:
		// r*2 >= d, computed without overflow.
		if r >= d-r {
			q++
		}
	case Up:
		if r != 0 {
			q++
		}
	}
	return fromParts(a.num < 0, q, scale)
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// String returns the exact decimal form when a terminates ("26.4",
// "0.45359237", "-3") and "n/d" otherwise ("1/3"). Use Round first for a
// fixed number of places.
func (a Number) String() string {
	b, ok := a.appendDecimal(nil)
	if ok {
		return string(b)
	}
	return strconv.FormatInt(a.num, 10) + "/" + strconv.FormatInt(a.Den(), 10)
}

// appendDecimal appends the exact decimal form of a, if it terminates
// within 18 fractional digits.
func (a Number) appendDecimal(b []byte) ([]byte, bool) {
	d := a.Den()
	if d == 1 {
		return strconv.AppendInt(b, a.num, 10), true
	}
	// Find k with d | 10^k.
	for k := 1; k <= 18; k++ {
		p := pow10[k]
		if p%d != 0 {
			continue
		}
		m := p / d
		h, l := bits.Mul64(abs64(a.num), uint64(m))
		if h != 0 {
			return b, false
		}
		q, r := l/uint64(p), l%uint64(p)
		if a.num < 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, q, 10)
		b = append(b, '.')
		frac := strconv.FormatUint(r, 10)
		for i := len(frac); i < k; i++ {
			b = append(b, '0')
		}
		b = append(b, frac...)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
		return b, true
	}
	return b, false
}

// jsonPlaces is the number of decimal places used when a non-terminating
// Number (such as a volume of 100/3 mL) must be written as a JSON number.
const jsonPlaces = 9

// MarshalJSON writes a as a JSON number: exactly when its decimal expansion
// terminates, otherwise rounded half-up to 9 decimal places (JSON cannot
// carry 1/3).
func (a Number) MarshalJSON() ([]byte, error) {
	return a.appendJSON(nil)
}

func (a Number) appendJSON(b []byte) ([]byte, error) {
	if out, ok := a.appendDecimal(b); ok {
		return out, nil
	}
	r, err := a.Round(jsonPlaces, HalfUp)
	if err != nil {
		return nil, err
	}
	out, _ := r.appendDecimal(b)
	return out, nil
}

// UnmarshalJSON reads a JSON number exactly (see ParseNumber).
func (a *Number) UnmarshalJSON(data []byte) error {
	n, err := ParseNumber(string(data))
	if err != nil {
		return err
	}
	*a = n
	return nil
}

// maxDecimalLen bounds the text RoundDecimal reads: far longer than any
// number a JSON encoder writes for a float64 (at most 24 characters, or
// about 770 for the exact expansion of the smallest subnormal).
const maxDecimalLen = 1100

// RoundDecimal parses any decimal in JSON number syntax, however many
// digits it has ("1322.7735731092084", "6.02e2", a 40-digit fraction),
// and rounds it once, half-up, to the given number of decimal places
// (0–9). It is for values measured by other systems and sent as floats,
// whose last digits are noise; ParseNumber, which is exact, refuses them
// with ErrOverflow. The rounded value must still fit a Number.
func RoundDecimal(s string, places int) (Number, error) {
	if places < 0 || places > 9 {
		return Number{}, fmt.Errorf("protocol: round %q to %d places: must be 0..9", s, places)
	}
	if len(s) > maxDecimalLen {
		return Number{}, fmt.Errorf("%w: a number of %d characters is longer than %d", ErrSyntax, len(s), maxDecimalLen)
	}
	if !jsonNumberSyntax(s) {
		return Number{}, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	// The exponent is bounded by the length check only loosely; refuse
	// one that would make big.Rat allocate absurdly.
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 400 || e < -1200 {
			return Number{}, fmt.Errorf("%w: %q has an exponent out of range", ErrOverflow, s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return Number{}, fmt.Errorf("%w: %q", ErrSyntax, s)
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	// q = round-half-up(|r| × 10^places)
	num := new(big.Int).Mul(new(big.Int).Abs(r.Num()), scale)
	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	if new(big.Int).Lsh(m, 1).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return Number{}, fmt.Errorf("%w: %q", ErrOverflow, s)
	}
	v := q.Int64()
	if r.Sign() < 0 {
		v = -v
	}
	return NewRatio(v, scale.Int64())
}

// jsonNumberSyntax reports whether s is a number in JSON syntax:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumberSyntax(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	n := digits()
	if n == 0 || (n > 1 && s[start] == '0') {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
