package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"appbench/methods"
	"appbench/resultfmt"
)

// fits counts the Fit calls of the test-counting method by seed.
var fits struct {
	sync.Mutex
	n map[uint64]int
}

// counting is a test method: majority class after a short pause in Fit,
// counting its Fit calls.
type counting struct {
	methods.Method
	seed uint64
}

func (counting) Inputs() methods.Input { return methods.Packets | methods.Graphs }

func (m counting) Fit(ctx context.Context, train []methods.Sample) error {
	fits.Lock()
	fits.n[m.seed]++
	fits.Unlock()
	time.Sleep(20 * time.Millisecond)
	return m.Method.Fit(ctx, train)
}

func init() {
	fits.n = make(map[uint64]int)
	methods.Register("test-counting", func(cfg methods.Config) (methods.Method, error) {
		f, _ := methods.Lookup("majority")
		m, err := f(cfg)
		return counting{m, cfg.Seed}, err
	})
}

// countingConfig runs test-counting with seeds from 1000 (so that no other
// test's cells count).
const countingConfig = `name: locks
dataset: {kind: graphs, path: %s}
methods: [{name: test-counting}]
seed: %d
repeats: 12
workers: 2
`

func noLocks(t *testing.T, dir string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*"+LockSuffix+"*"))
	if len(m) > 0 {
		t.Errorf("lock files left: %v", m)
	}
}

// TestConcurrentRunsSplitCells runs the same experiment twice at once on
// one folder: every cell must be fitted exactly once.
func TestConcurrentRunsSplitCells(t *testing.T) {
	text := fmt.Sprintf(countingConfig, graphFixture(t), 1000)
	dir := t.TempDir()
	fits.Lock()
	clear(fits.n)
	fits.Unlock()
	var wg sync.WaitGroup
	sums := make([]*Summary, 2)
	errs := make([]error, 2)
	for i := range sums {
		x := loadFixture(t, text)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i], errs[i] = Run(context.Background(), x, Options{Dir: dir})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	fits.Lock()
	for s := uint64(1000); s < 1012; s++ {
		if fits.n[s] != 1 {
			t.Errorf("cell of seed %d fitted %d times, want once", s, fits.n[s])
		}
	}
	fits.Unlock()
	a, b := sums[0], sums[1]
	if a.Ran+b.Ran != 12 || a.Ran == 0 || b.Ran == 0 || a.Ran+a.Skipped+a.Elsewhere != 12 || b.Ran+b.Skipped+b.Elsewhere != 12 {
		t.Errorf("summaries %+v and %+v: want the 12 cells split between both", a, b)
	}
	if rs, err := resultfmt.ReadResults(dir); err != nil || len(rs) != 12 {
		t.Errorf("%d results (%v), want 12", len(rs), err)
	}
	noLocks(t, dir)
	noTemps(t, dir)
}

// writeLock writes a lock file for cell id held by h.
func writeLock(t *testing.T, dir, id string, h Holder) {
	t.Helper()
	b, _ := json.Marshal(h)
	if err := os.WriteFile(LockPath(dir, id), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStaleLocks leaves lock files of a dead process of this host and of
// an earlier process with this process's pid (taken over), and one of
// another host (respected, with a note).
func TestStaleLocks(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(countingConfig, graphFixture(t), 2000))
	dir := t.TempDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	host, _ := os.Hostname()
	writeLock(t, dir, x.Cells[0].ID, Holder{PID: dead.Process.Pid, Host: host, Since: time.Now()})
	writeLock(t, dir, x.Cells[1].ID, Holder{PID: os.Getpid(), Host: host, Since: time.Now()})
	writeLock(t, dir, x.Cells[2].ID, Holder{PID: 1, Host: "elsewhere.example", Since: time.Now()})
	sum, err := Run(context.Background(), x, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Ran != 11 || sum.Elsewhere != 1 {
		t.Errorf("summary %+v: want 11 run, 1 left to the other host", sum)
	}
	if len(sum.Notes) != 1 || !strings.Contains(sum.Notes[0], "elsewhere.example") || !strings.Contains(sum.Notes[0], x.Cells[2].ID) {
		t.Errorf("notes %q, want one naming the other host and its cell", sum.Notes)
	}
	if _, err := os.Stat(LockPath(dir, x.Cells[2].ID)); err != nil {
		t.Errorf("the other host's lock: %v", err)
	}
	if err := os.Remove(LockPath(dir, x.Cells[2].ID)); err != nil {
		t.Fatal(err)
	}
	noLocks(t, dir)
	noTemps(t, dir)
}

// TestTakeOverRace has several goroutines take over one stale lock at
// once: exactly one gets it.
func TestTakeOverRace(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	host, _ := os.Hostname()
	for round := 0; round < 50; round++ {
		id := fmt.Sprintf("cell-%d", round)
		writeLock(t, dir, id, Holder{PID: dead.Process.Pid, Host: host})
		var wg sync.WaitGroup
		var mu sync.Mutex
		got := 0
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := tryLock(dir, id)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					got++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if got != 1 {
			t.Errorf("round %d: %d goroutines took the lock, want 1", round, got)
		}
		unlock(dir, id)
	}
	noLocks(t, dir)
}
