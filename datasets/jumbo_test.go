package datasets

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// jumbogram turns an IPv6 packet into a jumbogram: payload length plen
// (0 for a jumbogram) and a hop-by-hop header with a Jumbo Payload option
// holding jumbo (-1: the true length of the payload, hop-by-hop header
// included).
func jumbogram(ip []byte, jumbo int64, plen int) []byte {
	out := append([]byte(nil), ip[:40]...)
	out[6] = 0 // next header: hop-by-hop
	binary.BigEndian.PutUint16(out[4:], uint16(plen))
	if jumbo < 0 {
		jumbo = int64(len(ip) - 40 + 8)
	}
	hbh := []byte{ip[6], 0, 0xc2, 4, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(hbh[4:], uint32(jumbo))
	return append(append(out, hbh...), ip[40:]...)
}

// TestJumbograms: IPv6 jumbograms (payload length 0 and a Jumbo Payload
// option, as BIG TCP sends them) give records as tshark 4.0.17 dissects
// them; a jumbo length that an IPv6 payload length could hold is invalid
// for tshark, and so is a zero payload length without the option.
// The expectations were checked with tshark -T fields on this capture.
func TestJumbograms(t *testing.T) {
	a, b := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	big := ipPacket(t, flowSpec{src: a, dst: b, sport: 1000, dport: 80, tcp: true, flags: tcpACK, payload: make([]byte, 70000)})
	udp := ipPacket(t, flowSpec{src: a, dst: b, sport: 2000, dport: 53, payload: []byte("hello")})
	small := ipPacket(t, flowSpec{src: a, dst: b, sport: 3000, dport: 80, tcp: true, flags: tcpACK, payload: []byte("hi")})
	bigTCP := append([]byte(nil), small...)
	binary.BigEndian.PutUint16(bigTCP[4:], 0) // BIG TCP as captured: length 0, no option
	frames := [][]byte{
		jumbogram(big, -1, 0),                     // 1: a true jumbogram
		jumbogram(udp, -1, 0),                     // 2: jumbo length below 65536: invalid
		jumbogram(small, -1, 0),                   // 3: likewise
		jumbogram(small, 100000, 0),               // 4: jumbo length past the frame: cut short
		jumbogram(small, 12, 0),                   // 5: invalid
		jumbogram(small, -1, 30),                  // 6: payload length set: the option is ignored
		append(jumbogram(udp, -1, 0), 1, 2, 3, 4), // 7: invalid
		bigTCP, // 8: no option: malformed
	}
	var recs []capRecord
	for i, f := range frames {
		recs = append(recs, capRecord{timeNs: int64(i+1) * 1e9, data: ethFrame(f)})
	}
	data := pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, recs)
	cr, err := NewCaptureReader(bytes.NewReader(data), "jumbo.pcap", CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		frame    int64
		stream   int64
		sport    uint16
		frameLen int
		ipLen    int
	}
	var got []rec
	for cr.Scan() {
		p := cr.Packet()
		if p.Src != a || p.Dst != b || p.Proto != TCP {
			t.Errorf("frame %d: %v %v %v", p.Frame, p.Proto, p.Src, p.Dst)
		}
		got = append(got, rec{p.Frame, p.Stream, p.SrcPort, p.FrameLen, p.IPLen})
	}
	if err := cr.Err(); err != nil {
		t.Fatal(err)
	}
	want := []rec{
		{1, 0, 1000, 14 + len(big) + 8, len(big) + 8}, // IPLen: 40 + the jumbo length
		{4, 1, 3000, 84, 40 + 100000},
		{6, 1, 3000, 84, 40 + 30},
	}
	if len(got) != len(want) {
		t.Fatalf("records %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if st := cr.Stats(); st.SkippedMalformed != 5 {
		t.Errorf("%d frames skipped as malformed, want 5", st.SkippedMalformed)
	}
}
