package baseline

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"testing"

	"appbench/methods"
)

// randomDestinationSet fits a model on n training sets drawn from a
// universe of u destinations (small universes give many tied
// similarities); the first few destinations are in most sets, like the
// shared CDN and analytics servers of real traffic.
func randomDestinationSet(rng *rand.Rand, n, u, k int) (*DestinationSet, [][]netip.AddrPort) {
	d := &DestinationSet{p: DestinationSetParams{K: k, UnknownThreshold: 0.1}, workers: 1}
	d.ids = make(map[netip.AddrPort]int32)
	universe := make([]netip.AddrPort, u)
	for i := range universe {
		universe[i] = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 443)
		d.ids[universe[i]] = int32(i)
	}
	draw := func() []netip.AddrPort {
		var s []netip.AddrPort
		for i, ap := range universe {
			if (i < 3 && rng.IntN(10) < 8) || rng.IntN(u) < 4 {
				s = append(s, ap)
			}
		}
		return s
	}
	for i := 0; i < n; i++ {
		set := []int32{}
		for _, ap := range draw() {
			set = append(set, d.ids[ap])
		}
		d.sets = append(d.sets, set)
		d.labels = append(d.labels, fmt.Sprintf("app%d", rng.IntN(7)))
	}
	d.index()
	tests := make([][]netip.AddrPort, 300)
	for i := range tests {
		tests[i] = draw()
		if i%10 == 0 { // a destination no training sample has
			tests[i] = append(tests[i], netip.MustParseAddrPort("192.0.2.1:80"))
		}
	}
	return d, tests
}

// sortedPrediction is the rule of DestinationSet written the plain way:
// every training sample's Jaccard similarity, all of them sorted, the
// first K voting.
func sortedPrediction(d *DestinationSet, dst []netip.AddrPort) methods.Prediction {
	var nb []neighbour
	for t, set := range d.sets {
		inter := 0
		for _, ap := range dst {
			if id, ok := d.ids[ap]; ok && slices.Contains(set, id) {
				inter++
			}
		}
		if inter > 0 {
			nb = append(nb, neighbour{int32(t), float64(inter) / (float64(len(dst)) + float64(len(set)) - float64(inter))})
		}
	}
	if len(nb) == 0 {
		return methods.Prediction{Label: d.fallback, Unknown: d.p.UnknownThreshold > 0}
	}
	sort.Slice(nb, func(a, b int) bool {
		if nb[a].sim != nb[b].sim {
			return nb[a].sim > nb[b].sim
		}
		return nb[a].idx < nb[b].idx
	})
	return d.vote(nb[:min(d.p.K, len(nb))])
}

func TestDestinationSetNearestMatchesSort(t *testing.T) {
	for _, k := range []int{1, 3, 5, 50} {
		rng := rand.New(rand.NewPCG(uint64(k), 7))
		d, tests := randomDestinationSet(rng, 400, 12, k)
		counts := make([]int32, len(d.sets))
		for i, dst := range tests {
			got, want := d.predictOne(dst, counts), sortedPrediction(d, dst)
			if got != want {
				t.Fatalf("k=%d, test set %d %v: got %+v, want %+v", k, i, dst, got, want)
			}
		}
		if slices.ContainsFunc(counts, func(c int32) bool { return c != 0 }) {
			t.Fatalf("k=%d: scratch counters not left zeroed", k)
		}
	}
}

// BenchmarkDestinationSetPredict: test sets against 20,000 training sets
// that nearly all share a few destinations, as real traffic does.
func BenchmarkDestinationSetPredict(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	d, tests := randomDestinationSet(rng, 20000, 400, 3)
	counts := make([]int32, len(d.sets))
	b.ResetTimer()
	for b.Loop() {
		for _, dst := range tests {
			d.predictOne(dst, counts)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tests)), "ns/sample")
}
