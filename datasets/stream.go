package datasets

// convKey identifies a conversation: the unordered pair of address and
// port endpoints. The endpoint that sorts first is stored in a/pa.
type convKey struct {
	a, b   [16]byte
	pa, pb uint16
	v6     bool
}

// makeKey returns the conversation key of h and the direction of h within
// it (0 when h goes from the first endpoint to the second).
func makeKey(h *header) (convKey, int) {
	var k convKey
	src, dst := h.src.As16(), h.dst.As16()
	k.v6 = h.src.Is6()
	sp, dp := h.sport, h.dport
	dir := 0
	if c := compare16(src, dst); c > 0 || (c == 0 && sp > dp) {
		src, dst, sp, dp = dst, src, dp, sp
		dir = 1
	}
	k.a, k.b, k.pa, k.pb = src, dst, sp, dp
	return k, dir
}

func compare16(a, b [16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// tcpConv is the state of one TCP conversation.
type tcpConv struct {
	id      int64
	base    [2]uint32 // base sequence number per direction
	baseSet [2]bool
	synTime int64     // time of the last SYN without ACK
	synDir  int       // its direction
	rtt     int64     // SYN to the first ACK from the same side; 0 until known
	lastAck [2]uint32 // highest acknowledgement number sent per direction
	ackSet  [2]bool
	socks   bool // a SOCKS connect reply was seen
	tls     [2]tlsDir
}

// streamTable numbers conversations the way tshark 4.0 does and runs the
// per-direction TLS extraction of TCP conversations.
//
// UDP: one index per conversation, in order of first appearance.
//
// TCP: the same, except that a SYN without ACK on an existing conversation
// starts a new conversation (with the next index) when its sequence number
// differs from the base sequence number of its direction (port reuse). As
// in tshark 4.0, the base of a direction is the sequence number of its
// SYN, or one less than the first sequence number seen in it, or one less
// than the first acknowledgement number seen from the other direction,
// whichever comes first. A repeated SYN with the same sequence number is a
// retransmission and keeps the index; a FIN or RST does not matter.
// As tshark's SOCKS dissector does, a SOCKS connect reply from port 1080
// uses up one extra TCP index (for the proxied connection).
type streamTable struct {
	tcp              map[convKey]*tcpConv
	udp              map[convKey]int64
	nextTCP, nextUDP int64

	tlsOn     bool
	bufSize   int
	abandoned int64
	free      [][]byte // buffers of finished TLS directions, for reuse
	cert      []byte   // the current packet's certificate

	quic      map[convKey]*quicConn // client Initial state per UDP conversation
	quicHdr   []byte                // scratch: unprotected QUIC header
	quicPlain []byte                // scratch: decrypted QUIC payload
	quicSNI   []byte                // scratch: server name found in QUIC

	// onTLS, when set (by tests), is told about every server name (typ 1)
	// and certificate (typ 11) found, even those that do not make it onto
	// a record because the packet already carries one.
	onTLS func(typ byte, value []byte)
}

func (t *streamTable) init(tlsOn bool, bufSize int) {
	t.tcp = make(map[convKey]*tcpConv)
	t.udp = make(map[convKey]int64)
	t.tlsOn = tlsOn
	t.bufSize = bufSize
}

// conv returns the TCP conversation of h, creating it (and handling port
// reuse) as tshark does.
func (t *streamTable) conv(h *header) (*tcpConv, int) {
	k, dir := makeKey(h)
	c := t.tcp[k]
	if c != nil && h.flags&(tcpSYN|tcpACK) == tcpSYN && c.baseSet[dir] && h.seq != c.base[dir] {
		t.release(&c.tls[0])
		t.release(&c.tls[1])
		c = nil
	}
	if c == nil {
		c = &tcpConv{id: t.nextTCP}
		t.nextTCP++
		t.tcp[k] = c
	}
	if h.flags&tcpSYN != 0 {
		c.base[dir] = h.seq
		c.baseSet[dir] = true
	} else if !c.baseSet[dir] {
		// tshark's base sequence number: the SYN's, or one before the
		// first sequence number seen.
		c.base[dir] = h.seq - 1
		c.baseSet[dir] = true
	}
	if h.flags&tcpACK != 0 && !c.baseSet[1-dir] {
		// The other direction's base, one before the acknowledged number.
		c.base[1-dir] = h.ack - 1
		c.baseSet[1-dir] = true
	}
	return c, dir
}

// timing measures the connection's first round-trip time as tshark does:
// from a SYN to the next ACK from the same side.
func (c *tcpConv) timing(h *header, dir int, now int64) {
	switch {
	case h.flags&(tcpSYN|tcpACK) == tcpSYN:
		c.synTime, c.synDir = now, dir
	case c.rtt == 0 && c.synTime != 0 && dir == c.synDir && h.flags&(tcpSYN|tcpACK) == tcpACK:
		c.rtt = max(now-c.synTime, 1)
	}
	if h.flags&tcpACK != 0 && (!c.ackSet[dir] || int32(h.ack-c.lastAck[dir]) > 0) {
		c.lastAck[dir], c.ackSet[dir] = h.ack, true
	}
}

// spurious reports whether a data segment only holds bytes that the other
// side has already acknowledged: tshark calls it a spurious retransmission
// and does not hand it to TLS.
func (c *tcpConv) spurious(h *header, dir int) bool {
	if len(h.payload) == 0 || h.flags&tcpSYN != 0 || !c.ackSet[1-dir] {
		return false
	}
	return int32(h.seq+uint32(len(h.payload))-c.lastAck[1-dir]) <= 0
}

// oooThreshold is how soon after the segment with the highest sequence
// number a late segment must come for tshark to take it as out of order
// (and use its bytes) rather than as a retransmission (and ignore them):
// the first round-trip time, or 3 ms while it is unknown.
func (c *tcpConv) oooThreshold() int64 {
	if c.rtt > 0 {
		return c.rtt
	}
	return 3e6
}

// note registers the conversation of a TCP or UDP header inside a tunnel,
// which tshark numbers too, without producing a record.
func (t *streamTable) note(h *header) {
	if h.proto == TCP {
		t.conv(h)
		return
	}
	t.udpID(h)
}

func (t *streamTable) udpID(h *header) int64 {
	k, _ := makeKey(h)
	id, ok := t.udp[k]
	if !ok {
		id = t.nextUDP
		t.nextUDP++
		t.udp[k] = id
	}
	return id
}

// packet returns the stream index of h and, for TCP, feeds its payload to
// the TLS extraction, which may set p.Cert and p.SNI.
func (t *streamTable) packet(h *header, p *Packet) int64 {
	if h.proto != TCP {
		if t.tlsOn && isQUICInitial(h.payload) {
			k, _ := makeKey(h)
			if sni, ok := t.quicDatagram(k, h.payload); ok {
				if t.onTLS != nil {
					t.onTLS(1, sni)
				}
				p.SNI = string(sni)
			}
		}
		return t.udpID(h)
	}
	c, dir := t.conv(h)
	c.timing(h, dir, p.Time)
	if h.sport == 1080 && !c.socks && socksReply(h.payload) {
		// tshark's SOCKS dissector takes one more TCP stream index for
		// the proxied connection when the proxy grants it.
		c.socks = true
		t.nextTCP++
	}
	if t.tlsOn && !c.spurious(h, dir) {
		t.segment(&c.tls[dir], h, p, c.oooThreshold())
	}
	return c.id
}

// socksReply reports whether a payload from a SOCKS server (port 1080) is
// a SOCKS4 "request granted" or a SOCKS5 "succeeded" connect reply.
func socksReply(b []byte) bool {
	switch {
	case len(b) == 8 && b[0] == 0 && b[1] == 0x5a:
		return true
	case len(b) >= 10 && b[0] == 5 && b[1] == 0 && b[2] == 0 && (b[3] == 1 || b[3] == 3 || b[3] == 4):
		return true
	}
	return false
}

// getBuf returns an empty buffer for TLS reassembly.
func (t *streamTable) getBuf() []byte {
	if n := len(t.free); n > 0 {
		b := t.free[n-1]
		t.free = t.free[:n-1]
		return b[:0]
	}
	return make([]byte, 0, 4096)
}

// release ends TLS parsing in a direction and recycles its buffers.
func (t *streamTable) release(d *tlsDir) {
	d.state = tlsDone
	for _, b := range [...][]byte{d.rec, d.hs, d.ooo.buf} {
		if b != nil && len(t.free) < 64 {
			t.free = append(t.free, b[:0])
		}
	}
	d.rec, d.hs, d.ooo = nil, nil, rangeBuf{}
}
