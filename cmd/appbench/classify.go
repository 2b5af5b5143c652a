package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"appbench/bench"
	"appbench/resultfmt"
)

// classifyFormats are the values of classify --format.
var classifyFormats = []string{"text", "csv", "json"}

// classifyOpts are the flags of classify.
type classifyOpts struct {
	model, format   string
	window, overlap time.Duration
	workers         int
}

// newClassifyCmd builds the classify subcommand.
func newClassifyCmd() *cobra.Command {
	var o classifyOpts
	cmd := &cobra.Command{
		Use:   "classify --model FILE CAPTURE...",
		Short: "Classify captures with a model saved by run --save-models",
		Long: `classify cuts each capture (pcap, pcapng or packet CSV) into chunks, by default as the
model's training data were cut (its window, overlap and min_packets), and prints the
label, score and unknown flag that the saved model predicts for each chunk.

Models are written by "appbench run --save-models" as <cell id>.model beside each
cell's result file. A model of another format version, or of a method this program
does not have, is an error naming the file.`,
		Example: `  appbench run exp.yaml --save-models -o results/exp
  appbench classify --model results/exp/flowprint-0123456789ab.model new.pcap
  appbench classify --model m.model --window 30s --format csv a.pcap b.pcapng`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return o.run(ctx, cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.model, "model", "", "model file written by run --save-models (required)")
	f.DurationVar(&o.window, "window", 0, "chunk window (default: the model's; 0 with --window: whole captures)")
	f.DurationVar(&o.overlap, "overlap", 0, "overlap of consecutive windows (default: the model's)")
	f.StringVar(&o.format, "format", "text", "output format: text, csv or json")
	f.IntVar(&o.workers, "workers", 2, "goroutines computing features")
	return cmd
}

// check validates the flags that need no file.
func (o *classifyOpts) check() error {
	switch {
	case o.model == "":
		return errors.New("classify: the model file is required (--model FILE)")
	case !slices.Contains(classifyFormats, o.format):
		return fmt.Errorf("classify: --format %q: want text, csv or json", o.format)
	case o.workers < 1:
		return fmt.Errorf("classify: --workers %d: want at least 1", o.workers)
	}
	return nil
}

// chunking returns the window and overlap: the flags given, else the
// model's.
func (o *classifyOpts) chunking(cmd *cobra.Command, m *bench.Model) (time.Duration, time.Duration, error) {
	window, overlap := m.Window, m.Overlap
	if cmd.Flags().Changed("window") {
		window = o.window
	} else if m.Dataset == "graphs" {
		return 0, 0, fmt.Errorf("classify: model %s was trained on prebuilt graphs, which have no chunking: give --window", m.Path)
	}
	if cmd.Flags().Changed("overlap") {
		overlap = o.overlap
	} else if cmd.Flags().Changed("window") {
		overlap = 0
	}
	if window < 0 || overlap < 0 || (window > 0 && overlap >= window) || (window == 0 && overlap > 0) {
		return 0, 0, fmt.Errorf("classify: --window %v --overlap %v: want 0 <= overlap < window (or window 0 without overlap)", window, overlap)
	}
	return window, overlap, nil
}

func (o *classifyOpts) run(ctx context.Context, cmd *cobra.Command, captures []string) error {
	m, err := bench.ReadModel(o.model, o.workers)
	if err != nil {
		return fmt.Errorf("classify: %w", err)
	}
	window, overlap, err := o.chunking(cmd, m)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	var all []resultfmt.SamplePrediction
	for _, c := range captures {
		preds, notes, err := m.Classify(ctx, c, window, overlap, o.workers)
		if err != nil {
			return fmt.Errorf("classify: %w", err)
		}
		for _, n := range notes {
			fmt.Fprintln(stderr, "note:", n)
		}
		if len(preds) == 0 {
			fmt.Fprintf(stderr, "note: %s: no chunk to classify (window %v, min_packets %d)\n", c, window, m.MinPackets)
		}
		all = append(all, preds...)
	}
	return writeClassified(cmd.OutOrStdout(), o.format, all)
}

// classifyHeader names the columns of classify's output.
var classifyHeader = []string{"capture", "chunk", "start", "stop", "label", "score", "unknown"}

// writeClassified prints ps in format.
func writeClassified(w io.Writer, format string, ps []resultfmt.SamplePrediction) error {
	switch format {
	case "json":
		type row struct {
			Capture string   `json:"capture"`
			Chunk   int      `json:"chunk"`
			Start   *float64 `json:"start"`
			Stop    *float64 `json:"stop"`
			Label   string   `json:"label"`
			Score   float64  `json:"score"`
			Unknown bool     `json:"unknown"`
		}
		rows := make([]row, len(ps))
		for i, p := range ps {
			rows[i] = row{p.Capture, p.Chunk, finite(p.Start), finite(p.Stop), p.Predicted, p.Score, p.Unknown}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(classifyHeader)
		for _, p := range ps {
			_ = cw.Write(classifiedFields(p))
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "capture\tchunk\tstart\tstop\tlabel\tscore\tunknown")
	for _, p := range ps {
		f := classifiedFields(p)
		f[5] = strconv.FormatFloat(p.Score, 'f', 4, 64)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f[0], f[1], f[2], f[3], f[4], f[5], f[6])
	}
	return tw.Flush()
}

// classifiedFields returns the fields of one output row.
func classifiedFields(p resultfmt.SamplePrediction) []string {
	return []string{p.Capture, strconv.Itoa(p.Chunk), seconds(p.Start), seconds(p.Stop), p.Predicted,
		strconv.FormatFloat(p.Score, 'g', -1, 64), strconv.FormatBool(p.Unknown)}
}

// finite returns a pointer to x, or nil when x is NaN.
func finite(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}
