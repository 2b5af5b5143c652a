package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"appbench/featcache"
	"appbench/internal/atomicfile"
	"appbench/methods"
	"appbench/resultfmt"
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
// left to another process (Elsewhere), started, finished, or failed.
type Event struct {
	// Done counts the cells of the shard that are finished, Total all of
	// them.
	Done, Total int
	Cell        *Cell
	Skipped     bool
	// Elsewhere is set when another process holds the cell's lock (By),
	// or finished the cell while this run went on.
	Elsewhere bool
	By        Holder
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
	// Cache, when set, keeps the features of corpus captures across cells
	// and runs (see package featcache); nil computes them in each run.
	Cache *featcache.Cache
	// SaveModels writes the fitted model of each cell that runs beside
	// its result file (ModelPath, read by ReadModel), for methods that
	// implement methods.Saver; for the others a note says that none was
	// written.
	SaveModels bool
}

// Summary tells what a run did.
type Summary struct {
	// Cells counts the cells of the shard; Skipped those finished by an
	// earlier run; Ran those run now; Failed those that failed; NotRun
	// those not started because the disk filled up (see Run); Elsewhere
	// those left to other processes running on the same folder (locked by
	// them, or finished by them meanwhile).
	Cells, Skipped, Ran, Failed, NotRun, Elsewhere int
	// Results are the results of the shard's finished cells (earlier and
	// new), sorted with resultfmt.Sort.
	Results []*resultfmt.Result
	// Notes are the dataset notes of the shard (what loading the data
	// skipped, dropped or kept from damaged files: see
	// Result.DatasetNotes), the processes of other hosts that cells were
	// left to, and the distinct notes of the methods of Results (see
	// Result.MethodNotes), each once, for the caller to print.
	Notes []string
	// Load is what reading the datasets and computing their features
	// cost in this run.
	Load LoadStats
}

// Run runs the experiment's cells that belong to the shard and are not
// finished yet in opt.Dir, a bounded number at a time, and stores one
// result file per cell. A failing cell does not stop the others; its error
// is returned at the end, joined with the others' and each distinct error
// told once with the cells it failed (the progress event of a later cell
// with the same error says "same error as cell X"). A full disk or quota
// (ENOSPC, EDQUOT) does stop the run: no cell is started after the first
// such error, which is returned once, with the count of cells not run.
// When ctx is cancelled,
// the running cells are abandoned: nothing partial is stored and a later
// Run resumes with the cells that are not finished.
//
// A cell runs under a lock file (LockPath) so that runs sharing the folder,
// in this process or others, on this host or others, split the cells: a
// cell locked by another live process is left to it (Summary.Elsewhere).
func Run(ctx context.Context, x *Experiment, opt Options) (*Summary, error) {
	r, err := newRunner(ctx, x, opt)
	if err != nil {
		return nil, err
	}
	r.plan()
	r.runCells()
	return r.finish()
}

// cellErrors gathers the errors of failed cells, grouping the cells that
// failed with the same message.
type cellErrors struct {
	msgs  []string            // distinct messages, in order
	cells map[string][]string // message -> cell ids
}

// add records that cell id failed with err. It returns err for the first
// cell with that message, and a short error naming that cell for the
// others.
func (e *cellErrors) add(id string, err error) error {
	msg := err.Error()
	if e.cells == nil {
		e.cells = make(map[string][]string)
	}
	ids := e.cells[msg]
	e.cells[msg] = append(ids, id)
	if len(ids) == 0 {
		e.msgs = append(e.msgs, msg)
		return err
	}
	return &sameError{first: ids[0], err: err}
}

// join returns each distinct error once, after the cells it failed.
func (e *cellErrors) join() error {
	var errs []error
	for _, msg := range e.msgs {
		ids := e.cells[msg]
		who := "cell " + ids[0]
		if len(ids) > 1 {
			who = fmt.Sprintf("%d cells (%s)", len(ids), abbrev(ids))
		}
		errs = append(errs, fmt.Errorf("%s: %s", who, msg))
	}
	return errors.Join(errs...)
}

// sameError is the error of a cell that failed as an earlier one did.
type sameError struct {
	first string
	err   error
}

func (e *sameError) Error() string { return "same error as cell " + e.first }
func (e *sameError) Unwrap() error { return e.err }

