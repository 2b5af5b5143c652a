package mappgraph

import (
	"math"
	"strconv"
)

// appendPyFloat appends f as Python's repr (and NumPy's str) writes a
// float64: the shortest digits that round-trip, in positional notation with
// at least one digit after the point when the decimal exponent is in
// [-5, 16), otherwise in scientific notation with a signed exponent of at
// least two digits ("1e-05", "1.5e+16"). NaN appends nothing (pandas writes
// NaN as an empty field); infinities are "inf" and "-inf".
func appendPyFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return b
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	// e is [-]d[.ddd]e±XX
	if e[0] == '-' {
		b = append(b, '-')
		e = e[1:]
	}
	var digits [24]byte
	nd := 0
	i := 0
	for ; e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	d := digits[:nd]
	if exp < -4 || exp >= 16 {
		b = append(b, d[0])
		if nd > 1 {
			b = append(b, '.')
			b = append(b, d[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	if exp < 0 {
		b = append(b, '0', '.')
		for k := -1; k > exp; k-- {
			b = append(b, '0')
		}
		return append(b, d...)
	}
	// exp >= 0: integer part has exp+1 digits.
	if nd <= exp+1 {
		b = append(b, d...)
		for k := nd; k <= exp; k++ {
			b = append(b, '0')
		}
		return append(b, '.', '0')
	}
	b = append(b, d[:exp+1]...)
	b = append(b, '.')
	return append(b, d[exp+1:]...)
}
