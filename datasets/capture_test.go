package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gopacket/gopacket/layers"
)

var (
	cli4 = netip.MustParseAddr("10.0.0.1")
	srv4 = netip.MustParseAddr("192.0.2.7")
	cli6 = netip.MustParseAddr("2001:db8::1")
	srv6 = netip.MustParseAddr("2001:db8:1::443")
)

// readCapture reads all records of an in-memory capture, copying them.
func readCapture(t testing.TB, data []byte, opts CaptureOptions) ([]Packet, CaptureStats, error) {
	t.Helper()
	cr, err := NewCaptureReader(bytes.NewReader(data), "mem.pcap", opts)
	if err != nil {
		return nil, CaptureStats{}, err
	}
	var out []Packet
	for cr.Scan() {
		p := *cr.Packet()
		if p.Cert != nil {
			p.Cert = append([]byte(nil), p.Cert...)
		}
		out = append(out, p)
	}
	return out, cr.Stats(), cr.Err()
}

func TestIsCaptureMagic(t *testing.T) {
	for _, tc := range []struct {
		head []byte
		want bool
	}{
		{[]byte{0xd4, 0xc3, 0xb2, 0xa1}, true},
		{[]byte{0xa1, 0xb2, 0xc3, 0xd4}, true},
		{[]byte{0x4d, 0x3c, 0xb2, 0xa1}, true},
		{[]byte{0xa1, 0xb2, 0x3c, 0x4d}, true},
		{[]byte{0x34, 0xcd, 0xb2, 0xa1}, true},
		{[]byte{0x0a, 0x0d, 0x0d, 0x0a, 0, 0}, true},
		{[]byte("frame.number,"), false},
		{[]byte{0xd4, 0xc3, 0xb2}, false},
		{nil, false},
	} {
		if got := IsCaptureMagic(tc.head); got != tc.want {
			t.Errorf("IsCaptureMagic(% x) = %v, want %v", tc.head, got, tc.want)
		}
	}
}

// TestCaptureFormats reads the same packets from every pcap variant and
// from pcapng and checks every field.
func TestCaptureFormats(t *testing.T) {
	const t0 = 1700000000_123456789
	f1 := flowSpec{src: cli4, dst: srv4, sport: 40000, dport: 443, tcp: true, flags: tcpSYN, seq: 100}
	f2 := flowSpec{src: cli6, dst: srv6, sport: 5353, dport: 53, payload: []byte("query")}
	ip1, ip2 := ipPacket(t, f1), ipPacket(t, f2)
	recs := []capRecord{
		{timeNs: t0, data: ethFrame(ip1)},
		{timeNs: t0 + 1500, data: ethFrame(ip2), origLen: 2000},
		{timeNs: t0 + 3000, data: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06, 0, 1}}, // ARP-ish
	}
	check := func(t *testing.T, data []byte, nano bool) {
		t.Helper()
		pkts, st, err := readCapture(t, data, CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts) != 2 {
			t.Fatalf("got %d records, want 2", len(pkts))
		}
		wantT := []int64{t0, t0 + 1500}
		if !nano {
			wantT = []int64{t0 / 1000 * 1000, (t0 + 1500) / 1000 * 1000}
		}
		want := []Packet{
			{Frame: 1, Time: wantT[0], Proto: TCP, Stream: 0, Src: cli4, Dst: srv4, SrcPort: 40000, DstPort: 443, FrameLen: 14 + len(ip1), IPLen: len(ip1)},
			{Frame: 2, Time: wantT[1], Proto: UDP, Stream: 0, Src: cli6, Dst: srv6, SrcPort: 5353, DstPort: 53, FrameLen: 2000, IPLen: len(ip2)},
		}
		for i := range want {
			if !sameCapturePacket(pkts[i], want[i]) {
				t.Errorf("record %d = %+v, want %+v", i, pkts[i], want[i])
			}
		}
		if st.Frames != 3 || st.TCP != 1 || st.UDP != 1 || st.SkippedNotIP != 1 {
			t.Errorf("stats = %+v", st)
		}
	}
	for _, v := range []struct {
		name  string
		magic uint32
		order binary.ByteOrder
		nano  bool
	}{
		{"micro-le", pcapMagicMicro, binary.LittleEndian, false},
		{"micro-be", pcapMagicMicro, binary.BigEndian, false},
		{"nano-le", pcapMagicNano, binary.LittleEndian, true},
		{"nano-be", pcapMagicNano, binary.BigEndian, true},
		{"modified-le", pcapMagicModified, binary.LittleEndian, false},
		{"modified-be", pcapMagicModified, binary.BigEndian, false},
	} {
		t.Run(v.name, func(t *testing.T) { check(t, pcapFile(v.magic, v.order, layers.LinkTypeEthernet, recs), v.nano) })
	}
	t.Run("pcapng", func(t *testing.T) { check(t, pcapngFile(t, layers.LinkTypeEthernet, recs), true) })
	t.Run("one-byte-reads", func(t *testing.T) {
		data := pcapFile(pcapMagicNano, binary.LittleEndian, layers.LinkTypeEthernet, recs)
		cr, err := NewCaptureReader(iotest.OneByteReader(bytes.NewReader(data)), "x", CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for cr.Scan() {
			n++
		}
		if cr.Err() != nil || n != 2 {
			t.Fatalf("read %d records, err %v", n, cr.Err())
		}
	})
}

