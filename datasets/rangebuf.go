package datasets

// rangeBuf reassembles bytes that arrive in pieces at any offset and in
// any order (IP fragments, TCP segments after a gap, QUIC CRYPTO frames):
// buf holds the bytes from offset 0, and have the ranges received, sorted,
// disjoint and merged where they touch. The bytes of holes are zero.
type rangeBuf struct {
	buf  []byte
	have [][2]int
}

// put stores data at offset off.
func (r *rangeBuf) put(off int, data []byte) {
	end := off + len(data)
	if n := len(r.buf); n < end {
		if cap(r.buf) < end {
			nb := make([]byte, end, max(end, 2*cap(r.buf), 2048))
			copy(nb, r.buf)
			r.buf = nb
		} else {
			r.buf = r.buf[:end]
			clear(r.buf[n:])
		}
	}
	copy(r.buf[off:end], data)
	r.have = addRange(r.have, off, end)
}

// prefix returns the length of the bytes received without a hole from
// offset 0.
func (r *rangeBuf) prefix() int {
	if len(r.have) == 0 || r.have[0][0] != 0 {
		return 0
	}
	return r.have[0][1]
}

// reset empties r, keeping its memory.
func (r *rangeBuf) reset() {
	r.buf, r.have = r.buf[:0], r.have[:0]
}

// drop removes the first n bytes (at most len(r.buf)); what follows moves
// to offset 0.
func (r *rangeBuf) drop(n int) {
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	have := r.have[:0]
	for _, h := range r.have {
		h[0], h[1] = max(h[0]-n, 0), h[1]-n
		if h[1] > 0 {
			have = append(have, h)
		}
	}
	r.have = have
	if len(r.have) == 0 {
		r.have = nil
	}
}

// addRange inserts [lo, hi) into a sorted list of disjoint ranges, merging
// ranges that overlap or touch.
func addRange(have [][2]int, lo, hi int) [][2]int {
	i := 0
	for i < len(have) && have[i][1] < lo {
		i++
	}
	j := i
	for j < len(have) && have[j][0] <= hi {
		lo, hi = min(lo, have[j][0]), max(hi, have[j][1])
		j++
	}
	if i == j {
		have = append(have, [2]int{})
		copy(have[i+1:], have[i:])
		have[i] = [2]int{lo, hi}
		return have
	}
	have[i] = [2]int{lo, hi}
	return append(have[:i+1], have[j:]...)
}
