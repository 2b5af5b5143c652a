package forest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"runtime"
	"syscall"
	"testing"
)

// sklearnAccuracy is the test accuracy printed by
// testdata/sklearn_reference.py (scikit-learn 1.2.1,
// RandomForestClassifier(n_estimators=100, max_features="sqrt",
// random_state=0)) on testdata/synth_{train,test}.csv. Regenerate the data
// with `go test ./forest/ -run TestRegenerateSynthetic -regen`, then run
// `cd forest/testdata && /usr/bin/python3 sklearn_reference.py` and copy
// the value here.
const sklearnAccuracy = 0.7560

func accuracy(pred, want []int) float64 {
	ok := 0
	for i := range pred {
		if pred[i] == want[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(want))
}

func TestAccuracyMatchesSklearn(t *testing.T) {
	Xtr, ytr, cols := readCSV(t, "testdata/synth_train.csv")
	Xte, yte, _ := readCSV(t, "testdata/synth_test.csv")
	classes := 0
	for _, c := range ytr {
		classes = max(classes, c+1)
	}
	var accs []float64
	for seed := uint64(1); seed <= 3; seed++ {
		f, err := Fit(context.Background(), Xtr, len(ytr), cols, ytr, classes, Options{Trees: 100, Seed: seed, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		pred, _, err := f.Predict(Xte, len(yte), 2)
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, accuracy(pred, yte))
	}
	mean := (accs[0] + accs[1] + accs[2]) / 3
	t.Logf("accuracy over seeds 1..3: %v (mean %.4f), sklearn %.4f", accs, mean, sklearnAccuracy)
	if math.Abs(mean-sklearnAccuracy) > 0.01 {
		t.Errorf("mean accuracy %.4f, sklearn %.4f: more than 1 point apart", mean, sklearnAccuracy)
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	X, y := synthetic(7, 600, 12, 6, 5, 1.0)
	var models [][]byte
	var probas [][]float64
	for _, w := range []int{1, 2, 5} {
		f, err := Fit(context.Background(), X, 600, 12, y, 5, Options{Trees: 20, Seed: 42, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Save(&buf); err != nil {
			t.Fatal(err)
		}
		models = append(models, buf.Bytes())
		p, err := f.PredictProba(X, 600, w)
		if err != nil {
			t.Fatal(err)
		}
		probas = append(probas, p)
	}
	for i := 1; i < len(models); i++ {
		if !bytes.Equal(models[0], models[i]) {
			t.Errorf("model with worker count #%d differs from the one-worker model", i)
		}
		for k := range probas[0] {
			if probas[0][k] != probas[i][k] {
				t.Fatalf("probability %d differs: %v vs %v", k, probas[0][k], probas[i][k])
			}
		}
	}
	g, err := Fit(context.Background(), X, 600, 12, y, 5, Options{Trees: 20, Seed: 43})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	g.Save(&buf)
	if bytes.Equal(buf.Bytes(), models[0]) {
		t.Error("seeds 42 and 43 gave the same forest")
	}
}

// TestPredictDeterministicAcrossWorkers: prediction over many row blocks
// gives the same probabilities, labels and confidences, bit for bit, on one
// worker and on four.
func TestPredictDeterministicAcrossWorkers(t *testing.T) {
	const rows, cols = 5000, 10 // ten blocks of 512 rows
	X, y := synthetic(11, rows, cols, 6, 7, 1.5)
	f, err := Fit(context.Background(), X, rows, cols, y, 7, Options{Trees: 15, Seed: 5, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := f.PredictProba(X, rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	p4, err := f.PredictProba(X, rows, 4)
	if err != nil {
		t.Fatal(err)
	}
	for k := range p1 {
		if math.Float64bits(p1[k]) != math.Float64bits(p4[k]) {
			t.Fatalf("row %d class %d: probability %v on one worker, %v on four", k/7, k%7, p1[k], p4[k])
		}
	}
	l1, c1, err := f.Predict(X, rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	l4, c4, err := f.Predict(X, rows, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range l1 {
		if l1[i] != l4[i] || math.Float64bits(c1[i]) != math.Float64bits(c4[i]) {
			t.Fatalf("row %d: (%d, %v) on one worker, (%d, %v) on four", i, l1[i], c1[i], l4[i], c4[i])
		}
	}
	var sum float64
	for _, v := range p1[:7] {
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("row 0 probabilities sum to %v", sum)
	}
}

// A single tree on all rows and all features finds the midpoint split
// of a separable feature and gives pure leaves.
func TestTreeSplitsAtMidpoint(t *testing.T) {
	// column 0 is noise that cannot separate; column 1 separates at 6.5
	X := []float64{
		5, 1,
		5, 2,
		5, 3,
		5, 10,
		5, 11,
		5, 12,
	}
	y := []int{0, 0, 0, 1, 1, 1}
	f, err := Fit(context.Background(), X, 6, 2, y, 2, Options{Trees: 1, MaxFeatures: 2, NoBootstrap: true})
	if err != nil {
		t.Fatal(err)
	}
	tr := f.Trees[0]
	if len(tr.Nodes) != 1 {
		t.Fatalf("%d nodes, want 1 (both leaves of one class fold into the root): %+v", len(tr.Nodes), tr.Nodes)
	}
	feat, left := f.layout().split(&tr.Nodes[0])
	if root := tr.Nodes[0]; feat != 1 || root.Threshold != 6.5 || left != 1 || root.Right != pureCode(1) {
		t.Errorf("root %+v (feature %d, left %d), want feature 1, threshold 6.5, left leaf of class 0, right leaf of class 1", root, feat, left)
	}
	for _, tc := range []struct {
		x    []float64
		want []float64
	}{{[]float64{0, 6.5}, []float64{1, 0}}, {[]float64{0, 6.6}, []float64{0, 1}}} {
		got := f.ProbaRow(tc.x, make([]float64, 2))
		if got[0] != tc.want[0] || got[1] != tc.want[1] {
			t.Errorf("ProbaRow(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

// Leaves keep class distributions: with depth 0 the single leaf holds the
// class shares of the training rows, and the forest averages them.
func TestSoftVotingLeafDistribution(t *testing.T) {
	X := []float64{1, 2, 3, 4}
	y := []int{0, 1, 1, 2}
	f, err := Fit(context.Background(), X, 4, 1, y, 3, Options{Trees: 3, MaxDepth: 1, MinSamplesSplit: 5, NoBootstrap: true})
	if err != nil {
		t.Fatal(err)
	}
	got := f.ProbaRow([]float64{2}, make([]float64, 3))
	want := []float64{0.25, 0.5, 0.25}
	for c := range want {
		if math.Abs(got[c]-want[c]) > 1e-15 {
			t.Fatalf("proba %v, want %v", got, want)
		}
	}
	labels, conf, err := f.Predict([]float64{2}, 1, 1)
	if err != nil || labels[0] != 1 || conf[0] != 0.5 {
		t.Errorf("Predict = %v, %v, %v; want class 1 with 0.5", labels, conf, err)
	}
}

func TestArgmaxTies(t *testing.T) {
	if c, v := Argmax([]float64{0.25, 0.5, 0.5}); c != 1 || v != 0.5 {
		t.Errorf("Argmax = %d, %v; want the first maximum, 1", c, v)
	}
	if c, _ := Argmax(nil); c != -1 {
		t.Errorf("Argmax(nil) = %d, want -1", c)
	}
}

func TestMinSamplesLeafAndDepth(t *testing.T) {
	X, y := synthetic(3, 300, 4, 4, 3, 1.0)
	f, err := Fit(context.Background(), X, 300, 4, y, 3, Options{Trees: 5, MaxDepth: 3, MinSamplesLeaf: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	l := f.layout()
	for ti, tr := range f.Trees {
		// depth returns the depth of the deepest leaf below child code i
		// (a node index, or a folded leaf when leaf is set) at depth d.
		var depth func(i int32, leaf bool, d int) int
		depth = func(i int32, leaf bool, d int) int {
			if leaf {
				return d
			}
			n := &tr.Nodes[i]
			feat, left := l.split(n)
			if feat == l.mask {
				return d
			}
			return max(depth(i+1, left != 0, d+1), depth(n.Right, n.Right < 0, d+1))
		}
		if d := depth(0, false, 0); d > 3 {
			t.Errorf("tree %d has depth %d > 3", ti, d)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	X, y := synthetic(5, 200, 6, 6, 4, 1.0)
	f, err := Fit(context.Background(), X, 200, 6, y, 4, Options{Trees: 10, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Save(&buf); err != nil {
		t.Fatal(err)
	}
	saved := append([]byte(nil), buf.Bytes()...)
	g, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := f.PredictProba(X, 200, 1)
	p2, _ := g.PredictProba(X, 200, 1)
	for i := range p1 {
		if p1[i] != p2[i] {
			t.Fatalf("loaded model predicts %v at %d, original %v", p2[i], i, p1[i])
		}
	}
	// A damaged model is an error, never a panic.
	if _, err := Load(bytes.NewReader(saved[:len(saved)/2])); !errors.Is(err, ErrModel) {
		t.Errorf("truncated model: err = %v, want ErrModel", err)
	}
	g.Trees[0].Nodes[0].Right = 0
	buf.Reset()
	g.Save(&buf)
	if _, err := Load(&buf); !errors.Is(err, ErrModel) {
		t.Errorf("model with a backward child: err = %v, want ErrModel", err)
	}
}

func TestFitRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		X       []float64
		rows    int
		y       []int
		classes int
	}{
		"short matrix": {[]float64{1, 2, 3}, 2, []int{0, 1}, 2},
		"label range":  {[]float64{1, 2}, 2, []int{0, 2}, 2},
		"NaN":          {[]float64{1, math.NaN()}, 2, []int{0, 1}, 2},
		"no rows":      {nil, 0, nil, 2},
	} {
		if _, err := Fit(ctx, tc.X, tc.rows, 1, tc.y, tc.classes, Options{}); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	for _, workers := range []int{1, 3} {
		if _, err := Fit(cctx, []float64{1, 2}, 2, 1, []int{0, 1}, 2, Options{Workers: workers}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled fit on %d workers: err = %v", workers, err)
		}
	}
}

// benchData is the benchmark's problem size: 30000 rows × 54 features × 40
// classes, the size of a large AppScanner training set.
func benchData() ([]float64, []int) {
	return synthetic(2026, 30000, 54, 30, 40, 1.6)
}

func heapMB() (inuse, sys float64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20), float64(ms.Sys) / (1 << 20)
}

// cpuSeconds is the process's user+system CPU time, which contention from
// other processes inflates far less than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func BenchmarkFit(b *testing.B) {
	X, y := benchData()
	runtime.GC()
	var f *Forest
	cpu0 := cpuSeconds()
	for b.Loop() {
		var err error
		f, err = Fit(context.Background(), X, 30000, 54, y, 40, Options{Trees: 100, Seed: 1, Workers: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	inuse, sys := heapMB()
	b.ReportMetric(inuse, "MB-heap-inuse")
	b.ReportMetric(sys, "MB-sys")
	nodes := 0
	for _, t := range f.Trees {
		nodes += len(t.Nodes)
	}
	b.ReportMetric(float64(nodes)/float64(len(f.Trees)), "nodes/tree")
}

func BenchmarkPredict(b *testing.B) {
	X, y := benchData()
	f, err := Fit(context.Background(), X, 30000, 54, y, 40, Options{Trees: 100, Seed: 1, Workers: 2})
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuSeconds()
	for b.Loop() {
		if _, err := f.PredictProba(X, 30000, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}
