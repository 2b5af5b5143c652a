package flowprint

import "math/bits"

// This file models the parts of CPython 3.11's set implementation
// (Objects/setobject.c) that decide the iteration and pop order of sets of
// graph nodes, so that the reference's clique enumeration order can be
// reproduced (see nxcliques.go). Only what that enumeration uses is
// modelled: construction by successive adds, copy, intersection,
// difference, remove and pop.
//
// A node of the reference's correlation graph is a frozenset of window
// indices. Its hash is pyFrozensetHash of those indices; neither int nor
// frozenset hashes are randomised by PYTHONHASHSEED, so the order is fixed.

const (
	pySetMinSize      = 8 // PySet_MINSIZE
	pyLinearProbes    = 9 // LINEAR_PROBES
	pyPerturbShift    = 5 // PERTURB_SHIFT
	pyHashModulus     = 1<<61 - 1
	pySlotEmpty       = -1 // key of a never-used slot (NULL)
	pySlotDummy       = -2 // key of a slot whose entry was removed (dummy)
	pyShuffleMul      = 3644798167
	pyShuffleXor      = 89869747
	pyFrozensetLenMul = 1927868237
)

// pyIntHash is CPython's hash of an int that fits in int64 (long_hash):
// the value modulo 2^61-1 with the sign kept, -1 mapped to -2, returned as
// the unsigned bit pattern the set table uses.
func pyIntHash(v int64) uint64 {
	neg := v < 0
	m := uint64(v)
	if neg {
		m = uint64(-v) // -MinInt64 wraps to 2^63, which is the magnitude
	}
	h := int64(m % pyHashModulus)
	if neg {
		h = -h
	}
	if h == -1 {
		h = -2
	}
	return uint64(h)
}

// pyShuffleBits is _shuffle_bits of frozenset_hash.
func pyShuffleBits(h uint64) uint64 {
	return ((h ^ pyShuffleXor) ^ (h << 16)) * pyShuffleMul
}

// pyFrozensetHash is CPython 3.11's hash of a frozenset of distinct ints
// (frozenset_hash): the xor of the shuffled element hashes, mixed with the
// size, dispersed, and -1 mapped to 590923713.
func pyFrozensetHash(elems []int32) uint64 {
	var h uint64
	for _, e := range elems {
		h ^= pyShuffleBits(pyIntHash(int64(e)))
	}
	h ^= (uint64(len(elems)) + 1) * pyFrozensetLenMul
	h ^= (h >> 11) ^ (h >> 25)
	h = h*69069 + 907133923
	if h == ^uint64(0) {
		h = 590923713
	}
	return h
}

// pySet is the table of a CPython set whose keys are node numbers; the
// hashes of the nodes are held by the pySets that made it. Slots hold a
// node, pySlotEmpty or pySlotDummy. bits, when the pySets keep bit sets,
// marks the nodes present (the table alone decides every order; bits only
// speeds up membership tests).
type pySet struct {
	slots  []int32
	bits   []uint64
	mask   uint64
	fill   int // active and dummy slots
	used   int // active slots
	finger uint64
}

// pySets makes and combines sets over nodes 0..len(hash)-1 whose hashes
// are given. With words > 0 every set also keeps a membership bit set of
// that many words; otherwise membership is looked up in the table. Slot
// arrays and bit sets of released sets are reused.
type pySets struct {
	hash     []uint64
	words    int
	free     [][]int32
	freeBits [][]uint64
}

// newPySets returns the set maker for nodes with the given hashes, with
// membership bit sets when there are at most maxBitsetNodes nodes.
func newPySets(hash []uint64) *pySets {
	ps := &pySets{hash: hash}
	if len(hash) <= maxBitsetNodes {
		ps.words = (len(hash) + 63) / 64
	}
	return ps
}

