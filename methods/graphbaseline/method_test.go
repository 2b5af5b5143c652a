package graphbaseline

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	mg "appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// TestPacketSamples runs both baselines on packet chunks of three apps that
// differ in packet sizes and addresses, plus chunks that give no graph.
func TestPacketSamples(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(1, 2)))

	for _, name := range []string{"graph-rf", "graph-knn"} {
		for _, mode := range []string{"majority", "unknown"} {
			m := methodtest.New(t, name, "degenerate: "+mode+"\n", 7, 2)
			if err := m.Fit(context.Background(), train); err != nil {
				t.Fatal(err)
			}
			pred, err := m.Predict(context.Background(), test)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range pred[:15] {
				if p.Label != test[i].Label || p.Unknown || !(p.Score > 0.5 && p.Score <= 1) {
					t.Errorf("%s %s: chunk %d of %s predicted %+v", name, mode, i, test[i].Label, p)
				}
			}
			// app1 is the most frequent training label (16 samples).
			for _, p := range pred[15:] {
				if p.Label != "app1" || p.Score != 0 || p.Unknown != (mode == "unknown") {
					t.Errorf("%s %s: chunk without graph predicted %+v", name, mode, p)
				}
			}
			if d := m.(methods.Detector).DetectsUnknown(); d != (mode == "unknown") {
				t.Errorf("%s %s: DetectsUnknown %v", name, mode, d)
			}
			if in := methods.InputsOf(m); in != methods.Packets|methods.Graphs || m.Name() != name {
				t.Errorf("%s: name %q, inputs %v", name, m.Name(), in)
			}
		}
	}
}

// graphSample is a standardised processed graph of app (0..3) with noise
// features of the given amplitude, where the app shows in feature `signal` of every node (the
// first IP octet when signal is mg.FeatureIP1) and, when edges is set, in
// the graph's edge weights (app a: all weights a/4).
func graphSample(rng *rand.Rand, app, id, signal int, edges bool, noise float64) methods.Sample {
	n := 3 + rng.IntN(5)
	g := &mg.Graph{ID: id, App: fmt.Sprintf("g%d", app), Scaled: true, Nodes: make([]mg.Node, n)}
	for i := range g.Nodes {
		for f := range g.Nodes[i].Features {
			g.Nodes[i].Features[f] = noise * rng.NormFloat64()
		}
		if signal >= 0 {
			g.Nodes[i].Features[signal] = 3 * float64(app)
		}
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			w := rng.Float64()
			if edges {
				w = float64(app) / 4
			}
			g.Edges = append(g.Edges, mg.Edge{Source: i, Target: j, Weight: w})
		}
	}
	return methods.Sample{Label: g.App, Capture: fmt.Sprintf("%s/%d", g.App, id), Graph: g}
}

func graphSet(seed uint64, signal int, edges bool, noise float64) (train, test []methods.Sample) {
	rng := rand.New(rand.NewPCG(seed, 4))
	for app := 0; app < 4; app++ {
		for i := 0; i < 40; i++ {
			train = append(train, graphSample(rng, app, i+1, signal, edges, noise))
		}
		for i := 0; i < 10; i++ {
			test = append(test, graphSample(rng, app, 100+i, signal, edges, noise))
		}
	}
	return train, test
}

func accuracy(t *testing.T, m methods.Method, train, test []methods.Sample) float64 {
	t.Helper()
	if err := m.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	c := 0
	for i, p := range pred {
		if p.Label == test[i].Label {
			c++
		}
	}
	return float64(c) / float64(len(test))
}

// TestGraphSignals checks what each part of the vector carries: a node
// feature, the IP octets (gone with ip_features: false) and the edge
// weights (gone with edge_stats: []).
func TestGraphSignals(t *testing.T) {
	for _, name := range []string{"graph-rf", "graph-knn"} {
		for _, c := range []struct {
			signal   int
			edges    bool
			params   string
			informed bool
		}{
			{signal: 10, informed: true},
			{signal: 10, params: "ip_features: false\n", informed: true},
			{signal: mg.FeatureIP1, informed: true},
			{signal: mg.FeatureIP1, params: "ip_features: false\n", informed: false},
			{signal: -1, edges: true, informed: true},
			{signal: -1, edges: true, params: "edge_stats: []\n", informed: false},
		} {
			// Nearest neighbours weigh every component alike: the noise
			// must stay small next to the signal.
			noise := 1.0
			params := c.params
			if name == "graph-knn" {
				noise = 0.05
				if c.signal < 0 {
					// The node and edge counts vary at random: only the
					// weight statistics carry the app.
					noise = 0
					params += "scale: true\n"
					if c.params == "" {
						params += "edge_stats: [mean, max]\n"
					}
				}
			}
			train, test := graphSet(3, c.signal, c.edges, noise)
			a := accuracy(t, methodtest.New(t, name, params, 1, 2), train, test)
			if c.informed && a < 0.95 || !c.informed && a > 0.5 { // chance is 0.25
				t.Errorf("%s, signal %d, edges %v, params %q: accuracy %.3f", name, c.signal, c.edges, c.params, a)
			}
		}
	}
}

