package flowprint

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"appbench/internal/shared"
)

// tsharkCSVArgs are the tshark arguments that write the packet CSV of
// data/pcaps/GOLDEN.md (capture path appended after -r).
var tsharkCSVArgs = []string{"-n", "-Y", "tcp or udp", "-T", "fields",
	"-e", "frame.number", "-e", "frame.time_epoch", "-e", "tcp.stream", "-e", "udp.stream",
	"-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
	"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport",
	"-e", "frame.len", "-e", "tls.handshake.certificate", "-e", "tls.handshake.extensions_server_name",
	"-E", "header=y", "-E", "separator=,", "-E", "quote=d", "-E", "occurrence=a", "-E", "aggregator=|"}

// packetCSV returns the tshark packet CSV of a capture: the one beside it
// when present, else one written by tshark into a temporary folder (the
// references were made with TShark 4.0.17). It skips the test, saying why,
// when neither is possible or in short mode.
func packetCSV(t *testing.T, capture string) string {
	t.Helper()
	if _, err := os.Stat(capture + ".packets.csv"); err == nil {
		return capture + ".packets.csv"
	}
	if testing.Short() {
		t.Skipf("%s has no packet CSV beside it: skipping the tshark-field path in short mode (it runs tshark)", filepath.Base(capture))
	}
	bin, err := exec.LookPath("tshark")
	if err != nil {
		t.Skipf("%s has no packet CSV beside it and tshark is not installed: skipping the tshark-field path", filepath.Base(capture))
	}
	out := filepath.Join(t.TempDir(), filepath.Base(capture)+".packets.csv")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, append([]string{"-r", capture}, tsharkCSVArgs...)...)
	cmd.Stdout, cmd.Stderr = f, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark on %s: %v: %s", capture, err, stderr.String())
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// fpStats is the fingerprint count and n_flows sum of a fingerprint file.
type fpStats struct{ count, flows int }

func statsOf(entries []LabeledFingerprint) fpStats {
	s := fpStats{count: len(entries)}
	for _, e := range entries {
		s.flows += e.Fingerprint.NFlows
	}
	return s
}

// TestGoldenSynth compares, for every capture of golden/flowprint/synth,
// the fingerprint file written by this package with the reference's output
// whose merge order is set to this package's rule
// (<capture>.merge-go.fingerprints.json): byte for byte, with flows read by
// the project's pcap reader and from tshark's packet fields. That file
// isolates the §3.4 clique tie rule, which must match exactly. The
// unmodified reference's outputs for several hash seeds
// (<capture>.orig-seed*.fingerprints.json) bound the fingerprint count and
// n_flows sum, which vary with the §3.6 merge order.
func TestGoldenSynth(t *testing.T) {
	captures := shared.Glob(t, "golden/flowprint/synth/*.pcap")
	readers := map[string]func(t *testing.T, capture string) func(path, label string) ([]Flow, error){
		"pcap": func(*testing.T, string) func(path, label string) ([]Flow, error) { return pcapFlows },
		"tshark": func(t *testing.T, capture string) func(path, label string) ([]Flow, error) {
			csv := packetCSV(t, capture)
			return func(_, label string) ([]Flow, error) { return tsharkFlows(csv, label) }
		},
	}
	for _, capture := range captures {
		name := filepath.Base(capture)
		want, err := os.ReadFile(capture + ".merge-go.fingerprints.json")
		if err != nil {
			t.Fatal(err)
		}
		seeds := seedRange(t, capture)
		for _, source := range []string{"pcap", "tshark"} {
			t.Run(name+"/"+source, func(t *testing.T) {
				m, failed := fitCaptures(t, []string{capture}, readers[source](t, capture))
				if err := failed[name]; err != nil {
					t.Fatalf("reading: %v", err)
				}
				var got bytes.Buffer
				if err := m.WriteJSON(&got); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("differs from %s.merge-go.fingerprints.json:\n%s", name,
						compareGolden(m, goldenEntries(t, capture+".merge-go.fingerprints.json")))
				}
				s := statsOf(modelEntries(m))
				if s.count < seeds[0].count || s.count > seeds[1].count || s.flows < seeds[0].flows || s.flows > seeds[1].flows {
					t.Errorf("%d fingerprints, %d flows: outside the reference's range %d..%d fingerprints, %d..%d flows",
						s.count, s.flows, seeds[0].count, seeds[1].count, seeds[0].flows, seeds[1].flows)
				}
			})
		}
	}
}

// seedRange returns the minimum and maximum fingerprint count and n_flows
// sum over the reference's outputs for several hash seeds.
func seedRange(t *testing.T, capture string) [2]fpStats {
	t.Helper()
	files, err := filepath.Glob(capture + ".orig-seed*.fingerprints.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no orig-seed*.fingerprints.json beside it (%v)", capture, err)
	}
	var r [2]fpStats
	for i, f := range files {
		s := statsOf(goldenEntries(t, f))
		if i == 0 {
			r = [2]fpStats{s, s}
		}
		r[0] = fpStats{min(r[0].count, s.count), min(r[0].flows, s.flows)}
		r[1] = fpStats{max(r[1].count, s.count), max(r[1].flows, s.flows)}
	}
	return r
}
