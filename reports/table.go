package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"appbench/resultfmt"
)

// Metric is a number read from a result.
type Metric struct {
	// Key names the metric in options, CSV and JSON.
	Key string `json:"key"`
	// Name is the column title.
	Name string `json:"name"`
	// Digits is the number of decimals shown.
	Digits int `json:"digits"`
	// Value reads the metric; ok is false when the result lacks it.
	Value func(r *resultfmt.Result) (v float64, ok bool) `json:"-"`
	// FromPredictions is set for metrics that cell files do not store:
	// they are computed from the predictions files (resultfmt.Rescore).
	FromPredictions bool `json:"from_predictions,omitempty"`
}

func always(f func(r *resultfmt.Result) float64) func(r *resultfmt.Result) (float64, bool) {
	return func(r *resultfmt.Result) (float64, bool) { return f(r), true }
}

func detection(f func(d *resultfmt.Detection) float64) func(r *resultfmt.Result) (float64, bool) {
	return func(r *resultfmt.Result) (float64, bool) {
		if r.Metrics.Detection == nil {
			return 0, false
		}
		return f(r.Metrics.Detection), true
	}
}

// Metrics lists the metrics a table can show, by key.
var Metrics = []Metric{
	{"accuracy", "Accuracy", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.Accuracy }), false},
	{"macro_precision", "Macro P", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.MacroPrecision }), false},
	{"macro_recall", "Macro R", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.MacroRecall }), false},
	{"macro_f1", "Macro F1", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.MacroF1 }), false},
	{"weighted_precision", "Weighted P", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.WeightedPrecision }), false},
	{"weighted_recall", "Weighted R", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.WeightedRecall }), false},
	{"weighted_f1", "Weighted F1", 4, always(func(r *resultfmt.Result) float64 { return r.Metrics.WeightedF1 }), false},
	{"detection_precision", "Unseen P", 4, detection(func(d *resultfmt.Detection) float64 { return d.Precision }), false},
	{"detection_recall", "Unseen R", 4, detection(func(d *resultfmt.Detection) float64 { return d.Recall }), false},
	{"detection_f1", "Unseen F1", 4, detection(func(d *resultfmt.Detection) float64 { return d.F1 }), false},
	{"capture_accuracy", "Capture acc", 4, func(r *resultfmt.Result) (float64, bool) {
		if r.Metrics.CaptureAccuracy == nil {
			return 0, false
		}
		return *r.Metrics.CaptureAccuracy, true
	}, true},
	{"fit_seconds", "Fit (s)", 3, always(func(r *resultfmt.Result) float64 { return r.FitSeconds }), false},
	{"predict_seconds", "Predict (s)", 3, always(func(r *resultfmt.Result) float64 { return r.PredictSeconds }), false},
	{"read_seconds", "Read (s)", 3, always(func(r *resultfmt.Result) float64 { return r.ReadSeconds }), false},
	{"feature_seconds", "Features (s)", 3, always(func(r *resultfmt.Result) float64 { return r.FeatureSeconds }), false},
	{"cache_hits", "Cache hits", 0, always(func(r *resultfmt.Result) float64 { return float64(r.CacheHits) }), false},
	{"peak_heap_mb", "Peak heap (MB)", 1, always(func(r *resultfmt.Result) float64 { return float64(r.PeakHeapBytes) / (1 << 20) }), false},
	{"train", "Train", 0, always(func(r *resultfmt.Result) float64 { return float64(r.Train) }), false},
	{"test", "Test", 0, always(func(r *resultfmt.Result) float64 { return float64(r.Test) }), false},
}

// MetricByKey returns the metric with this key.
func MetricByKey(key string) (Metric, error) {
	for _, m := range Metrics {
		if m.Key == key {
			return m, nil
		}
	}
	keys := make([]string, len(Metrics))
	for i, m := range Metrics {
		keys[i] = m.Key
	}
	return Metric{}, fmt.Errorf("reports: unknown metric %q (known: %s)", key, strings.Join(keys, ", "))
}

