package graphbaseline

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"appbench/internal/shared"
	"appbench/methods"
	"appbench/methods/methodtest"
)

// loadProcessed reads one split of the shared processed graphs (T2_0, N20,
// t10, 22 apps), apps in byte order, graphs in file order.
func loadProcessed(t *testing.T, split string) []methods.Sample {
	t.Helper()
	out, err := methodtest.ProcessedSamples(filepath.Join(shared.Path(t, "data/mappgraph/2_0"), split, "N20", "t10"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// scores returns accuracy and macro F1 (over the true labels' classes).
func scores(test []methods.Sample, pred []methods.Prediction) (acc, macroF1 float64) {
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	correct := 0
	for i, p := range pred {
		if p.Label == test[i].Label {
			correct++
			tp[p.Label]++
		} else {
			fp[p.Label]++
			fn[test[i].Label]++
		}
	}
	classes := methods.Labels(test)
	for _, c := range classes {
		if d := 2*tp[c] + fp[c] + fn[c]; d > 0 {
			macroF1 += 2 * float64(tp[c]) / float64(d)
		}
	}
	return float64(correct) / float64(len(test)), macroF1 / float64(len(classes))
}

// TestProcessedForest checks graph-rf on the shared processed graphs with
// their train/test folders against the figures of a plain random forest on
// the same vectors (0.945 accuracy / 0.940 macro F1 with the IP features,
// 0.928 / 0.921 without), within 1.5 points.
func TestProcessedForest(t *testing.T) {
	train, test := loadProcessed(t, "train_graphs"), loadProcessed(t, "test_graphs")
	for _, c := range []struct {
		params      string
		acc, macro  float64
		description string
	}{
		{"", 0.945, 0.940, "with IP features"},
		{"ip_features: false\n", 0.928, 0.921, "without IP features"},
	} {
		m := methodtest.New(t, "graph-rf", c.params, 1, 2)
		start := time.Now()
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		fit := time.Since(start)
		pred, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		acc, f1 := scores(test, pred)
		t.Logf("graph-rf %s: %d train / %d test graphs, fit %v: accuracy %.4f, macro F1 %.4f",
			c.description, len(train), len(test), fit.Round(time.Millisecond), acc, f1)
		if acc < c.acc-0.015 || f1 < c.macro-0.015 {
			t.Errorf("graph-rf %s: accuracy %.4f, macro F1 %.4f; want at least %.3f / %.3f",
				c.description, acc, f1, c.acc-0.015, c.macro-0.015)
		}
	}
}

// TestProcessedKNN runs graph-knn on the shared processed graphs and
// reports its figures; k-NN on 1,265 standardised components is a weaker
// baseline than the forest (accuracy 0.681 euclidean, 0.730 manhattan,
// 0.698 cosine with k = 5; 0.644 euclidean with scale: true), but far above
// chance (1/22).
func TestProcessedKNN(t *testing.T) {
	train, test := loadProcessed(t, "train_graphs"), loadProcessed(t, "test_graphs")
	for _, params := range []string{"distance: euclidean\n", "distance: euclidean\nscale: true\n"} {
		m := methodtest.New(t, "graph-knn", params, 1, 2)
		start := time.Now()
		if err := m.Fit(context.Background(), train); err != nil {
			t.Fatal(err)
		}
		pred, err := m.Predict(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		acc, f1 := scores(test, pred)
		t.Logf("graph-knn %q: fit and predict %v: accuracy %.4f, macro F1 %.4f", params, time.Since(start).Round(time.Millisecond), acc, f1)
		if acc < 0.5 {
			t.Errorf("graph-knn %q: accuracy %.4f", params, acc)
		}
	}
}
