package datasets_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
	"appbench/mappgraph"
)

// FuzzDecodeGraph feeds arbitrary bytes to DecodeGraph and
// AppendGraphFeature. They must never panic; when DecodeGraph accepts the
// bytes, encoding the graph and decoding it again must give the same
// graph, and AppendGraphFeature must give its features' columns. Seeds: a synthetic graph and, when
// APPBENCH_SHARED is set, the first graphs of a few apps of a real
// processed folder (mappgraph.ReadGraphs).
func FuzzDecodeGraph(f *testing.F) {
	seed := &datasets.Graph{ID: 1, App: "a", Nodes: make([]datasets.Node, 3),
		Edges: []datasets.Edge{{Source: 0, Target: 1, Weight: math.NaN()}, {Source: 1, Target: 2, Weight: 1}}}
	f.Add(datasets.AppendGraph(nil, seed))
	if os.Getenv(shared.EnvVar) != "" {
		apps := shared.Glob(f, "data/mappgraph/2_0/test_graphs/N20/t10/*/"+mappgraph.FeaturesFile)
		for _, feat := range apps[:min(3, len(apps))] {
			gs, err := mappgraph.ReadGraphs(feat, filepath.Join(filepath.Dir(feat), mappgraph.WeightsFile), "app")
			if err != nil {
				f.Fatal(err)
			}
			for _, g := range gs[:min(4, len(gs))] {
				enc := datasets.AppendGraph(nil, g)
				if back, err := datasets.DecodeGraph(enc); err != nil || !equalBits(g, back) {
					f.Fatalf("%s: graph %d does not survive a round trip (%v)", feat, g.ID, err)
				}
				f.Add(enc)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		first, _, ferr := datasets.AppendGraphFeature(nil, b, 0)
		last, _, lerr := datasets.AppendGraphFeature(nil, b, datasets.NumNodeFeatures-1)
		g, err := datasets.DecodeGraph(b)
		if err != nil {
			return
		}
		if ferr != nil || lerr != nil || len(first) != len(g.Nodes) || len(last) != len(g.Nodes) {
			t.Fatalf("AppendGraphFeature of a valid graph: %v, %v, %d and %d values for %d nodes", ferr, lerr, len(first), len(last), len(g.Nodes))
		}
		for i := range g.Nodes {
			if math.Float64bits(first[i]) != math.Float64bits(g.Nodes[i].Features[0]) || math.Float64bits(last[i]) != math.Float64bits(g.Nodes[i].Features[datasets.NumNodeFeatures-1]) {
				t.Fatalf("node %d: AppendGraphFeature differs from the decoded graph", i)
			}
		}
		back, err := datasets.DecodeGraph(datasets.AppendGraph(nil, g))
		if err != nil {
			t.Fatalf("decoding a re-encoded graph: %v", err)
		}
		if !equalBits(g, back) {
			t.Fatalf("graph changed in an encode/decode round trip")
		}
	})
}

// equalBits compares two graphs, floats by their bits.
func equalBits(a, b *datasets.Graph) bool {
	ea, eb := datasets.AppendGraph(nil, a), datasets.AppendGraph(nil, b)
	return string(ea) == string(eb)
}
