package datasets

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Link types that gopacket names differently or not at all.
const (
	linkTypeRawBSD     layers.LinkType = 12  // DLT_RAW on most BSDs
	linkTypeRawOpenBSD layers.LinkType = 14  // DLT_RAW on OpenBSD
	linkTypePPPHDLC    layers.LinkType = 50  // PPP in HDLC-like framing
	linkTypeLoop       layers.LinkType = 108 // OpenBSD loopback
	linkTypeNFLOG      layers.LinkType = 239 // Linux netfilter log
	linkTypeIPoIB      layers.LinkType = 242 // IP over InfiniBand
	linkTypeARCnet     layers.LinkType = 129 // Linux ARCNET
)

// maxLayers bounds the number of headers decoded in one frame (nested
// VLAN tags and tunnels), so that crafted frames cannot loop for long.
const maxLayers = 24

// header is what the decoder extracts from one frame: the first TCP or UDP
// header and the IP header that carries it.
type header struct {
	proto        Protocol
	src, dst     netip.Addr
	sport, dport uint16
	ipLen        int
	flags        uint8 // TCP flags
	seq, ack     uint32
	payload      []byte // TCP or UDP payload (captured part)
}

// TCP flag bits.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// decoder decodes frames down to the transport header. The link layers
// (Ethernet, 802.1Q, BSD loopback) and the tunnel headers
// (GRE, VXLAN, Geneve) are decoded by preallocated gopacket DecodingLayers;
// Linux SLL/SLL2, MPLS, PPP, IPv4, IPv6 (with extension headers), TCP and
// UDP by hand, because only a
// few fields are needed and tshark keeps dissecting in cases where gopacket's
// decoders fail (unknown or damaged IP and TCP options, TSO frames with an IP
// total length of 0).
type decoder struct {
	eth    layers.Ethernet
	dot1q  layers.Dot1Q
	loop   layers.Loopback
	gre    layers.GRE
	vxlan  layers.VXLAN
	geneve layers.Geneve

	h     header
	inner header // transport header inside a UDP tunnel
	frag  fragTable
}

// SetTruncated implements gopacket.DecodeFeedback; truncation is detected
// from the lengths instead.
func (d *decoder) SetTruncated() {}

// Layer types of headers gopacket has no type for.
const (
	layerMACsec gopacket.LayerType = 1<<40 + iota
	layerPPPoE
	layerNSH
	layerNFLOG
	layerIPoIB
	layerARCnet
)

// etherNext maps an EtherType to the layer it announces, or LayerTypeZero
// for anything that cannot lead to IP.
func etherNext(et uint16) gopacket.LayerType {
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

// firstLayer maps a link type to the layer that starts its frames.
func firstLayer(link layers.LinkType, data []byte) gopacket.LayerType {
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
//
// Each step decodes one header and names the layer that follows; a layer
// of type LayerTypeZero (nothing that leads to IP) ends the walk on the
// next step with skipNotIP.
func (d *decoder) decode(data []byte, link layers.LinkType, st *streamTable) (*header, skipReason) {
	typ := firstLayer(link, data)
	if typ == gopacket.LayerTypeZero {
		return nil, skipLinkType
	}
	found, sawIP := false, false
	for range maxLayers {
		var why skipReason
		if typ == layers.LayerTypeIPv4 || typ == layers.LayerTypeIPv6 {
			sawIP = true
			var done bool
			typ, data, done, why = d.ipLayer(typ, data, &found, st)
			if done {
				return &d.h, skipNone
			}
		} else {
			typ, data, why = d.linkLayer(typ, data)
		}
		if why != skipNone {
			return d.stop(found, sawIP, why)
		}
	}
	return d.stop(found, sawIP, skipMalformed)
}

// linkLayer decodes one header below IP (link layer, tag, tunnel or
// label) and returns the layer that follows and its bytes.
func (d *decoder) linkLayer(typ gopacket.LayerType, data []byte) (gopacket.LayerType, []byte, skipReason) {
	switch typ {
	case layers.LayerTypeEthernet:
		return d.gopacketLayer(&d.eth, data)
	case layers.LayerTypeDot1Q:
		return d.gopacketLayer(&d.dot1q, data)
	case layers.LayerTypeLoopback:
		return d.gopacketLayer(&d.loop, data)
	case layers.LayerTypeGRE:
		return d.gopacketLayer(&d.gre, data)
	case layers.LayerTypeVXLAN:
		return d.gopacketLayer(&d.vxlan, data)
	case layers.LayerTypeGeneve:
		return d.gopacketLayer(&d.geneve, data)
	case layers.LayerTypeLinuxSLL:
		return decodeSLL(data)
	case layers.LayerTypeLinuxSLL2:
		return decodeSLL2(data)
	case layerMACsec:
		return decodeMACsec(data)
	case layerNSH:
		return decodeNSH(data)
	case layerARCnet:
		return decodeARCnet(data)
	case layerIPoIB:
		return decodeIPoIB(data)
	case layerNFLOG:
		return decodeNFLOG(data)
	case layerPPPoE:
		return decodePPPoE(data)
	case layers.LayerTypeMPLS:
		return decodeMPLS(data)
	case layers.LayerTypePPP:
		return decodePPP(data)
	}
	return gopacket.LayerTypeZero, nil, skipNotIP
}

// stop ends decoding: with the outer header when one was found, otherwise
// with the reason.
func (d *decoder) stop(found, sawIP bool, why skipReason) (*header, skipReason) {
	if found {
		return &d.h, skipNone
	}
	if why == skipNotIP && sawIP {
		why = skipNotTransport
	}
	return nil, why
}
