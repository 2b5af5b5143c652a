package flowprint

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// allSimilarPairs is similarPairs without the prefix filter: every pair
// sharing an element is checked.
func (g *generator) allSimilarPairs(uniq []*fp) []fpPair {
	var pairs []fpPair
	for ra, a := range uniq {
		for rb := ra + 1; rb < len(uniq); rb++ {
			b := uniq[rb]
			inter := len(intersectSorted(a.elems, b.elems))
			if inter == 0 || !g.sizeCompatible(len(a.elems), len(b.elems), 1-g.p.Similarity) {
				continue
			}
			if jaccard(inter, len(a.elems), len(b.elems)) >= g.p.Similarity {
				pairs = append(pairs, fpPair{int32(ra), int32(rb)})
			}
		}
	}
	return pairs
}

// TestSimilarPairsPrefixFilter: the prefix-filtered join finds exactly
// the pairs of the all-pairs check, on fingerprints that share a few very
// common elements and many rare ones, at thresholds that make ceil(s*l)
// exact for some sizes, with both bound modes.
func TestSimilarPairsPrefixFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 40 {
		uniq := make([]*fp, 0, 300)
		seen := map[string]bool{}
		for len(uniq) < 300 {
			var e []int32
			for k := range 3 { // common elements
				if rng.IntN(4) > 0 {
					e = append(e, int32(k))
				}
			}
			for range rng.IntN(6) {
				e = append(e, int32(3+rng.IntN(40)))
			}
			slices.Sort(e)
			e = slices.Compact(e)
			f := newFP(e, 1+rng.IntN(5))
			if len(e) == 0 || seen[f.key] {
				continue
			}
			seen[f.key] = true
			uniq = append(uniq, f)
		}
		slices.SortFunc(uniq, compareFP)
		for _, s := range []float64{0.1, 0.25, 0.5, 0.6, 2.0 / 3, 0.8, 0.95} {
			p := DefaultParams()
			p.Similarity = s
			p.MergeBoundExact = trial%2 == 1
			g := &generator{p: p}
			want := g.allSimilarPairs(uniq)
			if got := g.similarPairs(uniq); !reflect.DeepEqual(got, want) {
				t.Fatalf("trial %d, similarity %v: %d pairs, want %d", trial, s, len(got), len(want))
			}
		}
	}
}