func sameCapturePacket(a, b Packet) bool {
	return a.Frame == b.Frame && a.Time == b.Time && a.Proto == b.Proto && a.Stream == b.Stream &&
		a.Src == b.Src && a.Dst == b.Dst && a.SrcPort == b.SrcPort && a.DstPort == b.DstPort &&
		a.FrameLen == b.FrameLen && a.IPLen == b.IPLen && bytes.Equal(a.Cert, b.Cert) && a.SNI == b.SNI
}

// TestCaptureLinkTypes decodes the same TCP packet under every supported
// link-layer framing.
func TestCaptureLinkTypes(t *testing.T) {
	f := flowSpec{src: cli4, dst: srv4, sport: 1234, dport: 80, tcp: true, flags: tcpACK, seq: 7, payload: []byte("GET /")}
	ip := ipPacket(t, f)
	f6 := f
	f6.src, f6.dst = cli6, srv6
	ip6 := ipPacket(t, f6)
	sll := func(ip []byte, et uint16) []byte {
		b := make([]byte, 16)
		b[11] = 0x30 // address length 48: tshark ignores it
		binary.BigEndian.PutUint16(b[14:], et)
		return append(b, ip...)
	}
	sll2 := func(ip []byte, et uint16) []byte {
		b := make([]byte, 20)
		binary.BigEndian.PutUint16(b, et)
		b[11] = 6
		return append(b, ip...)
	}
	null := func(ip []byte, fam uint32, order binary.AppendByteOrder) []byte {
		b := order.AppendUint32(nil, fam)
		return append(b, ip...)
	}
	ppp := append([]byte{0xff, 0x03, 0x00, 0x21}, ip...)
	nflog := append([]byte{2, 0, 0, 1, 8, 0, 1, 0, 8, 0, 1, 0, byte(len(ip) + 4), 0, 9, 0}, ip...)
	ipoib := append(append(make([]byte, 40), 0x08, 0, 0, 0), ip...)
	arcnet := append([]byte{1, 2, 0, 0, 212, 0, 0, 1}, ip...)
	arcnetOld := append([]byte{1, 2, 0, 0, 240}, ip...)
	mpls := append([]byte{2, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40}, ip...)
	macsec := append([]byte{2, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0, 0x88, 0xe5, 0x20, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 0x00}, ip...)
	pppoe := append([]byte{2, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0, 0x88, 0x64, 0x11, 0, 0, 1, 0, byte(len(ip) + 2), 0, 0x21}, ip...)
	for _, tc := range []struct {
		name  string
		link  layers.LinkType
		frame []byte
		v6    bool
	}{
		{"ethernet", layers.LinkTypeEthernet, ethFrame(ip), false},
		{"ethernet-ipv6", layers.LinkTypeEthernet, ethFrame(ip6), true},
		{"vlan", layers.LinkTypeEthernet, ethFrame(ip, 100), false},
		{"qinq", layers.LinkTypeEthernet, ethFrame(ip6, 10, 20), true},
		{"mpls", layers.LinkTypeEthernet, mpls, false},
		{"macsec", layers.LinkTypeEthernet, macsec, false},
		{"pppoe", layers.LinkTypeEthernet, pppoe, false},
		{"sll", layers.LinkTypeLinuxSLL, sll(ip, 0x0800), false},
		{"sll2-ipv6", layers.LinkTypeLinuxSLL2, sll2(ip6, 0x86dd), true},
		{"null-le", layers.LinkTypeNull, null(ip, 2, binary.LittleEndian), false},
		{"null-be-ipv6-darwin", layers.LinkTypeNull, null(ip6, 30, binary.BigEndian), true},
		{"loop", linkTypeLoop, null(ip, 2, binary.BigEndian), false},
		{"raw", layers.LinkTypeRaw, ip, false},
		{"raw-ipv6", layers.LinkTypeRaw, ip6, true},
		{"dlt-raw-12", linkTypeRawBSD, ip6, true},
		{"dlt-raw-14", linkTypeRawOpenBSD, ip, false},
		{"linktype-ipv4", layers.LinkTypeIPv4, ip, false},
		{"linktype-ipv6", layers.LinkTypeIPv6, ip6, true},
		{"ppp", layers.LinkTypePPP, ppp, false},
		{"nflog", linkTypeNFLOG, nflog, false},
		{"ipoib", linkTypeIPoIB, ipoib, false},
		{"arcnet-rfc1201", linkTypeARCnet, arcnet, false},
		{"arcnet-rfc1051", linkTypeARCnet, arcnetOld, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := pcapFile(pcapMagicMicro, binary.LittleEndian, tc.link, []capRecord{{timeNs: 1e9, data: tc.frame}})
			pkts, st, err := readCapture(t, data, CaptureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(pkts) != 1 {
				t.Fatalf("got %d records (stats %+v), want 1", len(pkts), st)
			}
			p := pkts[0]
			src, dst, ipl := cli4, srv4, len(ip)
			if tc.v6 {
				src, dst, ipl = cli6, srv6, len(ip6)
			}
			if p.Proto != TCP || p.Src != src || p.Dst != dst || p.SrcPort != 1234 || p.DstPort != 80 ||
				p.FrameLen != len(tc.frame) || p.IPLen != ipl {
				t.Errorf("record = %+v", p)
			}
		})
	}
	t.Run("unsupported", func(t *testing.T) {
		data := pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeArcNet, []capRecord{{timeNs: 1, data: ip}, {timeNs: 2, data: ip}})
		pkts, st, err := readCapture(t, data, CaptureOptions{})
		if err != nil || len(pkts) != 0 || st.SkippedLinkType != 2 || st.Frames != 2 {
			t.Errorf("records %d, stats %+v, err %v", len(pkts), st, err)
		}
	})
}

