package reports

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Wilcoxon is the two-sided Wilcoxon signed-rank test of the paired
// differences d against a zero median, as scipy.stats.wilcoxon(d) computes
// it with zero_method="wilcox" and correction=False:
//
//   - zero differences are dropped, and n counts the others;
//   - the differences' absolute values are ranked, ties getting their
//     average rank; the statistic is the smaller of the positive and the
//     negative rank sums;
//   - with n <= 50 and neither zeros nor ties, the p-value is exact (from
//     the distribution of the rank sum over the 2^n sign patterns; 1 at its
//     centre);
//   - otherwise it is the normal approximation with the tie correction of
//     the variance (scipy's method="approx"). scipy 1.10's method="auto"
//     would use the exact distribution with ties (and a truncated rank
//     sum) too; here ties always take the approximation.
//
// With no nonzero difference the p-value is 1 (scipy raises an error).
func Wilcoxon(d []float64) (stat, p float64) {
	var nz []float64
	zeros := false
	for _, x := range d {
		if x == 0 {
			zeros = true
		} else {
			nz = append(nz, x)
		}
	}
	n := len(nz)
	if n == 0 {
		return 0, 1
	}
	ranks, ties := rankAbs(nz)
	var plus, minus float64
	for i, x := range nz {
		if x > 0 {
			plus += ranks[i]
		} else {
			minus += ranks[i]
		}
	}
	stat = math.Min(plus, minus)
	if n <= 50 && !zeros && len(ties) == 0 {
		return stat, wilcoxonExact(n, int(plus))
	}
	nf := float64(n)
	mn := nf * (nf + 1) / 4
	se := nf * (nf + 1) * (2*nf + 1)
	for _, t := range ties {
		tf := float64(t)
		se -= 0.5 * tf * (tf*tf - 1)
	}
	se = math.Sqrt(se / 24)
	z := (stat - mn) / se
	return stat, math.Min(1, math.Erfc(math.Abs(z)/math.Sqrt2))
}

// rankAbs ranks the absolute values of xs from 1 (ties get their average
// rank) and returns the sizes of the groups of ties.
func rankAbs(xs []float64) (ranks []float64, ties []int) {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(xs[idx[a]]) < math.Abs(xs[idx[b]]) })
	ranks = make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && math.Abs(xs[idx[j+1]]) == math.Abs(xs[idx[i]]) {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		if j > i {
			ties = append(ties, j-i+1)
		}
		i = j + 1
	}
	return ranks, ties
}

// wilcoxonExact is the exact two-sided p-value of a positive rank sum
// plus among n ranks without ties: twice the smaller tail, 1 at the
// centre. Counts are exact integers in float64 for n <= 50.
func wilcoxonExact(n, plus int) float64 {
	max := n * (n + 1) / 2
	counts := make([]float64, max+1)
	counts[0] = 1
	for r := 1; r <= n; r++ {
		for s := max; s >= r; s-- {
			counts[s] += counts[s-r]
		}
	}
	if plus == max/2 {
		return 1
	}
	var less, greater float64
	for s, c := range counts {
		if s <= plus {
			less += c
		}
		if s >= plus {
			greater += c
		}
	}
	total := math.Ldexp(1, n)
	return math.Min(1, 2*math.Min(less, greater)/total)
}

// McNemar is McNemar's exact test of b samples that only the first of two
// classifiers gets right against c that only the second gets right: the
// two-sided binomial test of b successes in b+c trials with p = 1/2, as
// scipy.stats.binomtest(b, b+c, 0.5).pvalue (2·P(X <= min(b, c)), at most
// 1). With no discordant sample the p-value is 1.
func McNemar(b, c int) float64 {
	n := b + c
	if n == 0 || b == c {
		return 1
	}
	k := min(b, c)
	cdf := distuv.Binomial{N: float64(n), P: 0.5}.CDF(float64(k))
	return math.Min(1, 2*cdf)
}

// Holm returns the Holm-Bonferroni adjusted p-values of ps, in their
// order: the i-th smallest (from 0) is multiplied by m−i, made no smaller
// than the adjusted ones before it, and capped at 1. NaN entries are left
// out of m and stay NaN.
func Holm(ps []float64) []float64 {
	var idx []int
	for i, p := range ps {
		if !math.IsNaN(p) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]] < ps[idx[b]] })
	out := make([]float64, len(ps))
	for i := range out {
		out[i] = math.NaN()
	}
	m, run := len(idx), 0.0
	for i, j := range idx {
		run = math.Max(run, math.Min(1, float64(m-i)*ps[j]))
		out[j] = run
	}
	return out
}
