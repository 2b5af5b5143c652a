package synth

import (
	"encoding/binary"
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"appbench/datasets"
)

// Header sizes of the frames the generator writes.
const (
	ethLen  = 14
	ip4Len  = 20
	ip6Len  = 40
	udpLen  = 8
	tcpLen  = 20
	minEth  = 60 // frames are padded to the Ethernet minimum without FCS
	synOpts = 20 // MSS, SACK permitted, timestamps, NOP, window scale
	tsOpts  = 12 // NOP, NOP, timestamps
)

// lengths returns the IP total length and the frame length of p.
func (p *pkt) lengths() (ipLen, frameLen int) {
	c := p.c
	if c == nil {
		return 0, minEth // ARP
	}
	ipLen = ip4Len
	if c.v6 {
		ipLen = ip6Len
	}
	if c.proto == datasets.UDP {
		ipLen += udpLen
	} else {
		ipLen += tcpLen + tsOpts
		if p.opt == optSYN {
			ipLen += synOpts - tsOpts
		}
	}
	ipLen += len(p.payload)
	return ipLen, max(minEth, ethLen+ipLen)
}

// record fills rec with the packet record the pcap reader gives for p.
func (g *gen) record(p *pkt, rec *datasets.Packet) {
	c := p.c
	ipLen, frameLen := p.lengths()
	*rec = datasets.Packet{
		Frame:    g.frame,
		Time:     p.t,
		Proto:    c.proto,
		Stream:   c.stream,
		Src:      c.cip,
		Dst:      c.sip,
		SrcPort:  c.cport,
		DstPort:  c.sport,
		FrameLen: frameLen,
		IPLen:    ipLen,
		Cert:     p.cert,
		SNI:      p.sni,
	}
	if p.dir == srv {
		rec.Src, rec.Dst = rec.Dst, rec.Src
		rec.SrcPort, rec.DstPort = rec.DstPort, rec.SrcPort
	}
}

// wire serialises frames, reusing its buffers and layers.
type wire struct {
	buf  gopacket.SerializeBuffer
	opts gopacket.SerializeOptions
	eth  layers.Ethernet
	ip4  layers.IPv4
	ip6  layers.IPv6
	tcp  layers.TCP
	udp  layers.UDP
	arp  layers.ARP
	pay  gopacket.Payload
	ls   []gopacket.SerializableLayer
	opt  [5]layers.TCPOption
	ts   [8]byte
	mss  [2]byte
	bc   net.HardwareAddr
	zero net.HardwareAddr
}

func newWire() *wire {
	return &wire{
		buf:  gopacket.NewSerializeBuffer(),
		opts: gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		bc:   net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		zero: net.HardwareAddr{0, 0, 0, 0, 0, 0},
	}
}

// frame serialises p; the result is valid until the next call.
func (w *wire) frame(g *gen, p *pkt) ([]byte, error) {
	w.ls = w.ls[:0]
	if p.c == nil {
		w.arpLayers(g, p)
	} else {
		netLayer := w.ipLayers(g, p)
		var err error
		if p.c.proto == datasets.UDP {
			err = w.udpLayer(p, netLayer)
		} else {
			err = w.tcpLayer(p, netLayer)
		}
		if err != nil {
			return nil, err
		}
		if len(p.payload) > 0 {
			w.pay = p.payload
			w.ls = append(w.ls, w.pay)
		}
	}
	if err := gopacket.SerializeLayers(w.buf, w.opts, w.ls...); err != nil {
		return nil, fmt.Errorf("synth: frame %d: %w", g.frame, err)
	}
	return w.buf.Bytes(), nil
}

// arpLayers queues the Ethernet and ARP layers of ARP frame p: a request of
// the client (p.flags == layers.ARPRequest) or the gateway's reply.
func (w *wire) arpLayers(g *gen, p *pkt) {
	gw, cl := g.gateway.As4(), g.client4.As4()
	w.eth = layers.Ethernet{SrcMAC: g.gmac, DstMAC: g.cmac, EthernetType: layers.EthernetTypeARP}
	w.arp = layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4, Operation: uint16(p.flags)}
	if p.flags == layers.ARPRequest {
		w.eth.SrcMAC, w.eth.DstMAC = g.cmac, w.bc
		w.arp.SourceHwAddress, w.arp.SourceProtAddress = g.cmac, cl[:]
		w.arp.DstHwAddress, w.arp.DstProtAddress = w.zero, gw[:]
	} else {
		w.arp.SourceHwAddress, w.arp.SourceProtAddress = g.gmac, gw[:]
		w.arp.DstHwAddress, w.arp.DstProtAddress = g.cmac, cl[:]
	}
	w.ls = append(w.ls, &w.eth, &w.arp)
}