// uniqueOrdered returns s without repeated entries, in first-seen order.
func uniqueOrdered(s []string) []string {
	seen := make(map[string]bool, len(s))
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// fullDisk stops a run at the first cell that fails for lack of space:
// every later cell would fail the same way after its whole computation.
type fullDisk struct {
	once sync.Once
	stop chan struct{} // made by the caller, closed at the first such error
	err  error         // the first one, with its cell
	more int           // cells that failed so after it
}

// note records a cell's error when it is a full disk or quota and tells
// whether it was one. It is called with the run's mutex held.
func (f *fullDisk) note(c *Cell, err error) bool {
	if !atomicfile.IsDiskFull(err) {
		return false
	}
	if f.err != nil {
		f.more++
		return true
	}
	f.err = fmt.Errorf("cell %s: %w", c.ID, err)
	f.once.Do(func() { close(f.stop) })
	return true
}

// stopped tells whether a full disk stopped the run.
func (f *fullDisk) stopped() bool {
	select {
	case <-f.stop:
		return true
	default:
		return false
	}
}

// report is the run's one message about the full disk.
func (f *fullDisk) report(notRun int) error {
	also := ""
	if f.more > 0 {
		also = fmt.Sprintf(", %d more running cells failed the same way", f.more)
	}
	return fmt.Errorf("bench: out of disk space: no new cell started after %w (%d cells not run%s; free space and run again to resume)", f.err, notRun, also)
}

// lockCell takes the lock of cell c in dir. It returns false when another
// process holds it (by) or finished the cell since the run began; the lock
// is then not held.
func lockCell(dir string, c *Cell) (bool, Holder, error) {
	ok, by, err := tryLock(dir, c.ID)
	if err != nil || !ok {
		return false, by, err
	}
	if done(dir, c) {
		unlock(dir, c.ID)
		return false, Holder{}, nil
	}
	return true, Holder{}, nil
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
	return resultfmt.ResultPath(dir, name)[:len(resultfmt.ResultPath(dir, name))-len(resultfmt.ResultSuffix)] + ".experiment.yaml"
}

// runCell loads the cell's data, fits and tests its method and scores it;
// it returns the result, the predictions of the test samples and, with
// save, the model file (nil, with a note, when the method cannot save).
func runCell(ctx context.Context, c *Cell, cache *dataCache, workers int, save bool, log io.Writer) (*resultfmt.Result, []resultfmt.SamplePrediction, []byte, error) {
	t0 := time.Now()
	d, err := cache.get(ctx, c, workers)
	if err != nil {
		return nil, nil, nil, err
	}
	cd, err := samples(d, c)
	if err != nil {
		return nil, nil, nil, err
	}
	load := time.Since(t0)
	var notes noteSet
	m, err := newMethod(c.file, c.dir, &c.spec, "params", c.Seed, c.Config.MethodWorkers, log, notes.add)
	if err != nil {
		return nil, nil, nil, err
	}
	if cl, ok := m.(io.Closer); ok {
		defer cl.Close() // releases what the method holds between Fit and Predict
	}
	peak := startPeak()
	// The method's errors name it; the caller adds the cell.
	preds, fit, predict, err := cd.fitPredict(ctx, m)
	peakBytes := peak.stop()
	if err != nil {
		return nil, nil, nil, err
	}
	labels := cd.labels()
	if len(preds) != len(labels) {
		return nil, nil, nil, fmt.Errorf("predict: %s: %d predictions for %d test samples", m.Name(), len(preds), len(labels))
	}
	var model []byte
	if save {
		var note string
		if model, note, err = cellModel(c, m, cd); err != nil {
			return nil, nil, nil, err
		}
		if note != "" {
			notes.add(note)
		}
	}
	det := detects(m)
	met, err := scoreLabels(c.Config.Task.Kind == resultfmt.TaskOpen, det, cd.unseen, labels, preds)
	if err != nil {
		return nil, nil, nil, err
	}
	ntrain, ntest := cd.counts()
	ls := d.loadStats()
	return &resultfmt.Result{
		Schema: resultfmt.ResultSchema, ID: c.ID, ConfigHash: c.Hash, Experiment: c.Config.Name,
		Method: c.Method, MethodName: c.MethodName, Params: c.Params,
		MethodIndex: c.MethodIndex, PointIndex: c.PointIndex, Point: c.Point,
		Repeat: c.Repeat, Seed: c.Seed, Fold: c.Fold, Group: c.Group, Dataset: c.Config.Dataset.key(), Task: c.Config.Task.Kind,
		Apps: len(cd.apps), Unseen: cd.unseen, Detects: det && c.Config.Task.Kind == resultfmt.TaskOpen, DatasetNotes: uniqueOrdered(append(cd.notes, d.allNotes()...)), Captures: cd.captures(), Train: ntrain, Test: ntest, Metrics: met,
		FitSeconds: fit.Seconds(), PredictSeconds: predict.Seconds(),
		LoadSeconds: load.Seconds(), ReadSeconds: ls.Read, FeatureSeconds: ls.Features,
		CacheHits: ls.Hits, CacheMisses: ls.Misses, PeakHeapBytes: peakBytes, MethodNotes: notes.list(),
		Version: resultfmt.Version(), Finished: time.Now().UTC(),
	}, predictionRows(cd, preds), model, nil
}

// detects reports whether m flags unknown samples (methods.Detector).
func detects(m methods.Method) bool {
	dt, ok := m.(methods.Detector)
	return ok && dt.DetectsUnknown()
}

// scoreLabels scores the predictions of the test samples with true labels
// labels (resultfmt.ScoreCell); in the open world, the apps unseen in
// training count as resultfmt.UnknownLabel, as do the samples flagged
// unknown by a detecting method.
func scoreLabels(open, detects bool, unseen, labels []string, preds []methods.Prediction) (resultfmt.Metrics, error) {
	pred := make([]string, len(preds))
	flagged := make([]bool, len(preds))
	for i, p := range preds {
		pred[i], flagged[i] = p.Label, p.Unknown
	}
	return resultfmt.ScoreCell(open, detects, unseen, labels, pred, flagged)
}

// bigCell is the heap peak above which a finished cell's memory is given
// back to the system at once.
const bigCell = 256 << 20

// releaseMemory collects the garbage of a cell whose heap peaked at peak
// bytes and returns the memory to the system when that was large: without
// it the collector's pacing, set by the big cell's live heap, lets the
// next cells grow the heap, and the process's RSS, to about twice that
// before collecting.
func releaseMemory(peak uint64) {
	if peak > bigCell {
		debug.FreeOSMemory()
	}
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
