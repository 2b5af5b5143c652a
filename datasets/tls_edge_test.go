package datasets

import (
	"encoding/binary"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// tlsEdgeCapture builds TCP flows that probe where TLS fields are
// reported: TLS on many ports, reordered, duplicated, overlapping and
// missing segments, handshake messages split over records, several
// messages in one record, HelloRetryRequest, application data first, TCP
// Fast Open, tiny segments and IPv6.
func tlsEdgeCapture(t testing.TB) []byte {
	ch := clientHello("edge.example")
	cm := certificateMsg(fakeCert(2000, 1))
	server := append(tlsRecord(22, handshakeMsg(2, make([]byte, 70))), tlsRecord(22, cm)...)
	var fl []flowSpec
	for i, port := range []uint16{443, 8443, 5555, 993, 4433, 853, 5061, 50000, 80, 81, 591, 1900, 2710, 2869, 3128,
		3132, 5985, 8000, 8008, 8080, 8088, 11371, 21, 22, 23, 25, 110, 143, 389, 3389, 5432, 3306, 53, 1080, 554,
		1935, 6379, 9000, 4444, 7000} {
		f := tlsFlow(t, cli4, srv4, uint16(40000+i), ch, server, 1400)
		for j := range f {
			if f[j].dport == 443 {
				f[j].dport = port
			} else {
				f[j].sport = port
			}
		}
		fl = append(fl, f...)
	}
	// Client segments out of order: nothing is reported.
	f := tlsFlow(t, cli4, srv4, 41000, ch, nil, 40)
	f[2], f[3] = f[3], f[2]
	fl = append(fl, f...)
	// The first data segment repeated after the second.
	f = tlsFlow(t, cli4, srv4, 41001, ch, nil, 40)
	f = append(f[:4], append([]flowSpec{f[2]}, f[4:]...)...)
	fl = append(fl, f...)
	// An overlapping retransmission.
	f = tlsFlow(t, cli4, srv4, 41002, ch, nil, 40)
	ov := f[2]
	ov.seq += 20
	ov.payload = ch[20:60]
	f = append(f[:3], append([]flowSpec{ov}, f[3:]...)...)
	fl = append(fl, f...)
	// A missing segment that arrives late: nothing is reported.
	f = tlsFlow(t, cli4, srv4, 41003, ch, nil, 40)
	late := f[3]
	f = append(append(append([]flowSpec{}, f[:3]...), f[4:]...), late)
	fl = append(fl, f...)
	add := func(port uint16, client, srv []byte, seg int) {
		fl = append(fl, tlsFlow(t, cli4, srv4, port, client, srv, seg)...)
	}
	chMsg := ch[5:]
	// a: ClientHello split over two records
	add(42000, append(tlsRecord(22, chMsg[:30]), tlsRecord(22, chMsg[30:])...), nil, 1400)
	// b: certificate over 3 records, tiny segments
	add(42001, ch, append(append(tlsRecord(22, cm[:700]), tlsRecord(22, cm[700:1400])...), tlsRecord(22, cm[1400:])...), 333)
	// c: two ClientHellos in one record
	add(42002, tlsRecord(22, append(append([]byte{}, chMsg...), clientHello("second.example")[5:]...)), nil, 1400)
	// d: CCS then ClientHello (HRR style) then encrypted-looking handshake
	add(42003, append(append(append(append([]byte{}, ch...), tlsRecord(20, []byte{1})...), clientHello("retry.example")...), tlsRecord(22, []byte{1, 0, 0, 9, 1, 2, 3})...), nil, 1400)
	// e: app data before handshake
	add(42004, append(tlsRecord(23, []byte{1, 2, 3}), ch...), nil, 1400)
	// f: two certificate messages in separate records (second ignored?)
	add(42005, ch, append(tlsRecord(22, cm), tlsRecord(22, certificateMsg(fakeCert(500, 7)))...), 1400)
	// g: 1-byte and 2-byte segments at the start
	add(42006, ch, server, 2)
	// h: records split so that headers straddle segments
	add(42007, ch, server, 7)
	// i: TFO: ClientHello in the SYN
	tfo := tlsFlow(t, cli4, srv4, 42008, nil, server, 1400)
	tfo[0].payload = ch
	tfo[1].ack = 1001 + uint32(len(ch))
	fl = append(fl, tfo...)
	// j: IPv6
	fl = append(fl, tlsFlow(t, cli6, srv6, 42009, ch, server, 500)...)
	// k: non-TLS then TLS on 443 (probe)
	add(42010, append([]byte("hello"), ch...), nil, 5)
	// l: SNI with two names, first not host_name
	{
		ext := []byte{0, 0, 0, 0}
		list := []byte{1, 0, 3, 'a', 'b', 'c', 0, 0, 5, 'x', '.', 'o', 'r', 'g'}
		sn := append([]byte{0, byte(len(list))}, list...)
		ext = append(ext[:2], byte(len(sn)>>8), byte(len(sn)))
		ext = append(ext, sn...)
		body := append([]byte{3, 3}, make([]byte, 32)...)
		body = append(body, 0, 0, 2, 0x13, 1, 1, 0, 0, byte(len(ext)))
		body = append(body, ext...)
		add(42011, tlsRecord(22, handshakeMsg(1, body)), nil, 1400)
	}
	var recs []capRecord
	for i, s := range fl {
		recs = append(recs, capRecord{timeNs: int64(i+1) * 1e6, data: ethFrame(ipPacket(t, s))})
	}
	return pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, recs)
}

