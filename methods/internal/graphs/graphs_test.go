package graphs

import (
	"context"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"appbench/datasets"
	"appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/methodtest"
)

func TestBuildOptions(t *testing.T) {
	o, err := BuildOptions(7, 2.5)
	if err != nil || o.MaxNodes != 7 || o.Slice != 2500*time.Millisecond {
		t.Errorf("BuildOptions(7, 2.5) = %+v, %v", o, err)
	}
	for _, c := range []struct {
		n int
		s float64
	}{{0, 10}, {20, 0}, {20, -1}, {20, math.Inf(1)}, {20, math.NaN()}} {
		if _, err := BuildOptions(c.n, c.s); err == nil {
			t.Errorf("BuildOptions(%d, %v) accepted", c.n, c.s)
		}
	}
}

// TestOf checks that a sample's own graph is used as it is and that chunks
// without a graph give nil without an error.
func TestOf(t *testing.T) {
	g := &mappgraph.Graph{App: "a", Nodes: make([]mappgraph.Node, 3)}
	dev, srv := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("192.0.2.1")
	one := []datasets.Packet{{Time: 1e9, Proto: datasets.TCP, Src: dev, Dst: srv, SrcPort: 40000, DstPort: 443, IPLen: 60}}
	samples := []methods.Sample{{Label: "a", Graph: g}, {Label: "b"}, {Label: "b", Packets: one}}
	gs, sk, err := All(context.Background(), samples, mappgraph.DefaultBuildOptions)
	if err != nil {
		t.Fatal(err)
	}
	if gs[0] != g || gs[1] != nil || gs[2] != nil || sk != (Skips{Samples: 3, Missing: 2}) {
		t.Errorf("graphs %v, %+v", gs, sk)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := All(ctx, samples, mappgraph.DefaultBuildOptions); err == nil {
		t.Error("cancelled context accepted")
	}
}

// TestStandardize checks that raw graphs are standardised with the fitted
// statistics, non-finite results become 0, standardised graphs pass
// unchanged, and the input is not modified.
func TestStandardize(t *testing.T) {
	raw := func(v float64) *mappgraph.Graph {
		g := &mappgraph.Graph{Nodes: make([]mappgraph.Node, 2)}
		for i := range g.Nodes {
			g.Nodes[i].Features[0] = v + float64(i) // varies: mean v+0.5
			g.Nodes[i].Features[1] = 7              // constant: std 0
		}
		return g
	}
	scaled := &mappgraph.Graph{Scaled: true, Nodes: make([]mappgraph.Node, 1)}
	std := FitStandardizer([]*mappgraph.Graph{raw(0), nil, raw(2), scaled})
	if std == nil || std.Mean[0] != 1.5 {
		t.Fatalf("standardiser %+v", std)
	}
	if FitStandardizer([]*mappgraph.Graph{scaled, nil}) != nil {
		t.Error("standardiser fitted without raw graphs")
	}
	in := raw(1.5)
	out := Standardize(std, in)
	if !out.Scaled || out == in || in.Nodes[0].Features[0] != 1.5 {
		t.Fatalf("Standardize modified its input or did not scale")
	}
	// Feature 0 over the training nodes: 0, 1, 2, 3 (mean 1.5, sample std
	// sqrt(5/3)); node 1 of the test graph has 2.5.
	if want := 1 / math.Sqrt(5.0/3); math.Abs(out.Nodes[1].Features[0]-want) > 1e-15 {
		t.Errorf("standardised feature %v, want %v", out.Nodes[1].Features[0], want)
	}
	if v := out.Nodes[0].Features[1]; v != 0 {
		t.Errorf("feature with std 0 standardised to %v, want 0", v)
	}
	if Standardize(std, scaled) != scaled || Standardize(nil, in) != in {
		t.Error("standardised graph or missing statistics changed the graph")
	}
}

func TestClasses(t *testing.T) {
	s := func(l string) methods.Sample { return methods.Sample{Label: l} }
	c, m := Classes([]methods.Sample{s("z"), s("b"), s("z"), s("b"), s("a")})
	if len(c) != 3 || c[0] != "a" || c[1] != "b" || c[2] != "z" || m != "b" {
		t.Errorf("classes %v majority %q, want [a b z] and b (first of the tied)", c, m)
	}
	if c, m := Classes(nil); c != nil || m != "" {
		t.Errorf("no samples: %v %q", c, m)
	}
}

func TestNodeFeatures(t *testing.T) {
	var n mappgraph.Node
	for i := range n.Features {
		n.Features[i] = float64(i)
	}
	with, without := NodeFeatures(&n, true), NodeFeatures(&n, false)
	if len(with) != NumFeatures(true) || len(with) != 63 || len(without) != NumFeatures(false) || len(without) != 59 {
		t.Fatalf("lengths %d and %d", len(with), len(without))
	}
	if without[58] != 58 || with[mappgraph.FeatureIP1] != float64(mappgraph.FeatureIP1) {
		t.Errorf("features %v / %v", without[58], with[mappgraph.FeatureIP1])
	}
}

// TestSkipsIPv6 checks that chunks skipped for an IPv6 destination are
// counted apart from the other chunks without a graph, and noted.
func TestSkipsIPv6(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	v4 := methodtest.AppTraffic(rng, 1)
	samples := []methods.Sample{
		{Label: "a", Packets: v4},
		{Label: "a", Packets: methodtest.IPv6Server(v4)},
		{Label: "a"},
	}
	gs, sk, err := All(context.Background(), samples, mappgraph.DefaultBuildOptions)
	if err != nil {
		t.Fatal(err)
	}
	if gs[0] == nil || gs[1] != nil || sk != (Skips{Samples: 3, Missing: 2, IPv6: 1}) {
		t.Fatalf("graphs %v, %+v", gs, sk)
	}
	n := sk.IPv6Note("m")
	if !strings.HasPrefix(n, "m: skipped 1 of 3 chunks with IPv6 destinations") || !strings.Contains(n, "IPv4 octets") {
		t.Errorf("note %q", n)
	}
	sk.Add(Skips{Samples: 2, Missing: 1})
	if sk != (Skips{Samples: 5, Missing: 3, IPv6: 1}) {
		t.Errorf("Add: %+v", sk)
	}
	if n := (Skips{Samples: 4, Missing: 4}).IPv6Note("m"); n != "" {
		t.Errorf("note without IPv6 skips: %q", n)
	}
}
