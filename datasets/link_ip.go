package datasets

import (
	"encoding/binary"
	"math"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// IP protocol numbers the decoder follows.
const (
	ipProtoIPv4 = 4
	ipProtoTCP  = 6
	ipProtoUDP  = 17
	ipProtoIPv6 = 41
	ipProtoGRE  = 47
)

// ipLayer decodes an IPv4 or IPv6 header (typ) and what it carries. The
// header goes to d.h, or to d.inner once the outer transport header is
// found (*found). It returns the layer that follows (a tunnelled IP
// packet, GRE, or the packet inside a UDP tunnel), or done when the walk
// is over with d.h holding the result.
func (d *decoder) ipLayer(typ gopacket.LayerType, data []byte, found *bool, st *streamTable) (next gopacket.LayerType, rest []byte, done bool, why skipReason) {
	t := &d.h
	if *found {
		t = &d.inner
	}
	var ipProto uint8
	if typ == layers.LayerTypeIPv4 {
		ipProto, data, why = d.decodeIPv4(data, t)
	} else {
		ipProto, data, why = d.decodeIPv6(data, t)
	}
	if why != skipNone {
		return gopacket.LayerTypeZero, nil, false, why
	}
	switch ipProto {
	case ipProtoTCP, ipProtoUDP:
		return d.transportLayer(ipProto, data, t, found, st)
	case ipProtoIPv4:
		return layers.LayerTypeIPv4, data, false, skipNone
	case ipProtoIPv6:
		return layers.LayerTypeIPv6, data, false, skipNone
	case ipProtoGRE:
		return layers.LayerTypeGRE, data, false, skipNone
	}
	return gopacket.LayerTypeZero, nil, false, skipNotTransport
}

// transportLayer decodes the TCP or UDP header at the start of data into
// t. The first one found ends the walk, except for UDP on a tunnel port,
// whose payload is walked on for the inner conversation; an inner one is
// registered with st and ends the walk.
func (d *decoder) transportLayer(ipProto uint8, data []byte, t *header, found *bool, st *streamTable) (gopacket.LayerType, []byte, bool, skipReason) {
	ok := false
	if ipProto == ipProtoTCP {
		ok = decodeTCP(data, t)
	} else {
		ok = decodeUDP(data, t)
	}
	if !ok {
		return gopacket.LayerTypeZero, nil, false, skipMalformed
	}
	if *found {
		st.note(t)
		return gopacket.LayerTypeZero, nil, true, skipNone
	}
	*found = true
	if ipProto == ipProtoTCP {
		return gopacket.LayerTypeZero, nil, true, skipNone
	}
	// Look into UDP tunnels for their inner conversation.
	next := udpTunnel(&d.h)
	if next == gopacket.LayerTypeZero {
		return gopacket.LayerTypeZero, nil, true, skipNone
	}
	return next, d.h.payload, false, skipNone
}

// decodeIPv4 reads an IPv4 header into h and returns the protocol number
// and the payload, bounded by the total length. A total length of 0 (TCP
// segmentation offload) means the rest of the frame, and IPLen is then
// that presumed length, as tshark shows it.
func (d *decoder) decodeIPv4(data []byte, h *header) (uint8, []byte, skipReason) {
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
		return d.ipv4Fragment(data, ihl, total, frag, h)
	}
	return data[9], data[ihl:min(total, len(data))], skipNone
}

// ipv4Fragment handles an IPv4 fragment (frag is the flags and offset
// field): it returns the whole datagram's payload when this fragment
// completes it.
func (d *decoder) ipv4Fragment(data []byte, ihl, total int, frag uint16, h *header) (uint8, []byte, skipReason) {
	off := int(frag&0x1fff) * 8
	if total > len(data) || !ipv4ChecksumOK(data[:ihl]) {
		// tshark reassembles only whole fragments with a valid header
		// checksum; otherwise it dissects a first fragment's payload as
		// it is and shows the others as fragments.
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

// ipv4ChecksumOK reports whether an IPv4 header's checksum is valid.
func ipv4ChecksumOK(hdr []byte) bool {
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
func (d *decoder) decodeIPv6(data []byte, h *header) (uint8, []byte, skipReason) {
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
		if plen = jumboLength(nh, data[40:]); plen == 0 {
			return 0, nil, skipMalformed
		}
	}
	h.ipLen = plen + 40
	cut := len(data) < 40+plen
	data = data[40:min(len(data), 40+plen)]
	for range maxLayers {
		var upper bool
		var why skipReason
		nh, data, upper, why = d.ipv6Extension(nh, data, cut, h)
		if why != skipNone {
			return 0, nil, why
		}
		if upper {
			return nh, data, skipNone
		}
	}
	return 0, nil, skipMalformed
}

// ipv6Extension skips the IPv6 extension header nh at the start of data
// and returns the next header number and what follows it, or upper when
// nh is not an extension header (data is then its payload). cut says that
// the packet is cut short by the snapshot length.
func (d *decoder) ipv6Extension(nh uint8, data []byte, cut bool, h *header) (next uint8, rest []byte, upper bool, why skipReason) {
	var n int
	switch nh {
	case 0, 43, 60: // hop-by-hop, routing, destination options
		if len(data) >= 8 {
			n = (int(data[1]) + 1) * 8
		}
	case 51: // authentication header
		if len(data) >= 8 {
			n = (int(data[1]) + 2) * 4
		}
	case 44: // fragment
		if len(data) < 8 {
			return 0, nil, false, skipMalformed
		}
		next, rest, why = d.ipv6Fragment(data, cut, h)
		return next, rest, false, why
	default:
		return nh, data, true, skipNone
	}
	if n == 0 || len(data) < n {
		return 0, nil, false, skipMalformed
	}
	return data[0], data[n:], false, skipNone
}

// ipv6Fragment handles an IPv6 fragment header (at least 8 bytes at the
// start of data): an atomic fragment is skipped, other fragments are
// reassembled, and the whole datagram's payload is returned when this
// fragment completes it.
func (d *decoder) ipv6Fragment(data []byte, cut bool, h *header) (uint8, []byte, skipReason) {
	fo := binary.BigEndian.Uint16(data[2:])
	if fo&0xfff9 == 0 { // atomic fragment
		return data[0], data[8:], skipNone
	}
	if cut {
		// Cut short: not reassembled; a first fragment's payload is
		// dissected as it is (as tshark does).
		if fo>>3 == 0 {
			return data[0], data[8:], skipNone
		}
		return 0, nil, skipFragment
	}
	k := fragKey{src: h.src.As16(), dst: h.dst.As16(), id: binary.BigEndian.Uint32(data[4:]), proto: data[0], v6: true}
	full, ok := d.frag.add(k, int(fo>>3)*8, fo&1 != 0, data[8:])
	if !ok {
		return 0, nil, skipFragment
	}
	return data[0], full, skipNone
}

// jumboLength returns the payload length of a Jumbo Payload option (type
// 0xc2) in the hop-by-hop header at the start of ext (nh is its next-header
// number, 0 for hop-by-hop), or 0 when there is none or its length is one
// an IPv6 payload length could hold (at most 65535), which tshark 4.0
// rejects as an invalid payload length.
func jumboLength(nh uint8, ext []byte) int {
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
