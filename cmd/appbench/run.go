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

func runExperiment(ctx context.Context, stdout, stderr io.Writer, args []string, f *runFlags) error {
	shard, err := f.check()
	if err != nil {
		return err
	}
	x, err := loadExperiment(args)
	if err != nil {
		return err
	}
	for _, w := range x.Warnings {
		fmt.Fprintln(stderr, w)
	}
	out := f.out
	if out == "" {
		out = filepath.Join("results", x.Config.Name)
	}
	if f.dryRun {
		noteIgnored(stderr, f.given, "--dry-run runs nothing", "workers", "format", "metrics", "plots", "verbose", "no-progress", "save-models")
		return dryRun(stdout, x, out, shard)
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
	opt := bench.Options{Dir: out, Shard: shard, Workers: f.workers, Cache: fc, SaveModels: f.saveModels}
	if f.verbose {
		opt.Log = stderr
	}
	var bar *progressLine
	if !f.noProgress && isTerminal(stderr) {
		bar = newRunProgress(stderr, x, shard, f.workers)
		if f.verbose {
			opt.Log = bar
		}
		opt.Progress = bar.event
		bar.tick(time.Second)
	} else {
		opt.Progress = func(e bench.Event) {
			switch {
			case e.Started:
			case e.Err != nil:
				fmt.Fprintf(stderr, "[%d/%d] %s failed: %v\n", e.Done, e.Total, e.Cell.ID, e.Err)
			case e.Elsewhere && f.verbose:
				fmt.Fprintf(stderr, "[%d/%d] %s left to %s\n", e.Done, e.Total, e.Cell.ID, e.By)
			case !e.Skipped && f.verbose:
				fmt.Fprintf(stderr, "[%d/%d] %s done\n", e.Done, e.Total, e.Cell.ID)
			}
		}
	}
	sum, err := bench.Run(ctx, x, opt)
	if bar != nil {
		bar.finish()
	}
	if sum != nil {
		for _, n := range sum.Notes {
			fmt.Fprintf(stderr, "note: %s\n", n)
		}
		elsewhere := ""
		if sum.Elsewhere > 0 {
			elsewhere = fmt.Sprintf(", %d left to other processes on this folder (when they finish: appbench report %s)", sum.Elsewhere, out)
		}
		fmt.Fprintf(stderr, "%s: %d cells (shard %s): %d already done, %d run, %d failed%s; results in %s\n",
			x.Config.Name, sum.Cells, shard, sum.Skipped, sum.Ran, sum.Failed, elsewhere, out)
		fmt.Fprintln(stderr, loadLine(sum.Load, peakRSS()))
	}
	if err != nil {
		return err
	}
	if shard.Count > 1 {
		noteIgnored(stderr, f.given, "a shard prints no table", "format", "metrics", "plots")
		fmt.Fprintf(stderr, "shard %s done; when every shard has finished: appbench report %s\n", shard, out)
		return nil
	}
	var expected []*resultfmt.Result
	for _, c := range x.Cells {
		expected = append(expected, c.Placeholder())
	}
	rf := reportFlags{format: f.format, metrics: f.metrics, plots: f.plots, confidence: 0.95}
	if f.format == htmlFormat {
		rf.output = filepath.Join(out, "report.html")
	}
	if err := printReport(stdout, table{rs: sum.Results, expected: expected, dir: out}, rf); err != nil {
		return err
	}
	if rf.output != "" {
		fmt.Fprintf(stderr, "report: %s\n", rf.output)
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
