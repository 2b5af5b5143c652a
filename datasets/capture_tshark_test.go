package datasets

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// testCert returns a real DER certificate with n subject alternative names
// (tshark only shows certificates that parse as X.509).
func testCert(t testing.TB, r *rand.Rand, n int) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.NewChaCha8([32]byte{byte(n)}))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("alt%d.example.com", i)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(n + 1)), Subject: pkix.Name{CommonName: "test"},
		DNSNames: names, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(2e9, 0)}
	der, err := x509.CreateCertificate(rand.NewChaCha8([32]byte{byte(r.IntN(256))}), tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// randomTLSCapture builds interleaved TCP flows (TLS handshakes cut into
// segments of various sizes, with reordered, duplicated and lost segments
// and keep-alives, on several ports, IPv4 and IPv6) and
// UDP packets (QUIC Initials, other datagrams).
func randomTLSCapture(t testing.TB, seed uint64, flows int) []byte {
	r := rand.New(rand.NewPCG(seed, 5))
	var all []*randomFlow
	var handshakes []flowSpec
	for n := range flows {
		hs, pk := randomTLSFlow(t, r, n)
		handshakes = append(handshakes, hs...)
		all = append(all, &randomFlow{pk: pk})
	}
	return pcapFile(pcapMagicNano, binary.LittleEndian, layers.LinkTypeEthernet, interleaveFlows(t, r, handshakes, all))
}

// randomFlow is one flow of randomTLSCapture after its handshake: its
// packets and the index of the next one to send.
type randomFlow struct {
	pk []flowSpec
	i  int
}

// randomTLSFlow builds flow n of randomTLSCapture: the TCP handshake
// (SYN, SYN-ACK), then the rest of its packets (client and server data,
// perturbed, an optional keep-alive, the FIN and an optional UDP packet).
func randomTLSFlow(t testing.TB, r *rand.Rand, n int) (handshake, rest []flowSpec) {
	cli := netip.AddrFrom4([4]byte{10, 0, byte(n % 7), 1})
	srv := netip.AddrFrom4([4]byte{192, 0, 2, byte(n % 5)})
	if n%4 == 0 {
		cli, srv = cli6, srv6
	}
	cport := uint16(30000 + n)
	sport := []uint16{443, 443, 8443, 80, 5228}[r.IntN(5)]
	ch := clientHello(fmt.Sprintf("h%d.example", n))
	var srvData []byte
	if r.IntN(2) == 0 {
		cm := certificateMsg(testCert(t, r, n%30))
		srvData = append(tlsRecord(22, handshakeMsg(2, make([]byte, 70))), tlsRecord(22, cm)...)
	}
	if r.IntN(3) == 0 {
		srvData = append(srvData, tlsRecord(20, []byte{1})...)
		srvData = append(srvData, tlsRecord(23, make([]byte, 300))...)
	}
	cisn, sisn := r.Uint32(), r.Uint32()
	// Handshakes first, so that the first round trip (about the
	// whole handshake phase) is far longer than any reordering.
	handshake = []flowSpec{
		{src: cli, dst: srv, sport: cport, dport: sport, tcp: true, flags: tcpSYN, seq: cisn},
		{src: srv, dst: cli, sport: sport, dport: cport, tcp: true, flags: tcpSYN | tcpACK, seq: sisn, ack: cisn + 1}}
	seg := []int{20, 100, 536, 1400}[r.IntN(4)]
	cs, ss := cisn+1, sisn+1
	csegs := cutSegments(seg, cli, srv, cport, sport, cs, ss, ch)
	cs += uint32(len(ch))
	ssegs := cutSegments(seg, srv, cli, sport, cport, ss, cs, srvData)
	ss += uint32(len(srvData))
	pk := append(perturbSegments(r, csegs), perturbSegments(r, ssegs)...)
	if r.IntN(4) == 0 { // keep-alive
		pk = append(pk, flowSpec{src: cli, dst: srv, sport: cport, dport: sport, tcp: true, flags: tcpACK, seq: cs - 1, ack: ss, payload: []byte{0}})
	}
	pk = append(pk, flowSpec{src: cli, dst: srv, sport: cport, dport: sport, tcp: true, flags: tcpFIN | tcpACK, seq: cs, ack: ss})
	if r.IntN(3) == 0 {
		u := flowSpec{src: cli, dst: srv, sport: cport, dport: 53, payload: []byte("dns")}
		if r.IntN(2) == 0 {
			u.dport = 443
			u.payload = quicInitial(t, quicV1, []byte{byte(n >> 8), byte(n), 2, 3, 4, 5, 6, 7}, 0, cryptoFrame(0, ch[5:]))
		}
		pk = append(pk, u)
	}
	return handshake, pk
}

// cutSegments cuts data into TCP segments of at most seg bytes from
// from:sp to to:dp, the first at sequence number seq, all acknowledging ack.
func cutSegments(seg int, from, to netip.Addr, sp, dp uint16, seq, ack uint32, data []byte) []flowSpec {
	var out []flowSpec
	for off := 0; off < len(data); off += seg {
		out = append(out, flowSpec{src: from, dst: to, sport: sp, dport: dp, tcp: true, flags: tcpACK,
			seq: seq + uint32(off), ack: ack, payload: data[off:min(off+seg, len(data))]})
	}
	return out
}

// perturbSegments repeats one of segs later, swaps two neighbours, loses
// one or leaves them as they are, at random.
func perturbSegments(r *rand.Rand, segs []flowSpec) []flowSpec {
	switch r.IntN(6) {
	case 0: // a segment repeated later
		if len(segs) > 1 {
			k := r.IntN(len(segs))
			j := k + 1 + r.IntN(len(segs)-k)
			segs = append(segs[:j], append([]flowSpec{segs[k]}, segs[j:]...)...)
		}
	case 1: // two neighbours swapped
		if len(segs) > 2 {
			k := r.IntN(len(segs) - 1)
			segs[k], segs[k+1] = segs[k+1], segs[k]
		}
	case 2: // a segment lost
		if len(segs) > 1 {
			k := r.IntN(len(segs))
			segs = append(segs[:k], segs[k+1:]...)
		}
	}
	return segs
}

// interleaveFlows gives the capture records of randomTLSCapture: all the
// handshakes, 1 µs apart, then after 50 ms the packets of the flows, each
// time the next one of a flow picked at random among the first eight still
// sending.
func interleaveFlows(t testing.TB, r *rand.Rand, handshakes []flowSpec, all []*randomFlow) []capRecord {
	var recs []capRecord
	ts := int64(1e15)
	for _, f := range handshakes {
		recs = append(recs, capRecord{timeNs: ts, data: ethFrame(ipPacket(t, f))})
		ts += 1000
	}
	ts += 50e6
	for {
		var live []*randomFlow
		for _, f := range all {
			if f.i < len(f.pk) {
				live = append(live, f)
			}
		}
		if len(live) == 0 {
			break
		}
		f := live[r.IntN(min(len(live), 8))]
		recs = append(recs, capRecord{timeNs: ts, data: ethFrame(ipPacket(t, f.pk[f.i]))})
		f.i++
		ts += 1000
	}
	return recs
}

// TestCaptureMatchesTshark runs tshark (when installed) on synthetic
// captures and compares every field of every TCP and UDP packet with the
// reader's records for randomized TLS flows. (TestCaptureTLSEdgeCases and
// TestCaptureStreams hold tshark's answers for the edge cases.)
func TestCaptureMatchesTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed")
	}
	if testing.Short() {
		t.Skip("runs tshark")
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"random1.pcap": randomTLSCapture(t, 1, 150),
		"random2.pcap": randomTLSCapture(t, 2, 150),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lines := tsharkRecords(t, tshark, path)
		pkts, _, err := readCapture(t, data, CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		compareTshark(t, name, lines, pkts)
	}
}

