package datasets

import "encoding/binary"

// tlsState is the progress of TLS parsing in one TCP direction.
type tlsState uint8

const (
	tlsUnknown tlsState = iota // no TLS record seen yet
	tlsActive                  // parsing plaintext TLS records
	tlsDone                    // nothing more to learn (or not TLS)
)

// tlsProbeSegments is how many payload segments of other data (an HTTP
// CONNECT or SOCKS exchange, say) may precede the first TLS record of a
// direction before the direction is taken for not TLS.
const tlsProbeSegments = 8

// maxTLSRecord is the largest TLS record (header included) accepted: the
// 2^14 bytes of plaintext plus 2048 bytes of expansion allowed to
// ciphertext.
const maxTLSRecord = 5 + 1<<14 + 2048

// tlsDir reassembles the TCP payload of one direction of a conversation
// and parses its TLS handshake records, to find the server name of a
// ClientHello and the first certificate of a Certificate message.
//
// Rules (chosen to match where tshark 4.0 reports these fields):
//
//   - A direction is taken for TLS when a payload segment that continues the
//     byte stream starts with a TLS record header (content type 20 to 24,
//     major version 3), on any port: tshark finds TLS by port (443, 8443,
//     ...) and heuristically elsewhere. Up to tlsProbeSegments segments of
//     other data may come first (an HTTP CONNECT, SOCKS or STARTTLS
//     exchange); after that the direction is given up. On ports that tshark
//     gives to other protocols (tlsClaimedPort) TLS is only found after such
//     an upgrade, never in the first payload.
//   - Records are reassembled across segments; a handshake message is
//     reassembled across records. The field is put on the packet whose
//     payload completes the record that ends the message, as tshark reports
//     reassembled PDUs on the segment that completes them.
//   - Retransmitted bytes are skipped and overlapping segments contribute
//     only their new bytes. Reordered and lost segments are handled as
//     tshark handles them (see outOfOrder): a record with missing bytes is
//     lost, parsing resumes at its end. A gap before the first TLS record
//     restarts the search for one there. The data of a reset (RST) and
//     segments the peer has already acknowledged (spurious retransmissions)
//     are not used. Data on a SYN (TCP Fast Open) is.
//   - Parsing ends at the first application-data record after a handshake
//     message: what follows is encrypted (the TLS 1.3 Certificate message is
//     never visible). After a ChangeCipherSpec record, handshake records are
//     encrypted too and are skipped, except a whole ClientHello (the second
//     ClientHello after a TLS 1.3 HelloRetryRequest). A record that is not
//     valid TLS ends parsing.
//   - When one packet completes several ClientHellos or Certificate
//     messages, the first one's value is reported (tshark lists them all).
//
// These rules were checked against tshark 4.0.17 on the shared captures and
// on synthetic captures with reordered, lost and repeated segments (see
// TestCaptureMatchesTshark and TestCaptureTLSEdgeCases).
type tlsDir struct {
	state     tlsState
	started   bool     // next is valid
	probes    uint8    // non-TLS segments seen before the first record
	ccs       bool     // a ChangeCipherSpec record was seen
	handshake bool     // a handshake message was parsed
	next      uint32   // next sequence number to parse
	max       uint32   // highest sequence number seen, plus one
	maxTime   int64    // when max was last raised
	ooo       rangeBuf // bytes received beyond a gap, from next on
	rec       []byte   // the part of a record received so far
	hs        []byte   // the part of a handshake message received so far
}

