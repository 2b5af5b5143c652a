package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"appbench/internal/shared"
)

var updateCaptureSeeds = flag.Bool("update-capture-seeds", false, "rewrite testdata/capture from the seed generator")

// captureSeeds generates the small captures kept in testdata/capture as
// always-present fuzz seeds: every container variant (the Red Hat 6.1
// record layout included), several link types, a TLS handshake, IPv6
// extension headers and a tunnel.
func captureSeeds(t testing.TB) map[string][]byte {
	t.Helper()
	client := clientHello("seed.example")
	cm := certificateMsg(fakeCert(600, 3))
	server := append(tlsRecord(22, handshakeMsg(2, make([]byte, 40))), tlsRecord(22, cm)...)
	tls := tlsFlow(t, cli4, srv4, 40001, client, server, 200)
	tls6 := tlsFlow(t, cli6, srv6, 40002, client, server, 90)
	var recs, recs6 []capRecord
	for i, f := range tls {
		recs = append(recs, capRecord{timeNs: 1600000000e9 + int64(i)*1000, data: ethFrame(ipPacket(t, f), 7)})
	}
	for i, f := range tls6 {
		recs6 = append(recs6, capRecord{timeNs: 1600000000e9 + int64(i)*1000, data: ipPacket(t, f)})
	}
	udp := ipPacket(t, flowSpec{src: cli4, dst: srv4, sport: 53000, dport: 53, payload: []byte("dns?")})
	vxlan := ipPacket(t, flowSpec{src: srv4, dst: cli4, sport: 40000, dport: 4789,
		payload: append([]byte{8, 0, 0, 0, 0, 0, 1, 0}, ethFrame(udp)...)})
	gre := append([]byte{0x45, 0, 0, 0, 0, 0, 0, 0, 64, 47, 0, 0, 10, 9, 9, 1, 10, 9, 9, 2, 0, 0, 0x08, 0}, udp...)
	binary.BigEndian.PutUint16(gre[2:], uint16(len(gre)))
	misc := []capRecord{
		{timeNs: 1, data: ethFrame(udp)},
		{timeNs: 2, data: ethFrame(vxlan)},
		{timeNs: 3, data: ethFrame(gre)},
		{timeNs: 4, data: ethFrame(udp[:25])},
		{timeNs: 5, data: []byte{0xff, 0xff}},
	}
	sll := make([]capRecord, len(misc))
	for i, r := range misc {
		if len(r.data) < 14 {
			sll[i] = r
			continue
		}
		b := make([]byte, 16, 16+len(r.data))
		copy(b[14:], r.data[12:14])
		sll[i] = capRecord{timeNs: r.timeNs, data: append(b, r.data[14:]...)}
	}
	ch := clientHello("quic.seed.example")[5:]
	var quic []capRecord
	for i, d := range [][]byte{
		quicInitial(t, quicV1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0, cryptoFrame(40, ch[40:])),
		quicInitial(t, quicV1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 1, append([]byte{0x02, 0, 0, 0, 0}, cryptoFrame(0, ch[:40])...)),
	} {
		quic = append(quic, capRecord{timeNs: int64(i), data: ethFrame(ipPacket(t, flowSpec{src: cli6, dst: srv6, sport: 6000, dport: 443, payload: d}))})
	}
	return map[string][]byte{
		"quic-initial.pcap":      pcapFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, quic),
		"tls-vlan-nano-le.pcap":  pcapFile(pcapMagicNano, binary.LittleEndian, layers.LinkTypeEthernet, recs),
		"tls-raw6-micro-be.pcap": pcapFile(pcapMagicMicro, binary.BigEndian, layers.LinkTypeRaw, recs6),
		"tls-vlan.pcapng":        pcapngFile(t, layers.LinkTypeEthernet, recs),
		"tunnels-modified.pcap":  pcapFile(pcapMagicModified, binary.LittleEndian, layers.LinkTypeEthernet, misc),
		"tunnels-ss990417.pcap":  pcapLayoutFile(pcapMagicMicro, binary.LittleEndian, layers.LinkTypeEthernet, 24, misc),
		"tunnels-sll.pcapng":     pcapngFile(t, layers.LinkTypeLinuxSLL, sll),
	}
}

// TestCaptureSeeds checks that testdata/capture holds exactly what the
// seed generator makes (run with -update-capture-seeds to rewrite it), and
// that every seed reads without error.
func TestCaptureSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "capture")
	seeds := captureSeeds(t)
	if *updateCaptureSeeds {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, data := range seeds {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (run go test -run TestCaptureSeeds -update-capture-seeds)", err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s differs from the generator's output", name)
		}
		pkts, st, err := readCapture(t, data, CaptureOptions{})
		if err != nil || len(pkts) == 0 {
			t.Errorf("%s: %d records, stats %+v, err %v", name, len(pkts), st, err)
		}
	}
}

// captureFuzzFiles lists the seed captures: testdata always, the shared
// real captures when APPBENCH_SHARED is set.
func captureFuzzFiles(f *testing.F) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "capture", "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata/capture: %v", err)
	}
	if os.Getenv("APPBENCH_SHARED") != "" {
		for _, dir := range []string{"data/pcaps/tcpdump", "data/pcaps/ja4"} {
			for _, p := range shared.Glob(f, dir+"/*.pcap*") {
				if filepath.Ext(p) == ".pcap" || filepath.Ext(p) == ".pcapng" {
					files = append(files, p)
				}
			}
		}
	}
	return files
}

const maxFuzzInput = 1 << 20

