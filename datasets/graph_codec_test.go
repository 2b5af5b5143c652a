package datasets

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// sameGraph reports whether a and b are equal, comparing floats by their
// bits so that NaN equals NaN.
func sameGraph(a, b *Graph) bool {
	if a.ID != b.ID || a.App != b.App || a.Scaled != b.Scaled ||
		len(a.Nodes) != len(b.Nodes) || len(a.Edges) != len(b.Edges) {
		return false
	}
	for i := range a.Nodes {
		na, nb := &a.Nodes[i], &b.Nodes[i]
		if na.IP != nb.IP || na.Port != nb.Port {
			return false
		}
		for f := range na.Features {
			if math.Float64bits(na.Features[f]) != math.Float64bits(nb.Features[f]) {
				return false
			}
		}
	}
	for i, ea := range a.Edges {
		eb := b.Edges[i]
		if ea.Source != eb.Source || ea.Target != eb.Target || math.Float64bits(ea.Weight) != math.Float64bits(eb.Weight) {
			return false
		}
	}
	return true
}

// testGraph is a small graph with values that a lossy codec would change:
// NaN, negative zero, subnormals, an IPv6 node, a negative ID.
func testGraph() *Graph {
	g := &Graph{ID: -7, App: "com.example.app", Scaled: true}
	for i, ip := range []string{"203.0.113.1", "2001:db8::1", "10.0.0.9"} {
		n := Node{IP: ip, Port: 443 + i}
		for f := range n.Features {
			n.Features[f] = float64(f)*0.1 + float64(i)/3
		}
		n.Features[1] = math.NaN()
		n.Features[2] = math.Copysign(0, -1)
		n.Features[3] = math.SmallestNonzeroFloat64
		n.Features[4] = math.Inf(-1)
		g.Nodes = append(g.Nodes, n)
	}
	g.Edges = []Edge{{Source: 0, Target: 1, Weight: math.NaN()}, {Source: 1, Target: 2, Weight: 0.25}, {Source: 2, Target: 0, Weight: 1}}
	return g
}

// TestGraphCodecRoundTrip checks that decoding an encoding gives the graph
// back bit for bit, for a full graph and an empty one, and that encoding
// appends to what the slice holds.
func TestGraphCodecRoundTrip(t *testing.T) {
	for _, g := range []*Graph{testGraph(), {}} {
		prefix := []byte("xy")
		b := AppendGraph(prefix, g)
		if string(b[:2]) != "xy" || b[2] != GraphCodecVersion {
			t.Fatalf("AppendGraph does not append after the prefix and start with the version: % x", b[:3])
		}
		back, err := DecodeGraph(b[2:])
		if err != nil {
			t.Fatal(err)
		}
		if !sameGraph(g, back) {
			t.Fatalf("round trip changed the graph:\n got %+v\nwant %+v", back, g)
		}
	}
}

// TestDecodeGraphRejects checks that every truncation, a wrong version,
// unknown flags, trailing bytes and edges to missing nodes are errors that
// wrap ErrMalformed and give the offset.
func TestDecodeGraphRejects(t *testing.T) {
	b := AppendGraph(nil, testGraph())
	for n := 0; n < len(b); n++ {
		if _, err := DecodeGraph(b[:n]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d of %d bytes: err = %v, want ErrMalformed", n, len(b), err)
		}
	}
	bad := func(name string, mutate func(*Graph, []byte) []byte, want string) {
		t.Helper()
		g := testGraph()
		enc := mutate(g, AppendGraph(nil, g))
		_, err := DecodeGraph(enc)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "byte ") {
			t.Errorf("%s: err = %v, want ErrMalformed mentioning %q and the byte offset", name, err, want)
		}
	}
	bad("version", func(_ *Graph, e []byte) []byte { e[0] = 99; return e }, "version 99")
	bad("flags", func(_ *Graph, e []byte) []byte { e[1] = 0x80; return e }, "unknown flags")
	bad("trailing", func(_ *Graph, e []byte) []byte { return append(e, 0) }, "1 bytes after the graph")
	bad("edge index", func(g *Graph, _ []byte) []byte {
		g.Edges[1].Target = 3
		return AppendGraph(nil, g)
	}, "edge 1: target: node index 3, graph has 3 nodes")
	bad("negative index", func(g *Graph, _ []byte) []byte {
		g.Edges[0].Source = -1
		return AppendGraph(nil, g)
	}, "edge 0: source")
	bad("huge count", func(_ *Graph, _ []byte) []byte {
		return []byte{GraphCodecVersion, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}
	}, "nodes do not fit")
}

// TestAppendGraphFeature: each feature's column read from an encoding is
// the column of the decoded graph, bit for bit, after what dst held; the
// flag is Scaled; a truncation inside the nodes is an ErrMalformed.
func TestAppendGraphFeature(t *testing.T) {
	g := testGraph()
	b := AppendGraph(nil, g)
	for f := 0; f < NumNodeFeatures; f++ {
		col, scaled, err := AppendGraphFeature([]float64{42}, b, f)
		if err != nil || !scaled || len(col) != 1+len(g.Nodes) || col[0] != 42 {
			t.Fatalf("feature %d: %v, scaled %t, err %v", f, col, scaled, err)
		}
		for i, v := range col[1:] {
			if math.Float64bits(v) != math.Float64bits(g.Nodes[i].Features[f]) {
				t.Fatalf("feature %d, node %d: %v, want %v", f, i, v, g.Nodes[i].Features[f])
			}
		}
	}
	edges := len(b) - 1 - 3*(1+1+8) // the node section ends before the edge count and three edges
	for n := 0; n < edges; n++ {
		if _, _, err := AppendGraphFeature(nil, b[:n], 5); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated to %d of %d bytes: err = %v, want ErrMalformed", n, len(b), err)
		}
	}
}