// TestKNNNeighbours checks the vote on cases worked out by hand.
func TestKNNNeighbours(t *testing.T) {
	mk := func(app string, v0, v1 float64) methods.Sample {
		g := &mg.Graph{App: app, Scaled: true, Nodes: make([]mg.Node, 3)}
		for i := range g.Nodes {
			g.Nodes[i].Features[0], g.Nodes[i].Features[1] = v0, v1
		}
		return methods.Sample{Label: app, Graph: g}
	}
	predict := func(params string, train, test []methods.Sample) []methods.Prediction {
		t.Helper()
		m := methodtest.New(t, "graph-knn", "edge_stats: []\n"+params, 1, 1)
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		pred, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		return pred
	}
	// One informative feature: b near 0, a near 1, c at 5.
	train := []methods.Sample{mk("b", 0, 0), mk("b", 0.1, 0), mk("a", 1, 0), mk("a", 1.1, 0), mk("a", 1.2, 0), mk("c", 5, 0)}
	test := []methods.Sample{mk("?", 0.2, 0), mk("?", 0.9, 0), mk("?", 4, 0)}
	for _, params := range []string{"distance: euclidean\n", "distance: manhattan\n", "distance: euclidean\nscale: true\n", "distance: manhattan\nscale: true\n"} {
		for i, p := range predict("k: 1\n"+params, train, test) {
			if want := []string{"b", "a", "c"}[i]; p.Label != want || p.Score != 1 {
				t.Errorf("%q k=1: test %d predicted %+v, want %s", params, i, p, want)
			}
		}
	}
	// k = 5: 0.2 has b, b, a, a, a nearest: a wins three votes to two.
	if p := predict("k: 5\n", train, test[:1])[0]; p.Label != "a" || p.Score != 0.6 {
		t.Errorf("k=5: %+v, want a with 3 of 5 votes", p)
	}
	// k = 4: two votes each; b is nearer in sum.
	if p := predict("k: 4\n", train, test[:1])[0]; p.Label != "b" || p.Score != 0.5 {
		t.Errorf("k=4: %+v, want b with 2 of 4 votes", p)
	}
	// Cosine: the direction counts, not the length. (10, 0.5) is far from
	// b's (1, 0) and (2, 0.1) in euclidean distance but at almost the same
	// angle; a lies along the second feature.
	train = []methods.Sample{mk("b", 1, 0), mk("b", 2, 0.1), mk("a", 0, 1), mk("a", 0.1, 2), mk("c", 6, 6)}
	test = []methods.Sample{mk("?", 10, 0.5), mk("?", 0.5, 10)}
	for i, p := range predict("k: 1\ndistance: cosine\n", train, test) {
		if want := []string{"b", "a"}[i]; p.Label != want {
			t.Errorf("cosine: test %d predicted %+v, want %s", i, p, want)
		}
	}
	if p := predict("k: 1\ndistance: euclidean\n", train, test); p[0].Label != "c" || p[1].Label != "c" {
		t.Errorf("euclidean on the cosine case: %+v, want c twice", p)
	}
}

// TestDeterminism checks that predictions depend on the seed only, never
// on the number of workers, and that the seed matters to the forest.
func TestDeterminism(t *testing.T) {
	train, test := graphSet(5, -1, false, 1) // noise only: many close calls
	run := func(name, params string, seed uint64, workers int) []methods.Prediction {
		m := methodtest.New(t, name, params, seed, workers)
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		p, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, name := range []string{"graph-rf", "graph-knn"} {
		a, b, c := run(name, "", 11, 1), run(name, "", 11, 1), run(name, "", 11, 3)
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, c) {
			t.Errorf("%s: predictions differ between runs with seed 11 (1, 1 and 3 workers)", name)
		}
	}
	if reflect.DeepEqual(run("graph-rf", "trees: 10\n", 11, 2), run("graph-rf", "trees: 10\n", 12, 2)) {
		t.Error("graph-rf: seeds 11 and 12 give the same predictions on noise")
	}
}

