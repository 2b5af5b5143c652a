package appscanner

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
)

// goldenRow is one row of a reference .flows.csv.
type goldenRow struct {
	key  [5]string // burst_time, local_ip, local_port, remote_ip, remote_port
	time float64
	feat [NumFeatures]float64
}

func readGolden(t *testing.T, path string) []goldenRow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "burst_time,") {
		t.Fatalf("%s: no header", path)
	}
	rows := make([]goldenRow, 0, len(lines)-1)
	for i, line := range lines[1:] {
		f := strings.Split(line, ",")
		if len(f) != 5+NumFeatures {
			t.Fatalf("%s:%d: %d fields", path, i+2, len(f))
		}
		var r goldenRow
		copy(r.key[:], f[:5])
		if r.time, err = strconv.ParseFloat(f[0], 64); err != nil {
			t.Fatalf("%s:%d: %v", path, i+2, err)
		}
		for j := range NumFeatures {
			if r.feat[j], err = strconv.ParseFloat(f[5+j], 64); err != nil {
				t.Fatalf("%s:%d: %v", path, i+2, err)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// closeRel reports whether a and b agree to a relative tolerance of 1e-9
// (NaN equals NaN).
func closeRel(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// maxRel tracks the largest relative difference met among features that
// compare equal, and how many values were bit-identical.
type maxRel struct {
	rel             float64
	values, bitSame int
}

func (m *maxRel) add(a, b float64) {
	m.values++
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		m.bitSame++
		return
	}
	m.rel = math.Max(m.rel, math.Abs(a-b)/math.Max(math.Abs(a), math.Abs(b)))
}

// compareFlows compares extracted flows with reference rows and returns a
// description of the first difference, or "". Equal features are added to
// stats when it is not nil.
func compareFlows(flows []Flow, rows []goldenRow, stats ...*maxRel) (mismatch string, category string) {
	if len(flows) != len(rows) {
		return fmt.Sprintf("%d flows, reference has %d", len(flows), len(rows)), "flow count"
	}
	feat := make([]float64, NumFeatures)
	for i, f := range flows {
		r := &rows[i]
		k := f.Key
		got := [5]string{"", k.LocalIP.String(), strconv.Itoa(int(k.LocalPort)), k.RemoteIP.String(), strconv.Itoa(int(k.RemotePort))}
		if k.BurstTime != r.time || got[1] != r.key[1] || got[2] != r.key[2] || got[3] != r.key[3] || got[4] != r.key[4] {
			return fmt.Sprintf("row %d: key %v %v, reference %v", i, k.BurstTime, got[1:], r.key), "flow key"
		}
		FlowFeatures(f.Lengths, feat)
		for j := range NumFeatures {
			if !closeRel(feat[j], r.feat[j]) {
				return fmt.Sprintf("row %d (%v): feature f%02d = %v, reference %v (lengths %v)", i, r.key, j, feat[j], r.feat[j], f.Lengths), fmt.Sprintf("feature f%02d", j)
			}
			for _, st := range stats {
				st.add(feat[j], r.feat[j])
			}
		}
	}
	return "", ""
}

func readPackets(src datasets.Source) ([]datasets.Packet, error) {
	var out []datasets.Packet
	for src.Scan() {
		p := *src.Packet()
		p.Cert = nil
		out = append(out, p)
	}
	return out, src.Err()
}

// TestGoldenChunks compares CSVFlows (R2 semantics) with the reference
// flows of every MAppGraph chunk.
func TestGoldenChunks(t *testing.T) {
	goldens := shared.Glob(t, "golden/appscanner/chunks/*/*.flows.csv")
	root := shared.Path(t, ".")
	files, rowsOK, failures := 0, 0, map[string]int{}
	var dev maxRel
	for _, g := range goldens {
		rel, _ := filepath.Rel(filepath.Join(root, "golden/appscanner/chunks"), g)
		in := filepath.Join(root, "golden/mappgraph/chunks", strings.TrimSuffix(rel, ".flows.csv")+".csv")
		fh, err := os.Open(in)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		r, err := datasets.NewCSVReader(bufio.NewReader(fh), in)
		if err != nil {
			fh.Close()
			t.Errorf("%s: %v", rel, err)
			continue
		}
		pkts, err := readPackets(r)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		flows, err := CSVFlows(pkts, Options{})
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		want := readGolden(t, g)
		if msg, cat := compareFlows(flows, want, &dev); msg != "" {
			failures[cat]++
			t.Errorf("%s: %s", rel, msg)
			continue
		}
		files++
		rowsOK += len(want)
	}
	t.Logf("R2 chunks: %d of %d files equal (%d flow rows); mismatches by category: %v; %d of %d feature values bit-identical, largest relative difference %.3g",
		files, len(goldens), rowsOK, failures, dev.bitSame, dev.values, dev.rel)
}

// readerDifferences lists the captures where the project's capture
// reader and scapy 2.5 (R1's reader) disagree on which packets are TCP
// over IPv4 or on their timestamps, so that R1's output cannot be
// reproduced from the reader's records whatever the extraction does. Each
// reason was checked by running R1's packet extraction (scapy sniff with
// its TCP filter and field accessors) on the capture.
var readerDifferences = map[string]string{
	"ja4/gre-sample.pcap":                            "GRE tunnel: scapy pairs the outer IPv4 header with the inner TCP header; the reader describes the inner packet",
	"tcpdump/gso-ipv6-vxlan-ipv4.pcap":               "VXLAN over IPv6: scapy finds the inner IPv4/TCP packet (one packet, then R1 crashes on an empty burst); the reader yields the outer UDP packet",
	"tcpdump/gso-ipv6-vxlan-ipv6.pcap":               "VXLAN over IPv6: scapy finds the inner TCP without IPv4 (R1 crashes); the reader yields the outer UDP packet",
	"tcpdump/lspping-fec-ldp.pcap":                   "PPP link type: scapy dissects no TCP packet (empty output); the reader yields 3",
	"tcpdump/hoobr_nfs_printfh.pcap":                 "scapy dissects no TCP packet (empty output); the reader yields one",
	"ja4/ipv6.pcapng":                                "scapy dissects no TCP packet, so R1 never meets the IPv6 ones; the reader yields 9 TCP packets over IPv6",
	"ja4/http-empty-useragent.pcap":                  "loopback IPv6: scapy dissects no TCP packet; the reader yields TCP over IPv6",
	"tcpdump/bigtcp-ipv6.pcap":                       "IPv6 jumbogram: scapy (and tshark) dissect no TCP packet; the reader yields TCP over IPv6",
	"tcpdump/timestamp_invalid_micro.pcap":           "microsecond fields of 10^6 and more: scapy adds them as they are (frame 3 lands 2147 s later, then R1 crashes on an empty burst); the reader follows tshark",
	"tcpdump/bgp_pmsi_tunnel-oobr.pcap":              "scapy keeps one damaged TCP packet (then R1 crashes on an empty burst); the reader drops it",
	"tcpdump/bgp-bgp_capabilities_print-oobr-1.pcap": "scapy keeps one damaged TCP packet (then R1 crashes on an empty burst); the reader drops it",
	"tcpdump/rpki-rtr-oobr.pcap":                     "scapy keeps one damaged TCP packet (then R1 crashes on an empty burst); the reader drops it",
	"tcpdump/arcnet-rfc1051-arp-icmp-http.pcap":      "ARCNET link type: scapy dissects no TCP packet (empty output); the reader does",
	"tcpdump/arcnet-rfc1201-arp-icmp-http.pcap":      "ARCNET link type: scapy dissects no TCP packet (empty output); the reader does",
	"tcpdump/ipoib.pcap":                             "IP over InfiniBand link type: scapy dissects no TCP packet (empty output); the reader does",
	"ja4/browsers-x509.pcapng":                       "3 TSO frames with an IP total length field of 0: scapy (so R1) uses 0, the reader the presumed length as tshark does",
}

// TestGoldenPcaps compares PcapFlows (R1 semantics) with the reference
// flows of every shared capture, read with the project's capture reader.
//
// Where the reference wrote flows, the lenient extraction must equal them.
// Where the reference crashed (.flows.error.txt), strict extraction must
// fail with ErrNoIPv4 or ErrEmptyBurst, or the capture must give no flow at
// all. Captures listed in readerDifferences are exempt and only logged.
func TestGoldenPcaps(t *testing.T) {
	root := shared.Path(t, ".")
	outs := shared.Glob(t, "golden/appscanner/pcap/*/*.flows.*")
	equal, rowsOK, known := 0, 0, 0
	crashErr, crashEmpty, strictDiffers := 0, 0, 0
	var dev maxRel
	for _, g := range outs {
		isErr := strings.HasSuffix(g, ".flows.error.txt")
		if !isErr && !strings.HasSuffix(g, ".flows.csv") {
			continue
		}
		rel, _ := filepath.Rel(filepath.Join(root, "golden/appscanner/pcap"), g)
		capRel := strings.TrimSuffix(strings.TrimSuffix(rel, ".flows.csv"), ".flows.error.txt")
		in := filepath.Join(root, "data/pcaps", capRel)
		fh, err := os.Open(in)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		var pkts []datasets.Packet
		r, err := datasets.NewCaptureReader(bufio.NewReader(fh), in, datasets.CaptureOptions{NoTLS: true})
		if err == nil {
			pkts, err = readPackets(r)
		}
		fh.Close()
		if err != nil {
			// A capture the reader rejects is an error for our code too.
			if isErr {
				crashErr++
			} else {
				t.Errorf("%s: reader: %v", rel, err)
			}
			continue
		}
		lenient, lerr := PcapFlows(pkts, Options{})
		if lerr != nil {
			t.Errorf("%s: lenient extraction: %v", rel, lerr)
			continue
		}
		_, serr := PcapFlows(pkts, Options{Strict: true})
		if serr != nil && !errors.Is(serr, ErrNoIPv4) && !errors.Is(serr, ErrEmptyBurst) {
			t.Errorf("%s: strict extraction: unexpected error %v", rel, serr)
		}
		if isErr {
			why, _ := os.ReadFile(g)
			switch {
			case serr != nil:
				crashErr++
			case len(lenient) == 0:
				crashEmpty++
			case readerDifferences[capRel] != "":
				known++
				t.Logf("%s: reference crashed (%s); we give %d flows (%s)", rel, strings.TrimSpace(string(why)), len(lenient), readerDifferences[capRel])
			default:
				t.Errorf("%s: reference crashed (%s); we give %d flows and no strict error", rel, strings.TrimSpace(string(why)), len(lenient))
			}
			continue
		}
		want := readGolden(t, g)
		if serr != nil {
			// scapy read no usable TCP/IPv4 packet where the reader did
			// (loopback or raw IPv6 link types, BIG TCP, a damaged frame).
			strictDiffers++
		}
		if msg, _ := compareFlows(lenient, want, &dev); msg != "" {
			if why, ok := readerDifferences[capRel]; ok {
				known++
				t.Logf("%s: differs (%s): %s", rel, why, msg)
				continue
			}
			t.Errorf("%s: %s", rel, msg)
			continue
		}
		equal++
		rowsOK += len(want)
	}
	t.Logf("R1 pcaps: %d files equal (%d flow rows); strict mode fails on %d of them; "+
		"reference crashes: %d reproduced as errors, %d give no flow; %d known reader differences; "+
		"%d of %d feature values bit-identical, largest relative difference %.3g",
		equal, rowsOK, strictDiffers, crashErr, crashEmpty, known, dev.bitSame, dev.values, dev.rel)
}

// TestGoldenPcapsScapyInput feeds PcapFlows the packet records scapy gives
// R1 (written by testdata/r1_packets.py into $APPBENCH_R1_PACKETS) and
// requires every reference output to be reproduced exactly, crashes
// included (strict mode), so the extraction is checked apart from any
// difference between the project's capture reader and scapy.
func TestGoldenPcapsScapyInput(t *testing.T) {
	dir := os.Getenv("APPBENCH_R1_PACKETS")
	if dir == "" {
		t.Skip("APPBENCH_R1_PACKETS is not set (see testdata/r1_packets.py)")
	}
	root := shared.Path(t, "golden/appscanner/pcap")
	dumps, err := filepath.Glob(filepath.Join(dir, "*", "*.r1.csv"))
	if err != nil || len(dumps) == 0 {
		t.Fatalf("no packet dumps in %s (%v)", dir, err)
	}
	equal, rows, crashes := 0, 0, 0
	for _, d := range dumps {
		rel, _ := filepath.Rel(dir, strings.TrimSuffix(d, ".r1.csv"))
		data, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		var pkts []datasets.Packet
		var serr error
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if line == "" {
				continue
			}
			if strings.HasPrefix(line, "ERROR") {
				serr = fmt.Errorf("%s: %s: %w", rel, line, ErrNoIPv4)
				continue
			}
			f := strings.Split(line, ",")
			if len(f) != 6 {
				t.Fatalf("%s:%d: %d fields", d, i+1, len(f))
			}
			ns, err1 := datasets.ParseSecondsNS(f[0])
			src, err2 := netip.ParseAddr(f[1])
			dst, err3 := netip.ParseAddr(f[2])
			sp, err4 := strconv.ParseUint(f[3], 10, 16)
			dp, err5 := strconv.ParseUint(f[4], 10, 16)
			ln, err6 := strconv.Atoi(f[5])
			if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
				t.Fatalf("%s:%d: %v", d, i+1, err)
			}
			pkts = append(pkts, datasets.Packet{Frame: int64(i + 1), Time: ns, Proto: datasets.TCP, Src: src, Dst: dst,
				SrcPort: uint16(sp), DstPort: uint16(dp), IPLen: ln})
		}
		var flows []Flow
		if serr == nil {
			flows, serr = PcapFlows(pkts, Options{Strict: true})
		}
		if _, err := os.Stat(filepath.Join(root, rel+".flows.error.txt")); err == nil {
			if serr == nil {
				t.Errorf("%s: the reference crashed; strict extraction gave %d flows", rel, len(flows))
			}
			crashes++
			continue
		}
		if serr != nil {
			t.Errorf("%s: %v", rel, serr)
			continue
		}
		want := readGolden(t, filepath.Join(root, rel+".flows.csv"))
		if msg, _ := compareFlows(flows, want); msg != "" {
			t.Errorf("%s: %s", rel, msg)
			continue
		}
		equal++
		rows += len(want)
	}
	t.Logf("scapy's records: %d captures equal (%d flow rows), %d reference crashes reproduced, of %d", equal, rows, crashes, len(dumps))
}