// TestCaptureIPv6Extensions checks extension-header skipping and that
// fragments are skipped and counted.
func TestCaptureIPv6Extensions(t *testing.T) {
	udp := []byte{0x30, 0x39, 0x00, 0x35, 0, 12, 0, 0, 'a', 'b', 'c', 'd'}
	mk := func(nh byte, ext []byte) []byte {
		b := []byte{0x60, 0, 0, 0, 0, 0, nh, 64}
		binary.BigEndian.PutUint16(b[4:], uint16(len(ext)+len(udp)))
		b = append(b, cli6.AsSlice()...)
		b = append(b, srv6.AsSlice()...)
		b = append(b, ext...)
		return append(b, udp...)
	}
	hbh := []byte{60, 0, 1, 4, 0, 0, 0, 0}            // hop-by-hop -> destination options
	dst := []byte{44, 0, 1, 4, 0, 0, 0, 0}            // destination options -> fragment
	atomic := []byte{17, 0, 0, 0, 0, 0, 0, 1}         // fragment, offset 0, M=0 -> UDP
	first := []byte{17, 0, 0, 1, 0, 0, 0, 1}          // offset 0, M=1
	later := []byte{17, 0, 0, 0x10, 0, 0, 0, 1}       // offset 2
	ah := []byte{17, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} // AH, 12 bytes -> UDP
	recs := []capRecord{
		{timeNs: 1, data: mk(0, append(append(append([]byte{}, hbh...), dst...), atomic...))},
		{timeNs: 2, data: mk(44, first)},
		{timeNs: 3, data: mk(44, later)},
		{timeNs: 4, data: mk(51, ah)},
	}
	pkts, st, err := readCapture(t, pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeRaw, recs), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 2 || pkts[0].Frame != 1 || pkts[1].Frame != 4 || st.SkippedFragment != 2 {
		t.Fatalf("records %+v, stats %+v", pkts, st)
	}
	for _, p := range pkts {
		if p.Proto != UDP || p.SrcPort != 12345 || p.DstPort != 53 || p.Stream != 0 || p.IPLen != len(recs[p.Frame-1].data) {
			t.Errorf("record %+v", p)
		}
	}
}

