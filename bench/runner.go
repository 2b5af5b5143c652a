package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"appbench/internal/workpool"
	"appbench/resultfmt"
)

// runner holds what the stages of one Run share: the experiment and
// options, the shard's cells, the data they share, and what the cells
// report while they run.
type runner struct {
	ctx     context.Context
	x       *Experiment
	opt     Options
	log     io.Writer // method messages, serialised across cells
	workers int       // cells at the same time

	sum     *Summary
	mine    []*Cell // the shard's cells, in experiment order
	todo    []*Cell // those not finished yet, in running order
	unsaved int     // finished cells without a model file, with SaveModels
	cache   *dataCache

	mu       sync.Mutex // guards the progress callback, sum, finished, errs, full and others
	finished int        // cells of the shard finished, earlier or now
	errs     cellErrors
	full     fullDisk
	others   remoteLocks // cells locked by processes of other hosts
}

// errDiskStop tells the cell pool to start no more cells after a full disk.
var errDiskStop = errors.New("bench: disk full, no more cells started")

// newRunner checks the options, prepares the results folder (created,
// cleared of this host's stale temporary files, with a fresh copy of the
// experiment file) and returns the run's state.
func newRunner(ctx context.Context, x *Experiment, opt Options) (*runner, error) {
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
	if err := resultfmt.WriteFile(ExperimentPath(opt.Dir, x.Config.Name), x.Source); err != nil {
		return nil, err
	}
	r := &runner{ctx: ctx, x: x, opt: opt, log: io.Discard, workers: x.Config.Workers, sum: &Summary{},
		full: fullDisk{stop: make(chan struct{})}}
	if opt.Log != nil {
		r.log = &syncWriter{w: opt.Log}
	}
	if opt.Workers > 0 {
		r.workers = opt.Workers
	}
	return r, nil
}

// plan picks the shard's cells, counts those finished by an earlier run
// (reporting each as skipped) and orders the others for running: cells
// sharing a dataset run next to each other so that it is loaded once and
// released early.
func (r *runner) plan() {
	for _, c := range r.x.Cells {
		if !r.opt.Shard.Has(c) {
			continue
		}
		r.mine = append(r.mine, c)
		r.sum.Cells++
		if done(r.opt.Dir, c) {
			r.sum.Skipped++
			if r.opt.SaveModels && !exists(ModelPath(r.opt.Dir, c.ID)) {
				r.unsaved++
			}
		} else {
			r.todo = append(r.todo, c)
		}
	}
	r.finished = r.sum.Skipped
	if r.opt.Progress != nil {
		for _, c := range r.mine {
			if !slicesContains(r.todo, c) {
				r.opt.Progress(Event{Done: r.finished, Total: r.sum.Cells, Cell: c, Skipped: true})
			}
		}
	}
	sort.SliceStable(r.todo, func(i, j int) bool {
		if r.todo[i].readKey != r.todo[j].readKey {
			return r.todo[i].readKey < r.todo[j].readKey
		}
		return r.todo[i].Index < r.todo[j].Index
	})
	r.cache = newDataCache(r.todo, r.opt.Cache)
}

// runCells runs the cells to do, in order, at most workers at a time. A
// failing cell does not stop the others; a full disk stops the starting of
// new ones, and so does the cancellation of the run's context.
func (r *runner) runCells() {
	// Only errDiskStop ends the pool early; the cells run with r.ctx, not
	// the pool's context, so that the running ones still finish then.
	_ = workpool.Run(r.ctx, r.workers, len(r.todo), func(_ context.Context, i int) error {
		return r.runOne(r.todo[i])
	})
}

// runOne runs cell c under its lock, unless another process has it or the
// disk filled up, stores its files and records the outcome. Its error is
// only errDiskStop: the cells' own errors go to r.errs.
func (r *runner) runOne(c *Cell) error {
	if r.full.stopped() {
		r.cache.release(c)
		return errDiskStop
	}
	mine, by, err := lockCell(r.opt.Dir, c)
	if err == nil && !mine {
		r.leave(c, by)
		return nil
	}
	if err == nil {
		err = r.runLocked(c)
	} else {
		r.cache.release(c)
	}
	unlock(r.opt.Dir, c.ID)
	r.record(c, err)
	return nil
}

