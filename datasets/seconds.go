package datasets

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ParseSecondsNS parses a decimal number of seconds (such as
// "1516186786.703072", "-0.5" or "1.5e9") into nanoseconds, exactly: the
// text is never converted to a float. Digits beyond nanoseconds are rounded
// half away from zero. NaN, infinities, hexadecimal floats and values
// outside the int64 nanosecond range are errors.
func ParseSecondsNS(s string) (int64, error) {
	d, err := scanDecimal(s)
	if err != nil {
		return 0, err
	}
	return d.nanoseconds()
}

// decimal is the text of a decimal number in parts: sign, the digits
// before and after the point, and the exponent.
type decimal struct {
	neg         bool
	whole, frac string // digits only
	exp         int    // bounded: at most about 10^6 in magnitude
}

// scanDecimal splits s into a decimal: [+-]digits[.digits][(e|E)[+-]digits],
// with at least one digit before the exponent.
func scanDecimal(s string) (decimal, error) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	n := countDigits(s[i:])
	d.whole, i = s[i:i+n], i+n
	if i < len(s) && s[i] == '.' {
		i++
		n = countDigits(s[i:])
		d.frac, i = s[i:i+n], i+n
	}
	if d.whole == "" && d.frac == "" {
		return d, errors.New("no digits")
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		exp, err := scanExponent(s[i+1:])
		d.exp = exp
		return d, err
	}
	if i != len(s) {
		return d, fmt.Errorf("unexpected %q", s[i])
	}
	return d, nil
}

// countDigits returns the number of leading decimal digits of s.
func countDigits(s string) int {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// scanExponent parses the exponent digits after the 'e', with an optional
// sign. Exponents too large for any int64 nanosecond value saturate.
func scanExponent(s string) (int, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) {
		return 0, errors.New("empty exponent")
	}
	exp := 0
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("unexpected %q", s[i])
		}
		if exp < 100000 {
			exp = exp*10 + int(s[i]-'0')
		}
	}
	if neg {
		exp = -exp
	}
	return exp, nil
}

// digit returns the k-th digit of the whole and fraction digits together.
func (d *decimal) digit(k int) byte {
	if k < len(d.whole) {
		return d.whole[k] - '0'
	}
	return d.frac[k-len(d.whole)] - '0'
}

// nanoseconds returns the value of d, taken as seconds, in nanoseconds,
// rounded half away from zero.
func (d *decimal) nanoseconds() (int64, error) {
	nDig := len(d.whole) + len(d.frac)
	first := 0 // the first digit that is not a leading zero
	for first < nDig && d.digit(first) == 0 {
		first++
	}
	if first == nDig {
		return 0, nil
	}
	// point is the number of digits (counted from digit 0) before the
	// decimal point of the value in nanoseconds.
	point := len(d.whole) + d.exp + 9
	if point-first > 19 {
		return 0, errors.New("out of range")
	}
	var v uint64
	for k := first; k < point; k++ {
		dk := uint64(0)
		if k < nDig {
			dk = uint64(d.digit(k))
		}
		if v > (math.MaxUint64-dk)/10 {
			return 0, errors.New("out of range")
		}
		v = v*10 + dk
	}
	if point >= first && point < nDig && d.digit(point) >= 5 {
		v++
	}
	return signedNanoseconds(v, d.neg)
}

// signedNanoseconds applies the sign to the magnitude v, which must fit
// in an int64.
func signedNanoseconds(v uint64, neg bool) (int64, error) {
	if neg {
		if v > 1<<63 {
			return 0, errors.New("out of range")
		}
		return -int64(v), nil
	}
	if v > math.MaxInt64 {
		return 0, errors.New("out of range")
	}
	return int64(v), nil
}

// AppendSeconds appends ns nanoseconds as decimal seconds in the form the
// packet CSV writer uses: the shortest exact text with at least one decimal
// ("1516186786.703072", "12.0", "-0.5").
func AppendSeconds(dst []byte, ns int64) []byte {
	u := uint64(ns)
	if ns < 0 {
		dst = append(dst, '-')
		u = -u
	}
	dst = strconv.AppendUint(dst, u/1e9, 10)
	dst = append(dst, '.')
	frac := u % 1e9
	if frac == 0 {
		return append(dst, '0')
	}
	var d [9]byte
	for k := 8; k >= 0; k-- {
		d[k] = byte('0' + frac%10)
		frac /= 10
	}
	n := 9
	for d[n-1] == '0' {
		n--
	}
	return append(dst, d[:n]...)
}

// ExactSeconds returns the float64 nearest to ns/1e9, the value a correctly
// rounded parse of the decimal seconds text gives (Python's float(), pandas
// with round-trip precision). It is exact where Packet.Seconds, a float64
// conversion followed by a division, can be one unit in the last place off
// for present-day timestamps.
//
// Below 2^53 ns float64(ns) is exact, so one division rounds once. Above,
// the whole seconds are exact and the fraction's rounding error (at most
// 2^-54) is smaller than the distance from ns/1e9 to any rounding midpoint
// of the sum (at least 2^9/(1e9·2^30) ≈ 4.8e-16), so the sum rounds to the
// same float64 as the exact quotient.
func ExactSeconds(ns int64) float64 {
	if ns > -1<<53 && ns < 1<<53 {
		return float64(ns) / 1e9
	}
	return float64(ns/1e9) + float64(ns%1e9)/1e9
}
