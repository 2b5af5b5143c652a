package graphs

import (
	"context"
	"math"
	"math/rand/v2"
	"net/netip"
	"reflect"
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
	for i, c := range []struct {
		s    methods.Sample
		want *mappgraph.Graph
	}{{methods.Sample{Label: "a", Graph: g}, g}, {methods.Sample{Label: "b"}, nil}, {methods.Sample{Label: "b", Packets: one}, nil}} {
		if got, _, err := Of(&c.s, mappgraph.DefaultBuildOptions); got != c.want || err != nil {
			t.Errorf("sample %d: graph %v, %v", i, got, err)
		}
	}
}

// TestFeaturesDecode checks that Features and Decode give back the graphs,
// nil for chunks without one, and that damaged features and a cancelled
// context are errors naming the sample.
func TestFeaturesDecode(t *testing.T) {
	g := &mappgraph.Graph{ID: 3, App: "a", Nodes: make([]mappgraph.Node, 3), Edges: []mappgraph.Edge{{Source: 0, Target: 2, Weight: 0.5}}}
	var enc []methods.Encoded
	for _, s := range []methods.Sample{{Label: "a", Graph: g}, {Label: "b"}} {
		b, err := Features(&s, mappgraph.DefaultBuildOptions)
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, methods.Encoded{Label: s.Label, Capture: "c" + s.Label, Features: b})
	}
	gs, sk, err := Decode(context.Background(), enc)
	if err != nil || sk != (Skips{Samples: 2, Missing: 1}) || gs[1] != nil || !reflect.DeepEqual(gs[0], g) {
		t.Fatalf("decoded %v (%+v, %v)", gs, sk, err)
	}
	enc[0].Features = enc[0].Features[:5]
	if _, _, err := Decode(context.Background(), enc); err == nil || !strings.Contains(err.Error(), "sample 0 (ca)") {
		t.Errorf("damaged features: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Decode(ctx, enc); err == nil {
		t.Error("cancelled context accepted")
	}
}

// TestFeatureKey checks that N and t_slice change the key.
func TestFeatureKey(t *testing.T) {
	def := FeatureKey(mappgraph.DefaultBuildOptions)
	for _, o := range []mappgraph.BuildOptions{{MaxNodes: 10, Slice: 10 * time.Second}, {MaxNodes: 20, Slice: 5 * time.Second}} {
		if FeatureKey(o) == def {
			t.Errorf("options %+v keep the key %q", o, def)
		}
	}
}

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
	scaled.Nodes[0].Features[0] = 1e6
	fit := func(gs ...*mappgraph.Graph) *mappgraph.Standardizer {
		t.Helper()
		enc := make([]methods.Encoded, len(gs))
		for i, g := range gs {
			if g != nil {
				enc[i].Features = datasets.AppendGraph(nil, g)
			}
		}
		std, err := NewSet(enc).FitStandardizer()
		if err != nil {
			t.Fatal(err)
		}
		return std
	}
	std := fit(raw(0), nil, raw(2), scaled)
	if std == nil || std.Mean[0] != 1.5 {
		t.Fatalf("standardiser %+v", std)
	}
	if want := mappgraph.FitStandardizer([]*mappgraph.Graph{raw(0), raw(2)}); !sameBits(std, want) {
		t.Errorf("standardiser from the encodings %+v, from the graphs %+v", std, want)
	}
	if fit(scaled, nil) != nil {
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

// sameBits compares two standardisers bit for bit.
func sameBits(a, b *mappgraph.Standardizer) bool {
	for f := range a.Mean {
		if math.Float64bits(a.Mean[f]) != math.Float64bits(b.Mean[f]) || math.Float64bits(a.Std[f]) != math.Float64bits(b.Std[f]) {
			return false
		}
	}
	return true
}

func TestClasses(t *testing.T) {
	s := func(l string) methods.Encoded { return methods.Encoded{Label: l} }
	c, m := Classes([]methods.Encoded{s("z"), s("b"), s("z"), s("b"), s("a")})
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
// counted apart from the other chunks without a graph, through their
// features, and noted.
func TestSkipsIPv6(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	v4 := methodtest.AppTraffic(rng, 1)
	var enc []methods.Encoded
	for _, s := range []methods.Sample{{Label: "a", Packets: v4}, {Label: "a", Packets: methodtest.IPv6Server(v4)}, {Label: "a"}} {
		b, err := Features(&s, mappgraph.DefaultBuildOptions)
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, methods.Encoded{Label: s.Label, Features: b})
	}
	gs, sk, err := Decode(context.Background(), enc)
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