func FuzzCaptureReader(f *testing.F) {
	for _, p := range captureFuzzFiles(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) <= maxFuzzInput {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		pkts, st, err := readCapture(t, data, CaptureOptions{})
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error does not wrap ErrMalformed: %v", err)
		}
		if st.Frames != st.TCP+st.UDP+st.SkippedLinkType+st.SkippedNotIP+st.SkippedNotTransport+st.SkippedFragment+st.SkippedMalformed {
			t.Fatalf("stats do not add up: %+v", st)
		}
		if int64(len(pkts)) != st.TCP+st.UDP {
			t.Fatalf("%d records, stats %+v", len(pkts), st)
		}
		var last int64
		for _, p := range pkts {
			if p.Frame <= last || p.Frame > st.Frames || p.Stream < 0 ||
				(p.Proto != TCP && p.Proto != UDP) || !p.Src.IsValid() || !p.Dst.IsValid() ||
				p.Src.Is4() != p.Dst.Is4() {
				t.Fatalf("bad record %+v", p)
			}
			last = p.Frame
		}
		// Without TLS extraction the records are the same, minus Cert/SNI.
		plain, _, err2 := readCapture(t, data, CaptureOptions{NoTLS: true})
		if (err == nil) != (err2 == nil) || len(plain) != len(pkts) {
			t.Fatalf("NoTLS changed the outcome: %d vs %d records, %v vs %v", len(plain), len(pkts), err2, err)
		}
		for i := range pkts {
			q := pkts[i]
			q.Cert, q.SNI = nil, ""
			if !sameCapturePacket(q, plain[i]) {
				t.Fatalf("record %d differs without TLS: %+v vs %+v", i, plain[i], pkts[i])
			}
		}
	})
}

// tlsFindings feeds one direction's byte stream to the TLS parser in the
// given segments (with optional retransmissions) and returns every server
// name and certificate found, in order.
func tlsFindings(stream []byte, cuts []int, retransmit []bool) [][]byte {
	var st streamTable
	st.init(true, 64<<10)
	var out [][]byte
	st.onTLS = func(typ byte, v []byte) { out = append(out, append([]byte{typ}, v...)) }
	var d tlsDir
	h := header{proto: TCP, flags: tcpSYN, seq: 999}
	var p Packet
	st.segment(&d, &h, &p, 3e6)
	h.flags = tcpACK
	seq, prev := uint32(1000), []byte(nil)
	off := 0
	for i, c := range cuts {
		seg := stream[off : off+c]
		if retransmit[i] && prev != nil {
			h.seq, h.payload = seq-uint32(len(prev)), prev
			p = Packet{}
			st.segment(&d, &h, &p, 3e6)
		}
		h.seq, h.payload = seq, seg
		p = Packet{}
		st.segment(&d, &h, &p, 3e6)
		seq += uint32(c)
		off += c
		prev = seg
	}
	return out
}

// FuzzTLS checks that TLS reassembly is independent of how the byte
// stream is cut into TCP segments and of retransmitted segments, and never
// panics.
func FuzzTLS(f *testing.F) {
	client := clientHello("fuzz.example")
	cm := certificateMsg(fakeCert(900, 4), fakeCert(300, 5))
	f.Add(client, uint64(1))
	f.Add(append(tlsRecord(22, cm[:500]), tlsRecord(22, cm[500:])...), uint64(2))
	f.Add(append(append([]byte{}, client...), tlsRecord(20, []byte{1})...), uint64(3))
	if os.Getenv("APPBENCH_SHARED") != "" {
		for _, p := range shared.Glob(f, "data/pcaps/ja4/*.pcap*") {
			if ext := filepath.Ext(p); ext != ".pcap" && ext != ".pcapng" {
				continue
			}
			for i, s := range handshakeStreams(f, p) {
				f.Add(s, uint64(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64) {
		if len(stream) > maxFuzzInput || !tlsRecordStart(stream) {
			return
		}
		whole := tlsFindings(stream, []int{len(stream)}, []bool{false})
		r := rand.New(rand.NewPCG(seed, 7))
		var cuts []int
		var re []bool
		for rest := len(stream); rest > 0; {
			n := 1 + r.IntN(min(rest, 1+r.IntN(3000)))
			cuts = append(cuts, n)
			re = append(re, r.IntN(4) == 0)
			rest -= n
		}
		split := tlsFindings(stream, cuts, re)
		if !slices.EqualFunc(whole, split, bytes.Equal) {
			t.Fatalf("findings depend on segmentation: %d whole vs %d split", len(whole), len(split))
		}
	})
}

// handshakeStreams returns, for a real capture, the first bytes (up to 32
// KiB) of each TCP direction whose payload starts with a TLS record.
func handshakeStreams(tb testing.TB, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	cr, err := NewCaptureReader(bytes.NewReader(data), path, CaptureOptions{NoTLS: true})
	if err != nil {
		return nil
	}
	type dirKey struct {
		src, dst     netip.Addr
		sport, dport uint16
	}
	streams := map[dirKey][]byte{}
	var order []dirKey
	for cr.Scan() {
		h := &cr.dec.h
		if h.proto != TCP || len(h.payload) == 0 {
			continue
		}
		k := dirKey{h.src, h.dst, h.sport, h.dport}
		s, ok := streams[k]
		if !ok {
			if !tlsRecordStart(h.payload) {
				streams[k] = nil
				continue
			}
			order = append(order, k)
		} else if s == nil || len(s) > 32<<10 {
			continue
		}
		streams[k] = append(s, h.payload...)
	}
	var out [][]byte
	for _, k := range order {
		out = append(out, streams[k])
	}
	return out
}
