package flowprint

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
)

// tsharkFlows builds the flows of one capture from the tshark packet CSV
// beside it (data/pcaps/GOLDEN.md), emulating the reference's tshark
// backend: its whitespace-split field line, the < 8 tokens filter (which
// drops IPv6), first values of multi-valued addresses, protocol "unknown"
// for a multi-valued or non-TCP/UDP ip.proto, and the failures that make
// the reference skip a capture (a line with more than nine tokens, an
// unreadable certificate, a port that is not an integer).
//
// The CSV has no ip.proto column; it is inferred: 6/17 when the packet has
// exactly one IPv4 address pair, no IPv6 addresses and one transport layer,
// else a value that maps to "unknown".
func tsharkFlows(path, label string) ([]Flow, error) {
	recs, err := tsharkRecords(path)
	if err != nil {
		return nil, err
	}
	b := NewBuilder(label, FlowOptions{Mode: Reference, CertConflict: CertConflictError})
	for _, r := range recs {
		if err := b.AddRecord(r.proto, r.stream, r.time, r.length, r.src, r.dst, r.sport, r.dport, r.cert); err != nil {
			return nil, fmt.Errorf("frame %d: %w", r.frame, err)
		}
	}
	return b.Flows(), nil
}

// record is one packet as the reference's reader gives it.
type record struct {
	frame        int64
	proto        datasets.Protocol
	stream       int64
	time         float64
	length       int
	src, dst     netip.Addr
	sport, dport uint16
	cert         string
}

func (r record) String() string {
	return fmt.Sprintf("%s stream %d %s:%d -> %s:%d cert %q", r.proto, r.stream, r.src, r.sport, r.dst, r.dport, r.cert)
}

// tsharkRecords emulates the reference's tshark reader on a packet CSV (see
// tsharkFlows).
func tsharkRecords(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	col := make(tsharkColumns)
	for i, h := range header {
		col[h] = i
	}
	var out []record
	streams := make(map[string]int64)
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		tok := col.tokens(rec)
		if len(tok) < 8 {
			continue
		}
		pr, err := tsharkRecord(tok, streams, line)
		if err != nil {
			return nil, err
		}
		pr.frame, _ = strconv.ParseInt(col.get(rec, "frame.number"), 10, 64)
		out = append(out, pr)
	}
	return out, nil
}

// tsharkColumns maps the column names of a tshark packet CSV to their
// indexes.
type tsharkColumns map[string]int

// get returns the named field of rec as tshark's field line has it, the
// values of a multi-valued field separated by commas.
func (col tsharkColumns) get(rec []string, name string) string {
	return strings.ReplaceAll(rec[col[name]], "|", ",")
}

// tokens returns the reference's whitespace-split field line for rec: its
// non-empty fields, with ip.proto inferred and the IP length left out
// when there is no IPv4 address.
func (col tsharkColumns) tokens(rec []string) []string {
	get := col.get
	ipsrc, ipdst := get(rec, "ip.src"), get(rec, "ip.dst")
	tcpStream, udpStream := get(rec, "tcp.stream"), get(rec, "udp.stream")
	proto := ""
	if ipsrc != "" {
		switch {
		case strings.Contains(ipsrc, ",") || get(rec, "ipv6.src") != "" || (tcpStream != "" && udpStream != ""):
			proto = "41,6"
		case tcpStream != "":
			proto = "6"
		case udpStream != "":
			proto = "17"
		}
	}
	iplen := ""
	if ipsrc != "" {
		iplen = get(rec, "frame.len")
	}
	fields := []string{get(rec, "frame.time_epoch"), tcpStream, udpStream, proto, ipsrc,
		get(rec, "tcp.srcport"), get(rec, "udp.srcport"), ipdst, get(rec, "tcp.dstport"),
		get(rec, "udp.dstport"), iplen, get(rec, "tls.handshake.certificate")}
	var tok []string
	for _, f := range fields {
		if f != "" {
			tok = append(tok, f)
		}
	}
	return tok
}

