package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"appbench/internal/atomicfile"
	"appbench/internal/shared"
	"appbench/mappgraph"
	"appbench/methods"
	_ "appbench/methods/baseline"
	"appbench/resultfmt"
)

// sleepy is a test method: majority class after a pause in Fit, so that a
// run can be killed while cells are in flight.
type sleepy struct{ methods.Method }

func (s sleepy) Inputs() methods.Input { return methods.Packets | methods.Graphs }

// Fit pauses for BENCH_SLEEPY_MS milliseconds (set in the child process
// only), then fits.
func (s sleepy) Fit(ctx context.Context, train []methods.Sample) error {
	ms, _ := strconv.Atoi(os.Getenv("BENCH_SLEEPY_MS"))
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Method.Fit(ctx, train)
}

// failing is a test method whose Fit fails.
type failing struct{ methods.Method }

func (failing) Inputs() methods.Input { return methods.Packets | methods.Graphs }
func (failing) Fit(context.Context, []methods.Sample) error {
	return errors.New("out of luck")
}

func init() {
	methods.Register("test-failing", func(cfg methods.Config) (methods.Method, error) {
		f, _ := methods.Lookup("majority")
		m, err := f(cfg)
		return failing{m}, err
	})
	methods.Register("test-sleepy", func(cfg methods.Config) (methods.Method, error) {
		f, _ := methods.Lookup("majority")
		m, err := f(cfg)
		return sleepy{m}, err
	})
}

