package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"appbench/bench"
	"appbench/configs"
	"appbench/featcache"
	"appbench/methods"
	_ "appbench/methods/all"
	"appbench/reports"
	"appbench/resultfmt"
)

type runFlags struct {
	out, shard, format, plots, metrics string
	workers                            int
	workersGiven                       bool     // --workers was given (0 is then an error)
	given                              []string // the flags given, for notes on those a mode ignores
	dryRun, noProgress, verbose        bool
	saveModels                         bool
	cache                              cacheFlags
	profile                            profileFlags
}

// check checks every flag before any work and parses the shard.
func (f *runFlags) check() (bench.Shard, error) {
	if err := checkWorkers(f.workers, f.workersGiven); err != nil {
		return bench.Shard{}, err
	}
	if err := checkTableFlags(f.format, f.metrics, f.plots, 0.95); err != nil {
		return bench.Shard{}, err
	}
	if f.out != "" {
		if st, err := os.Stat(f.out); err == nil && !st.IsDir() {
			return bench.Shard{}, fmt.Errorf("--out %s: not a folder", f.out)
		}
	}
	if f.shard == "" {
		return bench.Shard{}, nil
	}
	return bench.ParseShard(f.shard)
}

// newRunCmd builds the run subcommand, its flags bound to a runFlags of
// its own.
func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [experiment.yaml]",
		Short: "Run an experiment and print its comparison table",
		Long: `run expands an experiment file into cells (methods x sweep points x
repetitions), runs the unfinished ones with a bounded worker pool, stores one
JSON result per cell in the results folder and prints the comparison table.

Without a file it runs the built-in default experiment (configs/default.yaml):
every registered method on a synthetic corpus generated in memory.

Re-running skips finished cells, so an interrupted run (Ctrl-C, crash, killed
job) resumes where it stopped. --shard i/n runs every n-th cell starting at i
(0-based), for array jobs; merge the shards with "appbench report DIR".
Processes running on the same folder split the cells: each cell runs under
a lock file DIR/<cell id>.lock, and a cell locked by another live process
is left to it.

Registered methods: ` + strings.Join(methods.Names(), ", "),
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			f.workersGiven = cmd.Flags().Changed("workers")
			f.given = nil
			cmd.Flags().VisitAll(func(fl *pflag.Flag) {
				if fl.Changed {
					f.given = append(f.given, fl.Name)
				}
			})
			return runExperiment(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "results folder (default results/<experiment name>)")
	fl.StringVar(&f.shard, "shard", "", "run only shard i of n (i/n, 0-based), e.g. $SLURM_ARRAY_TASK_ID/4")
	fl.IntVar(&f.workers, "workers", 0, "cells run at the same time (default: the experiment's workers)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "list the cells and whether they are done, run nothing")
	fl.StringVar(&f.format, "format", "text", "table format: "+strings.Join(reports.Formats, ", "))
	fl.StringVar(&f.metrics, "metrics", "", "comma-separated table columns (default: accuracy, macro and weighted F1, detection F1, times)")
	fl.StringVar(&f.plots, "plots", "", "also write plots (PNG and SVG) into this folder")
	fl.BoolVar(&f.noProgress, "no-progress", false, "no progress bar (it is off anyway when stderr is not a terminal)")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "show the methods' progress messages on stderr")
	fl.BoolVar(&f.saveModels, "save-models", false, "write each fitted model beside its cell (<cell id>.model) for appbench classify")
	f.cache.add(cmd)
	f.profile.add(cmd)
	return cmd
}

