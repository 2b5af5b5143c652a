package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"appbench/methods"
)

// Shard selects the cells of one of Count machines: those whose Index
// modulo Count is Index (0-based, so a Kubernetes indexed Job passes
// $JOB_COMPLETION_INDEX and a Slurm array from 0 passes
// $SLURM_ARRAY_TASK_ID). The zero Shard is the whole run.
type Shard struct {
	Index, Count int
}

// ParseShard parses "i/n" with 0 <= i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("bench: shard %q: want i/n with 0 <= i < n, e.g. 0/3", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// Has reports whether cell c belongs to the shard.
func (s Shard) Has(c *Cell) bool {
	return s.Count <= 1 || c.Index%s.Count == s.Index
}

// String returns "i/n", or "all" for the whole run.
func (s Shard) String() string {
	if s.Count <= 1 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Event reports the progress of a run: a cell was skipped (already done),
// started, finished, or failed.
type Event struct {
	// Done counts the cells of the shard that are finished, Total all of
	// them.
	Done, Total int
	Cell        *Cell
	Skipped     bool
	// Started is set when the cell begins; a second event tells its end.
	Started bool
	Err     error
}

// Options control Run.
type Options struct {
	// Dir is the results folder; it is created if needed.
	Dir string
	// Shard restricts the run to a slice of the cells.
	Shard Shard
	// Workers, when positive, overrides the config's workers (0 keeps
	// them; negative is an error).
	Workers int
	// Progress, when set, is called before and after each cell (from one
	// goroutine at a time).
	Progress func(Event)
	// Log receives method messages (default: discarded) in whole lines;
	// with more than one worker each line starts with the cell's label
	// ("[mappgraph k=10 #2] ").
	Log io.Writer
}

// Summary tells what a run did.
type Summary struct {
	// Cells counts the cells of the shard; Skipped those finished by an
	// earlier run; Ran those run now; Failed those that failed.
	Cells, Skipped, Ran, Failed int
	// Results are the results of the shard's finished cells (earlier and
	// new), sorted with SortResults.
	Results []*Result
	// Notes are the distinct notes of the methods of Results (see
	// Result.MethodNotes), each once.
	Notes []string
}

// Run runs the experiment's cells that belong to the shard and are not
// finished yet in opt.Dir, a bounded number at a time, and stores one
// result file per cell. A failing cell does not stop the others; its error
// is returned at the end (joined with the others'). When ctx is cancelled,
// the running cells are abandoned: nothing partial is stored and a later
// Run resumes with the cells that are not finished.
func Run(ctx context.Context, x *Experiment, opt Options) (*Summary, error) {
	if opt.Dir == "" {
		return nil, errors.New("bench: no results folder")
	}
	if opt.Workers < 0 {
		return nil, fmt.Errorf("bench: workers %d: must not be negative", opt.Workers)
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	if err := removeTemps(opt.Dir); err != nil {
		return nil, err
	}
	if err := writeAtomic(ExperimentPath(opt.Dir, x.Config.Name), x.Source); err != nil {
		return nil, err
	}
	var log io.Writer = io.Discard
	if opt.Log != nil {
		log = &syncWriter{w: opt.Log}
	}
	workers := x.Config.Workers
	if opt.Workers > 0 {
		workers = opt.Workers
	}
	sum := &Summary{}
	var todo []*Cell
	var mine []*Cell
	for _, c := range x.Cells {
		if !opt.Shard.Has(c) {
			continue
		}
		mine = append(mine, c)
		sum.Cells++
		if done(opt.Dir, c) {
			sum.Skipped++
		} else {
			todo = append(todo, c)
		}
	}
	var mu sync.Mutex // guards the progress callback and sum
	finished := sum.Skipped
	if opt.Progress != nil {
		for _, c := range mine {
			if !slicesContains(todo, c) {
				opt.Progress(Event{Done: finished, Total: sum.Cells, Cell: c, Skipped: true})
			}
		}
	}
	// Cells sharing a dataset run next to each other so that it is loaded
	// once and released early.
	sort.SliceStable(todo, func(i, j int) bool {
		if todo[i].dataKey != todo[j].dataKey {
			return todo[i].dataKey < todo[j].dataKey
		}
		return todo[i].Index < todo[j].Index
	})
	cache := newDataCache(todo)
	var errs []error
	jobs := make(chan *Cell)
	var wg sync.WaitGroup
	for w := 0; w < max(workers, 1); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				if opt.Progress != nil {
					mu.Lock()
					opt.Progress(Event{Done: finished, Total: sum.Cells, Cell: c, Started: true})
					mu.Unlock()
				}
				cl := newCellLog(log, c, workers > 1)
				r, err := runCell(ctx, c, cache, workers, cl)
				cl.Flush()
				cache.release(c)
				if err == nil {
					err = WriteResult(opt.Dir, r)
				}
				mu.Lock()
				if err != nil {
					if ctx.Err() == nil {
						sum.Failed++
						errs = append(errs, fmt.Errorf("cell %s: %w", c.ID, err))
					}
				} else {
					sum.Ran++
					finished++
				}
				if opt.Progress != nil && ctx.Err() == nil {
					opt.Progress(Event{Done: finished, Total: sum.Cells, Cell: c, Err: err})
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, c := range todo {
		select {
		case jobs <- c:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	for _, c := range mine {
		if r, err := ReadResult(ResultPath(opt.Dir, c.ID)); err == nil && r.ConfigHash == c.Hash {
			// A result from an earlier run of an edited experiment keeps
			// its work but takes its place in the current one.
			if r.Experiment != c.Config.Name || r.Method != c.Method || r.MethodIndex != c.MethodIndex ||
				r.PointIndex != c.PointIndex || !sameJSON(r.Point, c.Point) {
				r.Experiment, r.Method, r.MethodIndex, r.PointIndex, r.Point = c.Config.Name, c.Method, c.MethodIndex, c.PointIndex, c.Point
				if err := WriteResult(opt.Dir, r); err != nil {
					return sum, err
				}
			}
			sum.Results = append(sum.Results, r)
		}
	}
	SortResults(sum.Results)
	sum.Notes = methodNotes(sum.Results)
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("bench: run interrupted after %d of %d cells (run again to resume): %w", sum.Skipped+sum.Ran, sum.Cells, err)
	}
	return sum, errors.Join(errs...)
}

func slicesContains(s []*Cell, c *Cell) bool {
	for _, x := range s {
		if x == c {
			return true
		}
	}
	return false
}

// ExperimentPath is where Run keeps a copy of the experiment file.
func ExperimentPath(dir, name string) string {
	return ResultPath(dir, name)[:len(ResultPath(dir, name))-len(ResultSuffix)] + ".experiment.yaml"
}

// runCell loads the cell's data, fits and tests its method and scores it.
func runCell(ctx context.Context, c *Cell, cache *dataCache, workers int, log io.Writer) (*Result, error) {
	t0 := time.Now()
	d, err := cache.get(ctx, c, workers)
	if err != nil {
		return nil, err
	}
	train, test, unseen, err := samples(d, c)
	if err != nil {
		return nil, err
	}
	load := time.Since(t0)
	var notes noteSet
	m, err := newMethod(c.file, &c.spec, "params", c.Seed, c.Config.MethodWorkers, log, notes.add)
	if err != nil {
		return nil, err
	}
	peak := startPeak()
	t1 := time.Now()
	if err := m.Fit(ctx, train); err != nil {
		peak.stop()
		return nil, fmt.Errorf("%s: fit: %w", c.Method, err)
	}
	t2 := time.Now()
	preds, err := m.Predict(ctx, test)
	t3 := time.Now()
	peakBytes := peak.stop()
	if err != nil {
		return nil, fmt.Errorf("%s: predict: %w", c.Method, err)
	}
	if len(preds) != len(test) {
		return nil, fmt.Errorf("%s: %d predictions for %d test samples", c.Method, len(preds), len(test))
	}
	hidden := make(map[string]bool)
	for _, a := range unseen {
		hidden[a] = true
	}
	detects := false
	if dt, ok := m.(methods.Detector); ok {
		detects = dt.DetectsUnknown()
	}
	open := c.Config.Task.Kind == TaskOpen
	truth := make([]string, len(test))
	pred := make([]string, len(test))
	isUnseen := make([]bool, len(test))
	flagged := make([]bool, len(test))
	for i := range test {
		truth[i] = test[i].Label
		pred[i] = preds[i].Label
		if open {
			isUnseen[i] = hidden[test[i].Label]
			flagged[i] = detects && preds[i].Unknown
			if isUnseen[i] {
				truth[i] = UnknownLabel
			}
			if flagged[i] {
				pred[i] = UnknownLabel
			}
		}
	}
	met, err := Score(truth, pred)
	if err != nil {
		return nil, err
	}
	if open && detects {
		det, err := ScoreDetection(isUnseen, flagged)
		if err != nil {
			return nil, err
		}
		met.Detection = &det
	}
	return &Result{
		Schema: ResultSchema, ID: c.ID, ConfigHash: c.Hash, Experiment: c.Config.Name,
		Method: c.Method, MethodName: c.MethodName, Params: c.Params,
		MethodIndex: c.MethodIndex, PointIndex: c.PointIndex, Point: c.Point,
		Repeat: c.Repeat, Seed: c.Seed, Dataset: c.Config.Dataset.key(), Task: c.Config.Task.Kind,
		Apps: len(d.apps), Unseen: unseen, Train: len(train), Test: len(test), Metrics: met,
		FitSeconds: t2.Sub(t1).Seconds(), PredictSeconds: t3.Sub(t2).Seconds(),
		LoadSeconds: load.Seconds(), PeakHeapBytes: peakBytes, MethodNotes: notes.list(),
		Version: Version(), Finished: time.Now().UTC(),
	}, nil
}

// peakSampler samples the Go heap every few milliseconds.
type peakSampler struct {
	quit chan struct{}
	done chan uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func startPeak() *peakSampler {
	p := &peakSampler{quit: make(chan struct{}), done: make(chan uint64, 1)}
	go func() {
		s := []metrics.Sample{{Name: heapMetric}}
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 {
				peak = max(peak, s[0].Value.Uint64())
			}
			select {
			case <-p.quit:
				p.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakSampler) stop() uint64 {
	close(p.quit)
	return <-p.done
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