// TestMain doubles as the child process of TestKillAndResume.
func TestMain(m *testing.M) {
	if cfg := os.Getenv("BENCH_CHILD_CONFIG"); cfg != "" {
		x, err := LoadFile(cfg)
		if err == nil {
			_, err = Run(context.Background(), x, Options{Dir: os.Getenv("BENCH_CHILD_DIR")})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// graphFixture writes a small processed-graph dataset: 5 apps, each with
// its own destinations plus a shared pool, 8 training and 3 test graphs per
// app.
func graphFixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	apps := []string{"alpha", "bravo", "charlie", "delta", "echo"}
	for ai, app := range apps {
		for side, n := range map[string]int{"train": 8, "test": 3} {
			var gs []*mappgraph.Graph
			for g := 1; g <= n; g++ {
				gr := &mappgraph.Graph{ID: g, App: app}
				seen := map[string]bool{}
				for k := 0; k < 5; k++ {
					var ip string
					if r.IntN(4) == 0 {
						ip = fmt.Sprintf("203.0.113.%d", r.IntN(6)) // shared
					} else {
						ip = fmt.Sprintf("198.51.%d.%d", ai, r.IntN(5))
					}
					if seen[ip] {
						continue
					}
					seen[ip] = true
					var nd mappgraph.Node
					nd.IP, nd.Port = ip, 443
					for f := range nd.Features {
						nd.Features[f] = float64(r.IntN(100))
					}
					gr.Nodes = append(gr.Nodes, nd)
				}
				for a := 0; a < len(gr.Nodes); a++ {
					for b := a + 1; b < len(gr.Nodes); b++ {
						gr.Edges = append(gr.Edges, mappgraph.Edge{Source: a, Target: b, Weight: 1})
					}
				}
				gs = append(gs, gr)
			}
			dir := filepath.Join(root, side+"_graphs", "N20", "t10")
			if err := mappgraph.WriteGraphs(dir, app, gs); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func writeConfig(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const sweepConfig = `name: fixture
dataset:
  kind: graphs
  path: %s
task:
  kind: open
  unseen_apps: [echo]
methods:
  - name: majority
  - name: destination-set
    params: {k: 1, unknown_threshold: 0.3}
  - name: destination-set
    as: dset-all
    params: {k: 3, service_only: false, unknown_threshold: 0.3}
sweep:
  - param: methods.destination-set.k
    values: [1, 2, 5]
repeats: 2
workers: 2
`

// comparable strips the fields of a result that differ between runs
// (timings, memory, build, clock).
func comparable(t *testing.T, dir string) map[string]string {
	t.Helper()
	rs, err := resultfmt.ReadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string)
	for _, r := range rs {
		r.FitSeconds, r.PredictSeconds, r.LoadSeconds, r.PeakHeapBytes = 0, 0, 0, 0
		r.Version, r.Finished = "", time.Time{}
		b, _ := json.Marshal(r)
		out[r.ID] = string(b)
	}
	return out
}

func loadFixture(t *testing.T, text string) *Experiment {
	t.Helper()
	dir := t.TempDir()
	x, err := LoadFile(writeConfig(t, dir, "fixture.yaml", text))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestExpansion(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(sweepConfig, graphFixture(t)))
	// majority: 2 repeats; destination-set: 3 values x 2; dset-all: 2.
	if len(x.Cells) != 10 {
		t.Fatalf("%d cells, want 10", len(x.Cells))
	}
	var ks []any
	for _, c := range x.Cells {
		if c.Method == "destination-set" && c.Repeat == 0 {
			ks = append(ks, c.Params.(map[string]any)["k"])
			if len(c.Point) != 1 || c.Point[0].Param != "methods.destination-set.k" {
				t.Errorf("point %+v", c.Point)
			}
		}
		if c.Method != "destination-set" && len(c.Point) != 0 {
			t.Errorf("cell %s of %s carries the other method's axis %v", c.ID, c.Method, c.Point)
		}
	}
	if !reflect.DeepEqual(ks, []any{1, 2, 5}) {
		t.Errorf("swept k values %v", ks)
	}
	if x.Cells[0].Seed != 1 || x.Cells[1].Seed != 2 {
		t.Errorf("seeds %d %d, want 1 2", x.Cells[0].Seed, x.Cells[1].Seed)
	}
}

func TestZippedAxis(t *testing.T) {
	text := fmt.Sprintf(`dataset: {kind: graphs, path: %s}
methods: [{name: majority}]
sweep:
  - params: [dataset.nodes, dataset.test_fraction]
    values: [[20, 0.2], [20, 0.3]]
    labels: [small, large]
`, graphFixture(t))
	x := loadFixture(t, text)
	if len(x.Cells) != 2 || x.Cells[1].Config.Dataset.TestFraction != 0.3 || x.Cells[1].Config.Dataset.Nodes != 20 {
		t.Fatalf("cells %+v", x.Cells)
	}
	want := []resultfmt.Coord{{Param: "dataset.nodes+dataset.test_fraction", Value: "large"}}
	if !reflect.DeepEqual(x.Cells[1].Point, want) {
		t.Errorf("labelled point %+v, want %+v", x.Cells[1].Point, want)
	}
}

func TestRunOpenWorld(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(sweepConfig, graphFixture(t)))
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Ran != 10 || len(sum.Results) != 10 {
		t.Fatalf("summary %+v", sum)
	}
	for _, r := range sum.Results {
		if r.Train != 4*8 || r.Test != 4*3+11 || !reflect.DeepEqual(r.Unseen, []string{"echo"}) {
			t.Errorf("%s: train %d test %d unseen %v", r.ID, r.Train, r.Test, r.Unseen)
		}
		switch r.MethodName {
		case "majority":
			if r.Metrics.Detection != nil {
				t.Errorf("majority got detection scores")
			}
		case "destination-set":
			d := r.Metrics.Detection
			if d == nil || d.TP+d.FN != 11 {
				t.Fatalf("%s: detection %+v", r.ID, d)
			}
			// echo's own destinations never occur in training, only the
			// shared pool does, so most echo graphs must be flagged.
			if d.Recall < 0.5 || r.Metrics.Accuracy < 0.6 {
				t.Errorf("%s: accuracy %.3f, detection recall %.3f", r.ID, r.Metrics.Accuracy, d.Recall)
			}
		}
	}
}

func TestResumeAfterCancel(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(sweepConfig, graphFixture(t)))
	whole := t.TempDir()
	if _, err := Run(context.Background(), x, Options{Dir: whole}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	sum, err := Run(ctx, x, Options{Dir: dir, Progress: func(e Event) {
		if e.Done >= 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if sum.Ran < 3 || sum.Ran >= 10 {
		t.Fatalf("interrupted run finished %d cells", sum.Ran)
	}
	sum, err = Run(context.Background(), x, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped+sum.Ran != 10 || sum.Skipped < 3 {
		t.Errorf("resumed run: %+v", sum)
	}
	if got, want := comparable(t, dir), comparable(t, whole); !reflect.DeepEqual(got, want) {
		t.Errorf("resumed results differ from an uninterrupted run")
	}
	noTemps(t, dir)
	noLocks(t, dir)
}

func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), resultfmt.TempPrefix) {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
}

// TestKillAndResume kills a child process running an experiment with
// SIGKILL while cells are in flight, then resumes in this process.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	text := fmt.Sprintf(`name: kill
dataset: {kind: graphs, path: %s}
methods: [{name: test-sleepy}]
repeats: 12
`, graphFixture(t))
	cfgDir := t.TempDir()
	cfg := writeConfig(t, cfgDir, "kill.yaml", text)
	x, err := LoadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	whole := t.TempDir()
	if _, err := Run(context.Background(), x, Options{Dir: whole}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BENCH_CHILD_CONFIG="+cfg, "BENCH_CHILD_DIR="+dir, "BENCH_SLEEPY_MS=200")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, "*"+resultfmt.ResultSuffix))
		if len(m) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// A temporary file as a write cut short by the kill would leave it.
	stale := filepath.Join(dir, fmt.Sprintf("%s%s-%d-x%s-123", resultfmt.TempPrefix, hostTag(), cmd.Process.Pid, resultfmt.ResultSuffix))
	if err := os.WriteFile(stale, []byte("{partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The cell in flight keeps the lock of the killed child, which the
	// resumed run must take over.
	locks, _ := filepath.Glob(filepath.Join(dir, "*"+LockSuffix))
	t.Logf("the killed child left %d lock files", len(locks))
	m, _ := filepath.Glob(filepath.Join(dir, "*"+resultfmt.ResultSuffix))
	if len(m) == 0 || len(m) >= 12 {
		t.Fatalf("killed child left %d result files, want some but not all", len(m))
	}
	for _, p := range m {
		if _, err := resultfmt.ReadResult(p); err != nil {
			t.Errorf("result file of the killed run: %v", err)
		}
	}
	sum, err := Run(context.Background(), x, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped != len(m) || sum.Skipped+sum.Ran != 12 {
		t.Errorf("resume: %+v (had %d results)", sum, len(m))
	}
	if got, want := comparable(t, dir), comparable(t, whole); !reflect.DeepEqual(got, want) {
		t.Errorf("results after kill and resume differ from an uninterrupted run")
	}
	noTemps(t, dir)
	noLocks(t, dir)
}

func hostTag() string {
	h, _ := os.Hostname()
	return strings.ReplaceAll(h, "-", "_")
}

func TestShardsMergeToWhole(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(sweepConfig, graphFixture(t)))
	whole := t.TempDir()
	if _, err := Run(context.Background(), x, Options{Dir: whole}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	total := 0
	for i := 0; i < 3; i++ {
		sh, err := ParseShard(fmt.Sprintf("%d/3", i))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Run(context.Background(), x, Options{Dir: dir, Shard: sh})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Skipped != 0 {
			t.Errorf("shard %d skipped %d cells of other shards", i, sum.Skipped)
		}
		total += sum.Ran
	}
	if total != len(x.Cells) {
		t.Errorf("shards ran %d cells, want %d", total, len(x.Cells))
	}
	got, want := comparable(t, dir), comparable(t, whole)
	if !reflect.DeepEqual(got, want) {
		var ids []string
		for id := range want {
			if got[id] != want[id] {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		t.Errorf("merged shards differ from the whole run in %v", ids)
	}
}

func TestParseShard(t *testing.T) {
	for _, bad := range []string{"", "3/3", "-1/2", "1", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	if s, err := ParseShard("2/5"); err != nil || s != (Shard{2, 5}) {
		t.Errorf("ParseShard(2/5) = %v, %v", s, err)
	}
}

// TestSharedProcessedGraphs runs the baselines on the real MAppGraph
// processed graphs of the shared data (22 apps, 2-minute chunks).
func TestSharedProcessedGraphs(t *testing.T) {
	root := shared.Path(t, "data/mappgraph/2_0")
	x := loadFixture(t, fmt.Sprintf(`name: shared-graphs
dataset: {kind: graphs, path: %s}
methods:
  - name: majority
  - name: destination-set
    params: {k: 1}
`, root))
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sum.Results {
		if r.Apps != 22 || r.Train == 0 || r.Test == 0 {
			t.Errorf("%s: %d apps, %d train, %d test graphs", r.ID, r.Apps, r.Train, r.Test)
		}
		t.Logf("%s: accuracy %.4f macro F1 %.4f (%d train, %d test graphs)", r.Method, r.Metrics.Accuracy, r.Metrics.MacroF1, r.Train, r.Test)
		if r.Method == "destination-set" && r.Metrics.Accuracy < 0.5 {
			t.Errorf("destination-set accuracy %.3f on real graphs, want well above chance", r.Metrics.Accuracy)
		}
	}
}

// TestFailingCellDoesNotStopOthers checks that a failing method is reported
// while the other cells finish and are stored.
func TestFailingCellDoesNotStopOthers(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(`dataset: {kind: graphs, path: %s}
methods: [{name: test-failing}, {name: majority}]
repeats: 2
`, graphFixture(t)))
	dir := t.TempDir()
	sum, err := Run(context.Background(), x, Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "out of luck") || !strings.Contains(err.Error(), "test-failing-") {
		t.Fatalf("error %v", err)
	}
	if sum.Failed != 2 || sum.Ran != 2 || len(sum.Results) != 2 {
		t.Errorf("summary %+v", sum)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*"+resultfmt.ResultSuffix)); len(m) != 2 {
		t.Errorf("%d result files, want the 2 of majority", len(m))
	}
	noLocks(t, dir)
}

// TestDiskFullStopsRun fills the disk (a simulated ENOSPC on the result
// files): the run starts no cell after the first failure, says so once,
// and leaves no temporary file; a later run with space resumes.
func TestDiskFullStopsRun(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(`dataset: {kind: graphs, path: %s}
methods: [{name: majority}]
repeats: 6
workers: 2
`, graphFixture(t)))
	dir := t.TempDir()
	restore := atomicfile.SetFault(func(path string) error {
		if strings.HasSuffix(path, resultfmt.ResultSuffix) {
			return syscall.ENOSPC
		}
		return nil
	})
	sum, err := Run(context.Background(), x, Options{Dir: dir})
	restore()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error %v, want ENOSPC", err)
	}
	if n := strings.Count(err.Error(), "no space left"); n != 1 {
		t.Errorf("the full disk is reported %d times:\n%v", n, err)
	}
	if !strings.Contains(err.Error(), "not run") {
		t.Errorf("error %v does not say cells were not run", err)
	}
	// At most one cell per worker was in flight when the first failed.
	if sum.Ran != 0 || sum.Failed < 1 || sum.Failed > 2 || sum.Failed+sum.NotRun != 6 {
		t.Errorf("summary %+v: want no cell run, 1 or 2 failed, the others not run", sum)
	}
	noTemps(t, dir)
	sum, err = Run(context.Background(), x, Options{Dir: dir})
	if err != nil || sum.Ran != 6 {
		t.Fatalf("resume with space: %+v, %v", sum, err)
	}
}
