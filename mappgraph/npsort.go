package mappgraph

import (
	"cmp"
	"slices"
)

// The reference orders destinations and edge rows with pandas
// sort_values(ascending=False), whose default kind is NumPy's "quicksort":
// an introsort that is not stable above 16 elements. Ties (equal packet
// counts, equal co-activity counts) are common, so the row order of the
// reference files depends on that exact algorithm. npArgsortDesc reproduces
// it: pandas' nargsort reverses the values, argsorts them ascending and
// reverses the result; the argsort is NumPy's aquicksort for int64
// (median-of-3 quicksort, insertion sort for partitions of at most 16
// elements, heapsort past the depth limit 2·floor(log2 n)), as in NumPy
// 1.19 to 1.24 without the AVX-512 dispatch of later releases.

// npArgsortDesc returns the permutation pandas' sort_values(ascending=False,
// kind="quicksort") applies to v.
func npArgsortDesc(v []int64, idx []int) []int {
	n := len(v)
	rev := make([]int64, n)
	for k := range rev {
		rev[k] = v[n-1-k]
	}
	s := npArgsort(rev, idx)
	// indexer = idxrev[s] = n-1-s[k], then reversed.
	for k := 0; k < n/2; k++ {
		s[k], s[n-1-k] = s[n-1-k], s[k]
	}
	for k := range s {
		s[k] = n - 1 - s[k]
	}
	return s
}

// npArgsortTimes is npArgsort for float64 keys, with shortcuts that give
// the same permutation: when all keys are distinct the sorted order is
// unique, so the identity (already sorted input, the usual case for
// capture times) or any correct sort will do; NumPy's algorithm is only
// run when there are ties.
func npArgsortTimes(v []float64, idx []int) []int {
	n := len(v)
	if cap(idx) < n {
		idx = make([]int, n)
	}
	idx = idx[:n]
	for i := range idx {
		idx[i] = i
	}
	// Length of the leading strictly increasing run.
	m := 1
	for m < n && v[m-1] < v[m] {
		m++
	}
	if m >= n {
		return idx
	}
	// Two strictly increasing runs (the reference's concatenation of
	// incoming and outgoing rows): merge them unless a value is shared.
	two := true
	for i := m + 1; i < n; i++ {
		if !(v[i-1] < v[i]) {
			two = false
			break
		}
	}
	if two {
		i, j, k := 0, m, 0
		for i < m && j < n {
			switch {
			case v[i] < v[j]:
				idx[k] = i
				i++
			case v[j] < v[i]:
				idx[k] = j
				j++
			default:
				return npArgsort(v, idx)
			}
			k++
		}
		for ; i < m; i, k = i+1, k+1 {
			idx[k] = i
		}
		for ; j < n; j, k = j+1, k+1 {
			idx[k] = j
		}
		return idx
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	for i := 1; i < n; i++ {
		if !(v[idx[i-1]] < v[idx[i]]) {
			return npArgsort(v, idx)
		}
	}
	return idx
}

// npArgsort is NumPy's aquicksort (int64, float64 without NaN, or any key
// compared by rank such as pandas' object sort of IP_port tuples): the
// permutation that sorts v ascending, with NumPy's tie order. idx is
// reused when large enough.
func npArgsort[T int64 | float64](v []T, idx []int) []int {
	n := len(v)
	if cap(idx) < n {
		idx = make([]int, n)
	}
	idx = idx[:n]
	for i := range idx {
		idx[i] = i
	}
	if n < 2 {
		return idx
	}
	const smallQuicksort = 15
	type span struct{ l, r, depth int }
	var stack []span
	depth := 0
	for m := n; m > 1; m >>= 1 {
		depth++
	}
	depth *= 2
	pl, pr := 0, n-1
	for {
		if depth < 0 {
			npAHeapsort(v, idx[pl:pr+1])
		} else {
			for pr-pl > smallQuicksort {
				pm := pl + (pr-pl)>>1
				if v[idx[pm]] < v[idx[pl]] {
					idx[pm], idx[pl] = idx[pl], idx[pm]
				}
				if v[idx[pr]] < v[idx[pm]] {
					idx[pr], idx[pm] = idx[pm], idx[pr]
				}
				if v[idx[pm]] < v[idx[pl]] {
					idx[pm], idx[pl] = idx[pl], idx[pm]
				}
				vp := v[idx[pm]]
				pi, pj := pl, pr-1
				idx[pm], idx[pj] = idx[pj], idx[pm]
				for {
					pi++
					for v[idx[pi]] < vp {
						pi++
					}
					pj--
					for vp < v[idx[pj]] {
						pj--
					}
					if pi >= pj {
						break
					}
					idx[pi], idx[pj] = idx[pj], idx[pi]
				}
				pk := pr - 1
				idx[pi], idx[pk] = idx[pk], idx[pi]
				depth--
				if pi-pl < pr-pi {
					stack = append(stack, span{pi + 1, pr, depth})
					pr = pi - 1
				} else {
					stack = append(stack, span{pl, pi - 1, depth})
					pl = pi + 1
				}
			}
			for pi := pl + 1; pi <= pr; pi++ {
				vi := idx[pi]
				vp := v[vi]
				pj := pi
				for pj > pl && vp < v[idx[pj-1]] {
					idx[pj] = idx[pj-1]
					pj--
				}
				idx[pj] = vi
			}
		}
		if len(stack) == 0 {
			return idx
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pl, pr, depth = top.l, top.r, top.depth
	}
}

// npAHeapsort is NumPy's aheapsort on the index slice a (1-based heap).
func npAHeapsort[T int64 | float64](v []T, a []int) {
	n := len(a)
	at := func(i int) *int { return &a[i-1] }
	for l := n >> 1; l > 0; l-- {
		tmp := *at(l)
		i, j := l, l<<1
		for j <= n {
			if j < n && v[*at(j)] < v[*at(j + 1)] {
				j++
			}
			if v[tmp] < v[*at(j)] {
				*at(i) = *at(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*at(i) = tmp
	}
	for n > 1 {
		tmp := *at(n)
		*at(n) = *at(1)
		n--
		i, j := 1, 2
		for j <= n {
			if j < n && v[*at(j)] < v[*at(j + 1)] {
				j++
			}
			if v[tmp] < v[*at(j)] {
				*at(i) = *at(j)
				i = j
				j += j
			} else {
				break
			}
		}
		*at(i) = tmp
	}
}