// table returns an all-empty slot array of the given power-of-two size.
func (ps *pySets) table(size int) []int32 {
	var t []int32
	for i := len(ps.free) - 1; i >= 0 && i >= len(ps.free)-4; i-- {
		if cap(ps.free[i]) >= size {
			t = ps.free[i][:size]
			ps.free[i] = ps.free[len(ps.free)-1]
			ps.free = ps.free[:len(ps.free)-1]
			break
		}
	}
	if t == nil {
		t = make([]int32, size)
	}
	for j := range t {
		t[j] = pySlotEmpty
	}
	return t
}

// release hands a set's storage back for reuse; s must not be used again.
func (ps *pySets) release(s *pySet) {
	if s.slots != nil {
		ps.free = append(ps.free, s.slots)
	}
	if s.bits != nil {
		ps.freeBits = append(ps.freeBits, s.bits)
	}
	*s = pySet{}
}

// empty returns a new empty set (make_new_set: PySet_MINSIZE slots).
func (ps *pySets) empty() *pySet {
	s := &pySet{slots: ps.table(pySetMinSize), mask: pySetMinSize - 1}
	if ps.words > 0 {
		if k := len(ps.freeBits); k > 0 {
			s.bits = ps.freeBits[k-1]
			ps.freeBits = ps.freeBits[:k-1]
			clear(s.bits)
		} else {
			s.bits = make([]uint64, ps.words)
		}
	}
	return s
}