// tsharkRecord parses the field line tok (at least 8 tokens) of CSV line
// line into a record without its frame number, numbering the stream ids
// in streams.
func tsharkRecord(tok []string, streams map[string]int64, line int) (record, error) {
	if len(tok) > 9 {
		return record{}, fmt.Errorf("line %d: %d fields, the reference's array would be ragged", line, len(tok))
	}
	cert := ""
	if len(tok) == 9 {
		der, err := hex.DecodeString(strings.ReplaceAll(strings.Split(tok[8], ",")[0], ":", ""))
		if err != nil {
			return record{}, fmt.Errorf("line %d: certificate: %w", line, err)
		}
		cert, err = CertSerial(der)
		if err != nil {
			return record{}, fmt.Errorf("line %d: %w", line, err)
		}
	}
	t, err := strconv.ParseFloat(tok[0], 64)
	if err != nil {
		return record{}, fmt.Errorf("line %d: %w", line, err)
	}
	p := datasets.UnknownProto
	switch tok[2] {
	case "6":
		p = datasets.TCP
	case "17":
		p = datasets.UDP
	}
	// Stream ids are strings in the reference; number them.
	sid, ok := streams[tok[1]]
	if !ok {
		sid = int64(len(streams))
		if n, err := strconv.ParseInt(tok[1], 10, 64); err == nil {
			sid = n
		} else {
			sid = -1 - sid
		}
		streams[tok[1]] = sid
	}
	src, err1 := netip.ParseAddr(strings.Split(tok[3], ",")[0])
	dst, err2 := netip.ParseAddr(strings.Split(tok[5], ",")[0])
	sport, err3 := strconv.ParseUint(tok[4], 10, 16)
	dport, err4 := strconv.ParseUint(tok[6], 10, 16)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return record{}, fmt.Errorf("line %d: %w", line, err)
	}
	length, _ := strconv.Atoi(strings.ReplaceAll(tok[7], ",", ""))
	return record{proto: p, stream: sid, time: t, length: length,
		src: src, dst: dst, sport: uint16(sport), dport: uint16(dport), cert: cert}, nil
}

// readerRecords lists the records the project's pcap reader gives in
// reference-compatible mode (IPv4 only).
func readerRecords(path string) ([]record, error) {
	f, err := datasets.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []record
	for f.Scan() {
		p := f.Packet()
		if !p.Src.Is4() || !p.Dst.Is4() {
			continue
		}
		cert := ""
		if len(p.Cert) > 0 {
			cert, _ = CertSerial(p.Cert)
		}
		out = append(out, record{frame: p.Frame, proto: p.Proto, stream: p.Stream, time: datasets.ExactSeconds(p.Time),
			length: p.IPLen, src: p.Src, dst: p.Dst, sport: p.SrcPort, dport: p.DstPort, cert: cert})
	}
	return out, f.Err()
}

