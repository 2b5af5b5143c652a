package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"appbench/resultfmt"
)

// TestSklearnExample runs the scikit-learn example experiment end to end:
// one repetition of each method (shard 0 of 5 takes repetition 0 of every
// method), both plugins within 15 points of the Go method they mirror on
// the same cell (80 test chunks) and far above chance. It skips without
// python3, scikit-learn and pandas.
func TestSklearnExample(t *testing.T) {
	if testing.Short() {
		t.Skip("the scikit-learn example takes about a minute")
	}
	py := pythonWith(t, "sklearn", "pandas")
	if filepath.IsAbs(py) {
		t.Setenv("PATH", filepath.Dir(py)+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	out := t.TempDir()
	stdout, stderr, err := executeErr(t, "run", "../../examples/sklearn/experiment.yaml", "--out", out, "--no-progress", "--shard", "0/5")
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, stdout, stderr)
	}
	rs, err := resultfmt.ReadResults(out)
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]float64{}
	for _, r := range rs {
		acc[r.Method] = r.Metrics.Accuracy
	}
	if len(acc) != 4 {
		t.Fatalf("results of %v", acc)
	}
	for py, goMethod := range map[string]string{"sklearn-appscanner": "appscanner", "sklearn-graph-rf": "graph-rf"} {
		t.Logf("%s %.4f, %s %.4f", py, acc[py], goMethod, acc[goMethod])
		if math.Abs(acc[py]-acc[goMethod]) > 0.15 || acc[py] < 0.2 {
			t.Errorf("%s: accuracy %.4f, %s %.4f", py, acc[py], goMethod, acc[goMethod])
		}
	}
}