// segment feeds one TCP segment of the direction d.
func (t *streamTable) segment(d *tlsDir, h *header, p *Packet, oooThreshold int64) {
	if d.state == tlsDone {
		return
	}
	data, seq := h.payload, h.seq
	if h.flags&tcpRST != 0 {
		return // tshark does not hand the data of a reset to TLS
	}
	if h.flags&tcpSYN != 0 {
		// The SYN takes one sequence number; data on it (TCP Fast Open)
		// follows.
		seq++
		if !d.started {
			d.next = seq
			d.started = true
		}
	}
	if len(data) == 0 {
		return
	}
	if !d.started {
		d.next, d.max = seq, seq
		d.started = true
	}
	if d.state == tlsActive && (seq != d.next || len(d.ooo.have) > 0) {
		t.outOfOrder(d, seq, data, p, oooThreshold)
		return
	}
	switch diff := int32(seq - d.next); {
	case diff > 0: // gap before TLS was seen: start over there
		d.next = seq
	case diff < 0: // retransmission or overlap
		if int(-diff) >= len(data) {
			return
		}
		data = data[-diff:]
	}
	d.next += uint32(len(data))
	d.max, d.maxTime = d.next, p.Time
	if d.state == tlsUnknown {
		if d.probes == 0 && (tlsClaimedPort(h.sport) || tlsClaimedPort(h.dport)) &&
			(tlsRecordStart(data) || tlsRecordPrefix(data)) {
			// tshark hands this port to another dissector, which finds
			// TLS only after an upgrade (CONNECT, SOCKS, STARTTLS).
			t.release(d)
			return
		}
		if !tlsRecordStart(data) && !tlsRecordPrefix(data) {
			d.probes++
			if d.probes >= tlsProbeSegments {
				t.release(d)
			}
			return
		}
		d.state = tlsActive
	}
	t.feed(d, data, p)
}

// outOfOrder handles a segment of an active direction that does not simply
// continue the byte stream: a retransmission, a segment after a gap, or a
// late segment that fills a gap. It follows what tshark 4.0 was measured to
// do:
//
//   - New bytes are kept in d.ooo (offsets from d.next, at most bufSize
//     bytes ahead) until they can be parsed in order.
//   - A late segment that fills a gap is used only if it comes within
//     oooThreshold of the segment with the highest sequence number (out of
//     order); later it is a retransmission, whose bytes are ignored. Its
//     bytes are parsed with the next segment that continues the highest
//     sequence number, not on it.
//   - When bytes inside a record are missing but the record's header (and
//     so its end) is known, the record is lost and parsing resumes at its
//     end with the bytes that follow.
//   - A segment after a gap outside the current record is parsed on its
//     own if it starts with a record header; otherwise TLS parsing ends for
//     the direction.
func (t *streamTable) outOfOrder(d *tlsDir, seq uint32, data []byte, p *Packet, oooThreshold int64) {
	end := seq + uint32(len(data))
	if int32(end-d.next) <= 0 {
		return // nothing new
	}
	inOrder := seq == d.max
	gap := int32(seq-d.max) > 0
	if int32(seq-d.max) < 0 && p.Time-d.maxTime >= oooThreshold {
		return // a retransmission for tshark: its bytes are not used
	}
	if gap {
		n := 0
		if len(d.rec) >= 5 {
			n = recordLen(d.rec)
		}
		if recStart := d.next - uint32(len(d.rec)); n == 0 || int32(seq-recStart) >= int32(n) {
			// Not inside the current record: start over here if a
			// record starts here.
			if !tlsRecordStart(data) {
				t.abandoned++
				t.release(d)
				return
			}
			d.rec, d.hs = d.rec[:0], d.hs[:0]
			d.ooo.buf, d.ooo.have = d.ooo.buf[:0], nil
			d.next, d.max, d.maxTime = end, end, p.Time
			t.feed(d, data, p)
			return
		}
	}
	if int32(seq-d.next) < 0 {
		data = data[d.next-seq:]
		seq = d.next
	}
	off := int(seq - d.next)
	if off+len(data) > t.bufSize {
		t.abandoned++
		t.release(d)
		return
	}
	if d.ooo.buf == nil {
		d.ooo.buf = t.getBuf()
	}
	d.ooo.put(off, data)
	if int32(end-d.max) > 0 {
		d.max, d.maxTime = end, p.Time
	}
	if !inOrder && !gap {
		return // a late segment: stored for later
	}
	for d.state == tlsActive && len(d.ooo.have) > 0 {
		if d.ooo.have[0][0] == 0 && inOrder {
			t.deliver(d, d.ooo.have[0][1], true, p)
			continue
		}
		// Bytes are missing inside the current record: if its end is
		// known and received, drop the record and resume there.
		if len(d.rec) < 5 {
			return
		}
		o := recordLen(d.rec) - len(d.rec) // end of the record, from d.next
		k := -1
		for i, r := range d.ooo.have {
			if r[0] <= o && o < r[1] {
				k = i
			}
		}
		if k < 0 {
			return
		}
		d.rec = d.rec[:0]
		d.hs = d.hs[:0]
		t.deliver(d, o, false, p)
		inOrder = true
	}
}

