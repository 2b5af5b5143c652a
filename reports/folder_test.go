package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"appbench/resultfmt"
)

// tinyDir is a results folder written by "appbench run" on a small
// open-world synthetic experiment (majority and destination-set, swept
// over dataset.train_fraction 0.5 and 1, two repetitions): result files,
// predictions files and the experiment copy.
var tinyDir = filepath.Join("testdata", "tiny")

// readTiny reads the results of tinyDir and returns them with the reader
// of their predictions files.
func readTiny(t *testing.T) ([]*resultfmt.Result, func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error)) {
	t.Helper()
	rs, err := resultfmt.ReadResults(tinyDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 8 {
		t.Fatalf("%d results in %s, want 8", len(rs), tinyDir)
	}
	read := func(r *resultfmt.Result) ([]resultfmt.SamplePrediction, error) {
		return resultfmt.ReadPredictions(resultfmt.PredictionsPath(tinyDir, r.ID))
	}
	return rs, read
}

// checkGolden compares got with the golden file testdata/name (rewritten
// with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

// TestTinyFolderTables renders the tables of the tiny results folder as
// "appbench report --all" printed them when the folder was written: the
// default columns, chosen columns (capture accuracy from the predictions
// files) as text and JSON, the per-app table and a baseline comparison.
func TestTinyFolderTables(t *testing.T) {
	rs, read := readTiny(t)
	cols := []string{"accuracy", "macro_f1", "detection_f1", "capture_accuracy", "fit_seconds"}
	for _, tc := range []struct {
		golden, format string
		opt            Options
		perClass       bool
	}{
		{"tiny.default.text.golden", "text", Options{}, false},
		{"tiny.metrics.text.golden", "text", Options{Metrics: cols}, false},
		{"tiny.metrics.json.golden", "json", Options{Metrics: cols}, false},
		{"tiny.perclass.text.golden", "text", Options{}, true},
		{"tiny.baseline.text.golden", "text", Options{Metrics: []string{"accuracy", "macro_f1"}, Baseline: "destination-set", Alpha: 0.05}, false},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			opt := tc.opt
			opt.Confidence = 0.95
			build := Build
			if tc.perClass {
				build = BuildPerClass
			} else {
				opt.Predictions = read
			}
			tb, err := build(rs, opt)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Write(&buf, tb, tc.format); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.golden, buf.Bytes())
		})
	}
}

// TestTinyFolderPlots draws the sweep and learning-curve plots of the tiny
// results folder as SVG, as "appbench report --plots" drew them when the
// folder was written.
func TestTinyFolderPlots(t *testing.T) {
	rs, _ := readTiny(t)
	dir := t.TempDir()
	sweep := filepath.Join(dir, "sweep.svg")
	if err := PlotSweep(rs, "dataset.train_fraction", "accuracy", sweep, 0.95); err != nil {
		t.Fatal(err)
	}
	curve := filepath.Join(dir, "curve.svg")
	if err := PlotLearningCurve(rs, "accuracy", curve, 0.95); err != nil {
		t.Fatal(err)
	}
	for golden, path := range map[string]string{
		"tiny.sweep_accuracy.svg.golden":          sweep,
		"tiny.learning_curve_accuracy.svg.golden": curve,
	} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, golden, got)
	}
}
