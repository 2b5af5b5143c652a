package synth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"appbench/datasets"
)

// smallConfig is a quick corpus that still has every kind of traffic.
func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Apps = 3
	cfg.CapturesPerApp = 2
	cfg.Duration = 3 * time.Minute
	cfg.Seed = 7
	cfg.Noise = 6
	cfg.IPv6Fraction = 0.3
	cfg.IPv6Captures = 0.5
	cfg.Activity = 2
	return cfg
}

// hashTree returns the SHA-256 of every file under dir, by relative path.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := make(map[string]string)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	cfg := smallConfig()
	cfg.Duration = time.Minute
	ctx := context.Background()
	gen := func(cfg Config) map[string]string {
		dir := t.TempDir()
		m, err := Generate(ctx, cfg, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Files) != cfg.Apps*cfg.CapturesPerApp || m.Packets == 0 {
			t.Fatalf("manifest: %d files, %d packets", len(m.Files), m.Packets)
		}
		return hashTree(t, dir)
	}
	cfg.Workers = 1
	a := gen(cfg)
	cfg.Workers = 3
	b := gen(cfg)
	if len(a) != cfg.Apps*cfg.CapturesPerApp+1 {
		t.Fatalf("got %d files, want %d captures and the manifest", len(a), cfg.Apps*cfg.CapturesPerApp)
	}
	for p, h := range a {
		if b[p] != h {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
	cfg.Seed++
	c := gen(cfg)
	for p, h := range a {
		if strings.HasSuffix(p, ".pcap") && c[p] == h {
			t.Errorf("%s is identical with seeds %d and %d", p, cfg.Seed-1, cfg.Seed)
		}
	}
	if a["manifest.csv"] != c["manifest.csv"] {
		t.Errorf("manifest depends on the seed")
	}
}

func TestManifestAndLayout(t *testing.T) {
	cfg := smallConfig()
	cfg.Duration = 30 * time.Second
	dir := t.TempDir()
	m, err := Generate(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	want := "path,label\n"
	for _, app := range AppNames(cfg.Apps) {
		for k := 1; k <= cfg.CapturesPerApp; k++ {
			want += app + "/" + app + "_" + string(rune('0'+k)) + ".pcap," + app + "\n"
		}
	}
	if string(b) != want {
		t.Errorf("manifest.csv =\n%s\nwant\n%s", b, want)
	}
	for _, f := range m.Files {
		fi, err := os.Stat(filepath.Join(dir, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != f.Bytes {
			t.Errorf("%s: %d bytes on disk, manifest says %d", f.Path, fi.Size(), f.Bytes)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// The corpus loader finds the same labeled captures from the folder
	// and from the manifest.
	for _, root := range []string{dir, filepath.Join(dir, ManifestName)} {
		c, err := datasets.LoadCorpus(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Captures) != len(m.Files) {
			t.Fatalf("LoadCorpus(%s): %d captures, want %d (notes %v)", root, len(c.Captures), len(m.Files), c.Notes)
		}
		label := make(map[string]string)
		for _, f := range m.Files {
			label[filepath.Join(dir, filepath.FromSlash(f.Path))] = f.Label
		}
		for _, ref := range c.Captures {
			if want, ok := label[ref.Path]; !ok || ref.Label != want {
				t.Errorf("LoadCorpus(%s): capture %s labeled %q, generated with label %q", root, ref.Path, ref.Label, want)
			}
		}
	}
}

// TestGenerateStopsAtFirstError checks that a capture that cannot be
// written fails the corpus and that no manifest is written, and that a
// cancelled context writes nothing.
func TestGenerateStopsAtFirstError(t *testing.T) {
	cfg := smallConfig()
	cfg.Duration = 10 * time.Second
	cfg.Workers = 2
	dir := t.TempDir()
	blocked := filepath.Join(dir, AppNames(cfg.Apps)[1])
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(context.Background(), cfg, dir); err == nil || !strings.Contains(err.Error(), blocked) {
		t.Fatalf("Generate with %s a file: err = %v, want an error naming it", blocked, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("manifest written after a failed capture (stat: %v)", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir = t.TempDir()
	if _, err := Generate(ctx, cfg, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate with a cancelled context: err = %v, want context.Canceled", err)
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("a cancelled Generate wrote %d entries", len(left))
	}
}

// TestSourceMatchesReader reads every written capture back with the
// project's pcap reader and checks that its records equal the in-memory
// records field by field.
func TestSourceMatchesReader(t *testing.T) {
	caps, err := Captures(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	nano := smallConfig()
	nano.Nanosecond, nano.Apps, nano.CapturesPerApp = true, 1, 1
	nanoCaps, err := Captures(nano)
	if err != nil {
		t.Fatal(err)
	}
	caps = append(caps, nanoCaps...)
	var subMicro int
	var certs, snis, v6, udp int
	for _, c := range caps {
		var buf bytes.Buffer
		st, err := c.WritePcap(context.Background(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := datasets.NewCaptureReader(&buf, c.Path(), datasets.CaptureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		src := c.Source()
		n := 0
		for src.Scan() {
			want := src.Packet()
			if !rd.Scan() {
				t.Fatalf("%s: reader stops after %d records (err %v), generator has more", c.Path(), n, rd.Err())
			}
			got := rd.Packet()
			if !samePacket(got, want) {
				t.Fatalf("%s: record %d:\n reader    %+v\n generator %+v", c.Path(), n, brief(got), brief(want))
			}
			if want.Cert != nil {
				certs++
			}
			if want.SNI != "" {
				snis++
			}
			if want.Src.Is6() {
				v6++
			}
			if want.Proto == datasets.UDP {
				udp++
			}
			if want.Time%1000 != 0 {
				subMicro++
			}
			n++
		}
		if rd.Scan() {
			t.Fatalf("%s: reader has a record after the generator's %d: %+v", c.Path(), n, brief(rd.Packet()))
		}
		if err := rd.Err(); err != nil {
			t.Fatalf("%s: %v", c.Path(), err)
		}
		rs := rd.Stats()
		if rs.Frames != st.Frames || rs.TCP+rs.UDP != st.Packets || rs.TLSAbandoned != 0 || rs.SkippedMalformed != 0 {
			t.Errorf("%s: reader stats %+v, writer stats %+v", c.Path(), rs, st)
		}
	}
	if subMicro == 0 {
		t.Errorf("no record has a sub-microsecond time: nanosecond captures untested")
	}
	if certs == 0 || snis == 0 || v6 == 0 || udp == 0 {
		t.Errorf("corpus lacks variety: %d certificates, %d server names, %d IPv6 and %d UDP records", certs, snis, v6, udp)
	}
}

func samePacket(a, b *datasets.Packet) bool {
	return a.Frame == b.Frame && a.Time == b.Time && a.Proto == b.Proto && a.Stream == b.Stream &&
		a.Src == b.Src && a.Dst == b.Dst && a.SrcPort == b.SrcPort && a.DstPort == b.DstPort &&
		a.FrameLen == b.FrameLen && a.IPLen == b.IPLen && bytes.Equal(a.Cert, b.Cert) && a.SNI == b.SNI
}

// brief is a packet record with the certificate shortened for messages.
func brief(p *datasets.Packet) datasets.Packet {
	q := *p
	if len(q.Cert) > 8 {
		q.Cert = q.Cert[:8]
	}
	return q
}

func TestCertificates(t *testing.T) {
	w, err := newWorld(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	w2, err := newWorld(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	serials := make(map[string]string)
	var big, n13, n12 int
	var dests []*dest
	dests = append(dests, w.shared...)
	dests = append(dests, w.system...)
	for _, a := range w.apps {
		dests = append(dests, a.own...)
	}
	d2 := make(map[string]*dest)
	for _, d := range append(append([]*dest{}, w2.shared...), w2.system...) {
		d2[d.host] = d
	}
	for _, a := range w2.apps {
		for _, d := range a.own {
			d2[d.host] = d
		}
	}
	for _, d := range dests {
		if d.kind != kindTLS {
			continue
		}
		if d.tls13 {
			n13++
		} else {
			n12++
		}
		if len(d.chain) < 2 {
			t.Fatalf("%s: chain of %d certificates", d.host, len(d.chain))
		}
		if o := d2[d.host]; o == nil || !bytes.Equal(o.chain[0], d.chain[0]) {
			t.Errorf("%s: certificate differs between two worlds of the same seed", d.host)
		}
		leaf, err := x509.ParseCertificate(d.chain[0])
		if err != nil {
			t.Fatalf("%s: %v", d.host, err)
		}
		inter, err := x509.ParseCertificate(d.chain[1])
		if err != nil {
			t.Fatalf("%s: %v", d.host, err)
		}
		if leaf.Subject.CommonName != d.host || leaf.DNSNames[0] != d.host {
			t.Errorf("leaf of %s: CN %q, names %v", d.host, leaf.Subject.CommonName, leaf.DNSNames)
		}
		if err := leaf.CheckSignatureFrom(inter); err != nil {
			t.Errorf("%s: leaf not signed by its intermediate: %v", d.host, err)
		}
		s := leaf.SerialNumber.String()
		if other, dup := serials[s]; dup {
			t.Errorf("serial %s shared by %s and %s", s, other, d.host)
		}
		serials[s] = d.host
		if leaf.SerialNumber.BitLen() > 64 {
			big++
		}
	}
	if big == 0 || big == len(serials) {
		t.Errorf("%d of %d serials exceed 64 bits; want some but not all", big, len(serials))
	}
	if n12 == 0 || n13 == 0 {
		t.Errorf("%d TLS 1.2 and %d TLS 1.3 services; want both", n12, n13)
	}
}

// shapeCounts gathers what TestTrafficShape checks over captures.
type shapeCounts struct {
	tls12                            map[string]bool // host -> a TLS 1.2 service
	appsOf                           map[netip.AddrPort]map[string]bool
	dns, quic, certs, spanning, gaps int
	full, resumed                    int // TLS 1.2 handshakes
}

// capture counts the records of c and checks their order.
func (s *shapeCounts) capture(t *testing.T, c Capture) {
	t.Helper()
	sni := make(map[int64]string) // TCP stream -> server name, TLS 1.2 only
	hasCert := make(map[int64]bool)
	pk, err := c.Packets()
	if err != nil {
		t.Fatal(err)
	}
	serverData := make(map[int64]int) // per TCP stream: server segments with payload
	for i := range pk {
		p := &pk[i]
		if i > 0 {
			if p.Time < pk[i-1].Time {
				t.Fatalf("%s: record %d goes back in time", c.Path(), i)
			}
			if p.Time-pk[i-1].Time > 1e9 {
				s.gaps++
			}
		}
		if p.Frame <= 0 || (i > 0 && p.Frame <= pk[i-1].Frame) {
			t.Fatalf("%s: record %d has frame %d", c.Path(), i, p.Frame)
		}
		server := netip.AddrPortFrom(p.Dst, p.DstPort)
		if p.SrcPort < p.DstPort {
			server = netip.AddrPortFrom(p.Src, p.SrcPort)
		}
		if s.appsOf[server] == nil {
			s.appsOf[server] = make(map[string]bool)
		}
		s.appsOf[server][c.App] = true
		if p.SNI != "" && s.tls12[p.SNI] {
			sni[p.Stream] = p.SNI
		}
		switch {
		case p.Proto == datasets.UDP && server.Port() == 53:
			s.dns++
		case p.Proto == datasets.UDP && server.Port() == 443:
			s.quic++
		case p.Proto == datasets.TCP && p.SrcPort == server.Port():
			hdr := 20 + 32
			if p.Src.Is6() {
				hdr = 40 + 32
			}
			if p.IPLen > hdr+8 { // payload, not a SYN-ACK's longer options
				serverData[p.Stream]++
			}
			if p.Cert != nil {
				hasCert[p.Stream] = true
				s.certs++
				if serverData[p.Stream] > 1 {
					s.spanning++
				}
			}
		}
	}
	for st := range sni {
		if hasCert[st] {
			s.full++
		} else {
			s.resumed++
		}
	}
}

// TestTrafficShape checks the properties the methods rely on.
func TestTrafficShape(t *testing.T) {
	caps, err := Captures(smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := &shapeCounts{tls12: make(map[string]bool), appsOf: make(map[netip.AddrPort]map[string]bool)}
	for _, d := range allDests(caps[0].w) {
		s.tls12[d.host] = d.kind == kindTLS && !d.tls13
	}
	for _, c := range caps {
		s.capture(t, c)
	}
	if s.full == 0 || s.resumed == 0 {
		t.Errorf("%d full and %d resumed TLS 1.2 handshakes; want both", s.full, s.resumed)
	}
	if s.dns == 0 || s.quic == 0 || s.certs == 0 {
		t.Errorf("%d DNS packets, %d UDP 443 packets, %d certificates; want all > 0", s.dns, s.quic, s.certs)
	}
	// The server's first flight often spans several segments.
	if s.spanning*5 < s.certs {
		t.Errorf("%d of %d certificates come in a flight of several segments; want at least a fifth", s.spanning, s.certs)
	}
	t.Logf("%d of %d certificates in a flight of several segments", s.spanning, s.certs)
	if s.gaps < 10 {
		t.Errorf("only %d idle gaps over one second", s.gaps)
	}
	var shared, own int
	for _, apps := range s.appsOf {
		if len(apps) > 1 {
			shared++
		} else {
			own++
		}
	}
	if shared == 0 || own == 0 {
		t.Errorf("%d destinations shared by several apps, %d seen by one; want both", shared, own)
	}
}

// TestDefaultSize checks that the default corpus fits a quick benchmark.
func TestDefaultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the whole default corpus in memory")
	}
	caps, err := Captures(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, c := range caps {
		src := c.Source()
		for src.Scan() {
			n++
		}
	}
	if n < 50e3 || n > 150e3 {
		t.Errorf("default corpus has %d packets, want 50k to 150k", n)
	}
	t.Logf("default corpus: %d captures, %d packets", len(caps), n)
}

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte("apps: 4\ncaptures_per_app: 2\nduration: 90s\nseed: 9\noverlap: 0.5\nstart: 2024-05-06T07:08:09Z\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Apps, want.CapturesPerApp, want.Duration, want.Seed, want.Overlap = 4, 2, 90*time.Second, 9, 0.5
	want.Start = time.Date(2024, time.May, 6, 7, 8, 9, 0, time.UTC)
	if cfg != want {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
	if cfg, err := ParseConfig(nil, "empty.yaml"); err != nil || cfg != DefaultConfig() {
		t.Errorf("empty file: %+v, %v", cfg, err)
	}
	if _, err := ParseConfig([]byte("apps: 4\nbogus: 1\n"), "x.yaml"); err == nil || !strings.Contains(err.Error(), "bogus") || !strings.Contains(err.Error(), "x.yaml") {
		t.Errorf("unknown key: %v", err)
	}
	for _, bad := range []string{"apps: 0", "overlap: 1.5", "tls13_fraction: -0.1", "duration: 0s", "noise: -1", "activity: 0", "shared_destinations: 0", "apps: 1000\ndestinations_per_app: 101", "ipv6_captures: 2", "hosting: -1"} {
		_, err := ParseConfig([]byte(bad+"\n"), "x.yaml")
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%q: err %v, want ErrConfig", bad, err)
		}
	}
	if _, err := Captures(Config{}); !errors.Is(err, ErrConfig) {
		t.Errorf("Captures(zero Config): %v, want ErrConfig", err)
	}
}
