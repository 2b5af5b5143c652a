package reports

import (
	"fmt"
	"slices"
	"sort"

	"appbench/resultfmt"
)

// PerClassColumns are the columns of BuildPerClass.
var PerClassColumns = []Metric{
	{Key: "precision", Name: "Precision", Digits: 4},
	{Key: "recall", Name: "Recall", Digits: 4},
	{Key: "f1", Name: "F1", Digits: 4},
	{Key: "support", Name: "Support", Digits: 1},
}

// BuildPerClass builds the per-app table: one row per method, sweep point
// and label (app), with precision, recall, F1 and support summarised over
// the repetitions that saw the label (as a true or a predicted label).
// opt.Metrics is ignored.
func BuildPerClass(rs []*resultfmt.Result, opt Options) (*Table, error) {
	if opt.Confidence == 0 {
		opt.Confidence = 0.95
	}
	if opt.Confidence <= 0 || opt.Confidence >= 1 {
		return nil, fmt.Errorf("reports: confidence %g not in (0, 1)", opt.Confidence)
	}
	t := &Table{Confidence: opt.Confidence, Columns: PerClassColumns}
	var gs []*group
	t.Title, t.Keys, gs, _ = groupResults(rs)
	t.Title += " (per app)"
	t.Keys = append(t.Keys, "app")
	for _, g := range gs {
		per := make(map[string][][4]float64)
		for _, r := range g.rs {
			for _, c := range r.Metrics.PerClass {
				per[c.Label] = append(per[c.Label], [4]float64{c.Precision, c.Recall, c.F1, float64(c.Support)})
			}
		}
		labels := make([]string, 0, len(per))
		for l := range per {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		for _, l := range labels {
			row := Row{Keys: append(slices.Clone(g.keys), l), Values: append(slices.Clone(g.values), any(l)), Repeats: len(per[l])}
			for _, r := range g.rs {
				row.IDs = append(row.IDs, r.ID)
			}
			for j := range PerClassColumns {
				xs := make([]float64, len(per[l]))
				for i, v := range per[l] {
					xs[i] = v[j]
				}
				row.Cells = append(row.Cells, Summarize(xs, opt.Confidence))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	if len(t.Rows) == 0 {
		t.Notes = append(t.Notes, "no results")
	}
	return t, nil
}