// DefaultMetrics are the columns of a table when none are asked for:
// accuracy, macro and weighted F1, unseen-app detection F1 when some result
// has it, fit and predict times.
func DefaultMetrics(rs []*resultfmt.Result) []string {
	keys := []string{"accuracy", "macro_f1", "weighted_f1"}
	for _, r := range rs {
		if r.Metrics.Detection != nil {
			keys = append(keys, "detection_f1")
			break
		}
	}
	return append(keys, "fit_seconds", "predict_seconds")
}

// Options control Build.
type Options struct {
	// Metrics are the metric keys shown as columns (default
	// DefaultMetrics).
	Metrics []string
	// Confidence is the level of the confidence intervals (default 0.95).
	Confidence float64
	// Predictions, when set, reads the predictions file of a result: a
	// metric a result lacks is then recomputed from it (resultfmt.Rescore).
	// A missing file is an fs.ErrNotExist error.
	Predictions func(r *resultfmt.Result) ([]resultfmt.SamplePrediction, error)
	// Baseline, when set, names the method every other row is compared
	// with (Row.Paired): paired differences, Wilcoxon and McNemar tests,
	// Holm-adjusted across rows.
	Baseline string
	// Alpha is the significance level of the comparison (default 0.05).
	Alpha float64
	// Expected, when set, holds a placeholder for each cell the
	// experiments expand to (bench.Selection.Expected): a row's missing
	// repetitions are counted against it, and rows with no result at all
	// are noted. The rows of an experiment without placeholders are
	// compared with the row of most repetitions instead.
	Expected []*resultfmt.Result
}

// Stat summarises one metric over the repetitions of a row.
type Stat struct {
	// N is the number of values; 0 means the metric is absent.
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	// Std is the sample standard deviation (n-1 denominator; 0 for N=1).
	Std float64 `json:"std"`
	// Lo and Hi bound the confidence interval of the mean,
	// mean -/+ t(1-(1-level)/2, N-1) * Std/sqrt(N); both equal Mean when
	// N = 1.
	Lo float64 `json:"ci_lo"`
	Hi float64 `json:"ci_hi"`
}

