package methodtest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"appbench/datasets"
	"appbench/mappgraph"
	"appbench/methods"
)

// Build builds the registered method name from parameters given as YAML
// text, decoded strictly (unknown keys are errors) as the harness decodes
// an experiment's params; src "" keeps the method's defaults. Progress
// messages and notes are discarded.
func Build(name, src string, seed uint64, workers int) (methods.Method, error) {
	return build(name, src, seed, workers, nil)
}

func build(name, src string, seed uint64, workers int, note func(string)) (methods.Method, error) {
	f, err := methods.Lookup(name)
	if err != nil {
		return nil, err
	}
	return f(methods.Config{
		Decode: func(v any) error {
			if src == "" {
				return nil
			}
			dec := yaml.NewDecoder(strings.NewReader(src))
			dec.KnownFields(true)
			return dec.Decode(v)
		},
		Seed: seed, Workers: max(workers, 1), Log: &bytes.Buffer{}, Note: note,
	})
}

// WithNotes is New that also returns the notes the method reports
// (methods.Config.Note), in order.
func WithNotes(tb testing.TB, name, src string, seed uint64, workers int) (methods.Method, *[]string) {
	tb.Helper()
	notes := new([]string)
	m, err := build(name, src, seed, workers, func(s string) { *notes = append(*notes, s) })
	if err != nil {
		tb.Fatal(err)
	}
	return m, notes
}

// New is Build for tests: it fails tb when the method cannot be built.
func New(tb testing.TB, name, src string, seed uint64, workers int) methods.Method {
	tb.Helper()
	m, err := Build(name, src, seed, workers)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// AppTraffic makes a 60-second chunk of app number app: the device
// 10.0.0.2 talks to the app's three servers 203.0.<app>.1-3 on port 443 (TCP
// streams 1-3), with a request and a reply per second per server, each
// server skipping a quarter of the seconds at random, and app-specific
// packet sizes (replies about 100+300·app bytes, requests half that).
func AppTraffic(rng *rand.Rand, app int) []datasets.Packet {
	dev := netip.MustParseAddr("10.0.0.2")
	var pkts []datasets.Packet
	base := int64(1_700_000_000) * 1e9
	for s := 0; s < 60; s++ {
		for srv := 1; srv <= 3; srv++ {
			if rng.IntN(4) == 0 {
				continue
			}
			ip := netip.AddrFrom4([4]byte{203, 0, byte(app), byte(srv)})
			t := base + int64(s)*1e9 + int64(srv)*1e6
			size := 100 + 300*app + rng.IntN(50)
			pkts = append(pkts,
				datasets.Packet{Time: t, Proto: datasets.TCP, Stream: int64(srv), Src: dev, Dst: ip, SrcPort: 40000 + uint16(srv), DstPort: 443, IPLen: size / 2},
				datasets.Packet{Time: t + 5e5, Proto: datasets.TCP, Stream: int64(srv), Src: ip, Dst: dev, SrcPort: 443, DstPort: 40000 + uint16(srv), IPLen: size})
		}
	}
	return pkts
}

// IPv6Server returns pkts (AppTraffic) with the app's first server moved to
// an IPv6 address, 2001:db8::1, so that MAppGraph's graph builder skips the
// chunk (it parses IPv4 octets).
func IPv6Server(pkts []datasets.Packet) []datasets.Packet {
	v6 := netip.MustParseAddr("2001:db8::1")
	out := make([]datasets.Packet, len(pkts))
	for i, p := range pkts {
		if p.Dst.Is4() && p.Dst.As4()[3] == 1 {
			p.Dst = v6
		}
		if p.Src.Is4() && p.Src.As4()[3] == 1 {
			p.Src = v6
		}
		out[i] = p
	}
	return out
}

// IPv6Chunks is GraphChunks with every fourth chunk of packets moved to
// IPv6 (IPv6Server); n counts the chunks moved.
func IPv6Chunks(rng *rand.Rand) (train, test []methods.Sample, n int) {
	train, test = GraphChunks(rng)
	i := 0
	for _, ss := range [][]methods.Sample{train, test} {
		for j := range ss {
			if len(ss[j].Packets) > 0 && i%4 == 0 {
				ss[j].Packets = IPv6Server(ss[j].Packets)
				n++
			}
			i++
		}
	}
	return train, test, n
}

// GraphChunks makes the packet samples of three apps (AppTraffic of apps 0,
// 1 and 2) for methods that build graphs: 45 training and 15 test chunks in
// turn of app, then chunks that give no graph: an empty training chunk of
// app1 (so app1, with 16 samples, is the most frequent training label), and
// two test chunks of app2, one empty and one whose traffic reaches only two
// servers.
func GraphChunks(rng *rand.Rand) (train, test []methods.Sample) {
	for i := 0; i < 60; i++ {
		app := i % 3
		s := methods.Sample{Label: fmt.Sprintf("app%d", app), Capture: fmt.Sprintf("c%d", i), Packets: AppTraffic(rng, app)}
		if i < 45 {
			train = append(train, s)
		} else {
			test = append(test, s)
		}
	}
	train = append(train, methods.Sample{Label: "app1", Capture: "empty"})
	test = append(test, methods.Sample{Label: "app2", Capture: "empty"})
	var twoNodes []datasets.Packet
	for _, p := range AppTraffic(rng, 2) {
		if p.Dst.As4()[3] != 3 && p.Src.As4()[3] != 3 {
			twoNodes = append(twoNodes, p)
		}
	}
	test = append(test, methods.Sample{Label: "app2", Capture: "two", Packets: twoNodes})
	return train, test
}

// ProcessedSamples reads a processed-graph folder (…/N<n>/t<t>, one
// subfolder per app) as samples: apps in byte order, each app's graphs in
// file order, labelled and "captured" by their app.
func ProcessedSamples(dir string) ([]methods.Sample, error) {
	by, err := mappgraph.ReadProcessed(dir)
	if err != nil {
		return nil, err
	}
	apps := make([]string, 0, len(by))
	for a := range by {
		apps = append(apps, a)
	}
	sort.Strings(apps)
	var out []methods.Sample
	for _, a := range apps {
		for _, g := range by[a] {
			out = append(out, methods.Sample{Label: a, Capture: a, Graph: g})
		}
	}
	return out, nil
}
