package flowprint

import (
	"cmp"
	"math"
	"slices"
)

// merge merges similar fingerprints among out (spec §3.6).
//
// The reference processes the similar pairs in hash-set order, and the
// result depends on that order when merges chain. Here pairs are processed
// in a fixed order: fingerprints ranked by (size, n_flows, element ids),
// pairs by (rank of the smaller, rank of the larger).
func (g *generator) merge(out []*fp) {
	s := g.p.Similarity
	if s >= 1 {
		return
	}
	uniq := uniqueFPs(out)
	if len(uniq) == 0 {
		return
	}
	if s <= 0 {
		mergeAll(uniq, out)
		return
	}
	slices.SortFunc(uniq, compareFP)
	pairs := g.similarPairs(uniq)
	if len(pairs) == 0 {
		return
	}
	applyMerges(uniq, pairs, out)
}

// uniqueFPs returns the distinct non-empty fingerprints of out, in order
// of first appearance; the first object of each element set represents
// it.
func uniqueFPs(out []*fp) []*fp {
	seen := make(map[string]*fp)
	var uniq []*fp
	for _, f := range out {
		if f == nil || len(f.elems) == 0 {
			continue
		}
		if _, ok := seen[f.key]; !ok {
			seen[f.key] = f
			uniq = append(uniq, f)
		}
	}
	return uniq
}

// mergeAll replaces every entry of out by the union of the fingerprints
// uniq (Similarity <= 0 merges everything).
func mergeAll(uniq, out []*fp) {
	var all []int32
	n := 0
	for _, f := range uniq {
		all = append(all, f.elems...)
		n += f.n
	}
	slices.Sort(all)
	m := newFP(slices.Compact(all), n)
	for i := range out {
		out[i] = m
	}
}

// fpPair is a pair of fingerprints by rank, a < b.
type fpPair struct{ a, b int32 }

// similarPairs returns the pairs of the ranked fingerprints uniq whose
// sizes are compatible and whose Jaccard index is at least Similarity,
// ordered by (rank of the smaller, rank of the larger).
//
// It is a prefix-filtered similarity join: with each fingerprint's
// elements ordered rarest first, two fingerprints whose Jaccard index is
// at least s share at least ceil(s*l) elements (l the size of either), so
// they share an element among the first l-ceil(s*l)+1 of each. Only the
// prefixes are indexed, so that the elements common to most fingerprints
// (a no-certificate element, a shared service) no longer pair every
// fingerprint with every other; each candidate pair is then checked on
// its full element sets, as before.
func (g *generator) similarPairs(uniq []*fp) []fpPair {
	s := g.p.Similarity
	prefixes := similarityPrefixes(uniq, s)
	index := make(map[int32][]int32)
	for r, pre := range prefixes {
		for _, e := range pre {
			index[e] = append(index[e], int32(r))
		}
	}
	seen := make([]int32, len(uniq)) // ra+1 once rb is a candidate of ra
	var touched []int32
	var pairs []fpPair
	bound := 1 - s
	for ra, a := range uniq {
		touched = touched[:0]
		for _, e := range prefixes[ra] {
			for _, rb := range index[e] {
				if int(rb) > ra && seen[rb] != int32(ra)+1 {
					seen[rb] = int32(ra) + 1
					touched = append(touched, rb)
				}
			}
		}
		slices.Sort(touched)
		for _, rb := range touched {
			b := uniq[rb]
			l, l2 := len(a.elems), len(b.elems)
			if !g.sizeCompatible(l, l2, bound) {
				continue
			}
			if jaccard(countCommon(a.elems, b.elems), l, l2) >= s {
				pairs = append(pairs, fpPair{int32(ra), rb})
			}
		}
	}
	return pairs
}

// similarityPrefixes returns, per fingerprint, its first l-t+1 elements in
// order of increasing frequency over uniq (ties by element), t the least
// number of elements it shares with any fingerprint whose Jaccard index
// with it is at least s (0 < s < 1). t is taken a hair low, so that no
// pair the float comparison of similarPairs accepts is missed.
func similarityPrefixes(uniq []*fp, s float64) [][]int32 {
	freq := make(map[int32]int32)
	for _, f := range uniq {
		for _, e := range f.elems {
			freq[e]++
		}
	}
	out := make([][]int32, len(uniq))
	for r, f := range uniq {
		l := len(f.elems)
		t := max(int(math.Ceil(s*float64(l)*(1-1e-12))), 1)
		byFreq := slices.Clone(f.elems)
		slices.SortFunc(byFreq, func(x, y int32) int {
			if c := cmp.Compare(freq[x], freq[y]); c != 0 {
				return c
			}
			return cmp.Compare(x, y)
		})
		out[r] = byFreq[:max(l-t+1, 0)]
	}
	return out
}

// applyMerges merges the pairs in order, each pair's current fingerprints
// into their union, and replaces the merged fingerprints in out.
func applyMerges(uniq []*fp, pairs []fpPair, out []*fp) {
	mapping := make(map[string]*fp)
	get := func(f *fp) *fp {
		if m, ok := mapping[f.key]; ok {
			return m
		}
		return f
	}
	for _, p := range pairs {
		a, b := uniq[p.a], uniq[p.b]
		ma, mb := get(a), get(b)
		m := newFP(unionSorted(ma.elems, mb.elems), ma.n+mb.n)
		mapping[a.key] = m
		mapping[b.key] = m
	}
	for i, f := range out {
		if f == nil {
			continue
		}
		if m, ok := mapping[f.key]; ok {
			out[i] = m
		}
	}
}

// sizeCompatible reports whether fingerprints of sizes l <= l2 are compared
// for merging.
func (g *generator) sizeCompatible(l, l2 int, bound float64) bool {
	if l == l2 {
		return true
	}
	r := float64(l2-l) / float64(max(l2, 1))
	if g.p.MergeBoundExact {
		return r <= bound+1e-12
	}
	return r <= bound
}
