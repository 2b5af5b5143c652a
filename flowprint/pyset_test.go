package flowprint

import (
	"fmt"
	"slices"
	"testing"
)

// The expected values in this file are CPython's own results, obtained
// once with CPython 3.11 (hash(), set operations and networkx's
// find_cliques, whose code is unchanged since networkx 2.8.8) on the
// inputs written beside them; hashes are printed as hash(x) & (2**64-1).

// TestPyHashes: int and frozenset hashes equal CPython's.
func TestPyHashes(t *testing.T) {
	ints := []struct {
		v    int64
		want uint64
	}{
		{0, 0}, {5, 5}, {1<<61 - 2, 1<<61 - 2}, {1<<61 - 1, 0}, {1 << 61, 1},
		{-1, 18446744073709551614}, {-2, 18446744073709551614},
		{-(1 << 61), 18446744073709551614}, {1<<63 - 1, 3}, {-1 << 63, 18446744073709551612},
	}
	for _, c := range ints {
		if got := pyIntHash(c.v); got != c.want {
			t.Errorf("hash(%d) = %d, want %d", c.v, got, c.want)
		}
	}
	sets := []struct {
		elems []int32
		want  uint64
	}{
		{[]int32{1, 2, 3}, 18174368672485334456},
		{[]int32{0}, 15742495351675783806},
		{[]int32{7, 2147483647}, 16985242380932979253},
		{[]int32{5, 1000000}, 4314647555121015354},
		{seq(0, 100), 4411996150312757951},
	}
	for _, c := range sets {
		if got := pyFrozensetHash(c.elems); got != c.want {
			t.Errorf("hash(frozenset(%v)) = %d, want %d", c.elems, got, c.want)
		}
		rev := slices.Clone(c.elems)
		slices.Reverse(rev)
		if pyFrozensetHash(rev) != c.want {
			t.Errorf("hash of %v depends on element order", c.elems)
		}
	}
}

func seq(lo, hi int32) []int32 {
	var s []int32
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// order lists a set's nodes in iteration order.
func order(s *pySet) string {
	var out []int32
	s.each(func(k int32) { out = append(out, k) })
	return fmt.Sprint(out)
}

// TestPySetOrder: iteration order after adds, resizes, copies, &, -,
// remove and pop equals CPython's for nodes frozenset({i, i+3}),
// i = 0..39.
func TestPySetOrder(t *testing.T) {
	hash := make([]uint64, 40)
	for i := range hash {
		hash[i] = pyFrozensetHash([]int32{int32(i), int32(i) + 3})
	}
	ps := newPySets(hash)
	build := func(lo, hi int32) *pySet {
		s := ps.empty()
		for _, k := range seq(lo, hi) {
			ps.add(s, k)
		}
		return s
	}
	a, b := build(0, 20), build(10, 40)
	c := ps.copy(a)
	ps.remove(c, 4)
	ps.remove(c, 7)
	e := build(0, 20)
	ps.remove(e, 3)
	var pops []int32
	for range 6 {
		pops = append(pops, ps.pop(e))
	}
	checks := []struct{ name, got, want string }{
		{"set(nodes[:20])", order(a), "[1 15 10 6 7 0 13 5 9 14 11 4 3 8 18 12 2 19 16 17]"},
		{"set(nodes[10:40])", order(b), "[15 24 22 25 27 38 10 37 23 32 13 31 14 11 26 30 35 34 39 33 28 18 12 36 19 16 17 29 21 20]"},
		{"a & b", order(ps.and(a, b)), "[15 18 12 10 19 16 13 17 14 11]"},
		{"b & a", order(ps.and(b, a)), "[15 18 12 10 19 16 13 17 14 11]"},
		{"a - set(nodes[5:15])", order(ps.sub(a, build(5, 15))), "[1 15 18 0 3 2 19 16 17 4]"},
		{"a - set(nodes[0:3])", order(ps.sub(a, build(0, 3))), "[15 3 10 6 8 18 7 12 19 16 13 17 5 9 14 11 4]"},
		{"a.copy()", order(ps.copy(a)), "[1 15 3 10 6 8 18 7 0 12 2 19 16 13 17 5 9 14 11 4]"},
		{"copy with dummies", order(ps.copy(c)), "[1 15 3 10 6 8 18 0 12 2 19 16 13 17 5 9 14 11]"},
		{"pops", fmt.Sprint(pops), "[1 15 10 6 7 0]"},
		{"after pops", order(e), "[13 5 9 14 11 4 8 18 12 2 19 16 17]"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}

// TestNxCliquesOrder: the clique order equals networkx find_cliques on a
// graph of 24 window-set nodes (CPython 3.11, random.Random(7): windows
// and edges as listed; nodes added in list order, edges in (i, j) order).
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
