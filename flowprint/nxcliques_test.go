package flowprint

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestNxCliquesOrder: the clique order equals networkx's find_cliques on
// a graph of 24 window-set nodes. The expected order was obtained once by
// running find_cliques (its code is unchanged since networkx 2.8.8) under
// CPython 3.11 on this graph (drawn with random.Random(7); nodes
// frozenset(windows) added in list order, then the edges in (i, j)
// order, as the reference builds its graph).
func TestNxCliquesOrder(t *testing.T) {
	windows := [][]int32{{9, 25, 41}, {4}, {3, 6, 23, 37, 58}, {2, 5, 13, 26, 27}, {15}, {35}, {3, 7, 36, 52}, {37, 40}, {36}, {2, 3, 14, 25, 35}, {18, 26}, {7, 34}, {11, 19, 35, 43, 52}, {37}, {6, 12, 23, 35, 40}, {3, 4, 13, 31, 36, 39}, {20, 27, 29, 34, 37, 49}, {15, 19, 23, 50}, {44, 49}, {5, 36}, {31, 33, 56}, {18, 28, 46}, {4, 7, 10, 26, 32}, {9, 31, 59}}
	edges := [][2]int32{{0, 1}, {0, 3}, {0, 7}, {0, 8}, {0, 11}, {0, 12}, {0, 13}, {0, 15}, {0, 17}, {0, 20}, {0, 23}, {1, 3}, {1, 6}, {1, 7}, {1, 9}, {1, 12}, {1, 13}, {1, 14}, {1, 15}, {1, 16}, {1, 21}, {1, 22}, {1, 23}, {2, 3}, {2, 5}, {2, 7}, {2, 8}, {2, 9}, {2, 12}, {2, 13}, {2, 23}, {3, 4}, {3, 6}, {3, 7}, {3, 9}, {3, 10}, {3, 12}, {3, 17}, {3, 18}, {3, 19}, {4, 5}, {4, 9}, {4, 10}, {4, 16}, {4, 18}, {4, 22}, {5, 6}, {5, 10}, {5, 11}, {5, 18}, {5, 19}, {5, 20}, {5, 22}, {6, 11}, {6, 13}, {6, 16}, {6, 18}, {6, 19}, {6, 21}, {7, 9}, {7, 11}, {7, 14}, {7, 15}, {7, 17}, {7, 19}, {7, 21}, {8, 11}, {8, 12}, {8, 14}, {8, 22}, {9, 10}, {9, 13}, {9, 15}, {9, 17}, {9, 19}, {9, 20}, {9, 23}, {10, 13}, {10, 21}, {10, 22}, {11, 16}, {11, 17}, {11, 19}, {11, 20}, {12, 15}, {12, 16}, {12, 17}, {12, 18}, {12, 20}, {12, 22}, {12, 23}, {13, 16}, {13, 17}, {13, 21}, {14, 18}, {14, 19}, {14, 20}, {14, 21}, {14, 22}, {15, 16}, {15, 17}, {15, 18}, {15, 19}, {15, 23}, {16, 17}, {16, 18}, {16, 21}, {16, 23}, {17, 19}, {17, 22}, {17, 23}, {18, 19}, {18, 20}, {18, 21}, {18, 22}, {19, 21}, {19, 23}, {20, 22}, {21, 22}, {22, 23}}
	want := "[[10 4 3 9] [10 4 22 5] [10 21 22] [10 21 13] [10 13 9] [20 9] [20 22 18 12] [20 22 18 14] [20 22 18 5] [20 0 12] [20 0 11] [20 11 5] [11 16 6] [11 16 17] [11 19 5 6] [11 19 17 7] [11 0 7 17] [11 0 8] [19 5 6 18] [19 6 18 21] [19 6 18 3] [19 23 17 15 9] [19 18 14 21] [19 18 15] [19 7 14 21] [19 7 9 17 3] [19 7 9 17 15] [2 12 3] [2 12 23] [2 12 8] [2 5] [2 9 3 7] [2 9 23] [2 9 13] [8 12 22] [8 12 0] [8 14 22] [18 16 12 15] [18 16 4] [18 16 21 6] [18 4 3] [18 4 22 5] [18 22 21 14] [18 12 3] [1 3 0 12] [1 3 0 7] [1 3 6] [1 3 9 7] [1 16 12 23 15] [1 16 21 6 13] [1 9 15 7] [1 9 15 23] [1 9 13] [1 14 21 22] [1 14 21 7] [1 22 12 23] [1 0 15 12 23] [1 0 15 7] [1 0 13] [17 12 3 0] [17 12 23 22] [17 12 23 15 16] [17 12 23 15 0] [17 7 0 3] [17 7 0 15] [17 9 13] [17 13 16] [17 13 0]]"
	hash := make([]uint64, len(windows))
	for i, w := range windows {
		hash[i] = pyFrozensetHash(w)
	}
	adj := make([][]int32, len(windows))
	for _, e := range edges {
		adj[e[0]] = append(adj[e[0]], e[1])
		adj[e[1]] = append(adj[e[1]], e[0])
	}
	for i := range adj {
		slices.Sort(adj[i])
	}
	var got [][]int32
	nxCliques(hash, adj, func(q []int32) { got = append(got, slices.Clone(q)) })
	if s := fmt.Sprint(got); s != want {
		t.Errorf("clique order\n got %s\nwant %s", s, want)
	}
}