// TestCaptureStreams checks tshark's conversation numbering: per-protocol
// counters, direction-independent keys, and TCP port reuse after a SYN.
// The expected TCP indices are those tshark 4.0.17 gave to the same packets
// (written to a pcap and read with tshark -T fields -e tcp.stream).
func TestCaptureStreams(t *testing.T) {
	tcp := func(cport uint16, flags uint8, seq, ack uint32, fromServer bool) flowSpec {
		f := flowSpec{src: cli4, dst: srv4, sport: cport, dport: 443, tcp: true, flags: flags, seq: seq, ack: ack}
		if fromServer {
			f.src, f.dst, f.sport, f.dport = srv4, cli4, 443, cport
		}
		return f
	}
	udp := func(src, dst netip.Addr, sp, dp uint16) flowSpec {
		return flowSpec{src: src, dst: dst, sport: sp, dport: dp, payload: []byte{1}}
	}
	const syn, synack, ack, fin, rst = tcpSYN, tcpSYN | tcpACK, tcpACK, tcpFIN | tcpACK, tcpRST | tcpACK
	steps := []struct {
		f    flowSpec
		want int64
	}{
		// A handshake; SYN retransmitted; the same ISN after FIN and after
		// RST keeps the conversation; a server SYN with a new number
		// starts another.
		{tcp(1000, syn, 10, 0, false), 0},
		{udp(cli4, srv4, 1000, 443), 0}, // separate UDP counter
		{tcp(1000, synack, 50, 11, true), 0},
		{tcp(1000, syn, 10, 0, false), 0},
		{tcp(1000, fin, 11, 51, false), 0},
		{tcp(1000, syn, 10, 0, false), 0},
		{tcp(1000, rst, 51, 0, true), 0},
		{tcp(1000, syn, 10, 0, false), 0},
		{tcp(1000, ack, 500, 0, false), 0},
		{tcp(1000, syn, 900, 0, true), 1},
		{tcp(1000, syn, 900, 0, true), 1},
		{udp(srv4, cli4, 443, 1000), 0}, // reverse direction
		{udp(cli4, srv4, 1001, 443), 1},
		// Without a SYN the base is one before the first sequence
		// number seen, and one before the first acknowledgement number
		// for the other direction.
		{tcp(1001, ack, 100, 0, false), 2},
		{tcp(1001, syn, 100, 0, false), 3},
		{tcp(1001, syn, 99, 0, false), 4},
		{tcp(1001, ack, 5, 0, true), 4},
		{tcp(1001, syn, 6, 0, true), 5},
		{tcp(1001, synack, 7, 0, true), 5},
		{tcp(1001, syn, 99, 0, false), 6},
		{tcp(1001, syn, 98, 0, false), 7},
		{tcp(1002, ack, 100, 500, false), 8},
		{tcp(1002, syn, 499, 0, true), 8},
		{tcp(1002, syn, 500, 0, true), 9},
		{tcp(1003, fin, 77, 88, false), 10},
		{tcp(1003, syn, 76, 0, false), 10},
		{tcp(1003, syn, 87, 0, true), 10},
		{flowSpec{src: cli6, dst: srv6, sport: 1000, dport: 443, tcp: true, flags: ack, seq: 99}, 11}, // other addresses
	}
	var recs []capRecord
	for i, s := range steps {
		recs = append(recs, capRecord{timeNs: int64(i+1) * 1e6, data: ethFrame(ipPacket(t, s.f))})
	}
	pkts, _, err := readCapture(t, pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, recs), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != len(steps) {
		t.Fatalf("%d records, want %d", len(pkts), len(steps))
	}
	for i, s := range steps {
		if pkts[i].Stream != s.want {
			t.Errorf("step %d (%v %d>%d flags %#x seq %d): stream %d, want %d", i, pkts[i].Proto, s.f.sport, s.f.dport, s.f.flags, s.f.seq, pkts[i].Stream, s.want)
		}
	}
}

