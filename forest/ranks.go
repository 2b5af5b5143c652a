package forest

import "math"

// rankColumn holds the ranks of one column of a Matrix in the narrowest
// of four widths that fits its distinct values: 1 byte for at most 256, 2
// for at most 65,536, 3 (little-endian) for at most 1<<24, else 4.
// Exactly one of the slices is set.
type rankColumn struct {
	r8  []uint8
	r16 []uint16
	r24 []byte
	r32 []uint32
}

// wideRanks is the number of distinct values above which a column takes
// 4-byte ranks (a variable so that tests can reach that width).
var wideRanks = 1 << 24

// newRankColumn returns a column of rows ranks among distinct values.
func newRankColumn(rows, distinct int) rankColumn {
	switch {
	case distinct <= 1<<8:
		return rankColumn{r8: make([]uint8, rows)}
	case distinct <= 1<<16:
		return rankColumn{r16: make([]uint16, rows)}
	case distinct <= wideRanks:
		return rankColumn{r24: make([]byte, 3*rows)}
	}
	return rankColumn{r32: make([]uint32, rows)}
}

// width returns the bytes a rank takes.
func (c *rankColumn) width() int {
	switch {
	case c.r8 != nil:
		return 1
	case c.r16 != nil:
		return 2
	case c.r24 != nil:
		return 3
	}
	return 4
}

// at returns the rank of row i.
func (c *rankColumn) at(i int) uint32 {
	switch {
	case c.r8 != nil:
		return uint32(c.r8[i])
	case c.r16 != nil:
		return uint32(c.r16[i])
	case c.r24 != nil:
		return rank24(c.r24, i)
	}
	return c.r32[i]
}

// set sets the rank of row i.
func (c *rankColumn) set(i int, r uint32) {
	switch {
	case c.r8 != nil:
		c.r8[i] = uint8(r)
	case c.r16 != nil:
		c.r16[i] = uint16(r)
	case c.r24 != nil:
		c.r24[3*i], c.r24[3*i+1], c.r24[3*i+2] = byte(r), byte(r>>8), byte(r>>16)
	default:
		c.r32[i] = r
	}
}

func rank24(b []byte, i int) uint32 {
	b = b[3*i : 3*i+3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16
}

// partition puts the samples ss whose rank is at most cut first and
// returns how many they are.
func (c *rankColumn) partition(ss []int32, cut uint32) int32 {
	switch {
	case c.r8 != nil:
		return partitionBy(c.r8, ss, cut)
	case c.r16 != nil:
		return partitionBy(c.r16, ss, cut)
	case c.r24 != nil:
		return partition24(c.r24, ss, cut)
	}
	return partitionBy(c.r32, ss, cut)
}

// gather writes the keys rank<<32 | sample of the samples ss into xs and
// returns the smallest and largest rank.
func (c *rankColumn) gather(ss []int32, xs []uint64) (lo, hi uint32) {
	switch {
	case c.r8 != nil:
		return gatherBy(c.r8, ss, xs)
	case c.r16 != nil:
		return gatherBy(c.r16, ss, xs)
	case c.r24 != nil:
		return gather24(c.r24, ss, xs)
	}
	return gatherBy(c.r32, ss, xs)
}

// partitionBy puts the samples ss whose rank in col is at most cut first
// and returns how many they are.
func partitionBy[R uint8 | uint16 | uint32](col []R, ss []int32, cut uint32) int32 {
	lo, hi := 0, len(ss)-1
	for lo <= hi {
		if uint32(col[ss[lo]]) <= cut {
			lo++
		} else {
			ss[lo], ss[hi] = ss[hi], ss[lo]
			hi--
		}
	}
	return int32(lo)
}

// partition24 is partitionBy on 3-byte ranks.
func partition24(col []byte, ss []int32, cut uint32) int32 {
	lo, hi := 0, len(ss)-1
	for lo <= hi {
		if rank24(col, int(ss[lo])) <= cut {
			lo++
		} else {
			ss[lo], ss[hi] = ss[hi], ss[lo]
			hi--
		}
	}
	return int32(lo)
}

// gatherBy writes the keys rank<<32 | sample of the samples ss by their
// ranks in col into xs and returns the smallest and largest rank.
func gatherBy[R uint8 | uint16 | uint32](col []R, ss []int32, xs []uint64) (lo, hi uint32) {
	lo = math.MaxUint32
	for i, s := range ss {
		r := uint32(col[s])
		xs[i] = uint64(r)<<32 | uint64(uint32(s))
		lo = min(lo, r)
		hi = max(hi, r)
	}
	return lo, hi
}

// gather24 is gatherBy on 3-byte ranks.
func gather24(col []byte, ss []int32, xs []uint64) (lo, hi uint32) {
	lo = math.MaxUint32
	for i, s := range ss {
		r := rank24(col, int(s))
		xs[i] = uint64(r)<<32 | uint64(uint32(s))
		lo = min(lo, r)
		hi = max(hi, r)
	}
	return lo, hi
}