// tsharkRecords runs tshark on the capture at path and returns one line
// per TCP or UDP packet with the fields of readerLine.
func tsharkRecords(t *testing.T, tshark, path string) []string {
	t.Helper()
	cmd := exec.Command(tshark, "-n", "-r", path, "-Y", "tcp or udp", "-T", "fields", "-E", "separator=,",
		"-E", "occurrence=f", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "tcp.stream", "-e", "udp.stream",
		"-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "udp.srcport",
		"-e", "tcp.dstport", "-e", "udp.dstport", "-e", "frame.len", "-e", "tls.handshake.certificate",
		"-e", "tls.handshake.extensions_server_name")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: tshark: %v: %s", path, err, stderr.String())
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, l := range lines {
		lines[i] = normalizeTsharkLine(l)
	}
	return lines
}

// readerLine formats a record as tsharkRecords formats tshark's packets.
func readerLine(p Packet) string {
	return fmt.Sprintf("%d,%d.%09d,%s,%s%s,%s%s,%d,%d,%d,%s,%s", p.Frame, p.Time/1e9, p.Time%1e9,
		streamCols(p), addrCols(p.Src), "", addrCols(p.Dst), "", p.SrcPort, p.DstPort, p.FrameLen,
		hex.EncodeToString(p.Cert), p.SNI)
}

// compareTshark checks that the reader's records are tshark's packets,
// field by field, and reports the first differences.
func compareTshark(t *testing.T, name string, lines []string, pkts []Packet) {
	t.Helper()
	if len(lines) != len(pkts) {
		t.Fatalf("%s: tshark has %d TCP/UDP packets, the reader %d", name, len(lines), len(pkts))
	}
	bad := 0
	for i, p := range pkts {
		if mine := readerLine(p); lines[i] != mine {
			if bad++; bad <= 10 {
				t.Errorf("%s:\n tshark %.200s\n reader %.200s", name, lines[i], mine)
			}
		}
	}
}

func streamCols(p Packet) string {
	if p.Proto == TCP {
		return fmt.Sprintf("%d,", p.Stream)
	}
	return fmt.Sprintf(",%d", p.Stream)
}

func addrCols(a netip.Addr) string {
	if a.Is4() {
		return a.String() + ","
	}
	return "," + a.String()
}

// normalizeTsharkLine folds tshark's separate TCP/UDP port columns into one
// pair, as the reader reports them.
func normalizeTsharkLine(l string) string {
	c := strings.Split(l, ",")
	if len(c) != 15 {
		return l
	}
	sp, dp := c[8]+c[9], c[10]+c[11]
	return strings.Join([]string{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], sp, dp, c[12], c[13], c[14]}, ",")
}
