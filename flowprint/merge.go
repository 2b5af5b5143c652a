package flowprint

import "slices"

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
func (g *generator) similarPairs(uniq []*fp) []fpPair {
	s := g.p.Similarity
	index := make(map[int32][]int32)
	for r, f := range uniq {
		for _, e := range f.elems {
			index[e] = append(index[e], int32(r))
		}
	}
	counts := make([]int32, len(uniq))
	var touched []int32
	var pairs []fpPair
	bound := 1 - s
	for ra, a := range uniq {
		touched = touched[:0]
		for _, e := range a.elems {
			for _, rb := range index[e] {
				if int(rb) <= ra {
					continue
				}
				if counts[rb] == 0 {
					touched = append(touched, rb)
				}
				counts[rb]++
			}
		}
		slices.Sort(touched)
		for _, rb := range touched {
			inter := int(counts[rb])
			counts[rb] = 0
			b := uniq[rb]
			l, l2 := len(a.elems), len(b.elems)
			if !g.sizeCompatible(l, l2, bound) {
				continue
			}
			if jaccard(inter, l, l2) >= s {
				pairs = append(pairs, fpPair{int32(ra), rb})
			}
		}
	}
	return pairs
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