// tlsFlow builds the packets of a TCP connection whose client sends
// clientData and whose server sends serverData, each cut into segments of
// at most seg bytes (client first).
func tlsFlow(t testing.TB, cli, srv netip.Addr, cport uint16, clientData, serverData []byte, seg int) []flowSpec {
	t.Helper()
	out := []flowSpec{
		{src: cli, dst: srv, sport: cport, dport: 443, tcp: true, flags: tcpSYN, seq: 1000},
		{src: srv, dst: cli, sport: 443, dport: cport, tcp: true, flags: tcpSYN | tcpACK, seq: 5000},
	}
	add := func(from, to netip.Addr, sp, dp uint16, seq uint32, data []byte) {
		for len(data) > 0 {
			n := min(seg, len(data))
			out = append(out, flowSpec{src: from, dst: to, sport: sp, dport: dp, tcp: true, flags: tcpACK, seq: seq, payload: data[:n]})
			seq += uint32(n)
			data = data[n:]
		}
	}
	add(cli, srv, cport, 443, 1001, clientData)
	add(srv, cli, 443, cport, 5001, serverData)
	return out
}

func flowCapture(t testing.TB, flows []flowSpec) []byte {
	t.Helper()
	recs := make([]capRecord, len(flows))
	for i, f := range flows {
		recs[i] = capRecord{timeNs: int64(i+1) * 1e6, data: ethFrame(ipPacket(t, f))}
	}
	return pcapFile(pcapMagicNano, binary.LittleEndian, layers.LinkTypeEthernet, recs)
}

// tlsExchange is a TLS handshake to feed through the reader: the client's
// ClientHello for example.org and the server's ServerHello, Certificate
// (split over two records, the second carrying ServerHelloDone as well) and
// ChangeCipherSpec.
type tlsExchange struct {
	client, server []byte
	serverHello    []byte // the first bytes of server
	certMsg        []byte // the Certificate message
	cert           []byte // the first certificate in certMsg
}

func newTLSExchange() tlsExchange {
	cert1, cert2 := fakeCert(3000, 1), fakeCert(1200, 2)
	serverHello := tlsRecord(22, handshakeMsg(2, make([]byte, 70)))
	// The Certificate message split over two records, the second
	// carrying ServerHelloDone as well.
	cm := certificateMsg(cert1, cert2)
	server := append(append([]byte{}, serverHello...), tlsRecord(22, cm[:1000])...)
	server = append(server, tlsRecord(22, append(append([]byte{}, cm[1000:]...), handshakeMsg(14, nil)...))...)
	server = append(server, tlsRecord(20, []byte{1})...)
	client := clientHello("example.org")
	return tlsExchange{client: client, server: server, serverHello: serverHello, certMsg: cm, cert: cert1}
}

// TestCaptureTLS checks where the reader reports the SNI and the server
// certificate of a TLS handshake, however it is segmented, retransmitted,
// cut by gaps or prefixed by a proxy request.
func TestCaptureTLS(t *testing.T) {
	x := newTLSExchange()
	for _, seg := range []int{1, 7, 100, 536, 1460, 100000} {
		checkTLSSegmented(t, x, seg)
	}
	t.Run("retransmission-and-gap", func(t *testing.T) { checkTLSRetransmissions(t, x.client) })
	t.Run("gaps", func(t *testing.T) { checkTLSGaps(t, x.client) })
	t.Run("proxy-prefix-and-not-tls", func(t *testing.T) { checkTLSProxyPrefix(t, x.client) })
}