// TestCaptureTLSEdgeCases compares the frames that carry a server name or
// certificate with tshark 4.0.17's output for the same capture (tshark
// -Y "tls.handshake.extensions_server_name or tls.handshake.certificate";
// where tshark lists several names, the first is expected).
func TestCaptureTLSEdgeCases(t *testing.T) {
	want := []struct {
		frame int64
		sni   string
		cert  bool
	}{
		{3, "edge.example", false}, {5, "", true}, {8, "edge.example", false}, {10, "", true},
		{13, "edge.example", false}, {15, "", true}, {18, "edge.example", false}, {20, "", true},
		{23, "edge.example", false}, {25, "", true}, {28, "edge.example", false}, {30, "", true},
		{33, "edge.example", false}, {35, "", true}, {38, "edge.example", false}, {40, "", true},
		{48, "edge.example", false}, {50, "", true}, {53, "edge.example", false}, {55, "", true},
		{88, "edge.example", false}, {90, "", true}, {93, "edge.example", false}, {95, "", true},
		{138, "edge.example", false}, {140, "", true}, {148, "edge.example", false}, {150, "", true},
		{188, "edge.example", false}, {190, "", true}, {193, "edge.example", false}, {195, "", true},
		{211, "edge.example", false}, {217, "edge.example", false}, {225, "edge.example", false}, {228, "edge.example", false},
		{235, "", true}, {238, "edge.example", false}, {241, "edge.example", false}, {244, "edge.example", false},
		{247, "edge.example", false}, {249, "", true}, {293, "edge.example", false}, {1340, "", true},
		{1354, "edge.example", false}, {1654, "", true}, {1655, "edge.example", false}, {1658, "", true},
		{1661, "edge.example", false}, {1666, "", true}, {1686, "edge.example", false}, {1689, "abc", false},
	}
	pkts, _, err := readCapture(t, tlsEdgeCapture(t), CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, p := range pkts {
		if p.SNI == "" && p.Cert == nil {
			continue
		}
		if i >= len(want) || p.Frame != want[i].frame || p.SNI != want[i].sni || (p.Cert != nil) != want[i].cert {
			t.Errorf("frame %d: SNI %q, cert %v; next expected %+v", p.Frame, p.SNI, p.Cert != nil, want[min(i, len(want)-1)])
		}
		i++
	}
	if i != len(want) {
		t.Errorf("%d frames with TLS fields, want %d", i, len(want))
	}
}
