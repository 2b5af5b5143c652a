package mappgraph

import (
	"math"
	"slices"
)

// The estimators below follow the reference stack (pandas groupby
// aggregations over an int64 length column, NumPy reductions) operation by
// operation, so that results agree to the last few bits, not only to the
// formula.

// pairwiseSum is NumPy's pairwise summation of float64 (add.reduce over a
// contiguous array): blocks of at most 128 summed with 8 accumulators,
// longer arrays split in halves rounded down to a multiple of 8.
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := 0.0
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += a[i]
			r[1] += a[i+1]
			r[2] += a[i+2]
			r[3] += a[i+3]
			r[4] += a[i+4]
			r[5] += a[i+5]
			r[6] += a[i+6]
			r[7] += a[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
}

// seriesMean is pandas' mean: the NumPy sum divided by the count (NaN for an
// empty series).
func seriesMean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return pairwiseSum(x) / float64(len(x))
}

// seriesMAD is pandas 1.x Series.mad: the mean absolute deviation about the
// mean, mean(|x - mean(x)|). scratch must hold len(x) values.
func seriesMAD(x, scratch []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := seriesMean(x)
	d := scratch[:len(x)]
	for i, v := range x {
		d[i] = math.Abs(v - m)
	}
	return pairwiseSum(d) / float64(len(x))
}

// seriesVar is pandas' groupby var with ddof = 1, computed with Welford's
// update as pandas' group_var does; NaN for fewer than two values.
func seriesVar(x []float64) float64 {
	var mean, ssqdm float64
	for i, v := range x {
		old := mean
		mean += (v - old) / float64(i+1)
		ssqdm += (v - mean) * (v - old)
	}
	if len(x) <= 1 {
		return math.NaN()
	}
	return ssqdm / float64(len(x)-1)
}

// zeroFPErr is pandas' _zero_out_fperr: values below 1e-14 in magnitude
// are taken as 0.
func zeroFPErr(v float64) float64 {
	if math.Abs(v) < 1e-14 {
		return 0
	}
	return v
}

// centralSums returns Σ(x-m)², Σ(x-m)³ and Σ(x-m)⁴ with the mean m and the
// sums taken as pandas' nanops does (NumPy pairwise sums of the arrays
// adjusted², adjusted²·adjusted, (adjusted²)²). scratch must hold 3·len(x).
func centralSums(x, scratch []float64) (m2, m3, m4 float64) {
	n := len(x)
	mean := pairwiseSum(x) / float64(n)
	a2, a3, a4 := scratch[:n], scratch[n:2*n], scratch[2*n:3*n]
	for i, v := range x {
		d := v - mean
		d2 := d * d
		a2[i], a3[i], a4[i] = d2, d2*d, d2*d2
	}
	return pairwiseSum(a2), pairwiseSum(a3), pairwiseSum(a4)
}

// seriesSkew is pandas' nanskew (adjusted Fisher-Pearson coefficient):
// NaN for fewer than 3 values, 0 when the (floating-point cleaned) second
// central sum is 0.
func seriesSkew(x, scratch []float64) float64 {
	n := len(x)
	if n < 3 {
		return math.NaN()
	}
	m2, m3, _ := centralSums(x, scratch)
	m2, m3 = zeroFPErr(m2), zeroFPErr(m3)
	if m2 == 0 {
		return 0
	}
	c := float64(n)
	return (c * math.Sqrt(c-1) / (c - 2)) * (m3 / pow15(m2))
}

// pow15 is x^1.5 rounded to nearest, as the C library's pow gives it
// (math.Pow rounds twice: sqrt(x)·x). The square root's rounding error and
// the product's are recovered exactly with fused multiply-adds
// (double-double arithmetic) before the final rounding.
func pow15(x float64) float64 {
	if x <= 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return math.Pow(x, 1.5)
	}
	s := math.Sqrt(x)
	sLo := math.FMA(-s, s, x) / (2 * s) // sqrt(x) ≈ s + sLo
	p := x * s
	pErr := math.FMA(x, s, -p) // x·s = p + pErr exactly
	return p + (pErr + x*sLo)
}

// seriesKurt is pandas' nankurt (unbiased excess kurtosis): NaN for fewer
// than 4 values, 0 when the (floating-point cleaned) denominator is 0.
func seriesKurt(x, scratch []float64) float64 {
	n := len(x)
	if n < 4 {
		return math.NaN()
	}
	m2, _, m4 := centralSums(x, scratch)
	c := int64(n)
	adj := float64(3*(c-1)*(c-1)) / float64((c-2)*(c-3))
	num := zeroFPErr(float64(c*(c+1)*(c-1)) * m4)
	den := zeroFPErr(float64((c-2)*(c-3)) * (m2 * m2))
	if den == 0 {
		return 0
	}
	return num/den - adj
}

// percentileSorted is NumPy's percentile(x, q) with linear interpolation
// for sorted x, in NumPy ≥ 1.22's form: virtual index (q/100)(n-1), then
// lerp(a, b, t) = a + (b-a)t, or b - (b-a)(1-t) when t ≥ 0.5. (NumPy 1.19,
// the published reference, computes a(1-t) + bt; the two agree to an ulp.)
func percentileSorted(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	vi := float64(n-1) * (q / 100)
	if vi >= float64(n-1) {
		return sorted[n-1]
	}
	if vi < 0 {
		return sorted[0]
	}
	lo := math.Floor(vi)
	i := int(lo)
	t := vi - lo
	a, b := sorted[i], sorted[i+1]
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// packetStats writes the 18 statistics of §5.6 (max, min, mean, mad, std,
// var, skew, kurt, pkt_num, 10..90th percentiles) of x into out. NaN
// results (std and var of one value, skew of fewer than 3, kurt of fewer
// than 4) are left as NaN. x is sorted in place after the order-dependent
// sums; scratch must hold 3·len(x) values and keys 2·len(x).
func packetStats(x, scratch []float64, keys []uint16, out []float64) {
	n := len(x)
	out[2] = seriesMean(x)
	out[3] = seriesMAD(x, scratch)
	v := seriesVar(x)
	out[4], out[5] = math.Sqrt(v), v
	out[6] = seriesSkew(x, scratch)
	out[7] = seriesKurt(x, scratch)
	out[8] = float64(n)
	sortLengths(x, keys)
	out[0], out[1] = x[n-1], x[0]
	for k := 1; k <= 9; k++ {
		out[8+k] = percentileSorted(x, float64(10*k))
	}
}

// sortLengths sorts x, packet lengths, using buf (at least 2·len(x)
// values): a two-pass radix sort when every value is an integer in
// [0, 65535], the usual case, else a comparison sort.
func sortLengths(x []float64, buf []uint16) {
	n := len(x)
	if n < 64 {
		slices.Sort(x)
		return
	}
	keys, tmp := buf[:n], buf[n:2*n]
	for i, v := range x {
		if !(v >= 0 && v <= math.MaxUint16 && v == math.Trunc(v)) {
			slices.Sort(x)
			return
		}
		keys[i] = uint16(v)
	}
	var lo, hi [257]int
	for _, k := range keys {
		lo[k&0xff+1]++
		hi[k>>8+1]++
	}
	for i := 1; i < 257; i++ {
		lo[i] += lo[i-1]
		hi[i] += hi[i-1]
	}
	for _, k := range keys {
		tmp[lo[k&0xff]] = k
		lo[k&0xff]++
	}
	for _, k := range tmp {
		keys[hi[k>>8]] = k
		hi[k>>8]++
	}
	for i, k := range keys {
		x[i] = float64(k)
	}
}