// loadExperiment reads the named experiment file, or the embedded default.
func loadExperiment(args []string) (*bench.Experiment, error) {
	if len(args) == 1 {
		return bench.LoadFile(args[0])
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return bench.Load("configs/"+configs.DefaultName+" (built in)", wd, configs.Default())
}

// experimentRun holds what the stages of the run subcommand share.
type experimentRun struct {
	stdout, stderr io.Writer
	f              *runFlags
	shard          bench.Shard
	x              *bench.Experiment
	out            string // the results folder
}

// runExperiment runs the run subcommand: it lists the cells with
// --dry-run, else runs them and prints the summary and the table.
func runExperiment(ctx context.Context, stdout, stderr io.Writer, args []string, f *runFlags) error {
	e, err := newExperimentRun(stdout, stderr, args, f)
	if err != nil {
		return err
	}
	if f.dryRun {
		noteIgnored(stderr, f.given, "--dry-run runs nothing", "workers", "format", "metrics", "plots", "verbose", "no-progress", "save-models")
		return dryRun(stdout, e.x, e.out, e.shard)
	}
	fc, err := f.cache.open()
	if err != nil {
		return err
	}
	stopProfile, err := f.profile.start()
	if err != nil {
		return err
	}
	defer func() {
		if perr := stopProfile(); perr != nil {
			fmt.Fprintln(stderr, "appbench:", perr)
		}
	}()
	sum, err := e.run(ctx, fc)
	if err != nil {
		return err
	}
	return e.report(sum)
}

// newExperimentRun checks the flags, loads the experiment, prints its
// warnings and picks the results folder.
func newExperimentRun(stdout, stderr io.Writer, args []string, f *runFlags) (*experimentRun, error) {
	shard, err := f.check()
	if err != nil {
		return nil, err
	}
	x, err := loadExperiment(args)
	if err != nil {
		return nil, err
	}
	for _, w := range x.Warnings {
		fmt.Fprintln(stderr, w)
	}
	out := f.out
	if out == "" {
		out = filepath.Join("results", x.Config.Name)
	}
	return &experimentRun{stdout: stdout, stderr: stderr, f: f, shard: shard, x: x, out: out}, nil
}

// run runs the cells with the feature cache fc, showing their progress,
// and prints the run's notes and summary, also when it fails.
func (e *experimentRun) run(ctx context.Context, fc *featcache.Cache) (*bench.Summary, error) {
	opt := bench.Options{Dir: e.out, Shard: e.shard, Workers: e.f.workers, Cache: fc, SaveModels: e.f.saveModels}
	if e.f.verbose {
		opt.Log = e.stderr
	}
	var bar *progressLine
	if !e.f.noProgress && isTerminal(e.stderr) {
		bar = newRunProgress(e.stderr, e.x, e.shard, e.f.workers)
		if e.f.verbose {
			opt.Log = bar
		}
		opt.Progress = bar.event
		bar.tick(time.Second)
	} else {
		opt.Progress = e.progressLines
	}
	sum, err := bench.Run(ctx, e.x, opt)
	if bar != nil {
		bar.finish()
	}
	if sum != nil {
		e.printSummary(sum)
	}
	return sum, err
}

// progressLines tells, one line each, the cells that fail and, with -v,
// those that finish or are left to other processes: the progress when
// stderr is no terminal.
func (e *experimentRun) progressLines(ev bench.Event) {
	switch {
	case ev.Started:
	case ev.Err != nil:
		fmt.Fprintf(e.stderr, "[%d/%d] %s failed: %v\n", ev.Done, ev.Total, ev.Cell.ID, ev.Err)
	case ev.Elsewhere && e.f.verbose:
		fmt.Fprintf(e.stderr, "[%d/%d] %s left to %s\n", ev.Done, ev.Total, ev.Cell.ID, ev.By)
	case !ev.Skipped && e.f.verbose:
		fmt.Fprintf(e.stderr, "[%d/%d] %s done\n", ev.Done, ev.Total, ev.Cell.ID)
	}
}

// printSummary prints the run's notes, its counts of cells and what
// loading the data cost.
func (e *experimentRun) printSummary(sum *bench.Summary) {
	for _, n := range sum.Notes {
		fmt.Fprintf(e.stderr, "note: %s\n", n)
	}
	elsewhere := ""
	if sum.Elsewhere > 0 {
		elsewhere = fmt.Sprintf(", %d left to other processes on this folder (when they finish: appbench report %s)", sum.Elsewhere, e.out)
	}
	fmt.Fprintf(e.stderr, "%s: %d cells (shard %s): %d already done, %d run, %d failed%s; results in %s\n",
		e.x.Config.Name, sum.Cells, e.shard, sum.Skipped, sum.Ran, sum.Failed, elsewhere, e.out)
	fmt.Fprintln(e.stderr, loadLine(sum.Load, peakRSS()))
}

// report prints the comparison table of a whole run (or writes the HTML
// page), or, for a shard, how to merge the shards.
func (e *experimentRun) report(sum *bench.Summary) error {
	f := e.f
	if e.shard.Count > 1 {
		noteIgnored(e.stderr, f.given, "a shard prints no table", "format", "metrics", "plots")
		fmt.Fprintf(e.stderr, "shard %s done; when every shard has finished: appbench report %s\n", e.shard, e.out)
		return nil
	}
	var expected []*resultfmt.Result
	for _, c := range e.x.Cells {
		expected = append(expected, c.Placeholder())
	}
	rf := reportFlags{format: f.format, metrics: f.metrics, plots: f.plots, confidence: 0.95}
	if f.format == htmlFormat {
		rf.output = filepath.Join(e.out, "report.html")
	}
	if err := printReport(e.stdout, table{rs: sum.Results, expected: expected, dir: e.out}, rf); err != nil {
		return err
	}
	if rf.output != "" {
		fmt.Fprintf(e.stderr, "report: %s\n", rf.output)
	}
	return nil
}

// loadLine tells what reading and featurising the data cost and the
// process's peak memory.
func loadLine(l bench.LoadStats, rss int64) string {
	s := fmt.Sprintf("data: read %.1fs, features %.1fs (summed over captures)", l.Read, l.Features)
	if l.Hits+l.Misses > 0 {
		s += fmt.Sprintf("; feature cache: %d hits, %d computed", l.Hits, l.Misses)
	}
	if rss > 0 {
		s += "; peak RSS " + sizeText(rss)
	}
	return s
}

// noteIgnored prints one note naming the flags of names that were given
// but have no effect, and why.
func noteIgnored(w io.Writer, given []string, why string, names ...string) {
	var ign []string
	for _, n := range names {
		if slices.Contains(given, n) {
			ign = append(ign, "--"+n)
		}
	}
	if len(ign) > 0 {
		fmt.Fprintf(w, "note: %s: %s ignored\n", why, strings.Join(ign, ", "))
	}
}

// newRunProgress returns the progress line of the shard's cells of x on
// the terminal w; workers is --workers (0: the experiment's).
func newRunProgress(w io.Writer, x *bench.Experiment, shard bench.Shard, workers int) *progressLine {
	var cells []*bench.Cell
	for _, c := range x.Cells {
		if shard.Has(c) {
			cells = append(cells, c)
		}
	}
	if workers == 0 {
		workers = x.Config.Workers
	}
	cols := 80
	if fd, ok := w.(interface{ Fd() uintptr }); ok {
		if c, _, err := term.GetSize(int(fd.Fd())); err == nil && c > 20 {
			cols = c
		}
	}
	// One column less than the terminal, so that the line never wraps.
	return newProgressLine(w, x.Config.Name, cells, workers, cols-1, time.Now)
}

func isTerminal(w io.Writer) bool {
	fd, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(fd.Fd()))
}