// randomGraph returns a random graph on n nodes with distinct random
// window sets, its node hashes and sorted adjacency lists.
func randomGraph(rng *rand.Rand, n int, density float64) (windows [][]int32, hash []uint64, adj [][]int32) {
	seen := make(map[string]bool)
	for len(windows) < n {
		var w []int32
		for range 1 + rng.IntN(8) {
			w = append(w, int32(rng.IntN(200)))
		}
		slices.Sort(w)
		w = slices.Compact(w)
		if k := fmt.Sprint(w); !seen[k] {
			seen[k] = true
			windows = append(windows, w)
			hash = append(hash, pyFrozensetHash(w))
		}
	}
	adj = make([][]int32, n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < density {
				adj[i] = append(adj[i], int32(j))
				adj[j] = append(adj[j], int32(i))
			}
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
	}
	return windows, hash, adj
}

// TestNxCliquesSetModes: sets with and without membership bit sets give
// the same clique order, and it holds the same cliques as maximalCliques.
func TestNxCliquesSetModes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 60 {
		n, density := 1+rng.IntN(30), rng.Float64()
		if trial%10 == 0 { // large sets: tables of several resizes
			n, density = 400, 0.05
		}
		_, hash, adj := randomGraph(rng, n, density)
		var withBits, withoutBits []string
		nxCliquesOn(newPySets(hash), adj, nil, func(q []int32) { withBits = append(withBits, fmt.Sprint(q)) })
		nxCliquesOn(&pySets{hash: hash}, adj, nil, func(q []int32) { withoutBits = append(withoutBits, fmt.Sprint(q)) })
		if !slices.Equal(withBits, withoutBits) {
			t.Fatalf("trial %d: order with bit sets %v, without %v", trial, withBits, withoutBits)
		}
		sorted := func(add func(func([]int32))) []string {
			var out []string
			add(func(q []int32) {
				s := slices.Clone(q)
				slices.Sort(s)
				out = append(out, fmt.Sprint(s))
			})
			slices.Sort(out)
			return out
		}
		a := sorted(func(f func([]int32)) { nxCliques(hash, adj, f) })
		b := sorted(func(f func([]int32)) { maximalCliques(adj, f) })
		if !slices.Equal(a, b) {
			t.Fatalf("trial %d: networkx order holds %v, Bron-Kerbosch finds %v", trial, a, b)
		}
	}
}