// readerDiff compares, packet by packet, the records of the reference's
// reader (emulated from the tshark CSV) and of the project's pcap reader
// for one capture. It returns a category count and a few example lines.
func readerDiff(capture string) (cats map[string]int, examples []string) {
	cats = make(map[string]int)
	ref, rerr := tsharkRecords(capture + ".packets.csv")
	got, gerr := readerRecords(capture)
	if gerr != nil {
		cats["project reader error"]++
		examples = append(examples, fmt.Sprintf("project reader: %v", gerr))
	}
	if rerr != nil {
		// The reference fails the whole capture and reports nothing.
		cats["captures the reference fails to read (tshark line with two transport layers: UDP tunnel)"]++
		examples = append(examples, fmt.Sprintf("reference: %v; project reader: %d records", rerr, len(got)))
		return cats, examples
	}
	byFrame := make(map[int64]record)
	for _, r := range got {
		byFrame[r.frame] = r
	}
	seen := make(map[int64]bool)
	for _, r := range ref {
		seen[r.frame] = true
		g, ok := byFrame[r.frame]
		var cat string
		switch {
		case !ok && r.proto == datasets.UnknownProto:
			cat = "packets with two IP headers (ICMP error quoting TCP/UDP, or IP/GRE tunnel): reference record, no reader record"
		case !ok:
			cat = "TCP/UDP packets the reader skips (malformed, fragment or link type)"
		case g.proto != r.proto || g.src != r.src || g.dst != r.dst:
			cat = "tunnelled packets: reference outer addresses and protocol unknown, reader inner packet"
		case g.sport != r.sport || g.dport != r.dport:
			cat = "packets whose ports differ"
		case g.cert != r.cert:
			cat = "packets whose certificate differs"
		case g.time != r.time:
			cat = "packets whose timestamp differs"
		default:
			continue
		}
		cats[cat]++
		if len(examples) < 4 {
			if ok {
				examples = append(examples, fmt.Sprintf("frame %d: reference %s; reader %s", r.frame, r, g))
			} else {
				examples = append(examples, fmt.Sprintf("frame %d: reference %s; reader none", r.frame, r))
			}
		}
	}
	for _, g := range got {
		if !seen[g.frame] {
			cats["reader records the reference lacks (packets)"]++
			if len(examples) < 4 {
				examples = append(examples, fmt.Sprintf("frame %d: reference none; reader %s", g.frame, g))
			}
		}
	}
	return cats, examples
}

// canonicalEntries renders fingerprint entries as sorted comparable lines
// (certificates, destinations, n_flows, label), without NoCertificate.
func canonicalEntries(entries []LabeledFingerprint) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		var b bytes.Buffer
		b = *bytes.NewBuffer(appendFingerprintJSON(nil, e.Fingerprint.WithoutNoCertificate()))
		fmt.Fprintf(&b, " %q", e.Label)
		out[i] = b.String()
	}
	sort.Strings(out)
	return out
}

func modelEntries(m *Model) []LabeledFingerprint {
	var out []LabeledFingerprint
	for _, e := range m.Entries() {
		out = append(out, LabeledFingerprint{Fingerprint: e.Fingerprint, Label: e.Label()})
	}
	return out
}

func goldenEntries(t *testing.T, path string) []LabeledFingerprint {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, fps, err := ReadJSON(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return fps
}

// fitCaptures fingerprints the given captures together, as the reference's
// command line does with --pcaps (label = file name); captures whose
// reading fails are skipped. read builds one capture's flows.
func fitCaptures(t *testing.T, captures []string, read func(path, label string) ([]Flow, error)) (*Model, map[string]error) {
	t.Helper()
	var flows []Flow
	var labels []string
	failed := make(map[string]error)
	for _, c := range captures {
		label := filepath.Base(c)
		fl, err := read(c, label)
		if err != nil && !errors.Is(err, datasets.ErrMalformed) {
			failed[label] = err
			continue
		}
		flows = append(flows, fl...)
		for range fl {
			labels = append(labels, label)
		}
	}
	m := NewModel(DefaultParams())
	if len(flows) == 0 {
		return m, failed
	}
	if err := m.Fit(flows, labels); err != nil {
		t.Fatal(err)
	}
	return m, failed
}

// compareGolden compares a model with a golden fingerprint file and returns
// a description of the difference ("" when equal).
func compareGolden(m *Model, golden []LabeledFingerprint) string {
	got, want := canonicalEntries(modelEntries(m)), canonicalEntries(golden)
	if slices.Equal(got, want) {
		return ""
	}
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "  extra:   %.400s\n", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "  missing: %.400s\n", w)
		}
	}
	return b.String()
}