// Summarize computes a Stat with a confidence interval at level (e.g.
// 0.95), using Student's t quantiles.
func Summarize(xs []float64, level float64) Stat {
	s := Stat{N: len(xs)}
	if s.N == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(s.N)
	s.Lo, s.Hi = s.Mean, s.Mean
	if s.N < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	s.Std = math.Sqrt(ss / float64(s.N-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(s.N - 1)}.Quantile(1 - (1-level)/2)
	h := t * s.Std / math.Sqrt(float64(s.N))
	s.Lo, s.Hi = s.Mean-h, s.Mean+h
	return s
}

// Row is one method at one sweep point.
type Row struct {
	// Keys are the row's values of Table.Keys, as shown (FormatValue).
	Keys []string `json:"keys"`
	// Values are the values behind Keys as the results hold them: the
	// experiment and method names, and each swept parameter's value (a
	// number stays a number; nil where the row's results have none).
	// The per-app table adds the app.
	Values []any `json:"-"`
	// Cells hold one Stat per column.
	Cells []Stat `json:"cells"`
	// Repeats counts the results merged into the row.
	Repeats int `json:"repeats"`
	// IDs are the cell ids of those results.
	IDs []string `json:"ids"`
	// Marks, when set, hold one mark per column from a paired comparison
	// with a baseline row ("" where there is none); the HTML page shows
	// each beside its cell, and Table.MarkLegend under the table.
	Marks []string `json:"marks,omitempty"`
	// Paired compares the row with the baseline (Options.Baseline; nil
	// without one, or without a baseline row at its sweep point).
	Paired *Paired `json:"paired,omitempty"`
}

// Table is the table model: computed once, rendered by the Write
// functions.
type Table struct {
	// Title names the experiment(s).
	Title string `json:"title"`
	// Keys are the titles of the key columns: "method", then each swept
	// parameter (and "experiment" first when results of several
	// experiments are merged).
	Keys []string `json:"keys"`
	// Columns are the metrics shown.
	Columns    []Metric `json:"columns"`
	Rows       []Row    `json:"rows"`
	Confidence float64  `json:"confidence"`
	// Baseline is Options.Baseline and Alpha its level ("" and 0 without
	// a comparison).
	Baseline string  `json:"baseline,omitempty"`
	Alpha    float64 `json:"alpha,omitempty"`
	// Notes are warnings about the results, printed under the table.
	Notes []string `json:"notes,omitempty"`
	// MarkLegend says what the rows' Marks mean, when some row has them.
	MarkLegend string `json:"mark_legend,omitempty"`
}

// Build groups results by experiment, method and sweep point and summarises
// each metric over the repetitions. Rows keep the results' order (see
// resultfmt.Sort).
func Build(rs []*resultfmt.Result, opt Options) (*Table, error) {
	if opt.Confidence == 0 {
		opt.Confidence = 0.95
	}
	if opt.Confidence <= 0 || opt.Confidence >= 1 {
		return nil, fmt.Errorf("reports: confidence %g not in (0, 1)", opt.Confidence)
	}
	keys := opt.Metrics
	if len(keys) == 0 {
		keys = DefaultMetrics(rs)
	}
	t := &Table{Confidence: opt.Confidence}
	for _, k := range keys {
		m, err := MetricByKey(k)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, m)
	}
	var gs []*group
	var gk *grouper
	t.Title, t.Keys, gs, gk = groupResults(rs)
	rc := &rescorer{read: opt.Predictions, done: make(map[string]*resultfmt.Result), missing: make(map[string]int)}
	for _, g := range gs {
		row := Row{Keys: g.keys, Values: g.values, Repeats: len(g.rs)}
		seeds := make(map[string]bool)
		for _, r := range g.rs {
			row.IDs = append(row.IDs, r.ID)
			k := fmt.Sprintf("%d/%d/%s", r.Seed, r.Fold, r.Group)
			if seeds[k] {
				t.Notes = append(t.Notes, fmt.Sprintf("%s: two results with seed %d%s (results of different configurations merged?)", strings.Join(nonEmpty(g.keys), " "), r.Seed, partOf(r)))
			}
			seeds[k] = true
		}
		for _, m := range t.Columns {
			var xs []float64
			for _, r := range g.rs {
				v, ok, err := rc.value(m, r)
				if err != nil {
					return nil, err
				}
				if ok {
					xs = append(xs, v)
				}
			}
			row.Cells = append(row.Cells, Summarize(xs, opt.Confidence))
		}
		t.Rows = append(t.Rows, row)
	}
	if opt.Baseline != "" {
		if opt.Alpha == 0 {
			opt.Alpha = 0.05
		}
		if !(opt.Alpha > 0 && opt.Alpha < 1) {
			return nil, fmt.Errorf("reports: alpha %g not in (0, 1)", opt.Alpha)
		}
		t.Baseline, t.Alpha = opt.Baseline, opt.Alpha
		if err := compare(t, gs, gk.multi, opt, rc); err != nil {
			return nil, err
		}
	}
	t.Notes = append(t.Notes, rc.notes()...)
	t.Notes = append(t.Notes, missingNotes(gs, gk, opt.Expected)...)
	versions := make(map[string]bool)
	for _, g := range gs {
		for _, r := range g.rs {
			versions[r.Version] = true
		}
	}
	if len(versions) > 1 {
		t.Notes = append(t.Notes, fmt.Sprintf("results come from %d different builds: %s", len(versions), strings.Join(sortedKeys(versions), "; ")))
	}
	if len(t.Rows) == 0 {
		t.Notes = append(t.Notes, "no results")
	}
	return t, nil
}

