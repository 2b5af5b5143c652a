package datasets

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The headers below IP, one function each. Every function takes the bytes
// that start with its header and returns the layer that follows, the bytes
// that start it, and skipNone, or the reason why decoding stops there.

// gopacketLayer decodes a header with one of the decoder's preallocated
// gopacket layers. The EtherType-like fields of Ethernet, 802.1Q, GRE and
// Geneve are mapped with etherNext; the other layers name their successor.
func (d *decoder) gopacketLayer(dl gopacket.DecodingLayer, data []byte) (gopacket.LayerType, []byte, skipReason) {
	if err := dl.DecodeFromBytes(data, d); err != nil {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	data = dl.LayerPayload()
	switch dl {
	case &d.eth:
		return etherNext(uint16(d.eth.EthernetType)), data, skipNone
	case &d.dot1q:
		return etherNext(uint16(d.dot1q.Type)), data, skipNone
	case &d.gre:
		return etherNext(uint16(d.gre.Protocol)), data, skipNone
	case &d.geneve:
		return etherNext(uint16(d.geneve.Protocol)), data, skipNone
	}
	return dl.NextLayerType(), data, skipNone
}

// decodeSLL strips a Linux cooked header (16 bytes, protocol at byte 14).
// It is decoded by hand: tshark ignores the address length field, which
// gopacket rejects when it exceeds 8.
func decodeSLL(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 16 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	return etherNext(binary.BigEndian.Uint16(data[14:])), data[16:], skipNone
}

// decodeSLL2 strips a Linux cooked v2 header (20 bytes, protocol first).
func decodeSLL2(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 20 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	return etherNext(binary.BigEndian.Uint16(data)), data[20:], skipNone
}

// decodeMACsec strips an 802.1AE SecTAG: TCI/AN, short length, packet
// number and an optional SCI. Only frames with unencrypted user data carry
// an EtherType and a readable packet.
func decodeMACsec(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 6 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	n := 6
	if data[0]&0x20 != 0 {
		n += 8
	}
	if data[0]&0x08 != 0 || len(data) < n+2 {
		return gopacket.LayerTypeZero, nil, skipNotIP
	}
	return etherNext(binary.BigEndian.Uint16(data[n:])), data[n+2:], skipNone
}

// decodeNSH strips a Network Service Header: length in 4-byte words, then
// the next protocol (1 IPv4, 2 IPv6, 3 Ethernet).
func decodeNSH(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 8 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	n := int(binary.BigEndian.Uint16(data)&0x3f) * 4
	if n < 8 || len(data) < n {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	switch data[3] {
	case 1:
		return layers.LayerTypeIPv4, data[n:], skipNone
	case 2:
		return layers.LayerTypeIPv6, data[n:], skipNone
	case 3:
		return layers.LayerTypeEthernet, data[n:], skipNone
	}
	return gopacket.LayerTypeZero, nil, skipNotIP
}

// decodeARCnet strips a Linux ARCNET header: source, destination, 2-byte
// offset, protocol type; RFC 1201 types add split flag and sequence number
// (3 bytes).
func decodeARCnet(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 5 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	n := 8
	switch data[4] {
	case 240, 241, 128: // RFC 1051 IP and ARP, diagnostics
		n = 5
	}
	if len(data) < n {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	switch data[4] {
	case 212, 240:
		return layers.LayerTypeIPv4, data[n:], skipNone
	case 196:
		return layers.LayerTypeIPv6, data[n:], skipNone
	}
	return gopacket.LayerTypeZero, nil, skipNotIP
}

// decodeIPoIB strips the IP over InfiniBand header: a 40-byte address
// pseudo-header, EtherType, 2 reserved bytes.
func decodeIPoIB(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 44 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	return etherNext(binary.BigEndian.Uint16(data[40:])), data[44:], skipNone
}

// decodeNFLOG finds the packet in a Linux netfilter log record: address
// family, version, resource id, then little-endian TLVs padded to 4 bytes;
// type 9 holds the packet.
func decodeNFLOG(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 4 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	family := data[0]
	for rest := data[4:]; len(rest) >= 4; {
		n := int(binary.LittleEndian.Uint16(rest))
		if n < 4 || n > len(rest) {
			break
		}
		if binary.LittleEndian.Uint16(rest[2:]) == 9 {
			switch family {
			case 2:
				return layers.LayerTypeIPv4, rest[4:n], skipNone
			case 10:
				return layers.LayerTypeIPv6, rest[4:n], skipNone
			}
			break
		}
		rest = rest[min(len(rest), (n+3)&^3):]
	}
	return gopacket.LayerTypeZero, nil, skipNotIP
}

// decodePPPoE strips a PPPoE session header (6 bytes), which PPP follows.
func decodePPPoE(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) < 6 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	return layers.LayerTypePPP, data[6:], skipNone
}

// decodeMPLS strips MPLS label stack entries up to the bottom of stack;
// IPv4 or IPv6 follows by the version nibble, as tshark guesses.
func decodeMPLS(data []byte) (gopacket.LayerType, []byte, skipReason) {
	for {
		if len(data) < 4 {
			return gopacket.LayerTypeZero, nil, skipMalformed
		}
		bottom := data[2]&1 == 1
		data = data[4:]
		if bottom {
			break
		}
	}
	if len(data) > 0 {
		switch data[0] >> 4 {
		case 4:
			return layers.LayerTypeIPv4, data, skipNone
		case 6:
			return layers.LayerTypeIPv6, data, skipNone
		}
	}
	return gopacket.LayerTypeZero, data, skipNone
}

// decodePPP strips a PPP header (with or without HDLC address and control
// bytes, with a one- or two-byte protocol field).
func decodePPP(data []byte) (gopacket.LayerType, []byte, skipReason) {
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		data = data[2:]
	}
	if len(data) < 1 {
		return gopacket.LayerTypeZero, nil, skipMalformed
	}
	var proto uint16
	if data[0]&1 == 1 {
		proto, data = uint16(data[0]), data[1:]
	} else {
		if len(data) < 2 {
			return gopacket.LayerTypeZero, nil, skipMalformed
		}
		proto, data = binary.BigEndian.Uint16(data), data[2:]
	}
	switch proto {
	case 0x21:
		return layers.LayerTypeIPv4, data, skipNone
	case 0x57:
		return layers.LayerTypeIPv6, data, skipNone
	case 0x281, 0x283:
		return layers.LayerTypeMPLS, data, skipNone
	}
	return gopacket.LayerTypeZero, data, skipNone
}

// udpTunnel returns the layer that a UDP payload starts with when the
// ports name a tunnel whose inner packets tshark dissects (VXLAN on 4789,
// Geneve on 6081), or LayerTypeZero.
func udpTunnel(h *header) gopacket.LayerType {
	switch {
	case h.dport == 4789 || h.sport == 4789:
		return layers.LayerTypeVXLAN
	case h.dport == 6081 || h.sport == 6081:
		return layers.LayerTypeGeneve
	}
	return gopacket.LayerTypeZero
}
