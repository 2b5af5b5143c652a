package dgcnn

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"appbench/internal/shared"
	"appbench/mappgraph"
)

// TestRealData trains on the shared processed MAppGraph graphs (T2_0, N20,
// t10; 22 apps) and reports accuracy, macro F1 and speed. It is long and
// runs only with APPBENCH_LONG=1 (and APPBENCH_SHARED set). Settings:
// APPBENCH_DGCNN_ARCH ("small": layers 128,128,128,64; "default": the
// reference), APPBENCH_DGCNN_EPOCHS (default 30), APPBENCH_DGCNN_WORKERS
// (default GOMAXPROCS), APPBENCH_DGCNN_WEIGHTED=1 for the weighted
// adjacency.
func TestRealData(t *testing.T) {
	if os.Getenv("APPBENCH_LONG") != "1" {
		t.Skip("long training run: set APPBENCH_LONG=1")
	}
	root := shared.Path(t, "data/mappgraph/2_0")
	cfg := DefaultConfig()
	arch := envOr("APPBENCH_DGCNN_ARCH", "small")
	if arch == "small" {
		cfg.Layers = []int{128, 128, 128, 64}
	}
	cfg.Epochs = envInt(t, "APPBENCH_DGCNN_EPOCHS", 30)
	cfg.Workers = envInt(t, "APPBENCH_DGCNN_WORKERS", runtime.GOMAXPROCS(0))
	cfg.Adjacency.Weighted = os.Getenv("APPBENCH_DGCNN_WEIGHTED") == "1"

	load := func(split string) (map[string][]*Input, int) {
		byApp, err := mappgraph.ReadProcessed(filepath.Join(root, split, "N20", "t10"))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]*Input{}
		total := 0
		for app, gs := range byApp {
			for _, g := range gs {
				in, err := FromGraph(g, cfg.Adjacency)
				if err != nil {
					t.Fatal(err)
				}
				out[app] = append(out[app], in)
			}
			total += len(gs)
		}
		return out, total
	}
	trainBy, nTrain := load("train_graphs")
	testBy, nTest := load("test_graphs")
	var classes []string
	for a := range trainBy {
		classes = append(classes, a)
	}
	sort.Strings(classes) // output unit j = j-th app in byte order (spec §8.10)
	// Training list grouped by app (here in alphabetical order; the
	// reference's load order is its own list, spec §8.10).
	var train, test []Example
	for j, a := range classes {
		for _, in := range trainBy[a] {
			train = append(train, Example{Input: in, Class: j})
		}
		for _, in := range testBy[a] {
			test = append(test, Example{Input: in, Class: j})
		}
	}
	m, err := New(cfg, 63, classes)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	var progress io.Writer = &log
	if testing.Verbose() {
		progress = io.MultiWriter(&log, os.Stdout)
	}
	start := time.Now()
	stats, err := m.Fit(context.Background(), train, test, progress)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start).Seconds()
	if !testing.Verbose() {
		t.Logf("training log:\n%s", log.String())
	}

	trainF1, trainAcc := macroF1(t, m, train)
	testF1, testAcc := macroF1(t, m, test)
	perEpoch := elapsed / float64(len(stats))
	trainOnly := 0.0
	for _, s := range stats {
		trainOnly += s.Seconds
	}
	t.Logf("arch %s layers %v, %d apps, %d train / %d test graphs, %d epochs, gemm %s, workers %d, GOMAXPROCS %d, weighted %v",
		arch, cfg.Layers, len(classes), nTrain, nTest, len(stats), DefaultGEMMName(), cfg.Workers, runtime.GOMAXPROCS(0), cfg.Adjacency.Weighted)
	t.Logf("train accuracy %.4f macro F1 %.4f; test accuracy %.4f macro F1 %.4f", trainAcc, trainF1, testAcc, testF1)
	t.Logf("%.2f s per epoch (incl. test evaluation), %.0f training graphs/s", perEpoch, float64(nTrain)/perEpoch)
	if testAcc < 1.5/float64(len(classes)) {
		t.Errorf("test accuracy %.4f is no better than chance", testAcc)
	}
}

// macroF1 returns the macro F1 and the accuracy of the model on ex.
func macroF1(t *testing.T, m *Model, ex []Example) (f1, acc float64) {
	inputs := make([]*Input, len(ex))
	for i, e := range ex {
		inputs[i] = e.Input
	}
	probs, err := m.Predict(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	nc := len(m.Classes)
	tp := make([]int, nc)
	fp := make([]int, nc)
	fn := make([]int, nc)
	correct := 0
	for i, e := range ex {
		pr := probs[i*nc : (i+1)*nc]
		best := 0
		for j, v := range pr {
			if v > pr[best] {
				best = j
			}
		}
		if best == e.Class {
			tp[best]++
			correct++
		} else {
			fp[best]++
			fn[e.Class]++
		}
	}
	for j := 0; j < nc; j++ {
		if d := 2*tp[j] + fp[j] + fn[j]; d > 0 {
			f1 += 2 * float64(tp[j]) / float64(d)
		}
	}
	return f1 / float64(nc), float64(correct) / float64(len(ex))
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: %v", name, v, fmt.Errorf("want a positive integer"))
	}
	return n
}

// TestRealGraphsOperator checks on the shipped processed graphs that every
// graph's listed edges form a complete graph, so that the reference
// operator is Â = 1/n (spec §8.2), and that the network gives finite
// probabilities for them with every adjacency variant.
func TestRealGraphsOperator(t *testing.T) {
	dir := shared.Path(t, "data/mappgraph/2_0/test_graphs/N20/t10")
	byApp, err := mappgraph.ReadProcessed(dir)
	if err != nil {
		t.Fatal(err)
	}
	gs := byApp["diijam"]
	if len(gs) == 0 {
		t.Fatal("no diijam graphs")
	}
	var inputs []*Input
	for _, g := range gs {
		in, err := FromGraph(g, AdjacencyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Edges) != in.N*(in.N-1)/2 {
			t.Errorf("graph %d: %d edges for %d nodes, not complete", g.ID, len(g.Edges), in.N)
		}
		for i, v := range in.A {
			if math.Abs(float64(v)-1/float64(in.N)) > 1e-7 {
				t.Fatalf("graph %d: Â[%d] = %v, want 1/%d", g.ID, i, v, in.N)
			}
		}
		inputs = append(inputs, in)
	}
	for _, opts := range adjVariants {
		cfg := tinyConfig()
		cfg.Adjacency = opts
		m, err := New(cfg, mappgraph.NumFeatures, []string{"a", "b", "c"})
		if err != nil {
			t.Fatal(err)
		}
		var ins []*Input
		for _, g := range gs {
			in, err := FromGraph(g, opts)
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, in)
		}
		probs, err := m.Predict(context.Background(), ins)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range probs {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("%+v: probability %d = %v", opts, i, p)
			}
		}
	}
}