// emptySlot returns the first never-used slot of hash h's probe sequence
// (set_insert_clean; also where set_add_entry stops in a table without
// dummies): slot h & mask, the next 9 slots when they do not wrap, then
// perturb >>= 5 and i = i*5 + 1 + perturb, and again.
func emptySlot(slots []int32, mask, h uint64) uint64 {
	perturb := h
	i := h & mask
	for {
		if slots[i] == pySlotEmpty {
			return i
		}
		if i+pyLinearProbes <= mask {
			for j := i + 1; j <= i+pyLinearProbes; j++ {
				if slots[j] == pySlotEmpty {
					return j
				}
			}
		}
		perturb >>= pyPerturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// lookup returns the slot of node x along its probe sequence (as
// set_lookkey: past dummies, up to the first never-used slot) and whether
// x is there.
func (ps *pySets) lookup(s *pySet, x int32) (uint64, bool) {
	mask := s.mask
	perturb := ps.hash[x]
	i := perturb & mask
	for {
		n := uint64(0)
		if i+pyLinearProbes <= mask {
			n = pyLinearProbes
		}
		for j := i; j <= i+n; j++ {
			switch s.slots[j] {
			case x:
				return j, true
			case pySlotEmpty:
				return j, false
			}
		}
		perturb >>= pyPerturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}

// contains reports whether node x is in s.
func (ps *pySets) contains(s *pySet, x int32) bool {
	if s.bits != nil {
		return s.bits[x>>6]&(1<<(uint(x)&63)) != 0
	}
	_, ok := ps.lookup(s, x)
	return ok
}

// add inserts node x (set_add_entry), growing the table when it is 3/5
// full. s must have no dummy slots: the enumeration only adds to sets it
// is building (construction, & and the non-copy case of -), so the reuse
// of dummy slots by set_add_entry is not modelled.
func (ps *pySets) add(s *pySet, x int32) {
	if ps.contains(s, x) {
		return
	}
	s.slots[emptySlot(s.slots, s.mask, ps.hash[x])] = x
	if s.bits != nil {
		s.bits[x>>6] |= 1 << (uint(x) & 63)
	}
	s.fill++
	s.used++
	if uint64(s.fill)*5 >= s.mask*3 {
		if s.used > 50000 {
			ps.resize(s, s.used*2)
		} else {
			ps.resize(s, s.used*4)
		}
	}
}

// resize rebuilds s with the smallest power-of-two table larger than
// minUsed, re-inserting the active entries in old slot order
// (set_table_resize).
func (ps *pySets) resize(s *pySet, minUsed int) {
	size := pySetMinSize
	for size <= minUsed {
		size <<= 1
	}
	old := s.slots
	s.slots = ps.table(size)
	s.mask = uint64(size - 1)
	for _, k := range old {
		if k >= 0 {
			s.slots[emptySlot(s.slots, s.mask, ps.hash[k])] = k
		}
	}
	s.fill = s.used
	ps.free = append(ps.free, old)
}

// remove turns the slot of node x, if present, into a dummy
// (set_discard_entry).
func (ps *pySets) remove(s *pySet, x int32) {
	if s.bits != nil && !ps.contains(s, x) {
		return
	}
	if i, ok := ps.lookup(s, x); ok {
		s.slots[i] = pySlotDummy
		s.used--
		if s.bits != nil {
			s.bits[x>>6] &^= 1 << (uint(x) & 63)
		}
	}
}

// pop removes and returns the first active slot at or after the finger,
// wrapping around, and moves the finger past it (set_pop). s must not be
// empty.
func (ps *pySets) pop(s *pySet) int32 {
	i := s.finger & s.mask
	for s.slots[i] < 0 {
		i = (i + 1) & s.mask
	}
	x := s.slots[i]
	s.slots[i] = pySlotDummy
	s.used--
	s.finger = i + 1
	if s.bits != nil {
		s.bits[x>>6] &^= 1 << (uint(x) & 63)
	}
	return x
}

// copy returns a copy of s (set_copy -> set_merge into a new set): one
// resize up front when s holds 5 or more entries, then a slot-for-slot
// copy when the sizes agree and s has no dummies, else a clean insert of
// s's entries in slot order.
func (ps *pySets) copy(s *pySet) *pySet {
	c := ps.empty()
	if s.used == 0 {
		return c
	}
	if uint64(s.used)*5 >= c.mask*3 {
		ps.resize(c, 2*s.used)
	}
	c.fill, c.used = s.used, s.used
	copy(c.bits, s.bits)
	if c.mask == s.mask && s.fill == s.used {
		copy(c.slots, s.slots)
		return c
	}
	for _, k := range s.slots {
		if k >= 0 {
			c.slots[emptySlot(c.slots, c.mask, ps.hash[k])] = k
		}
	}
	return c
}

// and returns a & b (set_intersection): a new set filled by iterating b,
// or a when b is the larger, and adding the elements the other holds.
func (ps *pySets) and(a, b *pySet) *pySet {
	if b.used > a.used {
		a, b = b, a
	}
	r := ps.empty()
	for _, k := range b.slots {
		if k >= 0 && ps.contains(a, k) {
			ps.add(r, k)
		}
	}
	return r
}

// andLen returns len(a & b) without building the set.
func (ps *pySets) andLen(a, b *pySet) int {
	if b.used > a.used {
		a, b = b, a
	}
	n := 0
	if a.bits != nil && b.bits != nil && ps.words <= b.used {
		for i, w := range a.bits {
			n += bits.OnesCount64(w & b.bits[i])
		}
		return n
	}
	for _, k := range b.slots {
		if k >= 0 && ps.contains(a, k) {
			n++
		}
	}
	return n
}

// sub returns a - b (set_difference): when a is more than four times as
// large as b, a copy of a with b's elements removed (dummies stay; the
// dummy clean-up of set_difference_update_internal cannot trigger since
// fewer than a quarter of the slots become dummies); otherwise a new set
// filled by iterating a and adding the elements b lacks.
func (ps *pySets) sub(a, b *pySet) *pySet {
	if a.used>>2 > b.used {
		r := ps.copy(a)
		for _, k := range b.slots {
			if k >= 0 {
				ps.remove(r, k)
			}
		}
		return r
	}
	r := ps.empty()
	for _, k := range a.slots {
		if k >= 0 && !ps.contains(b, k) {
			ps.add(r, k)
		}
	}
	return r
}

// each calls f with the nodes of s in iteration (slot) order.
func (s *pySet) each(f func(int32)) {
	for _, k := range s.slots {
		if k >= 0 {
			f(k)
		}
	}
}
