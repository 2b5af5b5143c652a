package datasets

// The link-layer decoder and IP fragment table as they were before the
// decoder was split into one function per header, kept unchanged (but for
// the names) so that FuzzDecodeMatchesOld can check that the split changed
// nothing.

import (
	"encoding/binary"
	"math"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

type oldDecoder struct {
	eth    layers.Ethernet
	dot1q  layers.Dot1Q
	loop   layers.Loopback
	gre    layers.GRE
	vxlan  layers.VXLAN
	geneve layers.Geneve

	h     header
	inner header // transport header inside a UDP tunnel
	frag  oldFragTable
}

// oldEtherNext maps an EtherType to the layer it announces, or LayerTypeZero
// for anything that cannot lead to IP.
func oldEtherNext(et uint16) gopacket.LayerType {
	switch et {
	case 0x0800:
		return layers.LayerTypeIPv4
	case 0x86dd:
		return layers.LayerTypeIPv6
	case 0x8100, 0x88a8, 0x9100:
		return layers.LayerTypeDot1Q
	case 0x8847, 0x8848:
		return layers.LayerTypeMPLS
	case 0x88e5:
		return layerMACsec
	case 0x8864:
		return layerPPPoE
	case 0x6558:
		return layers.LayerTypeEthernet
	case 0x894f:
		return layerNSH
	}
	return gopacket.LayerTypeZero
}

// oldFirstLayer maps a link type to the layer that starts its frames.
func oldFirstLayer(link layers.LinkType, data []byte) gopacket.LayerType {
	switch link {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet
	case layers.LinkTypeNull, linkTypeLoop:
		return layers.LayerTypeLoopback
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2
	case layers.LinkTypeIPv6:
		return layers.LayerTypeIPv6
	case layers.LinkTypeRaw, linkTypeRawBSD, linkTypeRawOpenBSD, layers.LinkTypeIPv4:
		// tshark picks IPv4 or IPv6 by the version nibble for all of
		// these, even for LINKTYPE_IPV4 (but not for LINKTYPE_IPV6).
		if len(data) > 0 && data[0]>>4 == 6 {
			return layers.LayerTypeIPv6
		}
		return layers.LayerTypeIPv4
	case layers.LinkTypePPP, linkTypePPPHDLC:
		return layers.LayerTypePPP
	case linkTypeNFLOG:
		return layerNFLOG
	case linkTypeIPoIB:
		return layerIPoIB
	case linkTypeARCnet:
		return layerARCnet
	}
	return gopacket.LayerTypeZero
}

// decode walks the headers of one frame. It returns the first TCP or UDP
// header, or the reason why the frame has none. Conversations of TCP or UDP
// packets inside a UDP tunnel are registered with st for stream numbering.
func (d *oldDecoder) oldDecode(data []byte, link layers.LinkType, st *streamTable) (*header, skipReason) {
	typ := oldFirstLayer(link, data)
	if typ == gopacket.LayerTypeZero {
		return nil, skipLinkType
	}
	h := &d.h
	found := false
	sawIP := false
	for range maxLayers {
		var dl gopacket.DecodingLayer
		switch typ {
		case layers.LayerTypeEthernet:
			dl = &d.eth
		case layers.LayerTypeDot1Q:
			dl = &d.dot1q
		case layers.LayerTypeLinuxSLL, layers.LayerTypeLinuxSLL2:
			// By hand: tshark ignores the address length field, which
			// gopacket rejects when it exceeds 8.
			n, off := 16, 14
			if typ == layers.LayerTypeLinuxSLL2 {
				n, off = 20, 0
			}
			if len(data) < n {
				return d.stop(found, sawIP, skipMalformed)
			}
			typ = oldEtherNext(binary.BigEndian.Uint16(data[off:]))
			data = data[n:]
			continue
		case layerMACsec:
			// 802.1AE SecTAG: TCI/AN, short length, packet number and an
			// optional SCI. Only frames with unencrypted user data carry an
			// EtherType and a readable packet.
			if len(data) < 6 {
				return d.stop(found, sawIP, skipMalformed)
			}
			n := 6
			if data[0]&0x20 != 0 {
				n += 8
			}
			if data[0]&0x08 != 0 || len(data) < n+2 {
				return d.stop(found, sawIP, skipNotIP)
			}
			typ = oldEtherNext(binary.BigEndian.Uint16(data[n:]))
			data = data[n+2:]
			continue
		case layerNSH:
			// Network Service Header: length in 4-byte words, then the
			// next protocol (1 IPv4, 2 IPv6, 3 Ethernet).
			if len(data) < 8 {
				return d.stop(found, sawIP, skipMalformed)
			}
			n := int(binary.BigEndian.Uint16(data)&0x3f) * 4
			if n < 8 || len(data) < n {
				return d.stop(found, sawIP, skipMalformed)
			}
			switch data[3] {
			case 1:
				typ = layers.LayerTypeIPv4
			case 2:
				typ = layers.LayerTypeIPv6
			case 3:
				typ = layers.LayerTypeEthernet
			default:
				return d.stop(found, sawIP, skipNotIP)
			}
			data = data[n:]
			continue
		case layerARCnet:
			// Source, destination, 2-byte offset, protocol type; RFC 1201
			// types add split flag and sequence number (3 bytes).
			if len(data) < 5 {
				return d.stop(found, sawIP, skipMalformed)
			}
			n := 8
			switch data[4] {
			case 240, 241, 128: // RFC 1051 IP and ARP, diagnostics
				n = 5
			}
			if len(data) < n {
				return d.stop(found, sawIP, skipMalformed)
			}
			switch data[4] {
			case 212, 240:
				typ = layers.LayerTypeIPv4
			case 196:
				typ = layers.LayerTypeIPv6
			default:
				return d.stop(found, sawIP, skipNotIP)
			}
			data = data[n:]
			continue
		case layerIPoIB:
			// 40-byte address pseudo-header, EtherType, 2 reserved bytes.
			if len(data) < 44 {
				return d.stop(found, sawIP, skipMalformed)
			}
			typ, data = oldEtherNext(binary.BigEndian.Uint16(data[40:])), data[44:]
			continue
		case layerNFLOG:
			// Address family, version, resource id, then little-endian
			// TLVs padded to 4 bytes; type 9 holds the packet.
			if len(data) < 4 {
				return d.stop(found, sawIP, skipMalformed)
			}
			family := data[0]
			rest := data[4:]
			typ = gopacket.LayerTypeZero
			for len(rest) >= 4 {
				n := int(binary.LittleEndian.Uint16(rest))
				if n < 4 || n > len(rest) {
					break
				}
				if binary.LittleEndian.Uint16(rest[2:]) == 9 {
					data = rest[4:n]
					switch family {
					case 2:
						typ = layers.LayerTypeIPv4
					case 10:
						typ = layers.LayerTypeIPv6
					}
					break
				}
				rest = rest[min(len(rest), (n+3)&^3):]
			}
			if typ == gopacket.LayerTypeZero {
				return d.stop(found, sawIP, skipNotIP)
			}
			continue
		case layerPPPoE:
			// PPPoE session header (6 bytes), then PPP.
			if len(data) < 6 {
				return d.stop(found, sawIP, skipMalformed)
			}
			typ, data = layers.LayerTypePPP, data[6:]
			continue
		case layers.LayerTypeMPLS:
			// Label stack entries up to the bottom of stack; then IPv4 or
			// IPv6 by the version nibble, as tshark guesses.
			for {
				if len(data) < 4 {
					return d.stop(found, sawIP, skipMalformed)
				}
				bottom := data[2]&1 == 1
				data = data[4:]
				if bottom {
					break
				}
			}
			typ = gopacket.LayerTypeZero
			if len(data) > 0 {
				switch data[0] >> 4 {
				case 4:
					typ = layers.LayerTypeIPv4
				case 6:
					typ = layers.LayerTypeIPv6
				}
			}
			continue
		case layers.LayerTypeLoopback:
			dl = &d.loop
		case layers.LayerTypeGRE:
			dl = &d.gre
		case layers.LayerTypeVXLAN:
			dl = &d.vxlan
		case layers.LayerTypeGeneve:
			dl = &d.geneve
		case layers.LayerTypePPP:
			var ok bool
			typ, data, ok = oldDecodePPP(data)
			if !ok {
				return d.stop(found, sawIP, skipMalformed)
			}
			continue
		case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
			sawIP = true
			var ipProto uint8
			var why skipReason
			t := h
			if found {
				t = &d.inner
			}
			if typ == layers.LayerTypeIPv4 {
				ipProto, data, why = d.decodeIPv4(data, t)
			} else {
				ipProto, data, why = d.decodeIPv6(data, t)
			}
			if why != skipNone {
				return d.stop(found, sawIP, why)
			}
			switch ipProto {
			case 6, 17:
				if !oldDecodeTransport(ipProto, data, t) {
					return d.stop(found, sawIP, skipMalformed)
				}
				if found {
					st.note(t)
					return h, skipNone
				}
				found = true
				if ipProto == 6 {
					return h, skipNone
				}
				// Look into UDP tunnels for their inner conversation.
				typ = oldUdpTunnel(h)
				data = h.payload
				if typ == gopacket.LayerTypeZero {
					return h, skipNone
				}
				continue
			case 4:
				typ = layers.LayerTypeIPv4
			case 41:
				typ = layers.LayerTypeIPv6
			case 47:
				typ = layers.LayerTypeGRE
			default:
				return d.stop(found, sawIP, skipNotTransport)
			}
			continue
		default:
			return d.stop(found, sawIP, skipNotIP)
		}
		if err := dl.DecodeFromBytes(data, d); err != nil {
			return d.stop(found, sawIP, skipMalformed)
		}
		data = dl.LayerPayload()
		switch dl {
		case &d.eth:
			typ = oldEtherNext(uint16(d.eth.EthernetType))
		case &d.dot1q:
			typ = oldEtherNext(uint16(d.dot1q.Type))
		case &d.gre:
			typ = oldEtherNext(uint16(d.gre.Protocol))
		case &d.geneve:
			typ = oldEtherNext(uint16(d.geneve.Protocol))
		default:
			typ = dl.NextLayerType()
		}
	}
	return d.stop(found, sawIP, skipMalformed)
}

// stop ends decoding: with the outer header when one was found, otherwise
// with the reason.
func (d *oldDecoder) stop(found, sawIP bool, why skipReason) (*header, skipReason) {
	if found {
		return &d.h, skipNone
	}
	if why == skipNotIP && sawIP {
		why = skipNotTransport
	}
	return nil, why
}

// oldUdpTunnel returns the layer that a UDP payload starts with when the
// ports name a tunnel whose inner packets tshark dissects (VXLAN on 4789,
// Geneve on 6081), or LayerTypeZero.
func oldUdpTunnel(h *header) gopacket.LayerType {
	switch {
	case h.dport == 4789 || h.sport == 4789:
		return layers.LayerTypeVXLAN
	case h.dport == 6081 || h.sport == 6081:
		return layers.LayerTypeGeneve
	}
	return gopacket.LayerTypeZero
}

// oldDecodePPP strips a PPP header (with or without HDLC address and control
// bytes, with a one- or two-byte protocol field).
func oldDecodePPP(data []byte) (gopacket.LayerType, []byte, bool) {
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		data = data[2:]
	}
	if len(data) < 1 {
		return 0, nil, false
	}
	var proto uint16
	if data[0]&1 == 1 {
		proto, data = uint16(data[0]), data[1:]
	} else {
		if len(data) < 2 {
			return 0, nil, false
		}
		proto, data = binary.BigEndian.Uint16(data), data[2:]
	}
	switch proto {
	case 0x21:
		return layers.LayerTypeIPv4, data, true
	case 0x57:
		return layers.LayerTypeIPv6, data, true
	case 0x281, 0x283:
		return layers.LayerTypeMPLS, data, true
	}
	return gopacket.LayerTypeZero, data, true
}

