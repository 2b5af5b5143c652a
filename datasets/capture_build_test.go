package datasets

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Builders of synthetic captures for the capture reader's tests, fuzz seeds
// and benchmark.

// capRecord is one record of a synthetic capture.
type capRecord struct {
	timeNs  int64
	data    []byte
	origLen int // 0: len(data)
}

// pcapFile writes a classic pcap file with the given magic, byte order
// and link type.
func pcapFile(magic uint32, order binary.ByteOrder, link layers.LinkType, recs []capRecord) []byte {
	hdrLen := 16
	if magic == pcapMagicModified {
		hdrLen = 24
	}
	return pcapLayoutFile(magic, order, link, hdrLen, recs)
}

// pcapLayoutFile is pcapFile with record headers of hdrLen bytes: the
// standard 16 followed by zeros (the patched layouts' extra fields).
func pcapLayoutFile(magic uint32, order binary.ByteOrder, link layers.LinkType, hdrLen int, recs []capRecord) []byte {
	var b bytes.Buffer
	hdr := make([]byte, 24)
	order.PutUint32(hdr[0:], magic)
	order.PutUint16(hdr[4:], 2)
	order.PutUint16(hdr[6:], 4)
	order.PutUint32(hdr[16:], 262144)
	order.PutUint32(hdr[20:], uint32(link))
	b.Write(hdr)
	for _, r := range recs {
		rh := make([]byte, hdrLen)
		order.PutUint32(rh[0:], uint32(r.timeNs/1e9))
		frac := r.timeNs % 1e9
		if magic != pcapMagicNano {
			frac /= 1000
		}
		order.PutUint32(rh[4:], uint32(frac))
		order.PutUint32(rh[8:], uint32(len(r.data)))
		ol := r.origLen
		if ol == 0 {
			ol = len(r.data)
		}
		order.PutUint32(rh[12:], uint32(ol))
		b.Write(rh)
		b.Write(r.data)
	}
	return b.Bytes()
}

// pcapngFile writes a pcapng file with one interface of the given link
// type and nanosecond timestamps, using gopacket's writer.
func pcapngFile(t testing.TB, link layers.LinkType, recs []capRecord) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&b, pcapgo.NgInterface{
		LinkType: link, SnapLength: 262144, TimestampResolution: 9,
	}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		ol := r.origLen
		if ol == 0 {
			ol = len(r.data)
		}
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, r.timeNs), CaptureLength: len(r.data), Length: ol}
		if err := w.WritePacket(ci, r.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// flowSpec describes one synthetic packet.
type flowSpec struct {
	src, dst     netip.Addr
	sport, dport uint16
	tcp          bool
	flags        uint8 // TCP flags
	seq, ack     uint32
	payload      []byte
}

// ipPacket serialises the IP, TCP/UDP and payload of f.
func ipPacket(t testing.TB, f flowSpec) []byte {
	t.Helper()
	var ls []gopacket.SerializableLayer
	var netl gopacket.NetworkLayer
	if f.src.Is4() {
		ip := &layers.IPv4{Version: 4, TTL: 64, SrcIP: net.IP(f.src.AsSlice()), DstIP: net.IP(f.dst.AsSlice())}
		ip.Protocol = layers.IPProtocolUDP
		if f.tcp {
			ip.Protocol = layers.IPProtocolTCP
		}
		ls, netl = append(ls, ip), ip
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, SrcIP: net.IP(f.src.AsSlice()), DstIP: net.IP(f.dst.AsSlice())}
		ip.NextHeader = layers.IPProtocolUDP
		if f.tcp {
			ip.NextHeader = layers.IPProtocolTCP
		}
		ls, netl = append(ls, ip), ip
	}
	if f.tcp {
		tcp := &layers.TCP{SrcPort: layers.TCPPort(f.sport), DstPort: layers.TCPPort(f.dport), Seq: f.seq, Ack: f.ack, Window: 65535,
			FIN: f.flags&tcpFIN != 0, SYN: f.flags&tcpSYN != 0, RST: f.flags&tcpRST != 0, ACK: f.flags&tcpACK != 0}
		if err := tcp.SetNetworkLayerForChecksum(netl); err != nil {
			t.Fatal(err)
		}
		ls = append(ls, tcp)
	} else {
		udp := &layers.UDP{SrcPort: layers.UDPPort(f.sport), DstPort: layers.UDPPort(f.dport)}
		if err := udp.SetNetworkLayerForChecksum(netl); err != nil {
			t.Fatal(err)
		}
		ls = append(ls, udp)
	}
	ls = append(ls, gopacket.Payload(f.payload))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// ethFrame wraps an IP packet in Ethernet, with optional VLAN tags.
func ethFrame(ip []byte, vlans ...uint16) []byte {
	et := uint16(0x0800)
	if ip[0]>>4 == 6 {
		et = 0x86dd
	}
	b := []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}
	for i, v := range vlans {
		tpid := uint16(0x8100)
		if i == 0 && len(vlans) > 1 {
			tpid = 0x88a8
		}
		b = binary.BigEndian.AppendUint16(b, tpid)
		b = binary.BigEndian.AppendUint16(b, v)
	}
	b = binary.BigEndian.AppendUint16(b, et)
	return append(b, ip...)
}

// clientHello builds a TLS handshake record holding a ClientHello with
// the given server name.
func clientHello(sni string) []byte {
	var ext []byte
	if sni != "" {
		name := []byte(sni)
		list := append([]byte{0}, binary.BigEndian.AppendUint16(nil, uint16(len(name)))...)
		list = append(list, name...)
		sn := binary.BigEndian.AppendUint16(nil, uint16(len(list)))
		sn = append(sn, list...)
		ext = binary.BigEndian.AppendUint16(ext, 0)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(sn)))
		ext = append(ext, sn...)
	}
	// An unrelated extension first (supported_groups).
	ext = append([]byte{0, 10, 0, 4, 0, 2, 0, 29}, ext...)
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)    // random
	body = append(body, 0)                      // session id
	body = append(body, 0, 4, 0x13, 1, 0x13, 2) // cipher suites
	body = append(body, 1, 0)                   // compression
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	return tlsRecord(22, handshakeMsg(1, body))
}

// certificateMsg builds a Certificate handshake message with the given
// DER certificates.
func certificateMsg(certs ...[]byte) []byte {
	var list []byte
	for _, c := range certs {
		list = append(list, byte(len(c)>>16), byte(len(c)>>8), byte(len(c)))
		list = append(list, c...)
	}
	body := []byte{byte(len(list) >> 16), byte(len(list) >> 8), byte(len(list))}
	return handshakeMsg(11, append(body, list...))
}

func handshakeMsg(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

func tlsRecord(typ byte, body []byte) []byte {
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

// fakeCert returns n bytes that stand for a DER certificate.
func fakeCert(n int, seed byte) []byte {
	c := make([]byte, n)
	c[0], c[1] = 0x30, 0x82
	for i := 2; i < n; i++ {
		c[i] = byte(i) ^ seed
	}
	return c
}
