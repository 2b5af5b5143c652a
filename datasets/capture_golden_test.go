package datasets

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"appbench/internal/shared"
)

// captureRow is one row of a tshark packet CSV (see data/pcaps/GOLDEN.md).
type captureRow struct {
	frame                int64
	timeNs               int64
	tcpStream, udpStream string
	ipSrc, ipDst         string
	ip6Src, ip6Dst       string
	tcpSport, tcpDport   string
	udpSport, udpDport   string
	frameLen             string
	cert, sni            string
	line                 int
}

func readCaptureCSV(t *testing.T, path string) []captureRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		return nil // tshark could not read the capture at all
	}
	if len(recs[0]) != 15 || recs[0][0] != "frame.number" {
		t.Fatalf("%s: unexpected header %q", path, recs)
	}
	rows := make([]captureRow, 0, len(recs)-1)
	for i, c := range recs[1:] {
		fr, err := strconv.ParseInt(c[0], 10, 64)
		if err != nil {
			t.Fatalf("%s:%d: frame.number %q: %v", path, i+2, c[0], err)
		}
		ns, err := captureEpochNs(c[1])
		if err != nil {
			t.Fatalf("%s:%d: frame.time_epoch %q: %v", path, i+2, c[1], err)
		}
		rows = append(rows, captureRow{
			frame: fr, timeNs: ns, tcpStream: c[2], udpStream: c[3],
			ipSrc: c[4], ipDst: c[5], ip6Src: c[6], ip6Dst: c[7],
			tcpSport: c[8], tcpDport: c[9], udpSport: c[10], udpDport: c[11],
			frameLen: c[12], cert: c[13], sni: c[14], line: i + 2,
		})
	}
	return rows
}

// captureEpochNs parses tshark's "seconds.nanoseconds" epoch time exactly.
func captureEpochNs(s string) (int64, error) {
	sec, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(sec, "-")
	si, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, err
	}
	if len(frac) < 9 {
		// shorter fractions are decimal fractions of a second; tshark
		// prints 9 digits, or more for an un-normalised nanosecond count
		frac += strings.Repeat("0", 9-len(frac))
	}
	fi, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		return si*1e9 - fi, nil
	}
	return si*1e9 + fi, nil
}

// plain reports whether a golden row is an untunnelled TCP or UDP packet:
// one transport header, one IP header (multi-valued certificate lists are
// fine).
func (g *captureRow) plain() bool {
	if (g.tcpStream == "") == (g.udpStream == "") {
		return false
	}
	for _, s := range []string{g.tcpStream, g.udpStream, g.ipSrc, g.ipDst, g.ip6Src, g.ip6Dst,
		g.tcpSport, g.tcpDport, g.udpSport, g.udpDport, g.sni} {
		if strings.Contains(s, "|") {
			return false
		}
	}
	return (g.ipSrc == "") != (g.ip6Src == "")
}

// readCaptureFrames reads a capture with the reader and returns its records by
// frame number, the skip reason of every skipped frame and the error.
func readCaptureFrames(t *testing.T, path string) (map[int64]Packet, map[int64]skipReason, CaptureStats, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr, err := NewCaptureReader(f, filepath.Base(path), CaptureOptions{})
	if err != nil {
		return nil, nil, CaptureStats{}, err
	}
	skips := map[int64]skipReason{}
	cr.onSkip = func(frame int64, why skipReason) { skips[frame] = why }
	pkts := map[int64]Packet{}
	for cr.Scan() {
		p := *cr.Packet()
		p.Cert = append([]byte(nil), p.Cert...)
		if len(p.Cert) == 0 {
			p.Cert = nil
		}
		pkts[p.Frame] = p
	}
	return pkts, skips, cr.Stats(), cr.Err()
}