// partOf names the fold or group of a result (", fold 2"), or "".
func partOf(r *resultfmt.Result) string {
	switch {
	case r.Fold > 0:
		return fmt.Sprintf(", fold %d", r.Fold)
	case r.Group != "":
		return fmt.Sprintf(", group %s", r.Group)
	}
	return ""
}

// rescorer reads the metrics a result lacks from its predictions file,
// reading and rescoring each result once.
type rescorer struct {
	read    func(r *resultfmt.Result) ([]resultfmt.SamplePrediction, error)
	done    map[string]*resultfmt.Result // by result id: r with rescored metrics
	missing map[string]int               // FromPredictions metric -> results without a file
}

// value reads metric m of r, from its predictions when r lacks it.
func (rc *rescorer) value(m Metric, r *resultfmt.Result) (float64, bool, error) {
	if v, ok := m.Value(r); ok || rc.read == nil {
		return v, ok, nil
	}
	o, seen := rc.done[r.ID]
	if !seen {
		ps, err := rc.read(r)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return 0, false, err
		default:
			met, err := resultfmt.Rescore(r, ps)
			if err != nil {
				return 0, false, fmt.Errorf("reports: cell %s: %w", r.ID, err)
			}
			c := *r
			c.Metrics = met
			o = &c
		}
		rc.done[r.ID] = o
	}
	if o == nil {
		if m.FromPredictions {
			rc.missing[m.Key]++
		}
		return 0, false, nil
	}
	v, ok := m.Value(o)
	return v, ok, nil
}

// notes tell which metrics some results could not be given.
func (rc *rescorer) notes() []string {
	var out []string
	for _, k := range sortedKeys(rc.missing) {
		out = append(out, fmt.Sprintf("%s: %d cells have no predictions file to compute it from (run by an older build?)", k, rc.missing[k]))
	}
	return out
}

