package flowprint

import (
	"math/bits"
	"slices"
)

// This file holds the operations on sorted sets of ids.

// sortUnique sorts s and removes duplicates, with a bitmap over the value
// range when that is small compared to len(s).
func sortUnique(s []int32, bitmap *[]uint64) []int32 {
	if len(s) < 32 {
		slices.Sort(s)
		return slices.Compact(s)
	}
	lo, hi := s[0], s[0]
	for _, v := range s {
		lo, hi = min(lo, v), max(hi, v)
	}
	span := int(hi) - int(lo) + 1
	if span > 16*len(s) {
		slices.Sort(s)
		return slices.Compact(s)
	}
	words := (span + 63) / 64
	if cap(*bitmap) < words {
		*bitmap = make([]uint64, words)
	}
	bm := (*bitmap)[:words]
	for _, v := range s {
		d := int(v - lo)
		bm[d>>6] |= 1 << (uint(d) & 63)
	}
	s = s[:0]
	for i, w := range bm {
		for w != 0 {
			s = append(s, lo+int32(i*64+bits.TrailingZeros64(w)))
			w &= w - 1
		}
		bm[i] = 0
	}
	return s
}

// unionSorted returns the union of the sorted sets a and b.
func unionSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// intersectSorted returns the intersection of the sorted sets a and b.
func intersectSorted(a, b []int32) []int32 {
	var out []int32
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// countCommon returns the number of elements common to the sorted sets a
// and b.
func countCommon(a, b []int32) int {
	n, j := 0, 0
	for _, v := range a {
		for j < len(b) && b[j] < v {
			j++
		}
		if j == len(b) {
			break
		}
		if b[j] == v {
			n++
		}
	}
	return n
}

// differenceSorted returns the elements of the sorted set a that are not in b.
func differenceSorted(a, b []int32) []int32 {
	var out []int32
	j := 0
	for _, v := range a {
		for j < len(b) && b[j] < v {
			j++
		}
		if j < len(b) && b[j] == v {
			continue
		}
		out = append(out, v)
	}
	return out
}
