package mappgraph

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	mg "appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// small is a fast architecture for tests.
const small = `
k: 4
layers: [16, 16]
conv1_filters: 8
conv2_filters: 8
conv2_kernel: 2
dense: 16
batch: 8
lr: 0.003
epochs: 30
verbose: false
`

func TestPacketSamples(t *testing.T) {
	train, test := methodtest.GraphChunks(rand.New(rand.NewPCG(1, 2)))

	for _, mode := range []string{"majority", "unknown"} {
		m := methodtest.New(t, "mappgraph", small+"degenerate: "+mode+"\n", 7, 2)
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		pred, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		correct := 0
		for i, p := range pred[:15] {
			if p.Label == test[i].Label {
				correct++
			}
			if p.Unknown || !(p.Score > 0 && p.Score <= 1) {
				t.Errorf("%s: prediction %d: %+v", mode, i, p)
			}
		}
		if correct < 14 {
			t.Errorf("%s: %d of 15 packet chunks right", mode, correct)
		}
		// app1 is the most frequent training label (16 samples).
		for _, p := range pred[15:] {
			if p.Label != "app1" || p.Score != 0 || p.Unknown != (mode == "unknown") {
				t.Errorf("%s: chunk without graph predicted %+v", mode, p)
			}
		}
		if d := m.(methods.Detector).DetectsUnknown(); d != (mode == "unknown") {
			t.Errorf("%s: DetectsUnknown %v", mode, d)
		}
	}
}

// graphSample is a standardised processed graph whose first features
// depend on the app.
func graphSample(rng *rand.Rand, app, id int) methods.Sample {
	n := 3 + rng.IntN(5)
	g := &mg.Graph{ID: id, App: fmt.Sprintf("g%d", app), Scaled: true, Nodes: make([]mg.Node, n)}
	for i := range g.Nodes {
		for f := range g.Nodes[i].Features {
			g.Nodes[i].Features[f] = rng.NormFloat64()
		}
		g.Nodes[i].Features[app] += 2
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			g.Edges = append(g.Edges, mg.Edge{Source: i, Target: j, Weight: rng.Float64()})
		}
	}
	return methods.Sample{Label: g.App, Capture: fmt.Sprintf("%s/%d", g.App, id), Graph: g}
}

func TestGraphSamplesSaveLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var train, test []methods.Sample
	for app := 0; app < 4; app++ {
		for i := 0; i < 40; i++ {
			train = append(train, graphSample(rng, app, i+1))
		}
		for i := 0; i < 10; i++ {
			test = append(test, graphSample(rng, app, 100+i))
		}
	}
	m := methodtest.New(t, "mappgraph", strings.Replace(small, "epochs: 30", "epochs: 20", 1)+"weighted: true\n", 9, 2)
	if err := m.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	correct := 0
	for i, p := range pred {
		if p.Label == test[i].Label {
			correct++
		}
	}
	if correct < 36 {
		t.Errorf("%d of %d graph samples right", correct, len(test))
	}
	var buf bytes.Buffer
	if err := m.(methods.Saver).Save(&buf); err != nil {
		t.Fatal(err)
	}
	l := methodtest.New(t, "mappgraph", "", 1, 2)
	if err := l.(methods.Loader).Load(&buf); err != nil {
		t.Fatal(err)
	}
	pred2, err := l.Predict(context.Background(), test)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pred {
		if pred[i] != pred2[i] {
			t.Fatalf("prediction %d: %+v before saving, %+v after loading", i, pred[i], pred2[i])
		}
	}
}

func TestParams(t *testing.T) {
	f, err := methods.Lookup("mappgraph")
	if err != nil {
		t.Fatal(err)
	}
	methodtest.CheckParamErrors(t, "mappgraph", []methodtest.BadParam{
		{Key: "max_nodes", Params: "max_nodes: 0\n"},
		{Key: "slice", Params: "slice: -1\n"},
		{Key: "degenerate", Params: "degenerate: drop\n"},
		{Key: "layers", Params: "layers: []\n"},
		{Key: "layers", Params: "layers: [32, 0]\n"},
		{Key: "k", Params: "k: 0\n"},
		{Key: "pool", Params: "pool: 0\n"},
		{Key: "pool", Params: "pool: 128\nk: 1000\n"},
		{Key: "conv2_kernel", Params: "conv2_kernel: 0\n"},
		{Key: "conv2_kernel", Params: "k: 4\n"},
		{Key: "conv1_filters", Params: "conv1_filters: 0\n"},
		{Key: "conv2_filters", Params: "conv2_filters: 0\n"},
		{Key: "dense", Params: "dense: 0\n"},
		{Key: "dropout", Params: "dropout: 1\n"},
		{Key: "lr", Params: "lr: 0\n"},
		{Key: "decay_epochs", Params: "decay_epochs: -1\n"},
		{Key: "decay_rate", Params: "decay_rate: 0\n"},
		{Key: "batch", Params: "batch: 0\n"},
		{Key: "epochs", Params: "epochs: -1\n"},
		{Key: "patience", Params: "patience: -1\n"},
	})
	if _, err := methodtest.Build("mappgraph", "nosuchkey: 1\n", 1, 1); err == nil {
		t.Error("unknown key accepted")
	}
	m, err := f(methods.Config{Workers: 1, Log: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "mappgraph" || methods.InputsOf(m) != methods.Packets|methods.Graphs {
		t.Errorf("name %q inputs %v", m.Name(), methods.InputsOf(m))
	}
	if _, err := m.Predict(context.Background(), nil); err == nil {
		t.Error("Predict before Fit accepted")
	}
}

// TestIPv6Note checks that the chunks skipped for IPv6 destinations, in
// training and test, are reported in one note.
func TestIPv6Note(t *testing.T) {
	train, test, n := methodtest.IPv6Chunks(rand.New(rand.NewPCG(1, 2)))
	m, notes := methodtest.WithNotes(t, "mappgraph", strings.Replace(small, "epochs: 30", "epochs: 2", 1), 7, 1)
	if err := m.Fit(context.Background(), train); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Predict(context.Background(), test); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("mappgraph: skipped %d of %d chunks with IPv6 destinations", n, len(train)+len(test))
	if len(*notes) != 1 || !strings.HasPrefix((*notes)[0], want) {
		t.Errorf("notes %q, want one starting %q", *notes, want)
	}
}