// deliver parses (parse true) or drops the first n bytes of d.ooo and
// moves d.next past them.
func (t *streamTable) deliver(d *tlsDir, n int, parse bool, p *Packet) {
	d.next += uint32(n)
	if parse {
		t.feed(d, d.ooo.buf[:n], p)
		if d.state != tlsActive {
			return
		}
	}
	d.ooo.drop(n)
}

// tlsClaimedPort reports whether tshark 4.0 gives a TCP port to a
// dissector that does not look for TLS in the first bytes of a
// conversation (HTTP and proxy ports, SSH, DNS, mail before STARTTLS, ...).
// The list was measured by sending a ClientHello to many ports and reading
// the result with tshark 4.0.17.
func tlsClaimedPort(p uint16) bool {
	switch p {
	case 21, 22, 23, 25, 53, 80, 110, 389, 554, 1080, 1900, 1935, 2710, 2869,
		3128, 3132, 3306, 5432, 5985, 6379, 7000, 8080, 8088, 11371:
		return true
	}
	return false
}

// tlsRecordStart reports whether data starts with a plausible TLS record
// header. At least the first three bytes are checked.
func tlsRecordStart(data []byte) bool {
	if len(data) < 3 {
		return false
	}
	return data[0] >= 20 && data[0] <= 24 && data[1] == 3 && data[2] <= 4
}

// tlsRecordPrefix reports whether a segment shorter than 3 bytes could be
// the start of a TLS record header; feed checks the header once complete.
func tlsRecordPrefix(data []byte) bool {
	switch len(data) {
	case 1:
		return data[0] >= 20 && data[0] <= 24
	case 2:
		return data[0] >= 20 && data[0] <= 24 && data[1] == 3
	}
	return false
}

// recordLen returns the total length of the record whose 5-byte header
// starts hdr, or 0 when the header is not a TLS record header.
func recordLen(hdr []byte) int {
	if !tlsRecordStart(hdr) {
		return 0
	}
	n := 5 + int(binary.BigEndian.Uint16(hdr[3:]))
	if n > maxTLSRecord {
		return 0
	}
	return n
}

// feed parses the new in-order bytes of an active direction.
func (t *streamTable) feed(d *tlsDir, data []byte, p *Packet) {
	for len(data) > 0 && d.state == tlsActive {
		var rec []byte
		if len(d.rec) == 0 && len(data) >= 5 {
			n := recordLen(data)
			if n == 0 {
				t.release(d)
				return
			}
			if len(data) >= n {
				rec, data = data[:n], data[n:]
			}
		}
		if rec == nil {
			// Buffer: first the header, then the body.
			if d.rec == nil {
				d.rec = t.getBuf()
			}
			if len(d.rec) < 5 {
				k := min(5-len(d.rec), len(data))
				d.rec = append(d.rec, data[:k]...)
				data = data[k:]
				if len(d.rec) < 5 {
					return
				}
			}
			n := recordLen(d.rec)
			if n == 0 {
				t.release(d)
				return
			}
			if n > t.bufSize {
				t.abandoned++
				t.release(d)
				return
			}
			k := min(n-len(d.rec), len(data))
			d.rec = append(d.rec, data[:k]...)
			data = data[k:]
			if len(d.rec) < n {
				return
			}
			rec = d.rec
		}
		t.record(d, rec, p)
		if d.rec != nil {
			d.rec = d.rec[:0]
		}
	}
}

// record handles one complete TLS record.
func (t *streamTable) record(d *tlsDir, rec []byte, p *Packet) {
	switch rec[0] {
	case 22: // handshake
		body := rec[5:]
		if d.ccs {
			// After ChangeCipherSpec handshake records are encrypted,
			// except the second ClientHello of a TLS 1.3 HelloRetryRequest
			// exchange, sent after a middlebox-compatibility
			// ChangeCipherSpec: accept exactly one whole ClientHello.
			if len(d.hs) > 0 || len(body) < 4 || body[0] != 1 ||
				int(body[1])<<16|int(body[2])<<8|int(body[3]) != len(body)-4 {
				return
			}
		}
		t.handshake(d, body, p)
	case 20: // change cipher spec
		d.ccs = true
	case 23: // application data: encrypted from here on
		if d.handshake {
			t.release(d)
		}
	}
}

