package synth

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"appbench/datasets"
)

// runTshark runs tshark and returns its standard output lines. It fails the
// test if tshark exits non-zero or prints anything on standard error other
// than its warning about running as root.
func runTshark(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("tshark", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var msgs []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if l != "" && !strings.HasPrefix(l, "Running as user ") {
			msgs = append(msgs, l)
		}
	}
	if err != nil || len(msgs) > 0 {
		t.Fatalf("tshark %s: %v; stderr: %q", strings.Join(args, " "), err, msgs)
	}
	out := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(out) == 1 && out[0] == "" {
		return nil
	}
	return out
}

func needTshark(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not on PATH: skipping the interoperability test (install tshark to run it)")
	}
}

var tshark struct {
	once sync.Once
	cfg  Config
	dir  string
	caps []Capture
	err  error
}

// tsharkCorpus writes, once per test binary, a small corpus for the tshark
// tests.
func tsharkCorpus(t *testing.T) (Config, string, []Capture) {
	t.Helper()
	tshark.once.Do(func() {
		cfg := smallConfig()
		cfg.Apps, cfg.CapturesPerApp = 2, 1
		cfg.TLS13Fraction = 0.4
		cfg.IPv6Captures = 1
		tshark.cfg = cfg
		if tshark.dir, tshark.err = os.MkdirTemp("", "synth-tshark-"); tshark.err != nil {
			return
		}
		if _, tshark.err = Generate(context.Background(), cfg, tshark.dir); tshark.err != nil {
			return
		}
		tshark.caps, tshark.err = Captures(cfg)
	})
	if tshark.err != nil {
		t.Fatal(tshark.err)
	}
	return tshark.cfg, tshark.dir, tshark.caps
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tshark.dir != "" {
		os.RemoveAll(tshark.dir)
	}
	os.Exit(code)
}

// TestTsharkCertificates checks that tshark finds exactly the certificate
// chains and server names the generator sent, on the same frames.
func TestTsharkCertificates(t *testing.T) {
	needTshark(t)
	cfg, dir, caps := tsharkCorpus(t)
	w, err := newWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	chains := make(map[string][][]byte) // leaf DER -> chain
	for _, d := range allDests(w) {
		if len(d.chain) > 0 {
			chains[string(d.chain[0])] = d.chain
		}
	}
	var certs, snis int
	for _, c := range caps {
		path := filepath.Join(dir, c.Path())
		pk, err := c.Packets()
		if err != nil {
			t.Fatal(err)
		}
		// The plain certificate query: one line per frame completing a
		// Certificate message, with the whole chain and no server name.
		lines := runTshark(t, "-r", path, "-Y", "tls.handshake.certificate", "-T", "fields",
			"-e", "tls.handshake.certificate", "-e", "tls.handshake.extensions_server_name")
		var want []string
		for _, p := range pk {
			if p.Cert != nil {
				var hexes []string
				for _, der := range chains[string(p.Cert)] {
					hexes = append(hexes, hex.EncodeToString(der))
				}
				want = append(want, strings.Join(hexes, ",")+"\t")
			}
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s: tshark sees %d certificate frames, the generator sent %d, or the chains differ", c.Path(), len(lines), len(want))
		}
		// Frame by frame, certificates and server names together.
		lines = runTshark(t, "-n", "-r", path,
			"-Y", "tls.handshake.certificate || tls.handshake.extensions_server_name",
			"-T", "fields", "-e", "frame.number", "-e", "tls.handshake.certificate",
			"-e", "tls.handshake.extensions_server_name", "-E", "occurrence=a", "-E", "aggregator=|")
		want = want[:0]
		for _, p := range pk {
			if p.Cert == nil && p.SNI == "" {
				continue
			}
			var hexes []string
			if p.Cert != nil {
				for _, der := range chains[string(p.Cert)] {
					hexes = append(hexes, hex.EncodeToString(der))
				}
				if len(hexes) < 2 {
					t.Fatalf("%s: frame %d: certificate of no known chain", c.Path(), p.Frame)
				}
				certs++
			}
			if p.SNI != "" {
				snis++
			}
			want = append(want, fmt.Sprintf("%d\t%s\t%s", p.Frame, strings.Join(hexes, "|"), p.SNI))
		}
		if len(lines) != len(want) {
			t.Fatalf("%s: tshark sees %d frames with a certificate or server name, the generator sent %d", c.Path(), len(lines), len(want))
		}
		for i := range want {
			if lines[i] != want[i] {
				t.Fatalf("%s: tshark line %d:\n got  %.120s\n want %.120s", c.Path(), i, lines[i], want[i])
			}
		}
	}
	if certs == 0 || snis <= certs {
		t.Errorf("%d certificate frames and %d server names; want certificates, and more names (TLS 1.3 hides certificates)", certs, snis)
	}
}

