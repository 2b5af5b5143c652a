package datasets

import "encoding/binary"

// decodeTCP reads the TCP header at the start of data into h. It reports
// false when the header is cut short or its data offset is impossible.
func decodeTCP(data []byte, h *header) bool {
	if len(data) < 20 {
		return false
	}
	off := int(data[12]>>4) * 4
	if off < 20 {
		return false
	}
	// Options cut short by the snapshot length: tshark still numbers the
	// conversation.
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

// decodeUDP reads the UDP header at the start of data into h, its payload
// bounded by the UDP length. It reports false when the header is cut short
// or its length is below 8.
func decodeUDP(data []byte, h *header) bool {
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