// runLocked runs cell c, whose lock this run holds, and writes its
// predictions, model (with SaveModels) and result files; the result file
// comes last, as it marks the cell done.
func (r *runner) runLocked(c *Cell) error {
	if r.opt.Progress != nil {
		r.mu.Lock()
		r.opt.Progress(Event{Done: r.finished, Total: r.sum.Cells, Cell: c, Started: true})
		r.mu.Unlock()
	}
	cl := newCellLog(r.log, c, r.workers > 1)
	res, preds, model, err := runCell(r.ctx, c, r.cache, r.workers, r.opt.SaveModels, cl)
	cl.Flush()
	r.cache.release(c)
	if err != nil {
		return err
	}
	if err := resultfmt.WritePredictions(r.opt.Dir, res.ID, preds); err != nil {
		return err
	}
	if model != nil {
		if err := resultfmt.WriteFile(ModelPath(r.opt.Dir, res.ID), model); err != nil {
			return err
		}
	}
	err = resultfmt.WriteResult(r.opt.Dir, res)
	releaseMemory(res.PeakHeapBytes)
	return err
}

// record counts the end of cell c, which failed with err unless it is nil,
// and reports it.
func (r *runner) record(c *Cell, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.ctx.Err() == nil {
			r.sum.Failed++
			if !r.full.note(c, err) {
				err = r.errs.add(c.ID, err)
			}
		}
	} else {
		r.sum.Ran++
		r.finished++
	}
	if r.opt.Progress != nil && r.ctx.Err() == nil {
		r.opt.Progress(Event{Done: r.finished, Total: r.sum.Cells, Cell: c, Err: err})
	}
}

// leave records that cell c is left to the process by, which holds its
// lock or finished it meanwhile.
func (r *runner) leave(c *Cell, by Holder) {
	r.cache.release(c)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum.Elsewhere++
	if host, _ := os.Hostname(); by.PID != 0 && by.Host != host {
		r.others.add(by, c.ID)
	}
	if r.opt.Progress != nil && r.ctx.Err() == nil {
		r.opt.Progress(Event{Done: r.finished, Total: r.sum.Cells, Cell: c, Elsewhere: true, By: by})
	}
}

// finish gathers the shard's results and notes into the summary and
// returns it with the run's error: the interruption, or the full disk
// joined with the cells' errors.
func (r *runner) finish() (*Summary, error) {
	var fullErr error
	if r.full.err != nil {
		r.sum.NotRun = len(r.todo) - r.sum.Ran - r.sum.Failed - r.sum.Elsewhere
		fullErr = r.full.report(r.sum.NotRun)
	}
	if err := r.results(); err != nil {
		return r.sum, err
	}
	r.notes()
	if err := r.ctx.Err(); err != nil {
		return r.sum, fmt.Errorf("bench: run interrupted after %d of %d cells (run again to resume): %w", r.sum.Skipped+r.sum.Ran, r.sum.Cells, err)
	}
	return r.sum, errors.Join(fullErr, r.errs.join())
}

// results reads the result files of the shard's finished cells into the
// summary, sorted. A result from an earlier run of an edited experiment
// keeps its work but takes its place in the current one: its file is
// rewritten.
func (r *runner) results() error {
	for _, c := range r.mine {
		res, err := resultfmt.ReadResult(resultfmt.ResultPath(r.opt.Dir, c.ID))
		if err != nil || res.ConfigHash != c.Hash {
			continue
		}
		if res.Experiment != c.Config.Name || res.Method != c.Method || res.MethodIndex != c.MethodIndex ||
			res.PointIndex != c.PointIndex || !sameJSON(res.Point, c.Point) {
			res.Experiment, res.Method, res.MethodIndex, res.PointIndex, res.Point = c.Config.Name, c.Method, c.MethodIndex, c.PointIndex, c.Point
			if err := resultfmt.WriteResult(r.opt.Dir, res); err != nil {
				return err
			}
		}
		r.sum.Results = append(r.sum.Results, res)
	}
	resultfmt.Sort(r.sum.Results)
	return nil
}

// notes fills the summary's notes and load costs: the notes of the data
// loaded and of the cells left to other hosts, the dataset notes of the
// results, each once, then the methods' notes and the count of finished
// cells without a model file.
func (r *runner) notes() {
	sum := r.sum
	sum.Notes = append(r.cache.notes, r.others.notes(r.opt.Dir)...)
	sum.Load = r.cache.stats
	for _, res := range sum.Results {
		sum.Notes = append(sum.Notes, res.DatasetNotes...)
	}
	sum.Notes = append(uniqueOrdered(sum.Notes), methodNotes(sum.Results)...)
	if r.unsaved > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%d cell(s) finished by an earlier run have no model file: remove their result files (<cell id>%s) to run them again with --save-models", r.unsaved, resultfmt.ResultSuffix))
	}
}
