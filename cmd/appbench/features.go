package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"appbench/bench"
	"appbench/internal/atomicfile"
	"appbench/methods"
	"appbench/methods/baseline"
	"appbench/methods/external"
	"appbench/methods/flowprint"
)

// featureKinds maps --kind to the method whose features it exports.
var featureKinds = map[string]string{
	"appscanner":   "appscanner",
	"graph":        "graph-rf",
	"destinations": "destination-set",
	"flows":        "flowprint",
}

// featureOpts are the flags of features.
type featureOpts struct {
	out, kind, method string
	synth             bool
	window, overlap   time.Duration
	workers           int
}

// newFeaturesCmd builds the features subcommand.
func newFeaturesCmd() *cobra.Command {
	var o featureOpts
	cmd := &cobra.Command{
		Use:   "features {CORPUS --kind KIND | --synth --kind KIND | EXPERIMENT.yaml --method NAME} -o OUT.{csv,parquet}",
		Short: "Export the features methods compute, as CSV or Parquet",
		Long: `features exports what a method computes of each chunk: AppScanner's flow rows, MAppGraph's
graphs, destination sets or FlowPrint's flows, as CSV or Parquet (by the extension of OUT)
readable by pandas.

Give a corpus (a folder per app, or a manifest CSV) or --synth (the built-in synthetic
corpus) with --kind and the chunking (--window, --overlap), or an experiment file and one
of its methods (--method, its as name or its name): then its dataset, chunking, app
selection and the method's feature parameters are used.

Every row starts with the sample: id,label,capture,chunk,start,stop; the kind's columns
follow (see the README, "Feature export"). --kind graph writes the nodes to OUT and the
edges to OUT with .edges before its extension. Parquet files have the CSV's columns, in
its order: chunk and node numbers, ports, streams and counts as INT64, other numbers as
DOUBLE (empty window bounds and times are nulls), text as UTF8 strings.`,
		Example: `  appbench features corpus --kind appscanner --window 1m -o flows.csv
  appbench features --synth --kind graph --window 2m --overlap 1m -o graphs.csv
  appbench features configs/default.yaml --method graph-rf -o graphs.csv
  appbench features --synth --kind flows -o flows.parquet`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			x, method, err := o.experiment(cmd, args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return exportFeatures(ctx, cmd.ErrOrStderr(), x, method, o.out, o.workers)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.out, "out", "o", "", "output file, .csv or .parquet (required)")
	f.StringVar(&o.kind, "kind", "", "what to export of a corpus: appscanner, graph, destinations or flows")
	f.StringVar(&o.method, "method", "", "the experiment's method whose features to export")
	f.BoolVar(&o.synth, "synth", false, "use the built-in synthetic corpus instead of CORPUS")
	f.DurationVar(&o.window, "window", time.Minute, "chunk window of a corpus (0: whole captures)")
	f.DurationVar(&o.overlap, "overlap", 0, "overlap of consecutive windows")
	f.IntVar(&o.workers, "workers", 2, "goroutines reading and featurising")
	return cmd
}

// experiment checks the flags and returns the experiment to read and the
// method whose features to export.
func (o *featureOpts) experiment(cmd *cobra.Command, args []string) (*bench.Experiment, string, error) {
	if err := o.check(cmd, args); err != nil {
		return nil, "", err
	}
	if len(args) == 1 && isYAML(args[0]) {
		x, err := bench.LoadFile(args[0])
		return x, o.method, err
	}
	ds := "kind: synth"
	if !o.synth {
		abs, err := filepath.Abs(args[0])
		if err != nil {
			return nil, "", err
		}
		ds = "kind: corpus, path: " + strconv.Quote(abs)
	}
	name := featureKinds[o.kind]
	src := fmt.Sprintf("name: features\ndataset: {%s, window: %s, overlap: %s}\nmethods: [{name: %s}]\n", ds, o.window, o.overlap, name)
	x, err := bench.Load("features", ".", []byte(src))
	return x, name, err
}

func isYAML(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// check validates the flags before any work.
func (o *featureOpts) check(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	switch {
	case o.out == "":
		return errors.New("features: the output file is required (-o OUT.csv or OUT.parquet)")
	case strings.ToLower(filepath.Ext(o.out)) != ".csv" && !isParquet(o.out):
		return fmt.Errorf("features: -o %s: want a .csv or .parquet file", o.out)
	case o.workers < 1:
		return fmt.Errorf("features: --workers %d: want at least 1", o.workers)
	case len(args) == 1 && isYAML(args[0]):
		if o.method == "" {
			return errors.New("features: an experiment file needs --method NAME")
		}
		for _, fl := range []string{"kind", "synth", "window", "overlap"} {
			if f.Changed(fl) {
				return fmt.Errorf("features: --%s does not apply to an experiment file (its dataset and method decide)", fl)
			}
		}
		return nil
	case o.method != "":
		return errors.New("features: --method needs an experiment file")
	case o.synth == (len(args) == 1):
		return errors.New("features: give either a corpus or --synth")
	case featureKinds[o.kind] == "":
		return fmt.Errorf("features: --kind %q: want appscanner, graph, destinations or flows", o.kind)
	case o.window < 0 || o.overlap < 0 || (o.window > 0 && o.overlap >= o.window):
		return fmt.Errorf("features: --window %v --overlap %v: want 0 <= overlap < window (or window 0)", o.window, o.overlap)
	}
	return nil
}

// exportFeatures writes the features of method in x to out (and the edges
// of graphs beside it) and reports what it wrote on log.
func exportFeatures(ctx context.Context, log io.Writer, x *bench.Experiment, method, out string, workers int) error {
	var edges bytes.Buffer
	var kind string
	var st exportStats
	err := atomicfile.Write(out, func(w *bufio.Writer) error {
		nodes, edge, finish := newTables(out, w, &edges)
		var rows *rowWriter
		err := bench.ExportFeatures(ctx, x, method, workers, func(f methods.Featurizer) error {
			var err error
			kind, rows, err = newRowWriter(f, nodes, edge, &st)
			return err
		}, func(s bench.ExportSample) error {
			return rows.sample(ctx, s)
		})
		if err != nil {
			return err
		}
		return finish()
	})
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	fmt.Fprintf(log, "features: wrote %d rows × %d columns (%s, %d samples, %d without rows) to %s\n", st.rows, st.cols, kind, st.samples, st.empty, out)
	if kind != "graph" {
		return nil
	}
	ep := edgesPath(out)
	err = atomicfile.Write(ep, func(w *bufio.Writer) error {
		_, err := w.Write(edges.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	fmt.Fprintf(log, "features: wrote %d rows × 4 columns (edges) to %s\n", st.edges, ep)
	return nil
}

// newTables returns the tables of the rows (written to w) and of the
// edges (written to edges) in the format out's extension names, and the
// function that completes both once every row is in.
func newTables(out string, w io.Writer, edges *bytes.Buffer) (rows, edge featureTable, finish func() error) {
	if isParquet(out) {
		pr := &parquetTable{name: out}
		pe := &parquetTable{name: edgesPath(out)}
		return pr, pe, func() error {
			if err := pr.flush(w); err != nil {
				return err
			}
			if pe.schema == nil {
				return nil
			}
			return pe.flush(edges)
		}
	}
	cw := csv.NewWriter(w)
	ew := csv.NewWriter(edges)
	return cw, ew, func() error {
		cw.Flush()
		ew.Flush()
		if err := ew.Error(); err != nil {
			return err
		}
		return cw.Error()
	}
}

// edgesPath inserts .edges before the extension of out.
func edgesPath(out string) string {
	ext := filepath.Ext(out)
	return strings.TrimSuffix(out, ext) + ".edges" + ext
}

// exportStats counts what was written.
type exportStats struct {
	samples, empty, rows, cols, edges int
}

// sampleColumns start every row.
var sampleColumns = []string{"id", "label", "capture", "chunk", "start", "stop"}

// rowWriter writes the rows of each sample of one kind.
type rowWriter struct {
	cw, ew featureTable
	st     *exportStats
	// rows writes the rows of one sample through row and edge.
	rows func(ctx context.Context, id string, s bench.ExportSample, row, edge func(...string) error) error
}

// newRowWriter picks the kind of f's features, writes the header and
// returns the kind's name and writer.
func newRowWriter(f methods.Featurizer, cw, ew featureTable, st *exportStats) (string, *rowWriter, error) {
	key := f.FeatureKey()
	rw := &rowWriter{cw: cw, ew: ew, st: st}
	var kind string
	var cols []string
	switch {
	case strings.HasPrefix(key, "appscanner/"):
		kind, cols = "appscanner", external.FlowHeader()[1:]
		rw.rows = func(_ context.Context, id string, s bench.ExportSample, row, _ func(...string) error) error {
			return external.FlowRows([]string{id}, []methods.Encoded{{Capture: s.Capture, Features: s.Features}}, row)
		}
	case strings.HasPrefix(key, "graph/"):
		kind, cols = "graph", external.NodeHeader()[1:]
		if err := ew.Write(external.EdgeHeader()); err != nil {
			return "", nil, err
		}
		rw.rows = graphRows
	case strings.HasPrefix(key, "destination-set/"):
		kind, cols = "destinations", []string{"destination_ip", "destination_port"}
		rw.rows = destinationRows
	case strings.HasPrefix(key, "flowprint/"):
		kind, cols = "flows", []string{"protocol", "stream", "destination_ip", "destination_port", "certificate", "packets", "first_time", "last_time"}
		rw.rows = flowprintRows
	default:
		return "", nil, fmt.Errorf("method %s: its features (%s) have no export format", f.Name(), key)
	}
	header := append(append([]string(nil), sampleColumns...), cols...)
	st.cols = len(header)
	return kind, rw, cw.Write(header)
}

// sample writes the rows of one sample.
func (rw *rowWriter) sample(ctx context.Context, s bench.ExportSample) error {
	rw.st.samples++
	id := fmt.Sprintf("s%06d", rw.st.samples)
	lead := []string{id, s.Label, s.Capture, strconv.Itoa(s.Chunk), seconds(s.Start), seconds(s.Stop)}
	n := 0
	row := func(fields ...string) error {
		n++
		return rw.cw.Write(append(lead[:len(lead):len(lead)], fields[1:]...))
	}
	edge := func(fields ...string) error {
		rw.st.edges++
		return rw.ew.Write(fields)
	}
	if err := rw.rows(ctx, id, s, row, edge); err != nil {
		return fmt.Errorf("%s chunk %d: %w", s.Capture, s.Chunk, err)
	}
	rw.st.rows += n
	if n == 0 {
		rw.st.empty++
	}
	return nil
}

func seconds(s float64) string {
	if s == 0 {
		return ""
	}
	return strconv.FormatFloat(s, 'f', -1, 64)
}

func graphRows(ctx context.Context, id string, s bench.ExportSample, row, edge func(...string) error) error {
	gs, err := external.DecodeGraphs(ctx, []methods.Encoded{{Capture: s.Capture, Features: s.Features}})
	if err != nil {
		return err
	}
	if err := external.NodeRows([]string{id}, gs, row); err != nil {
		return err
	}
	return external.EdgeRows([]string{id}, gs, edge)
}

func destinationRows(_ context.Context, id string, s bench.ExportSample, row, _ func(...string) error) error {
	dst, err := baseline.DecodeDestinations(s.Features)
	if err != nil {
		return err
	}
	for _, d := range dst {
		if err := row(id, d.Addr().String(), strconv.Itoa(int(d.Port()))); err != nil {
			return err
		}
	}
	return nil
}

func flowprintRows(_ context.Context, id string, s bench.ExportSample, row, _ func(...string) error) error {
	flows, err := flowprint.DecodeFlows(s.Features, s.Label)
	if err != nil {
		return err
	}
	for _, f := range flows {
		err := row(id, f.Proto.String(), strconv.FormatInt(f.Stream, 10), f.Dst.String(), strconv.Itoa(int(f.DstPort)),
			f.Cert, strconv.Itoa(len(f.Times)), seconds(f.Start), seconds(f.End))
		if err != nil {
			return err
		}
	}
	return nil
}
