package graphbaseline

import (
	"math"
	"slices"
	"testing"

	mg "appbench/mappgraph"
)

// TestVectorizer checks the vector layout on a hand-built graph: node rows
// in stored order, zero padding, truncation, the IP switch, non-finite
// features as 0 and edge statistics worked out by hand.
func TestVectorizer(t *testing.T) {
	g := &mg.Graph{Scaled: true, Nodes: make([]mg.Node, 3)}
	for i := range g.Nodes {
		for f := range g.Nodes[i].Features {
			g.Nodes[i].Features[f] = float64(100*(i+1) + f)
		}
	}
	g.Nodes[1].Features[5] = math.NaN()
	g.Nodes[2].Features[7] = math.Inf(1)
	g.Edges = []mg.Edge{{Source: 0, Target: 1, Weight: 1}, {Source: 1, Target: 2, Weight: 0.5}, {Source: 0, Target: 2, Weight: math.NaN()}}

	all := EdgeStatNames()
	v := Vectorizer{MaxNodes: 4, IPFeatures: true, EdgeStats: all}
	x := v.Append(nil, g)
	if len(x) != v.Len() || v.Len() != 4*63+8 || len(v.Names()) != v.Len() {
		t.Fatalf("length %d, Len %d, %d names", len(x), v.Len(), len(v.Names()))
	}
	for i := 0; i < 4; i++ {
		for f := 0; f < 63; f++ {
			want := float64(100*(i+1) + f)
			switch {
			case i == 3, i == 1 && f == 5, i == 2 && f == 7:
				want = 0
			}
			if got := x[i*63+f]; got != want {
				t.Fatalf("node %d feature %d: %v, want %v", i, f, got, want)
			}
		}
	}
	// Weights 1, 0.5 and NaN (counted as 0): sum 1.5, mean 0.5, population
	// std sqrt(((0.5)^2 + 0 + (0.5)^2)/3), min 0, max 1; 3 nodes, 3 edges,
	// density 3/3.
	want := []float64{3, 3, 1, 1.5, 0.5, math.Sqrt(0.5 / 3), 0, 1}
	if got := x[4*63:]; !slices.Equal(got, want) {
		t.Errorf("edge statistics %v, want %v", got, want)
	}
	if n := v.Names(); n[63] != "n1.complete_max" || n[4*63] != "edge.nodes" || n[62] != "n0.ip4" {
		t.Errorf("names %q %q %q", n[63], n[4*63], n[62])
	}

	// Without IP features, two rows, the mean only: the rows are truncated
	// to 59 features and to the first two nodes.
	v = Vectorizer{MaxNodes: 2, IPFeatures: false, EdgeStats: []string{StatMean}}
	x = v.Append(nil, g)
	if len(x) != 2*59+1 || x[59] != 200 || x[58] != 158 || x[len(x)-1] != 0.5 {
		t.Errorf("without IP: length %d, x[58] %v, x[59] %v, last %v", len(x), x[58], x[59], x[len(x)-1])
	}

	// A graph without edges has zero statistics, a single node density 0.
	x = Vectorizer{MaxNodes: 1, IPFeatures: true, EdgeStats: all}.Append(nil, &mg.Graph{Nodes: g.Nodes[:1]})
	if got := x[63:]; !slices.Equal(got, []float64{1, 0, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("edgeless graph statistics %v", got)
	}

	for _, bad := range [][]string{{"median"}, {"max", "max"}} {
		if edgeStatsProblem(bad) == "" {
			t.Errorf("edge_stats %v accepted", bad)
		}
	}
	if p := edgeStatsProblem(all); p != "" {
		t.Errorf("edge_stats %v: %s", all, p)
	}
}
