package reports

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"appbench/resultfmt"
)

func TestBuildRecomputesFromPredictions(t *testing.T) {
	ps := []resultfmt.SamplePrediction{
		{Capture: "a/1", Chunk: 1, Truth: "a", Predicted: "a"},
		{Capture: "a/1", Chunk: 2, Truth: "a", Predicted: "b"},
		{Capture: "a/1", Chunk: 3, Truth: "a", Predicted: "a"},
		{Capture: "b/1", Chunk: 1, Truth: "b", Predicted: "a"},
		{Capture: "b/2", Chunk: 1, Truth: "b", Predicted: "b"},
	}
	var rs []*resultfmt.Result
	for i := 0; i < 3; i++ {
		r := &resultfmt.Result{ID: fmt.Sprintf("m-%d", i), Experiment: "x", Method: "m", Seed: uint64(i + 1), Task: resultfmt.TaskClosed}
		var err error
		if r.Metrics, err = resultfmt.Rescore(r, ps); err != nil {
			t.Fatal(err)
		}
		r.Metrics.CaptureAccuracy = nil // as cell files store them
		rs = append(rs, r)
	}
	read := func(r *resultfmt.Result) ([]resultfmt.SamplePrediction, error) {
		if r.ID == "m-2" {
			return nil, fmt.Errorf("open %s: %w", r.ID, fs.ErrNotExist)
		}
		return ps, nil
	}
	tb, err := Build(rs, Options{Metrics: []string{"accuracy", "capture_accuracy"}, Predictions: read})
	if err != nil {
		t.Fatal(err)
	}
	acc, capAcc := tb.Rows[0].Cells[0], tb.Rows[0].Cells[1]
	if acc.N != 3 || acc.Mean != 0.6 {
		t.Errorf("accuracy %+v, want 3 values of 0.6", acc)
	}
	// a/1 votes a (right), b/1 votes a (wrong), b/2 votes b (right).
	if capAcc.N != 2 || capAcc.Mean != 2.0/3 {
		t.Errorf("capture accuracy %+v, want 2 values of 2/3", capAcc)
	}
	if len(tb.Notes) != 1 || !strings.Contains(tb.Notes[0], "capture_accuracy: 1 cells have no predictions file") {
		t.Errorf("notes %q", tb.Notes)
	}
	// Without a reader the column is empty, and the default table reads
	// no predictions at all.
	tb, err = Build(rs, Options{Predictions: func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error) {
		t.Fatal("the default columns read predictions")
		return nil, nil
	}})
	if err != nil || len(tb.Notes) != 0 {
		t.Errorf("default table: %v, notes %q", err, tb.Notes)
	}
}

func TestPlotLearningCurve(t *testing.T) {
	var rs []*resultfmt.Result
	for i, f := range []float64{0.25, 0.5, 1} {
		for s := 1; s <= 2; s++ {
			r := &resultfmt.Result{ID: fmt.Sprintf("m-%d-%d", i, s), Experiment: "x", Method: "m", PointIndex: i, Seed: uint64(s),
				Point: []resultfmt.Coord{{Param: LearningCurveParam, Value: f}}, Train: int(100 * f)}
			r.Metrics.Accuracy = 0.5 + f/4 + float64(s)/100
			rs = append(rs, r)
		}
	}
	dir := t.TempDir()
	for _, ext := range []string{".png", ".svg"} {
		if err := PlotLearningCurve(rs, "accuracy", dir+"/lc"+ext, 0.95); err != nil {
			t.Fatal(err)
		}
	}
	tb, _ := Build(rs, Options{Metrics: []string{"accuracy", "train"}})
	lines := sweepLines(tb, 1, func(r *Row) float64 { return r.Cells[1].Mean }, true, true)
	if len(lines) != 1 || len(lines[0].pts.XYs) != 3 || lines[0].pts.XYs[0].X != 25 || lines[0].pts.XYs[2].X != 100 {
		t.Errorf("learning curve points %+v", lines)
	}
	if err := PlotLearningCurve(rs[:0], "accuracy", dir+"/none.png", 0.95); err == nil {
		t.Error("no error without a train_fraction sweep")
	}
}

func TestDetectionCurve(t *testing.T) {
	r := &resultfmt.Result{ID: "c1", Task: resultfmt.TaskOpen, Unseen: []string{"u"}}
	ps := []resultfmt.SamplePrediction{
		{Capture: "u/1", Chunk: 1, Truth: "u", Score: 0.1},
		{Capture: "a/1", Chunk: 1, Truth: "a", Score: 0.2},
		{Capture: "u/1", Chunk: 2, Truth: "u", Score: 0.2},
		{Capture: "a/1", Chunk: 2, Truth: "a", Score: 0.9},
		{Capture: "u/2", Chunk: 1, Truth: "u", Score: 0.95},
	}
	read := func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error) { return ps, nil }
	got, err := DetectionCurve([]*resultfmt.Result{r}, read)
	if err != nil {
		t.Fatal(err)
	}
	// Brute force: flag score <= t for each distinct score.
	var want []DetectionPoint
	for _, th := range []float64{0.1, 0.2, 0.9, 0.95} {
		tp, fl := 0, 0
		for _, p := range ps {
			if p.Score <= th {
				fl++
				if p.Truth == "u" {
					tp++
				}
			}
		}
		want = append(want, DetectionPoint{Threshold: th, Flagged: fl, Precision: float64(tp) / float64(fl), Recall: float64(tp) / 3})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("curve %v, want %v", got, want)
	}
	if err := PlotDetection(got, "x", t.TempDir()+"/d.png"); err != nil {
		t.Fatal(err)
	}
	if _, err := DetectionCurve([]*resultfmt.Result{{ID: "c2", Task: resultfmt.TaskClosed}}, read); err == nil {
		t.Error("a closed-world cell gave a detection curve")
	}
}
