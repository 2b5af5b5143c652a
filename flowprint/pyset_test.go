package flowprint

import (
	"fmt"
	"slices"
	"testing"
)

// The expected values in this file are CPython's own results, obtained
// once with CPython 3.11 (hash() and set operations) on the inputs
// written beside them; hashes are printed as hash(x) & (2**64-1).

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