// Mismatch categories that follow from documented choices of the reader.
// Any other category fails the test.
var captureAllowed = map[string]string{
	"missing: unsupported link type":         "frames of link types the reader does not decode",
	"tunnel: outermost TCP/UDP matches":      "tunnelled rows: the record is the first TCP/UDP header (inner for GRE and IP-in-IP) and agrees with tshark's value for it",
	"icmp-quoted: no record":                 "ICMP errors quoting a TCP/UDP header yield no record by choice (tshark reports the quoted header with the quoted conversation's stream)",
	"no stream in tshark: no record":         "tshark shows ports but no stream (bogus UDP length, cut-short TCP header, or such a header quoted by ICMP); the reader skips the frame as malformed",
	"sni: QUIC after version negotiation":    "tshark 4.0 does not decrypt the Initial packets sent after a QUIC Version Negotiation; the reader does",
	"cert: decrypted with embedded TLS keys": "TLS 1.3 certificates that tshark decrypts with keys stored in the capture",
}

// classifyNonPlain names the category of a tunnelled or ICMP-quoting
// golden row: either the reader's record agrees with one of tshark's values
// for each field (the reader reports one header where tshark lists all),
// or the difference is named.
func classifyNonPlain(g *captureRow, p Packet, ok bool, why skipReason) string {
	if g.tcpStream == "" && g.udpStream == "" {
		if ok {
			return "no stream in tshark: unexpected record"
		}
		return "no stream in tshark: no record"
	}
	if !ok {
		if why == skipNotTransport {
			return "icmp-quoted: no record"
		}
		return "tunnel: no record"
	}
	stream, sport, dport := g.udpStream, g.udpSport, g.udpDport
	if p.Proto == TCP {
		stream, sport, dport = g.tcpStream, g.tcpSport, g.tcpDport
	}
	first := func(s string) string { v, _, _ := strings.Cut(s, "|"); return v }
	src, dst := g.ipSrc+"|"+g.ip6Src, g.ipDst+"|"+g.ip6Dst
	has := func(list string, a netip.Addr) bool {
		for v := range strings.SplitSeq(list, "|") {
			if b, err := netip.ParseAddr(v); err == nil && b == a {
				return true
			}
		}
		return false
	}
	switch {
	case first(stream) != strconv.FormatInt(p.Stream, 10):
		return "tunnel: stream differs"
	case first(sport) != strconv.Itoa(int(p.SrcPort)) || first(dport) != strconv.Itoa(int(p.DstPort)):
		return "tunnel: ports differ"
	case !has(src, p.Src) || !has(dst, p.Dst):
		return "tunnel: addresses differ"
	case g.timeNs != p.Time || g.frameLen != strconv.Itoa(p.FrameLen):
		return "tunnel: time or length differs"
	}
	return "tunnel: outermost TCP/UDP matches"
}

// hasDecryptionSecrets reports whether a pcapng file holds a Decryption
// Secrets Block (type 10), which lets tshark decrypt TLS 1.3 and QUIC.
func hasDecryptionSecrets(t *testing.T, path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !IsCaptureMagic(b) || b[0] != 0x0a {
		return false
	}
	return bytes.Contains(b, []byte{0x0a, 0, 0, 0}) && bytes.Contains(b, []byte("CLIENT_"))
}

// hasQUICVersionNegotiation reports whether a capture holds a UDP packet
// that is a QUIC Version Negotiation (long header, version 0).
func hasQUICVersionNegotiation(t *testing.T, path string) bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr, err := NewCaptureReader(f, path, CaptureOptions{NoTLS: true})
	if err != nil {
		return false
	}
	for cr.Scan() {
		if b := cr.dec.h.payload; cr.dec.h.proto == UDP && len(b) >= 5 && b[0]&0x80 != 0 && binary.BigEndian.Uint32(b[1:]) == 0 {
			return true
		}
	}
	return false
}