// decodeIPv4 reads an IPv4 header into h and returns the protocol number
// and the payload, bounded by the total length. A total length of 0 (TCP
// segmentation offload) means the rest of the frame, and IPLen is then
// that presumed length, as tshark shows it.
func (d *oldDecoder) decodeIPv4(data []byte, h *header) (uint8, []byte, skipReason) {
	if len(data) < 20 || data[0]>>4 != 4 {
		return 0, nil, skipMalformed
	}
	ihl := int(data[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(data[2:]))
	if ihl < 20 || len(data) < ihl {
		return 0, nil, skipMalformed
	}
	if total == 0 {
		// TCP segmentation offload: tshark presumes the rest of the frame.
		total = len(data)
	} else if total < ihl {
		return 0, nil, skipMalformed
	}
	h.ipLen = total
	h.src = netip.AddrFrom4([4]byte(data[12:16]))
	h.dst = netip.AddrFrom4([4]byte(data[16:20]))
	if frag := binary.BigEndian.Uint16(data[6:]); frag&0x3fff != 0 {
		off := int(frag&0x1fff) * 8
		if total > len(data) || !oldIpv4ChecksumOK(data[:ihl]) {
			// tshark reassembles only whole fragments with a valid
			// header checksum; otherwise it dissects a first fragment's
			// payload as it is and shows the others as fragments.
			if off == 0 {
				return data[9], data[ihl:min(total, len(data))], skipNone
			}
			return 0, nil, skipFragment
		}
		k := fragKey{src: h.src.As16(), dst: h.dst.As16(), id: uint32(binary.BigEndian.Uint16(data[4:])), proto: data[9]}
		full, ok := d.frag.add(k, off, frag&0x2000 != 0, data[ihl:total])
		if !ok {
			return 0, nil, skipFragment
		}
		return data[9], full, skipNone
	}
	return data[9], data[ihl:min(total, len(data))], skipNone
}

// oldIpv4ChecksumOK reports whether an IPv4 header's checksum is valid.
func oldIpv4ChecksumOK(hdr []byte) bool {
	var sum uint32
	for i := 0; i+1 < len(hdr); i += 2 {
		sum += uint32(hdr[i])<<8 | uint32(hdr[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return sum == 0xffff
}

// decodeIPv6 reads an IPv6 header into h, skips the extension headers
// (hop-by-hop, routing, destination options, AH, and atomic fragment
// headers) and returns the upper-layer protocol number and payload.
func (d *oldDecoder) decodeIPv6(data []byte, h *header) (uint8, []byte, skipReason) {
	if len(data) < 40 || data[0]>>4 != 6 {
		return 0, nil, skipMalformed
	}
	plen := int(binary.BigEndian.Uint16(data[4:]))
	nh := data[6]
	h.src = netip.AddrFrom16([16]byte(data[8:24]))
	h.dst = netip.AddrFrom16([16]byte(data[24:40]))
	if plen == 0 {
		// A jumbogram (RFC 2675): the payload length is in the Jumbo
		// Payload option of a hop-by-hop header. Without a valid one (a
		// BIG TCP frame, whose kernel removed the option) tshark 4.0
		// reports the packet malformed and dissects no transport header.
		if plen = oldJumboLength(nh, data[40:]); plen == 0 {
			return 0, nil, skipMalformed
		}
	}
	h.ipLen = plen + 40
	cut := len(data) < 40+plen
	end := min(len(data), 40+plen)
	data = data[40:end]
	for range maxLayers {
		switch nh {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(data) < 8 {
				return 0, nil, skipMalformed
			}
			n := (int(data[1]) + 1) * 8
			if len(data) < n {
				return 0, nil, skipMalformed
			}
			nh, data = data[0], data[n:]
		case 51: // authentication header
			if len(data) < 8 {
				return 0, nil, skipMalformed
			}
			n := (int(data[1]) + 2) * 4
			if len(data) < n {
				return 0, nil, skipMalformed
			}
			nh, data = data[0], data[n:]
		case 44: // fragment
			if len(data) < 8 {
				return 0, nil, skipMalformed
			}
			fo := binary.BigEndian.Uint16(data[2:])
			if fo&0xfff9 == 0 { // atomic fragment
				nh, data = data[0], data[8:]
				continue
			}
			if cut {
				// Cut short: not reassembled; a first fragment's
				// payload is dissected as it is (as tshark does).
				if fo>>3 == 0 {
					nh, data = data[0], data[8:]
					continue
				}
				return 0, nil, skipFragment
			}
			k := fragKey{src: h.src.As16(), dst: h.dst.As16(), id: binary.BigEndian.Uint32(data[4:]), proto: data[0], v6: true}
			full, ok := d.frag.add(k, int(fo>>3)*8, fo&1 != 0, data[8:])
			if !ok {
				return 0, nil, skipFragment
			}
			nh, data = data[0], full
		default:
			return nh, data, skipNone
		}
	}
	return 0, nil, skipMalformed
}

// oldJumboLength returns the payload length of a Jumbo Payload option (type
// 0xc2) in the hop-by-hop header at the start of ext (nh is its next-header
// number, 0 for hop-by-hop), or 0 when there is none or its length is one
// an IPv6 payload length could hold (at most 65535), which tshark 4.0
// rejects as an invalid payload length.
func oldJumboLength(nh uint8, ext []byte) int {
	if nh != 0 || len(ext) < 8 {
		return 0
	}
	opts := ext[2:min(len(ext), (int(ext[1])+1)*8)]
	for len(opts) > 0 {
		if opts[0] == 0 { // Pad1
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || len(opts) < 2+int(opts[1]) {
			return 0
		}
		if opts[0] == 0xc2 && opts[1] == 4 {
			n := int64(binary.BigEndian.Uint32(opts[2:]))
			if n <= 0xffff {
				return 0
			}
			return int(min(n, math.MaxInt32-40)) // past the frame anyway

		}
		opts = opts[2+int(opts[1]):]
	}
	return 0
}

// oldDecodeTransport reads the TCP or UDP header at the start of data into h.
// It reports false when the header is cut short or its length field is
// impossible.
func oldDecodeTransport(proto uint8, data []byte, h *header) bool {
	if proto == 6 {
		if len(data) < 20 {
			return false
		}
		off := int(data[12]>>4) * 4
		if off < 20 {
			return false
		}
		// Options cut short by the snapshot length: tshark still numbers
		// the conversation.
		off = min(off, len(data))
		h.proto = TCP
		h.sport = binary.BigEndian.Uint16(data[0:])
		h.dport = binary.BigEndian.Uint16(data[2:])
		h.seq = binary.BigEndian.Uint32(data[4:])
		h.ack = binary.BigEndian.Uint32(data[8:])
		h.flags = data[13]
		h.payload = data[off:]
		return true
	}
	if len(data) < 8 {
		return false
	}
	h.proto = UDP
	h.sport = binary.BigEndian.Uint16(data[0:])
	h.dport = binary.BigEndian.Uint16(data[2:])
	h.flags, h.seq, h.ack = 0, 0, 0
	ulen := int(binary.BigEndian.Uint16(data[4:]))
	if ulen < 8 {
		// tshark: "bogus UDP length", dissected without a conversation.
		return false
	}
	if ulen < len(data) {
		data = data[:ulen]
	}
	h.payload = data[8:]
	return true
}

type oldFragEntry struct {
	key   fragKey
	buf   []byte
	have  [][2]int
	total int // -1 until the last fragment is seen
}

// oldFragTable holds the datagrams being reassembled, oldest first.
type oldFragTable struct {
	pending []*oldFragEntry
	free    []*oldFragEntry
	done    *oldFragEntry // returned by the previous add; recycled on the next
}

// add stores one fragment (its payload starting at byte off of the
// datagram; more is the more-fragments flag) and returns the whole
// datagram payload when this fragment completes it. The slice is valid
// until the next call.
func (f *oldFragTable) add(k fragKey, off int, more bool, data []byte) ([]byte, bool) {
	if f.done != nil {
		f.free = append(f.free, f.done)
		f.done = nil
	}
	end := off + len(data)
	if end > maxFragSize || (more && len(data) == 0) {
		return nil, false
	}
	var e *oldFragEntry
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
			e = &oldFragEntry{}
		}
		e.key, e.buf, e.have, e.total = k, e.buf[:0], e.have[:0], -1
		f.pending = append(f.pending, e)
	}
	if len(e.buf) < end {
		if cap(e.buf) < end {
			nb := make([]byte, end, max(end, 2*cap(e.buf), 2048))
			copy(nb, e.buf)
			e.buf = nb
		}
		e.buf = e.buf[:end]
	}
	copy(e.buf[off:end], data)
	e.have = oldAddRange(e.have, off, end)
	if !more {
		e.total = end
	}
	if e.total < 0 || len(e.have) != 1 || e.have[0][0] != 0 || e.have[0][1] < e.total {
		return nil, false
	}
	for i, p := range f.pending {
		if p == e {
			f.pending = append(f.pending[:i], f.pending[i+1:]...)
			break
		}
	}
	f.done = e
	return e.buf[:e.total], true
}

// oldAddRange inserts [lo, hi) into a sorted list of disjoint ranges, merging
// ranges that overlap or touch.
func oldAddRange(have [][2]int, lo, hi int) [][2]int {
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

// SetTruncated implements gopacket.DecodeFeedback.
func (d *oldDecoder) SetTruncated() {}