// TestTsharkFields compares every TCP/UDP packet's fields as tshark reads
// them (the reference field list of the shared golden CSVs plus the IP
// length) with the generator's records.
func TestTsharkFields(t *testing.T) {
	needTshark(t)
	_, dir, caps := tsharkCorpus(t)
	v6 := 0
	for _, c := range caps {
		lines := runTshark(t, "-n", "-r", filepath.Join(dir, c.Path()), "-Y", "tcp or udp", "-T", "fields",
			"-e", "frame.number", "-e", "frame.time_epoch", "-e", "tcp.stream", "-e", "udp.stream",
			"-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst",
			"-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport",
			"-e", "frame.len", "-e", "ip.len", "-e", "ipv6.plen")
		pk, err := c.Packets()
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != len(pk) {
			t.Fatalf("%s: tshark sees %d TCP/UDP packets, the generator made %d", c.Path(), len(lines), len(pk))
		}
		for i := range pk {
			if got, want := lines[i], tsharkLine(&pk[i]); got != want {
				t.Fatalf("%s: packet %d:\n tshark    %s\n generator %s", c.Path(), i, got, want)
			}
			if pk[i].Src.Is6() {
				v6++
			}
		}
	}
	if v6 == 0 {
		t.Errorf("no IPv6 packet compared")
	}
}

// tsharkLine formats a record as TestTsharkFields's tshark command prints
// it.
func tsharkLine(p *datasets.Packet) string {
	f := make([]string, 15)
	f[0] = strconv.FormatInt(p.Frame, 10)
	f[1] = fmt.Sprintf("%d.%09d", p.Time/1e9, p.Time%1e9)
	sp, dp := strconv.Itoa(int(p.SrcPort)), strconv.Itoa(int(p.DstPort))
	if p.Proto == datasets.TCP {
		f[2], f[8], f[9] = strconv.FormatInt(p.Stream, 10), sp, dp
	} else {
		f[3], f[10], f[11] = strconv.FormatInt(p.Stream, 10), sp, dp
	}
	if p.Src.Is4() {
		f[4], f[5], f[13] = p.Src.String(), p.Dst.String(), strconv.Itoa(p.IPLen)
	} else {
		f[6], f[7], f[14] = p.Src.String(), p.Dst.String(), strconv.Itoa(p.IPLen-40)
	}
	f[12] = strconv.Itoa(p.FrameLen)
	return strings.Join(f, "\t")
}

// TestTsharkClean checks that tshark finds no malformed packet, no bad IP,
// TCP or UDP checksum and no TCP analysis problem (retransmission, lost or
// unseen segment, duplicate ACK, ...). It first checks that the filter
// does catch a damaged checksum.
func TestTsharkClean(t *testing.T) {
	needTshark(t)
	_, dir, caps := tsharkCorpus(t)
	args := func(path string) []string {
		return []string{"-n", "-r", path,
			"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
			"-Y", "_ws.malformed || _ws.expert.severity >= error || tcp.analysis.flags || ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0",
			"-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"}
	}
	// The filter must see a damaged IPv4 header checksum.
	path := filepath.Join(dir, caps[0].Path())
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const first = 24 + 16 // file header, record header
	if b[first+12] == 0x08 && b[first+13] == 0x00 {
		bad := append([]byte(nil), b...)
		bad[first+14+10] ^= 0x5a
		badPath := filepath.Join(t.TempDir(), "bad.pcap")
		if err := os.WriteFile(badPath, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if lines := runTshark(t, args(badPath)...); len(lines) != 1 || !strings.HasPrefix(lines[0], "1\t") {
			t.Fatalf("damaged checksum of frame 1 not caught: %q", lines)
		}
	} else {
		t.Logf("%s: frame 1 is not IPv4; filter self-check skipped", caps[0].Path())
	}
	for _, c := range caps {
		if lines := runTshark(t, args(filepath.Join(dir, c.Path()))...); len(lines) > 0 {
			t.Errorf("%s: tshark finds %d problems, first: %s", c.Path(), len(lines), lines[0])
		}
	}
}

// allDests lists every service of a world.
func allDests(w *world) []*dest {
	var out []*dest
	out = append(out, w.shared...)
	out = append(out, w.system...)
	out = append(out, w.quic...)
	out = append(out, w.push, w.connCheck)
	for _, a := range w.apps {
		out = append(out, a.own...)
	}
	return out
}
