package resultfmt

import (
	"encoding/csv"
	"math"
	"os"
	"reflect"
	"slices"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// TestScoreHandComputed checks a 3-class example worked out by hand.
func TestScoreHandComputed(t *testing.T) {
	truth := []string{"a", "a", "a", "b", "b", "c"}
	pred := []string{"a", "a", "b", "b", "c", "c"}
	m, err := Score(truth, pred)
	if err != nil {
		t.Fatal(err)
	}
	// a: tp 2, predicted 2, support 3 -> p 1, r 2/3, f1 0.8
	// b: tp 1, predicted 2, support 2 -> p 1/2, r 1/2, f1 1/2
	// c: tp 1, predicted 2, support 1 -> p 1/2, r 1, f1 2/3
	want := []ClassMetrics{
		{"a", 1, 2.0 / 3, 0.8, 3},
		{"b", 0.5, 0.5, 0.5, 2},
		{"c", 0.5, 1, 2.0 / 3, 1},
	}
	for i, w := range want {
		g := m.PerClass[i]
		if g.Label != w.Label || g.Support != w.Support || !near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) {
			t.Errorf("class %d: got %+v, want %+v", i, g, w)
		}
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"accuracy", m.Accuracy, 4.0 / 6},
		{"macro precision", m.MacroPrecision, 2.0 / 3},
		{"macro recall", m.MacroRecall, (2.0/3 + 0.5 + 1) / 3},
		{"macro f1", m.MacroF1, (0.8 + 0.5 + 2.0/3) / 3},
		{"weighted precision", m.WeightedPrecision, (3*1 + 2*0.5 + 1*0.5) / 6},
		{"weighted recall", m.WeightedRecall, 4.0 / 6},
		{"weighted f1", m.WeightedF1, (3*0.8 + 2*0.5 + 2.0/3) / 6},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %.17g, want %.17g", c.name, c.got, c.want)
		}
	}
	wantCM := [][]int{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}}
	if !reflect.DeepEqual(m.Confusion.Matrix, wantCM) {
		t.Errorf("confusion = %v, want %v", m.Confusion.Matrix, wantCM)
	}
}

// TestScoreMatchesScikitLearn compares with scikit-learn 1.2.1 on
// testdata/predictions.csv. The expected numbers come from
// `/usr/bin/python3 testdata/sklearn_metrics.py testdata/predictions.csv`
// run at the repository root.
func TestScoreMatchesScikitLearn(t *testing.T) {
	f, err := os.Open("../testdata/predictions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var truth, pred []string
	for _, r := range rows[1:] {
		truth = append(truth, r[0])
		pred = append(pred, r[1])
	}
	m, err := Score(truth, pred)
	if err != nil {
		t.Fatal(err)
	}
	wantLabels := []string{"(unknown)", "among_us", "bigo", "spotify", "tiktok", "zalo"}
	if !reflect.DeepEqual(m.Confusion.Labels, wantLabels) {
		t.Fatalf("labels %v, want %v", m.Confusion.Labels, wantLabels)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"accuracy", m.Accuracy, 0.66666666666666663},
		{"macro precision", m.MacroPrecision, 0.62566137566137559},
		{"macro recall", m.MacroRecall, 0.55188492063492067},
		{"macro f1", m.MacroF1, 0.57598626195117408},
		{"weighted precision", m.WeightedPrecision, 0.80555555555555558},
		{"weighted recall", m.WeightedRecall, 0.66666666666666663},
		{"weighted f1", m.WeightedF1, 0.72032488628979852},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %.17g, scikit-learn %.17g", c.name, c.got, c.want)
		}
	}
	perClass := []ClassMetrics{
		{"(unknown)", 0, 0, 0, 0},
		{"among_us", 0.6428571428571429, 0.6428571428571429, 0.6428571428571429, 14},
		{"bigo", 1, 0.6875, 0.81481481481481477, 16},
		{"spotify", 0.44444444444444442, 0.66666666666666663, 0.53333333333333333, 6},
		{"tiktok", 0.66666666666666663, 0.59999999999999998, 0.63157894736842102, 10},
		{"zalo", 1, 0.7142857142857143, 0.83333333333333326, 14},
	}
	for i, w := range perClass {
		g := m.PerClass[i]
		if g.Label != w.Label || g.Support != w.Support || !near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) {
			t.Errorf("class %d: got %+v, scikit-learn %+v", i, g, w)
		}
	}
	wantCM := [][]int{{0, 0, 0, 0, 0, 0}, {3, 9, 0, 2, 0, 0}, {1, 2, 11, 1, 1, 0}, {0, 0, 0, 4, 2, 0}, {1, 2, 0, 1, 6, 0}, {2, 1, 0, 1, 0, 10}}
	if !reflect.DeepEqual(m.Confusion.Matrix, wantCM) {
		t.Errorf("confusion %v, scikit-learn %v", m.Confusion.Matrix, wantCM)
	}
}

func TestScoreDetection(t *testing.T) {
	unseen := []bool{true, true, true, false, false, false, false}
	flagged := []bool{true, true, false, true, false, false, false}
	d, err := ScoreDetection(unseen, flagged)
	if err != nil {
		t.Fatal(err)
	}
	if d.TP != 2 || d.FN != 1 || d.FP != 1 || d.TN != 3 {
		t.Fatalf("counts %+v", d)
	}
	if !near(d.Precision, 2.0/3) || !near(d.Recall, 2.0/3) || !near(d.F1, 2.0/3) {
		t.Errorf("scores %+v", d)
	}
	if _, err := ScoreDetection([]bool{true}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestScoreLengthMismatch(t *testing.T) {
	if _, err := Score([]string{"a"}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
}

// TestScoreCellOpenWorld checks the open-world rule: samples of unseen
// apps are truly unknown, flagged samples predicted unknown only when the
// method detects, and detection is scored only then.
func TestScoreCellOpenWorld(t *testing.T) {
	truth := []string{"a", "a", "u", "u"}
	pred := []string{"a", "b", "a", "a"}
	flagged := []bool{false, true, true, false}
	m, err := ScoreCell(true, true, []string{"u"}, truth, pred, flagged)
	if err != nil {
		t.Fatal(err)
	}
	// As scored: a->a, a->(unknown), (unknown)->(unknown), (unknown)->a.
	if m.Accuracy != 0.5 || m.Detection == nil || m.Detection.TP != 1 || m.Detection.FP != 1 || m.Detection.FN != 1 || m.Detection.TN != 1 {
		t.Errorf("open world with detection: accuracy %g, detection %+v", m.Accuracy, m.Detection)
	}
	m, err = ScoreCell(true, false, []string{"u"}, truth, pred, flagged)
	if err != nil {
		t.Fatal(err)
	}
	// a->a, a->b, (unknown)->a, (unknown)->a.
	if m.Accuracy != 0.25 || m.Detection != nil {
		t.Errorf("open world without detection: accuracy %g, detection %+v", m.Accuracy, m.Detection)
	}
	m, err = ScoreCell(false, true, []string{"u"}, truth, pred, flagged)
	if err != nil {
		t.Fatal(err)
	}
	if m.Accuracy != 0.25 || m.Detection != nil || !slices.Contains(m.Confusion.Labels, "u") {
		t.Errorf("closed world: accuracy %g, detection %+v, labels %v", m.Accuracy, m.Detection, m.Confusion.Labels)
	}
	if _, err := ScoreCell(true, true, nil, truth, pred, flagged[:3]); err == nil {
		t.Error("no error for 3 flags for 4 samples")
	}
}
