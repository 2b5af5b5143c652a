package datasets

// IP fragment reassembly. tshark reassembles IPv4 and IPv6 fragments by
// default and dissects the transport header of the reassembled datagram on
// the frame that completes it; the other fragments show no TCP or UDP
// header. The reader does the same, with bounded memory: at most
// maxFragDatagrams datagrams are pending (the oldest is dropped to make
// room) and a datagram may not exceed 65535 bytes. As in tshark, fragments
// cut short by the snapshot length, and IPv4 fragments with a bad header
// checksum, are not reassembled; the payload of such a fragment at offset 0
// is decoded as it is.

const (
	maxFragDatagrams = 64
	maxFragSize      = 65535
)

// fragKey identifies the fragments of one datagram.
type fragKey struct {
	src, dst [16]byte
	id       uint32
	proto    uint8
	v6       bool
}

type fragEntry struct {
	key   fragKey
	data  rangeBuf
	total int // -1 until the last fragment is seen
}

// fragTable holds the datagrams being reassembled, oldest first.
type fragTable struct {
	pending []*fragEntry
	free    []*fragEntry
	done    *fragEntry // returned by the previous add; recycled on the next
}

// add stores one fragment (its payload starting at byte off of the
// datagram; more is the more-fragments flag) and returns the whole
// datagram payload when this fragment completes it. The slice is valid
// until the next call.
func (f *fragTable) add(k fragKey, off int, more bool, data []byte) ([]byte, bool) {
	if f.done != nil {
		f.free = append(f.free, f.done)
		f.done = nil
	}
	end := off + len(data)
	if end > maxFragSize || (more && len(data) == 0) {
		return nil, false
	}
	var e *fragEntry
	for _, p := range f.pending {
		if p.key == k {
			e = p
			break
		}
	}
	if e == nil {
		if len(f.pending) == maxFragDatagrams {
			f.free = append(f.free, f.pending[0])
			f.pending = append(f.pending[:0], f.pending[1:]...)
		}
		if n := len(f.free); n > 0 {
			e = f.free[n-1]
			f.free = f.free[:n-1]
		} else {
			e = &fragEntry{}
		}
		e.key, e.total = k, -1
		e.data.reset()
		f.pending = append(f.pending, e)
	}
	e.data.put(off, data)
	if !more {
		e.total = end
	}
	if have := e.data.have; e.total < 0 || len(have) != 1 || have[0][0] != 0 || have[0][1] < e.total {
		return nil, false
	}
	for i, p := range f.pending {
		if p == e {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			break
		}
	}
	f.done = e
	return e.data.buf[:e.total], true
}