func TestParams(t *testing.T) {
	shared := []methodtest.BadParam{
		{Key: "max_nodes", Params: "max_nodes: 0\n"},
		{Key: "slice", Params: "slice: 0\n"},
		{Key: "slice", Params: "slice: .inf\n"},
		{Key: "degenerate", Params: "degenerate: drop\n"},
		{Key: "edge_stats", Params: "edge_stats: [median]\n"},
		{Key: "edge_stats", Params: "edge_stats: [max, max]\n"},
	}
	methodtest.CheckParamErrors(t, "graph-rf", append([]methodtest.BadParam{
		{Key: "trees", Params: "trees: 0\n"},
		{Key: "max_features", Params: "max_features: -1\n"},
		{Key: "max_depth", Params: "max_depth: -1\n"},
		{Key: "min_samples_leaf", Params: "min_samples_leaf: 0\n"},
	}, shared...))
	methodtest.CheckParamErrors(t, "graph-knn", append([]methodtest.BadParam{
		{Key: "k", Params: "k: 0\n"},
		{Key: "distance", Params: "distance: chebyshev\n"},
	}, shared...))
	for name, src := range map[string]string{"graph-rf": "k: 3\n", "graph-knn": "trees: 10\n"} {
		if _, err := methodtest.Build(name, src, 1, 1); err == nil {
			t.Errorf("%s: parameters %q accepted", name, src)
		}
	}
	for _, name := range []string{"graph-rf", "graph-knn"} {
		m, err := methodtest.Build(name, "", 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Predict(context.Background(), nil); err == nil {
			t.Errorf("%s: Predict before Fit accepted", name)
		}
		if err := m.Fit(context.Background(), nil); err == nil {
			t.Errorf("%s: Fit without samples accepted", name)
		}
		if err := m.Fit(context.Background(), []methods.Sample{{Label: "a"}}); err == nil {
			t.Errorf("%s: Fit without any graph accepted", name)
		}
	}
}

// TestSaveLoad checks that a saved and loaded method predicts exactly as
// the fitted one, with the saved parameters replacing the receiver's.
func TestSaveLoad(t *testing.T) {
	train, test := graphSet(7, 10, false, 0.05)
	for _, c := range []struct{ name, params string }{
		{"graph-rf", "trees: 20\nip_features: false\nedge_stats: [mean]\n"},
		{"graph-knn", "k: 3\ndistance: manhattan\nscale: true\nmax_nodes: 5\n"},
		{"graph-knn", "distance: cosine\n"},
	} {
		m := methodtest.New(t, c.name, c.params, 3, 2)
		if err := m.(methods.Saver).Save(&bytes.Buffer{}); err == nil {
			t.Errorf("%s: Save before Fit accepted", c.name)
		}
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		want, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.(methods.Saver).Save(&buf); err != nil {
			t.Fatal(err)
		}
		saved := buf.Bytes()
		l := methodtest.New(t, c.name, "", 1, 1)
		if err := l.(methods.Loader).Load(bytes.NewReader(saved)); err != nil {
			t.Fatal(err)
		}
		got, err := l.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %q: predictions differ after Save and Load", c.name, c.params)
		}
		if err := l.(methods.Loader).Load(bytes.NewReader(saved[:len(saved)/2])); err == nil {
			t.Errorf("%s: truncated model accepted", c.name)
		}
	}
}

// TestIPv6Note checks that both baselines report the chunks skipped for
// IPv6 destinations, in training and test, in one note.
func TestIPv6Note(t *testing.T) {
	train, test, n := methodtest.IPv6Chunks(rand.New(rand.NewPCG(1, 2)))
	for _, name := range []string{"graph-rf", "graph-knn"} {
		m, notes := methodtest.WithNotes(t, name, "", 7, 1)
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Predict(context.Background(), test); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%s: skipped %d of %d chunks with IPv6 destinations", name, n, len(train)+len(test))
		if len(*notes) != 1 || !strings.HasPrefix((*notes)[0], want) {
			t.Errorf("notes %q, want one starting %q", *notes, want)
		}
	}
}