// TestGoldenTsharkCSV runs the algorithm on the reference's own packet
// fields (the tshark CSV beside each capture) and compares every
// per-capture and ALL fingerprint file.
func TestGoldenTsharkCSV(t *testing.T) {
	for _, source := range []string{"tcpdump", "ja4"} {
		t.Run(source, func(t *testing.T) {
			goldens := shared.Glob(t, "golden/flowprint/"+source+"/*.fingerprints.json")
			dataDir := shared.Path(t, "data/pcaps/"+source)
			read := func(capture, label string) ([]Flow, error) {
				return tsharkFlows(capture+".packets.csv", label)
			}
			var captures []string
			match, mismatch := 0, 0
			for _, g := range goldens {
				name := strings.TrimSuffix(filepath.Base(g), ".fingerprints.json")
				if name == "ALL" {
					continue
				}
				capture := filepath.Join(dataDir, name)
				captures = append(captures, capture)
				m, failed := fitCaptures(t, []string{capture}, read)
				if d := compareGolden(m, goldenEntries(t, g)); d != "" {
					mismatch++
					t.Errorf("%s/%s (read error: %v):\n%s", source, name, failed[name], d)
				} else {
					match++
				}
			}
			sort.Strings(captures)
			m, _ := fitCaptures(t, captures, read)
			if d := compareGolden(m, goldenEntries(t, filepath.Join(filepath.Dir(goldens[0]), "ALL.fingerprints.json"))); d != "" {
				mismatch++
				t.Errorf("%s/ALL:\n%s", source, d)
			} else {
				match++
			}
			t.Logf("%s: %d golden files equal, %d differ", source, match, mismatch)
		})
	}
}

// pcapFlows reads a capture with the project's pcap reader in
// reference-compatible mode (IPv4 only, certificate serials, a second
// certificate in a flow fails the capture).
func pcapFlows(path, label string) ([]Flow, error) {
	f, err := datasets.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return FlowsFromSource(f, label, FlowOptions{Mode: Reference, CertConflict: CertConflictError})
}

// TestGoldenPcap compares every per-capture and ALL fingerprint file with
// fingerprints of the captures read by the project's pcap reader in
// reference-compatible mode. A capture whose fingerprints differ must be
// explained by a packet on which the two readers differ (the algorithm is
// checked on identical input by TestGoldenTsharkCSV); the differences are
// counted by category and logged.
func TestGoldenPcap(t *testing.T) {
	for _, source := range []string{"tcpdump", "ja4"} {
		t.Run(source, func(t *testing.T) {
			goldens := shared.Glob(t, "golden/flowprint/"+source+"/*.fingerprints.json")
			dataDir := shared.Path(t, "data/pcaps/"+source)
			var captures []string
			match, explained := 0, 0
			total := make(map[string]int)
			capCats := make(map[string]int)
			for _, g := range goldens {
				name := strings.TrimSuffix(filepath.Base(g), ".fingerprints.json")
				if name == "ALL" {
					continue
				}
				capture := filepath.Join(dataDir, name)
				captures = append(captures, capture)
				m, _ := fitCaptures(t, []string{capture}, pcapFlows)
				d := compareGolden(m, goldenEntries(t, g))
				if d == "" {
					match++
					continue
				}
				cats, examples := readerDiff(capture)
				if len(cats) == 0 {
					t.Errorf("%s/%s: fingerprints differ on identical packet records:\n%s", source, name, d)
					continue
				}
				explained++
				var keys []string
				for k, n := range cats {
					total[k] += n
					keys = append(keys, k)
				}
				sort.Strings(keys)
				capCats[keys[0]]++
				t.Logf("%s/%s: reader differences %v\n    %s", source, name, cats, strings.Join(examples, "\n    "))
			}
			sort.Strings(captures)
			m, _ := fitCaptures(t, captures, pcapFlows)
			all := compareGolden(m, goldenEntries(t, filepath.Join(filepath.Dir(goldens[0]), "ALL.fingerprints.json")))
			switch {
			case all == "":
				match++
			case explained == 0:
				t.Errorf("%s/ALL differs although every capture matches:\n%s", source, all)
			default:
				explained++
				t.Logf("%s/ALL differs (it includes the captures above)", source)
			}
			t.Logf("%s: %d golden files equal, %d differ because of reader differences", source, match, explained)
			for k, n := range total {
				t.Logf("%s: %5d %s", source, n, k)
			}
		})
	}
}
