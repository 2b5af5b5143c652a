package graphbaseline

import (
	"math/rand/v2"
	"testing"

	"appbench/methods"
	"appbench/methods/methodtest"

	_ "appbench/methods/mappgraph" // for the shared feature key
)

// TestFeaturizer checks that both baselines predict the same from features
// as from samples, on packet chunks (with chunks that give no graph) and,
// with APPBENCH_SHARED, on a subset of the processed graphs.
func TestFeaturizer(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(1, 2)))
	cases := []struct{ name, params string }{
		{"graph-rf", "trees: 20\n"},
		{"graph-rf", "trees: 10\nip_features: false\nedge_stats: []\ndegenerate: unknown\n"},
		{"graph-knn", ""},
		{"graph-knn", "distance: manhattan\nk: 3\n"},
		{"graph-knn", "distance: cosine\nscale: true\n"},
	}
	for _, c := range cases {
		methodtest.CheckFeaturizer(t, c.name, c.params, 7, train, test)
	}
	t.Run("processed", func(t *testing.T) {
		ptrain, ptest := every(loadProcessed(t, "train_graphs"), 10), every(loadProcessed(t, "test_graphs"), 10)
		for _, c := range cases[:3] {
			methodtest.CheckFeaturizer(t, c.name, c.params, 7, ptrain, ptest)
		}
	})
}

// every returns every step-th sample.
func every(s []methods.Sample, step int) []methods.Sample {
	var out []methods.Sample
	for i := 0; i < len(s); i += step {
		out = append(out, s[i])
	}
	return out
}

// TestFeatureKeys checks that N and t_slice change the key, the vector and
// model parameters do not, and that graph-rf, graph-knn and mappgraph
// share the key of graphs built alike.
func TestFeatureKeys(t *testing.T) {
	feature := []string{"max_nodes: 10", "slice: 5"}
	methodtest.CheckFeatureKey(t, "graph-rf", feature,
		[]string{"trees: 5", "max_features: 3", "max_depth: 2", "min_samples_leaf: 2", "ip_features: false", "edge_stats: []", "degenerate: unknown"})
	methodtest.CheckFeatureKey(t, "graph-knn", feature, []string{"k: 1", "distance: cosine", "scale: true"})
	key := func(name, src string) string {
		return methodtest.New(t, name, src, 1, 1).(methods.Featurizer).FeatureKey()
	}
	for _, src := range []string{"", "max_nodes: 10\nslice: 5\n"} {
		rf, knn, mg := key("graph-rf", src), key("graph-knn", src), key("mappgraph", src+"epochs: 1\n")
		if rf != knn || rf != mg {
			t.Errorf("params %q: keys %q, %q, %q differ", src, rf, knn, mg)
		}
	}
}