func TestCaptureGolden(t *testing.T) {
	var csvs []string
	for _, dir := range []string{"data/pcaps/tcpdump", "data/pcaps/ja4"} {
		csvs = append(csvs, shared.Glob(t, dir+"/*.packets.csv")...)
	}
	if len(csvs) == 0 {
		t.Fatal("no golden packet CSVs found")
	}
	cats := map[string]int{}
	examples := map[string][]string{}
	files := map[string]map[string]int{}
	note := func(cat, where string) {
		cats[cat]++
		if len(examples[cat]) < 3 {
			examples[cat] = append(examples[cat], where)
		}
		if files[cat] == nil {
			files[cat] = map[string]int{}
		}
		file, _, _ := strings.Cut(where, " ")
		files[cat][file]++
	}
	compared, equal := 0, 0
	for _, csvPath := range csvs {
		capPath := strings.TrimSuffix(csvPath, ".packets.csv")
		name := filepath.Base(capPath)
		rows := readCaptureCSV(t, csvPath)
		pkts, skips, _, rerr := readCaptureFrames(t, capPath)
		if rerr != nil && !errors.Is(rerr, ErrMalformed) {
			t.Errorf("%s: error is not ErrMalformed: %v", name, rerr)
		}
		secrets := hasDecryptionSecrets(t, capPath)
		versionNegotiated := hasQUICVersionNegotiation(t, capPath)
		seen := map[int64]bool{}
		for _, g := range rows {
			seen[g.frame] = true
			where := fmt.Sprintf("%s frame %d", name, g.frame)
			p, ok := pkts[g.frame]
			if !g.plain() {
				note(classifyNonPlain(&g, p, ok, skips[g.frame]), where)
				continue
			}
			compared++
			if !ok {
				if why, ok := skips[g.frame]; ok {
					note("missing: "+why.String(), where)
				} else if rerr != nil {
					note("missing: file error", where+": "+rerr.Error())
				} else {
					note("missing: not read", where)
				}
				continue
			}
			diffs := compareCaptureRow(&g, &p)
			if len(diffs) == 0 {
				equal++
			}
			for _, d := range diffs {
				switch {
				case d == "sni" && p.Proto == UDP && g.sni == "" && versionNegotiated:
					note("sni: QUIC after version negotiation", where)
				case d == "cert" && secrets:
					note("cert: decrypted with embedded TLS keys", where)
				default:
					note("field "+d, where)
				}
			}
		}
		for fr, p := range pkts {
			if !seen[fr] {
				note("extra record", fmt.Sprintf("%s frame %d (%v %v:%d > %v:%d)", name, fr, p.Proto, p.Src, p.SrcPort, p.Dst, p.DstPort))
			}
		}
	}
	keys := make([]string, 0, len(cats))
	for k := range cats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d captures, %d plain rows compared, %d equal in every field", len(csvs), compared, equal)
	for _, k := range keys {
		t.Logf("%-32s %6d  in %v, e.g. %s", k, cats[k], files[k], strings.Join(examples[k], "; "))
		if _, ok := captureAllowed[k]; !ok {
			t.Errorf("mismatch category %q (%d) is not a documented choice", k, cats[k])
		}
	}
}

// compareCaptureRow returns the names of the fields where p differs from g.
func compareCaptureRow(g *captureRow, p *Packet) []string {
	var diffs []string
	if g.timeNs != p.Time {
		diffs = append(diffs, "time")
	}
	stream, sport, dport := g.udpStream, g.udpSport, g.udpDport
	if g.tcpStream != "" {
		stream, sport, dport = g.tcpStream, g.tcpSport, g.tcpDport
		if p.Proto != TCP {
			diffs = append(diffs, "proto")
		}
	} else if p.Proto != UDP {
		diffs = append(diffs, "proto")
	}
	if strconv.FormatInt(p.Stream, 10) != stream {
		diffs = append(diffs, "stream")
	}
	src, dst := g.ipSrc, g.ipDst
	if src == "" {
		src, dst = g.ip6Src, g.ip6Dst
	}
	if a, err := netip.ParseAddr(src); err != nil || a != p.Src {
		diffs = append(diffs, "src")
	}
	if a, err := netip.ParseAddr(dst); err != nil || a != p.Dst {
		diffs = append(diffs, "dst")
	}
	if strconv.Itoa(int(p.SrcPort)) != sport || strconv.Itoa(int(p.DstPort)) != dport {
		diffs = append(diffs, "ports")
	}
	if strconv.Itoa(p.FrameLen) != g.frameLen {
		diffs = append(diffs, "frame.len")
	}
	cert, _, _ := strings.Cut(g.cert, "|")
	if hex.EncodeToString(p.Cert) != strings.ReplaceAll(cert, ":", "") {
		diffs = append(diffs, "cert")
	}
	if p.SNI != g.sni {
		diffs = append(diffs, "sni")
	}
	return diffs
}
