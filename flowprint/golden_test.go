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
	col := make(map[string]int)
	for i, h := range header {
		col[h] = i
	}
	get := func(rec []string, name string) string {
		return strings.ReplaceAll(rec[col[name]], "|", ",")
	}
	b := NewBuilder(label, FlowOptions{Mode: Reference, CertConflict: CertConflictError})
	streams := make(map[string]int64)
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
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
		if len(tok) < 8 {
			continue
		}
		if len(tok) > 9 {
			return nil, fmt.Errorf("line %d: %d fields, the reference's array would be ragged", line, len(tok))
		}
		cert := ""
		if len(tok) == 9 {
			der, err := hex.DecodeString(strings.ReplaceAll(strings.Split(tok[8], ",")[0], ":", ""))
			if err != nil {
				return nil, fmt.Errorf("line %d: certificate: %w", line, err)
			}
			cert, err = CertSerial(der)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		}
		t, err := strconv.ParseFloat(tok[0], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		p := datasets.Unknown
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
			streams[tok[1]] = sid
		}
		src, err1 := netip.ParseAddr(strings.Split(tok[3], ",")[0])
		dst, err2 := netip.ParseAddr(strings.Split(tok[5], ",")[0])
		sport, err3 := strconv.ParseUint(tok[4], 10, 16)
		dport, err4 := strconv.ParseUint(tok[6], 10, 16)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		length, _ := strconv.Atoi(strings.ReplaceAll(tok[7], ",", ""))
		if err := b.AddRecord(p, sid, t, length, src, dst, uint16(sport), uint16(dport), cert); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	return b.Flows(), nil
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
		if err != nil {
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