func nonEmpty(s []string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// shortParam drops the "dataset." or "methods.<m>." prefix of a swept
// parameter path (each of several joined with "+") for column titles.
func shortParam(p string) string {
	if strings.Contains(p, "+") {
		parts := strings.Split(p, "+")
		for i, x := range parts {
			parts[i] = shortParam(x)
		}
		return strings.Join(parts, "+")
	}
	switch {
	case strings.HasPrefix(p, "dataset."):
		return strings.TrimPrefix(p, "dataset.")
	case strings.HasPrefix(p, "task."):
		return strings.TrimPrefix(p, "task.")
	case strings.HasPrefix(p, "methods."):
		parts := strings.SplitN(p, ".", 3)
		if len(parts) == 3 {
			return parts[1] + " " + strings.TrimPrefix(parts[2], "params.")
		}
	}
	return p
}

// FormatValue prints a swept value compactly: scalars as they are, lists
// as "[n items]" when long.
func FormatValue(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case []any:
		if len(t) > 4 {
			return fmt.Sprintf("[%d items]", len(t))
		}
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = FormatValue(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		b, _ := json.Marshal(t)
		return string(b)
	case float64:
		return fmt.Sprint(t)
	}
	return fmt.Sprint(v)
}

// sortedKeys returns the sorted keys of m.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// group is the results of one table row: one method at one sweep point.
type group struct {
	keys   []string // as shown
	values []any    // as the results hold them (grouper.values)
	rs     []*resultfmt.Result
}

// id returns the group's key values joined.
func (g *group) id() string { return strings.Join(g.keys, "\x00") }

// missingNotes notes the rows with fewer repetitions than expected, and
// the expected rows with none. Rows of experiments with placeholders in
// expected are counted against them; the others against the row of most
// repetitions among them.
func missingNotes(gs []*group, gk *grouper, expected []*resultfmt.Result) []string {
	want := make(map[string]int)
	var order []string
	planned := make(map[string]bool)
	for _, e := range expected {
		if !gk.exps[e.Experiment] {
			continue
		}
		planned[e.Experiment] = true
		k := strings.Join(gk.keys(e), "\x00")
		if want[k] == 0 {
			order = append(order, k)
		}
		want[k]++
	}
	most := 0
	for _, g := range gs {
		if !planned[g.rs[0].Experiment] {
			most = max(most, len(g.rs))
		}
	}
	var notes []string
	have := make(map[string]bool)
	for _, g := range gs {
		have[g.id()] = true
		n := most
		if planned[g.rs[0].Experiment] {
			n = want[g.id()]
		}
		if len(g.rs) < n {
			notes = append(notes, fmt.Sprintf("%s: %d of %d repetitions (run unfinished, cells failed, or shards missing?)", strings.Join(nonEmpty(g.keys), " "), len(g.rs), n))
		}
	}
	for _, k := range order {
		if !have[k] {
			notes = append(notes, fmt.Sprintf("%s: 0 of %d repetitions (no result yet)", strings.Join(nonEmpty(strings.Split(k, "\x00")), " "), want[k]))
		}
	}
	if len(notes) > maxRowNotes {
		notes = append(notes[:maxRowNotes], fmt.Sprintf("and %d more rows with missing repetitions", len(notes)-maxRowNotes))
	}
	return notes
}

// maxRowNotes bounds the notes on rows with missing repetitions.
const maxRowNotes = 10

// grouper computes the row key of a result: its experiment (when several
// are merged), method, and value of each swept parameter.
type grouper struct {
	multi  bool
	params []string
	exps   map[string]bool
}

// values returns the row key of r: its experiment (when several are
// merged), method and the value of each swept parameter (nil when r has
// none).
func (gk *grouper) values(r *resultfmt.Result) []any {
	var k []any
	if gk.multi {
		k = append(k, r.Experiment)
	}
	k = append(k, r.Method)
	for _, p := range gk.params {
		var v any
		for _, c := range r.Point {
			if c.Param == p {
				v = c.Value
			}
		}
		k = append(k, v)
	}
	return k
}

// keys returns the row key of r as shown: FormatValue of each of its
// values.
func (gk *grouper) keys(r *resultfmt.Result) []string {
	vs := gk.values(r)
	k := make([]string, len(vs))
	for i, v := range vs {
		k[i] = FormatValue(v)
	}
	return k
}

// groupResults sorts results and groups them by experiment (when there are
// several), method and sweep point, in result order. It returns the title,
// the key column names, the groups and the key function.
func groupResults(rs []*resultfmt.Result) (title string, keys []string, out []*group, gk *grouper) {
	rs = slices.Clone(rs)
	resultfmt.Sort(rs)
	var exps, params []string
	for _, r := range rs {
		if !slices.Contains(exps, r.Experiment) {
			exps = append(exps, r.Experiment)
		}
		for _, c := range r.Point {
			if !slices.Contains(params, c.Param) {
				params = append(params, c.Param)
			}
		}
	}
	title = strings.Join(exps, ", ")
	multi := len(exps) > 1
	if multi {
		keys = append(keys, "experiment")
	}
	keys = append(keys, "method")
	for _, p := range params {
		keys = append(keys, shortParam(p))
	}
	gk = &grouper{multi: multi, params: params, exps: make(map[string]bool)}
	for _, e := range exps {
		gk.exps[e] = true
	}
	var order []string
	groups := make(map[string]*group)
	for _, r := range rs {
		g := &group{keys: gk.keys(r), values: gk.values(r)}
		if o := groups[g.id()]; o != nil {
			g = o
		} else {
			groups[g.id()] = g
			order = append(order, g.id())
		}
		g.rs = append(g.rs, r)
	}
	for _, id := range order {
		out = append(out, groups[id])
	}
	return title, keys, out, gk
}
