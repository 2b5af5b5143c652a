package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"appbench/bench"
	"appbench/reports"
	"appbench/resultfmt"
)

// newReportCmd builds the report subcommand.
func newReportCmd() *cobra.Command {
	var format, metrics, plots, experiment, output, baseline string
	var confidence, alpha float64
	var perClass, all bool
	cmd := &cobra.Command{
		Use:   "report DIR",
		Short: "Merge the result files of a results folder into a comparison table",
		Long: `report reads every <cell>.cell.json file of a results folder (written by
"appbench run", possibly by several shards on several machines), groups them by
method and sweep point, and prints mean and confidence interval of each metric
over the repetitions. --per-class prints one row per app instead. --plots
also writes metric-against-parameter plots and confusion-matrix heat maps as
PNG and SVG.

--format html makes one self-contained page (no network access, inline
styles, plots and a little script): the experiment file and dataset
summary, the table (click a column title to sort), per-app tables of each
method, confusion matrices summed over repetitions, the sweep plots and the
notes. -o writes the table or page to a file instead of standard output.

The experiment copy that run keeps in the folder (<name>.experiment.yaml)
selects the results of the current version of each experiment: result files
of cells an edit of the experiment has replaced are ignored with a note
(--all includes them), and missing repetitions are counted against the
cells the experiment expands to. A folder holding only some shards says so.

--baseline METHOD adds, per metric, the mean paired difference of each
other row with the baseline's row at the same sweep point, over matched
cells (same seed, fold and held-out group), with its confidence interval and
the two-sided Wilcoxon signed-rank p-value, and McNemar's exact test on
the pooled per-sample predictions; p-values are Holm-adjusted across rows
and "~" marks a difference not significant at --alpha.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTableFlags(format, metrics, plots, confidence); err != nil {
				return err
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			if perClass && (metrics != "" || plots != "" || baseline != "") {
				return fmt.Errorf("--per-class prints precision, recall, F1 and support per app; it takes neither --metrics, --plots nor --baseline")
			}
			if !(alpha > 0 && alpha < 1) {
				return fmt.Errorf("--alpha %g: want a significance level in (0, 1), e.g. 0.05", alpha)
			}
			if perClass && format == htmlFormat {
				return fmt.Errorf("--per-class with --format html: the HTML page has the per-app tables of every method already; leave out --per-class")
			}
			tb, err := readTable(args[0], experiment, all)
			if err != nil {
				return err
			}
			if perClass {
				t, err := reports.BuildPerClass(tb.rs, reports.Options{Confidence: confidence})
				if err != nil {
					return err
				}
				t.Notes = append(tb.notes, t.Notes...)
				return writeOutput(cmd.OutOrStdout(), output, func(w io.Writer) error { return reports.Write(w, t, format) })
			}
			return printReport(cmd.OutOrStdout(), tb, reportFlags{format: format, metrics: metrics, plots: plots, output: output,
				confidence: confidence, compare: compareWith{baseline, alpha}})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "text", "table format: "+strings.Join(formatNames(), ", "))
	fl.StringVarP(&output, "output", "o", "", "write the table (or HTML page) to this file instead of standard output")
	fl.StringVar(&metrics, "metrics", "", "comma-separated columns, from: "+metricKeys())
	fl.StringVar(&plots, "plots", "", "also write plots (PNG and SVG) into this folder")
	fl.StringVar(&experiment, "experiment", "", "only the results of this experiment")
	fl.Float64Var(&confidence, "confidence", 0.95, "confidence level of the intervals")
	fl.BoolVar(&perClass, "per-class", false, "print precision, recall, F1 and support per app instead")
	fl.StringVar(&baseline, "baseline", "", "compare every other method with this one over matched cells (paired differences, Wilcoxon, McNemar, Holm)")
	fl.Float64Var(&alpha, "alpha", 0.05, "significance level of --baseline (rows not significant are marked ~)")
	fl.BoolVar(&all, "all", false, "include the results of earlier versions of the experiments (merged by method and sweep point)")
	return cmd
}

// compareWith is the --baseline comparison of a report ("" for none).
type compareWith struct {
	baseline string
	alpha    float64
}

// table is what a comparison table is built from: the results, the
// placeholders of the cells expected (nil: unknown), and notes to print
// under it.
type table struct {
	rs, expected []*resultfmt.Result
	notes        []string
	dir          string // the results folder, for the predictions files
}

// readTable reads the results of dir (those of the named experiment when
// name is set). Unless all is set, the experiment copies select the
// current results and give the cells expected.
func readTable(dir, name string, all bool) (table, error) {
	rs, err := resultfmt.ReadResults(dir)
	if err != nil {
		return table{}, err
	}
	if len(rs) == 0 {
		return table{}, fmt.Errorf("report: no results in %s", dir)
	}
	if name != "" {
		if rs, err = experimentResults(rs, name, dir); err != nil {
			return table{}, err
		}
	}
	if all {
		return table{rs: rs, dir: dir}, nil
	}
	sel, err := bench.Select(dir, rs)
	if err != nil {
		return table{}, err
	}
	if len(sel.Results) == 0 {
		return table{}, fmt.Errorf("report: the %d results in %s are all from earlier versions of their experiments (see the *.experiment.yaml copies); --all reports them", len(sel.Stale), dir)
	}
	return table{rs: sel.Results, expected: sel.Expected, notes: sel.Notes, dir: dir}, nil
}

// experimentResults returns the results of the named experiment, or an
// error listing the experiments dir holds.
func experimentResults(rs []*resultfmt.Result, name, dir string) ([]*resultfmt.Result, error) {
	var keep []*resultfmt.Result
	var names []string
	for _, r := range rs {
		if r.Experiment == name {
			keep = append(keep, r)
		}
		if !slices.Contains(names, r.Experiment) {
			names = append(names, r.Experiment)
		}
	}
	if len(keep) == 0 {
		slices.Sort(names)
		return nil, fmt.Errorf("report: no experiment named %q in %s (experiments there: %s)", name, dir, strings.Join(names, ", "))
	}
	return keep, nil
}

// predictions returns the reader of the predictions files of dir.
func predictions(dir string) func(r *resultfmt.Result) ([]resultfmt.SamplePrediction, error) {
	return func(r *resultfmt.Result) ([]resultfmt.SamplePrediction, error) {
		return resultfmt.ReadPredictions(resultfmt.PredictionsPath(dir, r.ID))
	}
}

func metricKeys() string {
	var ks []string
	for _, m := range reports.Metrics {
		ks = append(ks, m.Key)
	}
	return strings.Join(ks, ", ")
}
