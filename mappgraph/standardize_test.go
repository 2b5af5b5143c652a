package mappgraph

import (
	"math"
	"testing"
)

func TestStandardizer(t *testing.T) {
	mk := func(vals ...float64) *Graph {
		g := &Graph{ID: 1, App: "a"}
		for _, v := range vals {
			var n Node
			n.IP, n.Port = "1.2.3.4", 443
			n.Features[0] = v                 // varies: mean 2, std 1
			n.Features[1] = 5                 // constant: std 0
			n.Features[FeatureProtocol] = 0.5 // never standardised
			n.Features[FeatureIP1] = 255
			n.Features[FeatureIP1+3] = 51
			g.Nodes = append(g.Nodes, n)
		}
		g.Edges = []Edge{{Source: 0, Target: 1, Weight: 0.5}}
		return g
	}
	train := []*Graph{mk(1, 2), mk(3)}
	s := FitStandardizer(train)
	if s.Mean[0] != 2 || s.Std[0] != 1 || s.Mean[1] != 5 || s.Std[1] != 0 {
		t.Fatalf("mean, std = %v, %v; %v, %v", s.Mean[0], s.Std[0], s.Mean[1], s.Std[1])
	}
	if !math.IsNaN(s.Mean[FeatureProtocol]) || !math.IsNaN(s.Std[FeatureIP1]) {
		t.Errorf("protocol/octet statistics should be NaN (not standardised)")
	}
	test := mk(4, 5)
	test.Nodes[1].Features[1] = 6
	got := s.Apply(test)
	if !got.Scaled || test.Scaled {
		t.Errorf("Scaled: result %v, input %v", got.Scaled, test.Scaled)
	}
	n0, n1 := got.Nodes[0].Features, got.Nodes[1].Features
	if n0[0] != 2 || n1[0] != 3 {
		t.Errorf("standardised values %v, %v; want 2, 3", n0[0], n1[0])
	}
	if !math.IsNaN(n0[1]) || !math.IsInf(n1[1], 1) {
		t.Errorf("std 0: %v, %v; want NaN (x = mean) and +Inf", n0[1], n1[1])
	}
	if n0[FeatureProtocol] != 0.5 || n0[FeatureIP1] != 1 || n0[FeatureIP1+3] != 0.2 {
		t.Errorf("protocol %v, ip1 %v, ip4 %v; want 0.5, 1, 0.2", n0[FeatureProtocol], n0[FeatureIP1], n0[FeatureIP1+3])
	}
	if test.Nodes[0].Features[0] != 4 || len(got.Edges) != 1 || got.Edges[0] != test.Edges[0] {
		t.Errorf("Apply changed its input or the edges")
	}
}