// ipLayers queues the Ethernet and IPv4 or IPv6 layers of p and returns
// the network layer for the transport checksum.
func (w *wire) ipLayers(g *gen, p *pkt) gopacket.NetworkLayer {
	c := p.c
	w.eth = layers.Ethernet{SrcMAC: g.cmac, DstMAC: g.gmac}
	src, dst := c.ips[cli], c.ips[srv]
	ttl := uint8(64)
	if p.dir == srv {
		w.eth.SrcMAC, w.eth.DstMAC = g.gmac, g.cmac
		src, dst = dst, src
		if c.d != nil {
			ttl = c.d.ttl
		}
	}
	ipProto := layers.IPProtocolTCP
	if c.proto == datasets.UDP {
		ipProto = layers.IPProtocolUDP
	}
	if c.v6 {
		w.eth.EthernetType = layers.EthernetTypeIPv6
		w.ip6 = layers.IPv6{Version: 6, HopLimit: ttl, NextHeader: ipProto, SrcIP: src, DstIP: dst}
		w.ls = append(w.ls, &w.eth, &w.ip6)
		return &w.ip6
	}
	w.eth.EthernetType = layers.EthernetTypeIPv4
	w.ip4 = layers.IPv4{Version: 4, IHL: 5, Id: p.ipid, Flags: layers.IPv4DontFragment, TTL: ttl, Protocol: ipProto, SrcIP: src, DstIP: dst}
	w.ls = append(w.ls, &w.eth, &w.ip4)
	return &w.ip4
}

// ports returns the source and destination ports of p.
func ports(p *pkt) (src, dst uint16) {
	if p.dir == srv {
		return p.c.sport, p.c.cport
	}
	return p.c.cport, p.c.sport
}

// udpLayer queues the UDP layer of p.
func (w *wire) udpLayer(p *pkt, netLayer gopacket.NetworkLayer) error {
	sport, dport := ports(p)
	w.udp = layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	if err := w.udp.SetNetworkLayerForChecksum(netLayer); err != nil {
		return err
	}
	w.ls = append(w.ls, &w.udp)
	return nil
}

// tcpLayer queues the TCP layer of p with its options.
func (w *wire) tcpLayer(p *pkt, netLayer gopacket.NetworkLayer) error {
	sport, dport := ports(p)
	w.tcp = layers.TCP{
		SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport),
		Seq: p.seq, Ack: p.ack, Window: p.win,
		FIN: p.flags&fFIN != 0, SYN: p.flags&fSYN != 0, RST: p.flags&fRST != 0,
		PSH: p.flags&fPSH != 0, ACK: p.flags&fACK != 0,
	}
	w.tcp.Options = w.tcpOptions(p)
	if err := w.tcp.SetNetworkLayerForChecksum(netLayer); err != nil {
		return err
	}
	w.ls = append(w.ls, &w.tcp)
	return nil
}

// tcpOptions returns the TCP options of p: timestamps, and on SYN segments
// MSS, SACK permitted and window scale too.
func (w *wire) tcpOptions(p *pkt) []layers.TCPOption {
	binary.BigEndian.PutUint32(w.ts[0:], p.tsval)
	binary.BigEndian.PutUint32(w.ts[4:], p.tsecr)
	tsOpt := layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: w.ts[:]}
	nop := layers.TCPOption{OptionType: layers.TCPOptionKindNop, OptionLength: 1}
	if p.opt != optSYN {
		w.opt[0], w.opt[1], w.opt[2] = nop, nop, tsOpt
		return w.opt[:3]
	}
	mss := 1460
	if p.c.v6 {
		mss = 1440
	}
	scale := byte(8)
	if p.dir == srv {
		mss, scale = p.c.d.mss, 9
	}
	binary.BigEndian.PutUint16(w.mss[:], uint16(mss))
	w.opt = [5]layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: w.mss[:]},
		{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
		tsOpt,
		nop,
		{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{scale}},
	}
	return w.opt[:5]
}