func dryRun(w io.Writer, x *bench.Experiment, out string, shard bench.Shard) error {
	fmt.Fprintf(w, "experiment %s (%s): %d cells, results in %s\n", x.Config.Name, x.File, len(x.Cells), out)
	for _, c := range x.Cells {
		if !shard.Has(c) {
			continue
		}
		state := "todo"
		if r, err := resultfmt.ReadResult(resultfmt.ResultPath(out, c.ID)); err == nil && r.ConfigHash == c.Hash {
			state = "done"
		}
		var pt []string
		for _, p := range c.Point {
			pt = append(pt, p.Param+"="+reports.FormatValue(p.Value))
		}
		switch {
		case c.Fold > 0:
			pt = append(pt, fmt.Sprintf("fold=%d", c.Fold))
		case c.Group != "":
			pt = append(pt, "group="+c.Group)
		}
		fmt.Fprintf(w, "%-4s %s  method=%s repeat=%d seed=%d %s\n", state, c.ID, c.Method, c.Repeat, c.Seed, strings.Join(pt, " "))
	}
	return nil
}

// printReport renders the table of tb (or, for --format html, the page)
// to w or the --output file and, when plots is set, writes the plots.
func printReport(w io.Writer, tb table, f reportFlags) error {
	rs := tb.rs
	keys, err := metricList(f.metrics)
	if err != nil {
		return err
	}
	t, err := reports.Build(rs, reports.Options{Metrics: keys, Confidence: f.confidence, Expected: tb.expected,
		Predictions: predictions(tb.dir), Baseline: f.compare.baseline, Alpha: f.compare.alpha})
	if err != nil {
		return err
	}
	t.Notes = append(tb.notes, t.Notes...)
	render := func(w io.Writer) error { return reports.Write(w, t, f.format) }
	if f.format == htmlFormat {
		render = func(w io.Writer) error { return reports.WriteHTML(w, newPage(tb, t)) }
	}
	if err := writeOutput(w, f.output, render); err != nil {
		return err
	}
	if f.plots != "" {
		return reports.WritePlots(f.plots, rs, t, predictions(tb.dir), f.confidence)
	}
	return nil
}
