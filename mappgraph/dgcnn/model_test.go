package dgcnn

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"appbench/mappgraph"
)

func TestParamCountReference(t *testing.T) {
	classes := make([]string, 101)
	for i := range classes {
		classes[i] = string(rune('a'+i%26)) + strings.Repeat("x", i/26)
	}
	m, err := New(DefaultConfig(), mappgraph.NumFeatures, classes)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.NumParams(); got != 4888421 {
		t.Errorf("parameters: %d, want 4,888,421 (spec §8.7)", got)
	}
	// Per-tensor counts of spec §8.7.
	want := map[string]int{"gc1": 64512, "gc2": 1048576, "gc3": 1048576, "gc4": 524288,
		"conv1": 917504, "conv1_b": 256, "conv2": 655360, "conv2_b": 512,
		"dense": 524288, "dense_b": 1024, "out": 103424, "out_b": 101}
	for _, p := range m.Params {
		if len(p.W) != want[p.Name] {
			t.Errorf("%s: %d values, want %d", p.Name, len(p.W), want[p.Name])
		}
	}
	// Glorot limits (spec §8.8) and zero biases.
	limits := map[string]float64{"gc1": math.Sqrt(6.0 / (63 + 1024)), "gc4": math.Sqrt(6.0 / (1024 + 512)),
		"conv1": math.Sqrt(6.0 / (3584 + 3584*256)), "conv2": math.Sqrt(6.0 / (5*256 + 5*512)),
		"out": math.Sqrt(6.0 / (1024 + 101))}
	for _, p := range m.Params {
		mx := 0.0
		for _, v := range p.W {
			mx = math.Max(mx, math.Abs(float64(v)))
		}
		if len(p.Shape) == 1 && mx != 0 {
			t.Errorf("bias %s not zero", p.Name)
		}
		if l, ok := limits[p.Name]; ok && (mx > l || mx < 0.95*l) {
			t.Errorf("%s: largest |w| %.5g, want just below the Glorot limit %.5g", p.Name, mx, l)
		}
	}
}