// TestNxCliqueOrder: the positions nxCliqueOrder gives a subset of the
// maximal cliques follow their order in the full enumeration.
func TestNxCliqueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for trial := range 60 {
		_, hash, adj := randomGraph(rng, 1+rng.IntN(30), rng.Float64())
		var all [][]int32
		nxCliques(hash, adj, func(q []int32) {
			s := slices.Clone(q)
			slices.Sort(s)
			all = append(all, s)
		})
		var pick [][]int32
		var want []int
		for i, c := range all {
			if rng.IntN(3) == 0 {
				pick = append(pick, c)
				want = append(want, i)
			}
		}
		// The positions must rank the picked cliques as want does.
		rng.Shuffle(len(pick), func(i, j int) { pick[i], pick[j] = pick[j], pick[i]; want[i], want[j] = want[j], want[i] })
		pick = append(pick, []int32{int32(len(adj))}) // no clique
		got := nxCliqueOrder(hash, adj, pick)
		if got[len(got)-1] != -1 {
			t.Fatalf("trial %d: a list that is no clique has position %d", trial, got[len(got)-1])
		}
		for i := range want {
			for j := range want {
				if (got[i] < got[j]) != (want[i] < want[j]) || got[i] < 0 {
					t.Fatalf("trial %d: %v at %d and %v at %d, enumerated at %d and %d", trial, pick[i], got[i], pick[j], got[j], want[i], want[j])
				}
			}
		}
	}
}

// TestCliqueWinners: each node's winner is, among the cliques of more
// than one cluster holding it, the greatest by (size, n_flows) and the
// last enumerated by networkx among equal ones (brute force over the full
// enumeration), with small sizes and flow counts so that ties are common.
func TestCliqueWinners(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	ties := 0
	for trial := range 100 {
		windows, hash, adj := randomGraph(rng, 1+rng.IntN(40), rng.Float64())
		n := len(adj)
		info := nodeInfo{elems: make([]int, n), flows: make([]int, n), clusters: make([]int, n), null: make([]bool, n)}
		for v := range n {
			info.clusters[v] = 1 + rng.IntN(2)
			info.elems[v] = info.clusters[v] + rng.IntN(2)
			info.flows[v] = info.clusters[v] + rng.IntN(2)
			info.null[v] = rng.IntN(3) == 0
		}
		want := make([]string, n+1)
		key := make([][2]int, n+1)
		nxCliques(hash, adj, func(q []int32) {
			ncl, size, flows, null := 0, 0, 0, false
			for _, v := range q {
				ncl += info.clusters[v]
				size += info.elems[v]
				flows += info.flows[v]
				null = null || info.null[v]
			}
			if ncl < 2 {
				return
			}
			if null {
				size++
			}
			s := slices.Clone(q)
			slices.Sort(s)
			for _, v := range append(slices.Clone(q), int32(n)) {
				if int(v) == n && !null {
					continue
				}
				k := [2]int{size, flows}
				if want[v] != "" && k == key[v] {
					ties++
				}
				if want[v] == "" || k[0] > key[v][0] || k[0] == key[v][0] && k[1] >= key[v][1] {
					want[v], key[v] = fmt.Sprint(s), k
				}
			}
		})
		best, null := cliqueWinners(windows, adj, info)
		str := func(c *clique) string {
			if c == nil {
				return ""
			}
			s := slices.Clone(c.nodes)
			slices.Sort(s)
			return fmt.Sprint(s)
		}
		for v := range n {
			if got := str(best[v]); got != want[v] {
				t.Fatalf("trial %d node %d: winner %s, want %s", trial, v, got, want[v])
			}
		}
		if got := str(null); got != want[n] {
			t.Fatalf("trial %d: NoCertificate winner %s, want %s", trial, got, want[n])
		}
	}
	if ties < 100 {
		t.Errorf("only %d ties: the test does not exercise tie breaking", ties)
	}
}
