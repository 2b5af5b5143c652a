package appscanner

import (
	"math"
	"slices"
)

// StatsLen is the number of statistics computed for one series.
const StatsLen = 18

// NumFeatures is the length of a flow's feature vector: the 18 statistics
// of the incoming, outgoing and combined series.
const NumFeatures = 3 * StatsLen

// Indices of the statistics within one series' block of 18 values.
const (
	StatMin = iota
	StatMax
	StatMean
	StatMAD
	StatStd
	StatVar
	StatSkew
	StatKurtosis
	StatP10   // p10, p20, ..., p90 follow
	StatCount = StatP10 + 9
)

// pairwiseSum adds x the way NumPy's add.reduce does on a contiguous
// float64 array (pairwise summation with 8-way unrolled blocks of up to 128
// values), so that sums subject to cancellation round like the reference.
func pairwiseSum(x []float64) float64 {
	n := len(x)
	if n < 8 {
		res := 0.0
		for _, v := range x {
			res += v
		}
		return res
	}
	if n <= 128 {
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += x[i]
			r[1] += x[i+1]
			r[2] += x[i+2]
			r[3] += x[i+3]
			r[4] += x[i+4]
			r[5] += x[i+5]
			r[6] += x[i+6]
			r[7] += x[i+7]
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += x[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSum(x[:n2]) + pairwiseSum(x[n2:])
}

// zeroFPErr is pandas' _zero_out_fperr: magnitudes below 1e-14 become 0.
func zeroFPErr(v float64) float64 {
	if math.Abs(v) < 1e-14 {
		return 0
	}
	return v
}

// Mean is Σx/n (NaN for an empty series), summed like NumPy.
func Mean(x []float64) float64 {
	return (0 + pairwiseSum(x)) / float64(len(x))
}

// grow returns scratch if it can hold n values, else a new slice.
func grow(scratch []float64, n int) []float64 {
	if cap(scratch) < n {
		return make([]float64, n)
	}
	return scratch[:n]
}

// MAD is the mean absolute deviation about the mean, Σ|x−m|/n (pandas 1.x
// Series.mad; not the median absolute deviation). NaN for an empty series.
// scratch (optional) is working space of len(x) values.
func MAD(x []float64, scratch []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	m := Mean(x)
	d := grow(scratch, len(x))
	for i, v := range x {
		d[i] = math.Abs(v - m)
	}
	return pairwiseSum(d) / float64(len(x))
}

// Var is the sample variance with ddof = 1, computed in two passes with
// plain left-to-right sums as bottleneck's nanvar does (pandas delegates
// Series.var and Series.std to bottleneck when it is installed, as it was
// for the reference outputs). NaN when n < 2.
func Var(x []float64) float64 {
	n := len(x)
	if n < 2 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	m := s / float64(n)
	s = 0
	for _, v := range x {
		d := v - m
		s += d * d
	}
	return s / float64(n-1)
}

// Skew is the bias-corrected sample skewness G1 of pandas 1.5 (nanskew):
// n·sqrt(n−1)/(n−2) · m3/m2^1.5 with m2 = Σ(x−m)², m3 = Σ(x−m)³, both
// zeroed below 1e-14; 0 when m2 is 0; NaN when n < 3. scratch (optional)
// is working space of 2·len(x) values.
func Skew(x []float64, scratch []float64) float64 {
	n := len(x)
	if n < 3 {
		return math.NaN()
	}
	m := Mean(x)
	scratch = grow(scratch, 2*n)
	a2 := scratch[:n]
	a3 := scratch[n : 2*n]
	for i, v := range x {
		d := v - m
		a2[i] = d * d
		a3[i] = a2[i] * d
	}
	m2 := zeroFPErr(pairwiseSum(a2))
	m3 := zeroFPErr(pairwiseSum(a3))
	if m2 == 0 {
		return 0
	}
	c := float64(n)
	return (c * math.Sqrt(c-1) / (c - 2)) * (m3 / math.Pow(m2, 1.5))
}

// Kurtosis is the bias-corrected excess kurtosis G2 of pandas 1.5
// (nankurt): n(n+1)(n−1)·m4 / ((n−2)(n−3)·m2²) − 3(n−1)²/((n−2)(n−3)),
// numerator and denominator zeroed below 1e-14; 0 when the denominator is
// 0; NaN when n < 4. scratch (optional) is working space of 2·len(x)
// values.
func Kurtosis(x []float64, scratch []float64) float64 {
	n := len(x)
	if n < 4 {
		return math.NaN()
	}
	m := Mean(x)
	scratch = grow(scratch, 2*n)
	a2 := scratch[:n]
	a4 := scratch[n : 2*n]
	for i, v := range x {
		d := v - m
		a2[i] = d * d
		a4[i] = a2[i] * a2[i]
	}
	m2 := pairwiseSum(a2)
	m4 := pairwiseSum(a4)
	c := float64(n)
	adj := 3 * ((c - 1) * (c - 1)) / ((c - 2) * (c - 3))
	num := zeroFPErr(c * (c + 1) * (c - 1) * m4)
	den := zeroFPErr((c - 2) * (c - 3) * (m2 * m2))
	if den == 0 {
		return 0
	}
	return num/den - adj
}

// Percentile is NumPy's percentile with linear interpolation of the sorted
// series s at q percent: position (n−1)·q/100 between the neighbouring
// order statistics, interpolated as NumPy ≥ 1.22 does (a + (b−a)·w, or
// b − (b−a)·(1−w) when w ≥ 0.5). It returns 0 for an empty series, the
// reference's convention.
func Percentile(s []float64, q int) float64 {
	n := len(s)
	if n == 0 {
		return 0
	}
	pos := float64(n-1) * (float64(q) / 100)
	if pos >= float64(n-1) {
		return s[n-1]
	}
	if pos < 0 {
		return s[0]
	}
	lo := math.Floor(pos)
	w := pos - lo
	a, b := s[int(lo)], s[int(lo)+1]
	d := b - a
	if w >= 0.5 {
		return b - d*(1-w)
	}
	return a + d*w
}

// Stats writes the 18 statistics of x into dst[:18], in the reference
// order: min, max, mean, mad, std, var, skew, kurtosis, p10..p90, count.
// Undefined statistics (empty series; std and var for n < 2; skew for
// n < 3; kurtosis for n < 4) are NaN here; FlowFeatures turns them into 0.
// dst must hold 18 values; scratch (optional) is working space of 3·len(x)
// values.
func Stats(x []float64, dst []float64, scratch []float64) {
	n := len(x)
	dst = dst[:StatsLen]
	scratch = grow(scratch, 3*n)
	if n == 0 {
		for i := range dst {
			dst[i] = math.NaN()
		}
		for q := 0; q < 9; q++ {
			dst[StatP10+q] = 0
		}
		dst[StatCount] = 0
		return
	}
	sorted := scratch[2*n : 3*n]
	copy(sorted, x)
	slices.Sort(sorted)
	dst[StatMin] = sorted[0]
	dst[StatMax] = sorted[n-1]
	dst[StatMean] = Mean(x)
	dst[StatMAD] = MAD(x, scratch)
	v := Var(x)
	dst[StatStd] = math.Sqrt(v)
	dst[StatVar] = v
	dst[StatSkew] = Skew(x, scratch)
	dst[StatKurtosis] = Kurtosis(x, scratch)
	for q := 1; q <= 9; q++ {
		dst[StatP10+q-1] = Percentile(sorted, 10*q)
	}
	dst[StatCount] = float64(n)
}

// FlowFeatures writes the 54 features of a flow's signed packet lengths
// (negative = incoming) into dst (len NumFeatures) and returns it:
// Stats(incoming) ++ Stats(outgoing) ++ Stats(all), where incoming are the
// values < 0 (kept negative, as the reference does) and outgoing those
// >= 0, each in flow order; then every NaN becomes 0.
func FlowFeatures(lengths []float64, dst []float64) []float64 {
	if cap(dst) < NumFeatures {
		dst = make([]float64, NumFeatures)
	}
	dst = dst[:NumFeatures]
	n := len(lengths)
	buf := make([]float64, 2*n+3*n)
	in, out := buf[:0:n], buf[n:n:2*n]
	for _, v := range lengths {
		if v < 0 {
			in = append(in, v)
		} else {
			out = append(out, v)
		}
	}
	scratch := buf[2*n:]
	Stats(in, dst[0:StatsLen], scratch)
	Stats(out, dst[StatsLen:2*StatsLen], scratch)
	Stats(lengths, dst[2*StatsLen:3*StatsLen], scratch)
	for i, v := range dst {
		if math.IsNaN(v) {
			dst[i] = 0
		}
	}
	return dst
}