// checkTLSSegmented reads the exchange cut into segments of seg bytes and
// checks that the SNI and the certificate are each reported once, on the
// segment that completes them.
func checkTLSSegmented(t *testing.T, x tlsExchange, seg int) {
	t.Helper()
	client, server, serverHello, cm := x.client, x.server, x.serverHello, x.certMsg
	pkts, st, err := readCapture(t, flowCapture(t, tlsFlow(t, cli4, srv4, 50000, client, server, seg)), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sniAt, certAt []int
	for i, p := range pkts {
		if p.SNI != "" {
			sniAt = append(sniAt, i)
			if p.SNI != "example.org" {
				t.Errorf("seg %d: SNI %q", seg, p.SNI)
			}
		}
		if p.Cert != nil {
			certAt = append(certAt, i)
			if !bytes.Equal(p.Cert, x.cert) {
				t.Errorf("seg %d: wrong certificate (%d bytes)", seg, len(p.Cert))
			}
		}
	}
	// The SNI is on the segment that completes the ClientHello: the
	// last client segment; the certificate on the segment that
	// completes the record holding the end of the Certificate message
	// (the record also carries the 4-byte ServerHelloDone).
	nClient := (len(client) + seg - 1) / seg
	certEnd := len(serverHello) + 5 + 1000 + 5 + len(cm) - 1000 + 4 // offset after that record
	wantCert := 2 + nClient + (certEnd-1)/seg
	if len(sniAt) != 1 || sniAt[0] != 1+nClient || len(certAt) != 1 || certAt[0] != wantCert {
		t.Errorf("seg %d: SNI at %v (want %d), cert at %v (want %d)", seg, sniAt, 1+nClient, certAt, wantCert)
	}
	if st.TLSCerts != 1 || st.TLSSNIs != 1 {
		t.Errorf("seg %d: stats %+v", seg, st)
	}
}

// checkTLSRetransmissions checks that a ClientHello whose segments are all
// sent twice gives its SNI once.
func checkTLSRetransmissions(t *testing.T, client []byte) {
	fl := tlsFlow(t, cli4, srv4, 50001, client, nil, 30)
	// Duplicate every client data segment: the SNI must appear once.
	var dup []flowSpec
	for _, f := range fl {
		dup = append(dup, f)
		if len(f.payload) > 0 {
			dup = append(dup, f)
		}
	}
	pkts, _, err := readCapture(t, flowCapture(t, dup), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pkts {
		if p.SNI == "example.org" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("SNI reported %d times with retransmissions, want 1", n)
	}
}

// checkTLSGaps checks the SNI of ClientHellos with lost or late segments
// against tshark's answers.
func checkTLSGaps(t *testing.T, client []byte) {
	// The ClientHello (82 bytes) then a 10-byte application-data
	// record, in 30-byte segments c0..c3, 1 ms apart. The expected
	// frames are tshark 4.0.17's answers for the same captures.
	data := append(append([]byte{}, client...), tlsRecord(23, make([]byte, 10))...)
	fl := tlsFlow(t, cli4, srv4, 50003, data, nil, 30)
	syn, c := fl[:2], fl[2:]
	sniFrames := func(order []flowSpec) (frames []int64, abandoned int64) {
		pkts, st, err := readCapture(t, flowCapture(t, order), CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			if p.SNI != "" {
				frames = append(frames, p.Frame)
			}
		}
		return frames, st.TLSAbandoned
	}
	with := func(segs ...flowSpec) []flowSpec { return append(append([]flowSpec{}, syn...), segs...) }
	// c2 (which holds the end of the ClientHello record) before c1:
	// the record is given up at c2 and the late c1 does not revive it.
	for _, order := range [][]flowSpec{with(c[0], c[2], c[1], c[3]), with(c[0], c[2], c[1]), with(c[0], c[2], c[3])} {
		if got, _ := sniFrames(order); len(got) != 0 {
			t.Errorf("ClientHello with a hole: SNI on frames %v, want none", got)
		}
	}
	// Three ClientHellos in segments that end on record boundaries;
	// the second is lost: parsing resumes with the third.
	three := append(append(append([]byte{}, client...), client...), client...)
	fl = tlsFlow(t, cli4, srv4, 50004, three, nil, len(client))
	got, abandoned := sniFrames([]flowSpec{fl[0], fl[1], fl[2], fl[4]})
	if len(got) != 2 || got[0] != 3 || got[1] != 4 || abandoned != 0 {
		t.Errorf("gap at a record boundary: SNI on frames %v, %d abandoned; want [3 4], 0", got, abandoned)
	}
}

// checkTLSProxyPrefix checks that the SNI is found after an HTTP CONNECT
// request, and that NoTLS turns the parsing off.
func checkTLSProxyPrefix(t *testing.T, client []byte) {
	connect := []byte("CONNECT example.org:443 HTTP/1.1\r\n\r\n")
	fl := tlsFlow(t, cli6, srv6, 50002, append(connect, client...), nil, len(connect))
	pkts, _, err := readCapture(t, flowCapture(t, fl), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pkts[len(pkts)-1].SNI != "example.org" {
		t.Errorf("SNI after a CONNECT request not found")
	}
	pkts, _, err = readCapture(t, flowCapture(t, fl), CaptureOptions{NoTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		if p.SNI != "" {
			t.Errorf("NoTLS: SNI %q", p.SNI)
		}
	}
}

// TestCaptureMalformed feeds damaged captures: each must end with an error
// that wraps ErrMalformed and names the file (and frame), never a panic.
func TestCaptureMalformed(t *testing.T) {
	good := flowCapture(t, []flowSpec{
		{src: cli4, dst: srv4, sport: 1, dport: 2, tcp: true, flags: tcpSYN},
		{src: cli4, dst: srv4, sport: 1, dport: 2, payload: []byte("x")},
	})
	ng := pcapngFile(t, layers.LinkTypeEthernet, []capRecord{{timeNs: 5, data: ethFrame(ipPacket(t, flowSpec{src: cli4, dst: srv4, sport: 1, dport: 2}))}})
	hugeLen := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(hugeLen[24+8:], 1<<30)
	badBlock := append([]byte{}, ng...)
	// The second block is the interface description; give it length 7.
	shbLen := binary.LittleEndian.Uint32(ng[4:])
	binary.LittleEndian.PutUint32(badBlock[shbLen+4:], 7)
	badVersion := append([]byte{}, good...)
	badVersion[4] = 9
	for _, tc := range []struct {
		name    string
		data    []byte
		atOpen  bool
		records int
		want    string
		cut     bool // wraps ErrTruncated
	}{
		{"empty", nil, true, 0, "too short", false},
		{"garbage", []byte("this is not a capture file at all"), true, 0, "not a pcap", false},
		{"short-header", good[:10], true, 0, "cut short", false},
		{"bad-version", badVersion, true, 0, "version", false},
		{"cut-in-record-header", good[:24+8], false, 0, "frame 1: record header cut short (8 of 16 bytes)", true},
		{"cut-in-record-data", good[:len(good)-3], false, 1, "frame 2: record data cut short", true},
		{"huge-record", hugeLen, false, 0, "frame 1", false},
		{"pcapng-cut", ng[:len(ng)-5], false, 0, "frame 1", true},
		{"pcapng-bad-block-length", badBlock, false, 0, "frame 1", false},
		{"gzip-garbage", []byte{0x1f, 0x8b, 1, 2, 3}, true, 0, "gzip", false},
		{"gzip-cut", gz(t, good)[:40], false, 0, "cut short", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := NewCaptureReader(bytes.NewReader(tc.data), "mem.pcap", CaptureOptions{})
			n := 0
			if err == nil {
				if tc.atOpen {
					t.Fatalf("no error at open")
				}
				for cr.Scan() {
					n++
				}
				err = cr.Err()
				if cr.Scan() {
					t.Errorf("Scan after the error returned true")
				}
			} else if !tc.atOpen {
				t.Fatalf("error at open: %v", err)
			}
			if err == nil {
				t.Fatalf("no error")
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if errors.Is(err, ErrTruncated) != tc.cut {
				t.Errorf("error %v: wraps ErrTruncated %v, want %v", err, !tc.cut, tc.cut)
			}
			if !strings.Contains(err.Error(), "mem.pcap") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q or the file name", err, tc.want)
			}
			if n != tc.records {
				t.Errorf("%d records before the error, want %d", n, tc.records)
			}
		})
	}
	t.Run("io-error", func(t *testing.T) {
		boom := errors.New("disk on fire")
		r := io.MultiReader(bytes.NewReader(good[:40]), iotest.ErrReader(boom))
		cr, err := NewCaptureReader(r, "mem.pcap", CaptureOptions{})
		if err == nil {
			for cr.Scan() {
			}
			err = cr.Err()
		}
		if !errors.Is(err, boom) || errors.Is(err, ErrMalformed) {
			t.Errorf("I/O error reported as %v", err)
		}
	})
	t.Run("damaged-headers-skipped", func(t *testing.T) {
		ip := ipPacket(t, flowSpec{src: cli4, dst: srv4, sport: 1, dport: 2, tcp: true, flags: tcpACK})
		bad := append([]byte{}, ip...)
		bad[32] = 0x10 // TCP data offset 1: impossible
		recs := []capRecord{{timeNs: 1, data: ethFrame(bad)}, {timeNs: 2, data: ethFrame(ip[:30])}, {timeNs: 3, data: ethFrame(ip)}, {timeNs: 4, data: []byte{1, 2}}}
		pkts, st, err := readCapture(t, pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, recs), CaptureOptions{})
		if err != nil || len(pkts) != 1 || pkts[0].Frame != 3 || st.SkippedMalformed != 3 {
			t.Errorf("records %+v stats %+v err %v", pkts, st, err)
		}
	})
}

// TestCaptureFragments reassembles IPv4 fragments that arrive out of order
// and IPv6 fragments: the record is on the completing frame.
func TestCaptureFragments(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 200) // 3200 bytes
	whole := ipPacket(t, flowSpec{src: cli4, dst: srv4, sport: 7000, dport: 53, payload: payload})
	body := whole[20:] // UDP header + payload
	frag4 := func(off int, part []byte, more bool) []byte {
		h := append([]byte{}, whole[:20]...)
		binary.BigEndian.PutUint16(h[2:], uint16(20+len(part)))
		fo := uint16(off / 8)
		if more {
			fo |= 0x2000
		}
		binary.BigEndian.PutUint16(h[6:], fo)
		h[10], h[11] = 0, 0
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(h[i])<<8 | uint32(h[i+1])
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(h[10:], ^uint16(sum))
		return append(h, part...)
	}
	whole6 := ipPacket(t, flowSpec{src: cli6, dst: srv6, sport: 7001, dport: 53, payload: payload})
	body6 := whole6[40:]
	frag6 := func(off int, part []byte, more bool) []byte {
		h := append([]byte{}, whole6[:40]...)
		h[6] = 44
		binary.BigEndian.PutUint16(h[4:], uint16(8+len(part)))
		fo := uint16(off/8) << 3
		if more {
			fo |= 1
		}
		fh := []byte{17, 0, 0, 0, 0, 0, 0, 42}
		binary.BigEndian.PutUint16(fh[2:], fo)
		return append(append(h, fh...), part...)
	}
	recs := []capRecord{
		{timeNs: 1, data: ethFrame(frag4(1480, body[1480:2960], true))},
		{timeNs: 2, data: ethFrame(frag6(0, body6[:1448], true))},
		{timeNs: 3, data: ethFrame(frag4(2960, body[2960:], false))},
		{timeNs: 4, data: ethFrame(frag6(1448, body6[1448:], false))},
		{timeNs: 5, data: ethFrame(frag4(0, body[:1480], true))},
	}
	pkts, st, err := readCapture(t, pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, recs), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 2 || st.SkippedFragment != 3 {
		t.Fatalf("records %+v, stats %+v", pkts, st)
	}
	if p := pkts[0]; p.Frame != 4 || p.Src != cli6 || p.SrcPort != 7001 || p.FrameLen != len(recs[3].data) {
		t.Errorf("IPv6 record %+v", p)
	}
	if p := pkts[1]; p.Frame != 5 || p.Src != cli4 || p.SrcPort != 7000 || p.IPLen != 1500 {
		t.Errorf("IPv4 record %+v", p)
	}
}

func TestAddRange(t *testing.T) {
	var have [][2]int
	for _, r := range [][2]int{{10, 20}, {30, 40}, {0, 5}, {20, 30}, {5, 8}, {35, 50}, {60, 70}} {
		have = addRange(have, r[0], r[1])
	}
	want := [][2]int{{0, 8}, {10, 50}, {60, 70}}
	if len(have) != len(want) {
		t.Fatalf("ranges %v, want %v", have, want)
	}
	for i := range want {
		if have[i] != want[i] {
			t.Fatalf("ranges %v, want %v", have, want)
		}
	}
}