func TestAdjacency(t *testing.T) {
	// Three nodes, edges 0-1 (weight 0.5) and 1-2 (NaN weight).
	edges := []mappgraph.Edge{{Source: 0, Target: 1, Weight: 0.5}, {Source: 1, Target: 2, Weight: math.NaN()}}
	x := make([]float32, 3)
	s6 := 1 / math.Sqrt(6)
	cases := []struct {
		opts AdjacencyOptions
		want []float64
	}{
		{AdjacencyOptions{}, []float64{0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0.5, 0.5}},
		{AdjacencyOptions{Weighted: true}, []float64{2.0 / 3, 1.0 / 3, 0, 1.0 / 3, 2.0 / 3, 0, 0, 0, 1}},
		{AdjacencyOptions{Symmetric: true}, []float64{0.5, s6, 0, s6, 1.0 / 3, s6, 0, s6, 0.5}},
		{AdjacencyOptions{Weighted: true, Symmetric: true}, []float64{2.0 / 3, 1.0 / 3, 0, 1.0 / 3, 2.0 / 3, 0, 0, 0, 1}},
	}
	for _, c := range cases {
		in, err := Prepare(x, 3, 1, edges, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range c.want {
			if math.Abs(float64(in.A[i])-w) > 1e-7 {
				t.Errorf("%+v: Â = %v, want %v", c.opts, in.A, c.want)
				break
			}
		}
	}
	if _, err := Prepare(x, 3, 1, []mappgraph.Edge{{Source: 0, Target: 3}}, AdjacencyOptions{}); err == nil {
		t.Error("edge to a missing node accepted")
	}
	if _, err := Prepare([]float32{1, float32(math.NaN()), 2}, 3, 1, nil, AdjacencyOptions{}); err == nil {
		t.Error("NaN feature accepted")
	}
}

// TestCompleteGraphIdentity checks spec §8.2: with the reference operator a
// complete graph has Â = 1/n, so the first layer's rows are all equal to
// tanh(mean(X)·W_1), whatever the edge weights.
func TestCompleteGraphIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	n := 6
	g := &mappgraph.Graph{ID: 1, App: "a", Nodes: make([]mappgraph.Node, n), Edges: completeEdges(rng, n)}
	for i := range g.Nodes {
		for j := range g.Nodes[i].Features {
			g.Nodes[i].Features[j] = rng.NormFloat64()
		}
	}
	in, err := FromGraph(g, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range in.A {
		if math.Abs(float64(v)-1/float64(n)) > 1e-7 {
			t.Fatalf("Â[%d] = %v, want 1/%d", i, v, n)
		}
	}
	cfg := tinyConfig()
	m, err := New(cfg, mappgraph.NumFeatures, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	m.forward([]*Input{in}, nil, false, nil)
	s := cfg.channels()
	u := cfg.Layers[0]
	w1 := m.Params[0].W
	for c := 0; c < u; c++ {
		mean := 0.0
		for j := 0; j < mappgraph.NumFeatures; j++ {
			col := 0.0
			for i := 0; i < n; i++ {
				col += g.Nodes[i].Features[j]
			}
			mean += col / float64(n) * float64(w1[j*u+c])
		}
		want := math.Tanh(mean)
		for i := 0; i < n; i++ {
			if got := float64(m.ws.h[i*s+c]); math.Abs(got-want) > 1e-5 {
				t.Fatalf("node %d channel %d: %v, want tanh(mean·W) = %v", i, c, got, want)
			}
		}
	}
	// All rows identical in every layer.
	for i := 1; i < n; i++ {
		for c := 0; c < s; c++ {
			if m.ws.h[i*s+c] != m.ws.h[c] {
				t.Fatalf("row %d channel %d differs from row 0", i, c)
			}
		}
	}
}

// synthetic makes a learnable problem: the class shifts the mean of the
// first features; graph sizes and edges vary.
func synthetic(rng *rand.Rand, count, f, classes int, opts AdjacencyOptions) []Example {
	var ex []Example
	for i := 0; i < count; i++ {
		y := rng.IntN(classes)
		n := 2 + rng.IntN(9)
		x := make([]float32, n*f)
		for j := range x {
			x[j] = float32(rng.NormFloat64())
			if j%f == y {
				x[j] += 1.5
			}
		}
		edges := completeEdges(rng, n)
		if i%2 == 1 {
			edges = sparseEdges(rng, n)
		}
		in, err := Prepare(x, n, f, edges, opts)
		if err != nil {
			panic(err)
		}
		ex = append(ex, Example{Input: in, Class: y})
	}
	return ex
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	train := synthetic(rng, 40, 5, 3, AdjacencyOptions{})
	run := func(workers int, seed uint64) *Model {
		cfg := tinyConfig()
		cfg.Layers = []int{16, 16, 8}
		cfg.Dropout = 0.25
		cfg.Batch = 8
		cfg.Epochs = 2
		cfg.Workers = workers
		cfg.Seed = seed
		m, err := New(cfg, 5, []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Fit(context.Background(), train, nil, nil); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b, c := run(1, 7), run(2, 7), run(2, 8)
	if a.Step != 10 {
		t.Errorf("steps: %d, want 2 epochs × 5 batches", a.Step)
	}
	same := func(x, y *Model) bool {
		for i := range x.Params {
			for j := range x.Params[i].W {
				if x.Params[i].W[j] != y.Params[i].W[j] {
					return false
				}
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("weights after training differ between 1 and 2 workers")
	}
	if same(b, c) {
		t.Error("weights identical for different seeds")
	}
}

func TestSaveLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	cfg := tinyConfig()
	cfg.Adjacency = AdjacencyOptions{Weighted: true}
	cfg.Epochs = 1
	m, err := New(cfg, 5, []string{"x", "y", "z"})
	if err != nil {
		t.Fatal(err)
	}
	ex := synthetic(rng, 12, 5, 3, cfg.Adjacency)
	if _, err := m.Fit(context.Background(), ex, nil, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.gob")
	if err := m.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	l, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Step != m.Step || l.Features != 5 || strings.Join(l.Classes, ",") != "x,y,z" || !l.Config.Adjacency.Weighted || len(l.Config.Layers) != 3 {
		t.Errorf("loaded step %d features %d classes %v config %+v", l.Step, l.Features, l.Classes, l.Config)
	}
	inputs := []*Input{ex[0].Input, ex[1].Input, ex[2].Input}
	p1, err := m.Predict(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := l.Predict(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p1 {
		if p1[i] != p2[i] {
			t.Fatalf("prediction %d: %v before saving, %v after loading", i, p1[i], p2[i])
		}
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(strings.NewReader("not a model")); !errors.Is(err, ErrFormat) {
		t.Errorf("garbage: %v, want ErrFormat", err)
	}
	if _, err := Load(bytes.NewReader(buf.Bytes()[:buf.Len()/2])); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated: %v, want ErrFormat", err)
	}
}

func TestLearnsSyntheticProblem(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	opts := AdjacencyOptions{Weighted: true}
	train := synthetic(rng, 300, 6, 4, opts)
	test := synthetic(rng, 100, 6, 4, opts)
	cfg := tinyConfig()
	cfg.Layers = []int{32, 32, 16}
	cfg.Conv1Filters, cfg.Conv2Filters, cfg.Dense = 16, 16, 32
	cfg.Batch = 16
	cfg.LR = 3e-3
	cfg.Epochs = 25
	cfg.Dropout = 0.1
	cfg.Adjacency = opts
	cfg.Workers = 2
	m, err := New(cfg, 6, []string{"a", "b", "c", "d"})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	stats, err := m.Fit(context.Background(), train, test, &log)
	if err != nil {
		t.Fatal(err)
	}
	last := stats[len(stats)-1]
	if last.ValAcc < 0.9 || last.TrainAcc < 0.85 || !(last.Loss < stats[0].Loss) {
		t.Errorf("after %d epochs: %+v (first epoch %+v)\n%s", len(stats), last, stats[0], log.String())
	}
	if n := strings.Count(log.String(), "\n"); n != cfg.Epochs || !strings.Contains(log.String(), "val_acc") {
		t.Errorf("progress log has %d lines:\n%s", n, log.String())
	}
}

func TestAdamFirstStep(t *testing.T) {
	// After one step Adam moves every weight by lr·g/(|g|+ε') ≈ lr·sign(g).
	cfg := tinyConfig()
	cfg.DecayEpochs = 0
	m, err := New(cfg, 2, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(61, 62))
	p := m.Params[0]
	before := append([]float32(nil), p.W...)
	g := randSlice(rng, len(p.G), 1)
	for _, q := range m.Params {
		clear(q.G)
	}
	copy(p.G, g)
	m.adam(cfg.LR)
	for i := range g {
		want := float64(before[i]) - cfg.LR*math.Copysign(1, float64(g[i]))
		if math.Abs(float64(p.W[i])-want) > 1e-3*cfg.LR+1e-7 {
			t.Errorf("w[%d]: %v, want %v", i, p.W[i], want)
		}
	}
	if m.Step != 1 {
		t.Errorf("step %d after one update", m.Step)
	}
	// Learning-rate schedule of spec §8.9: 1e-4·0.9^(step/decay).
	m.Config.DecayEpochs, m.Config.Batch = 20, 256
	if got, want := m.lr(150, m.decaySteps(7300)), 1e-4*math.Pow(0.9, 150.0/(28*20)); math.Abs(got-want) > 1e-18 {
		t.Errorf("lr(150) = %v, want %v", got, want)
	}
}

func TestFitCancelAndEarlyStop(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	ex := synthetic(rng, 20, 3, 2, AdjacencyOptions{})
	cfg := tinyConfig()
	cfg.Epochs = 50
	m, err := New(cfg, 3, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Fit(ctx, ex, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: %v", err)
	}
	// A learning rate too small to change the validation accuracy: training
	// stops after Patience epochs without improvement.
	cfg.LR = 1e-12
	cfg.Patience = 3
	m, err = New(cfg, 3, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	stats, err := m.Fit(context.Background(), ex, ex[:10], nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1+cfg.Patience {
		t.Errorf("ran %d epochs, want %d", len(stats), 1+cfg.Patience)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Layers = nil },
		func(c *Config) { c.K = 8 }, // 8/2 = 4 < kernel 5
		func(c *Config) { c.Dropout = 1 },
		func(c *Config) { c.Batch = 0 },
		func(c *Config) { c.Workers = 0 },
		func(c *Config) { c.LR = math.NaN() },
	}
	for i, f := range bad {
		c := DefaultConfig()
		f(&c)
		if _, err := New(c, 63, []string{"a"}); err == nil {
			t.Errorf("bad config %d accepted", i)
		}
	}
}