// handshake parses the handshake messages of one record body, joining
// messages that span records.
func (t *streamTable) handshake(d *tlsDir, body []byte, p *Packet) {
	buffered := len(d.hs) > 0
	if buffered {
		if len(d.hs)+len(body) > t.bufSize {
			t.abandoned++
			t.release(d)
			return
		}
		d.hs = append(d.hs, body...)
		body = d.hs
	}
	for len(body) >= 4 {
		n := 4 + (int(body[1])<<16 | int(body[2])<<8 | int(body[3]))
		if n > t.bufSize {
			t.abandoned++
			t.release(d)
			return
		}
		if len(body) < n {
			break
		}
		t.message(body[:n], p)
		d.handshake = true
		body = body[n:]
	}
	switch {
	case len(body) == 0:
		if d.hs != nil {
			d.hs = d.hs[:0]
		}
	case buffered:
		d.hs = d.hs[:copy(d.hs, body)]
	default:
		if d.hs == nil {
			d.hs = t.getBuf()
		}
		d.hs = append(d.hs[:0], body...)
	}
}

// message handles one complete handshake message (header included).
func (t *streamTable) message(msg []byte, p *Packet) {
	switch msg[0] {
	case 1: // ClientHello
		if sni, ok := clientHelloSNI(msg[4:]); ok {
			if t.onTLS != nil {
				t.onTLS(1, sni)
			}
			if p.SNI == "" {
				p.SNI = string(sni)
			}
		}
	case 11: // Certificate (TLS 1.0 to 1.2)
		if cert, ok := firstCertificate(msg[4:]); ok {
			if t.onTLS != nil {
				t.onTLS(11, cert)
			}
			if p.Cert == nil {
				t.cert = append(t.cert[:0], cert...)
				p.Cert = t.cert
			}
		}
	}
}

// clientHelloSNI returns the first name of the server_name extension of a
// ClientHello body.
func clientHelloSNI(b []byte) ([]byte, bool) {
	// legacy_version(2) random(32)
	if len(b) < 35 {
		return nil, false
	}
	b = b[34:]
	// session id
	n := int(b[0])
	if len(b) < 1+n+2 {
		return nil, false
	}
	b = b[1+n:]
	// cipher suites
	n = int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n+1 {
		return nil, false
	}
	b = b[2+n:]
	// compression methods
	n = int(b[0])
	if len(b) < 1+n+2 {
		return nil, false
	}
	b = b[1+n:]
	n = int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if len(b) > n {
		b = b[:n]
	}
	for len(b) >= 4 {
		typ := binary.BigEndian.Uint16(b)
		n := int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+n {
			return nil, false
		}
		ext := b[4 : 4+n]
		b = b[4+n:]
		if typ != 0 {
			continue
		}
		if len(ext) < 2 {
			return nil, false
		}
		list := ext[2:]
		if l := int(binary.BigEndian.Uint16(ext)); l < len(list) {
			list = list[:l]
		}
		// The first entry, whatever its name type, as tshark lists every
		// entry under extensions_server_name.
		if len(list) < 3 {
			return nil, false
		}
		nl := int(binary.BigEndian.Uint16(list[1:]))
		if len(list) < 3+nl {
			return nil, false
		}
		return list[3 : 3+nl], true
	}
	return nil, false
}

// firstCertificate returns the DER bytes of the first certificate of a
// TLS 1.0-1.2 Certificate message body.
func firstCertificate(b []byte) ([]byte, bool) {
	if len(b) < 6 {
		return nil, false
	}
	total := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	b = b[3:]
	if total < len(b) {
		b = b[:total]
	}
	n := int(b[0])<<16 | int(b[1])<<8 | int(b[2])
	if n == 0 || len(b) < 3+n {
		return nil, false
	}
	return b[3 : 3+n], true
}
