package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"appbench/resultfmt"
)

// datasetView summarises the dataset of one experiment over its results:
// counts that differ between cells (repetitions split differently) are
// given as ranges.
type datasetView struct {
	Experiment, Kind, Source, Task, Split, Window string
	Apps, Captures, Train, Test                   string
}

// datasetViews summarises the dataset of each experiment of rs.
func datasetViews(rs []*resultfmt.Result) []datasetView {
	var order []string
	by := make(map[string][]*resultfmt.Result)
	for _, r := range rs {
		if by[r.Experiment] == nil {
			order = append(order, r.Experiment)
		}
		by[r.Experiment] = append(by[r.Experiment], r)
	}
	var out []datasetView
	for _, e := range order {
		out = append(out, datasetOf(e, by[e]))
	}
	return out
}

// splitText describes a dataset's split for the summary.
func splitText(d resultfmt.DatasetKey) string {
	switch d.Split {
	case "":
		return ""
	case resultfmt.SplitKFold:
		return fmt.Sprintf("%d-fold, by capture", d.Folds)
	case resultfmt.SplitGroup:
		return "leave one group out (" + d.GroupBy + ")"
	}
	return fmt.Sprintf("by %s, %g%% tested", d.Split, d.TestFraction*100)
}

func datasetOf(name string, rs []*resultfmt.Result) datasetView {
	d := rs[0].Dataset
	v := datasetView{Experiment: name, Kind: d.Kind, Source: d.Path, Task: rs[0].Task}
	v.Split = splitText(d)
	if d.Window > 0 {
		v.Window = d.Window.String()
		if d.Overlap > 0 {
			v.Window += ", overlap " + d.Overlap.String()
		}
	}
	count := func(f func(r *resultfmt.Result) int) string {
		xs := make([]int, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		return rangeText(xs)
	}
	v.Apps = count(func(r *resultfmt.Result) int { return r.Apps })
	v.Captures = count(func(r *resultfmt.Result) int { return r.Captures })
	if v.Captures == "0" {
		v.Captures = "-"
	}
	v.Train = count(func(r *resultfmt.Result) int { return r.Train })
	v.Test = count(func(r *resultfmt.Result) int { return r.Test })
	return v
}

// rangeText prints the only value of xs, or their range.
func rangeText(xs []int) string {
	lo, hi := slices.Min(xs), slices.Max(xs)
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

// confusionView is a confusion matrix as an HTML heat map: one row per
// true label, one column per predicted label.
type confusionView struct {
	Title, Subtitle string
	Labels          []string
	Rows            []confusionRow
}

type confusionRow struct {
	Label string
	Total int
	Cells []confusionCell
}

// confusionCell is one count with its shade class: h0 to h10 by the
// share of the true label's samples (SharePct), "z" for none.
type confusionCell struct {
	Count                int
	Class, SharePct      string
	TrueLabel, Predicted string
	Diagonal             bool
}

// confusionViews sums the confusion matrices of each row of t over its
// repetitions.
func confusionViews(t *Table, rs []*resultfmt.Result) []confusionView {
	byID := make(map[string]*resultfmt.Result, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
	}
	var out []confusionView
	for _, row := range t.Rows {
		var ids []string
		for _, id := range row.IDs {
			if byID[id] != nil {
				ids = append(ids, id)
			}
		}
		cm := SumConfusion(ids, byID)
		if len(cm.Labels) == 0 {
			continue
		}
		out = append(out, newConfusionView(cm, lineName(t.Keys, row.Keys, -1, false), len(ids)))
	}
	return out
}

func newConfusionView(cm resultfmt.Confusion, title string, repeats int) confusionView {
	v := confusionView{Title: title, Labels: cm.Labels, Subtitle: ConfusionSubtitle(repeats)}
	for i, counts := range cm.Matrix {
		row := confusionRow{Label: cm.Labels[i]}
		for _, n := range counts {
			row.Total += n
		}
		for j, n := range counts {
			c := confusionCell{Count: n, Class: "z", Diagonal: i == j, TrueLabel: cm.Labels[i], Predicted: cm.Labels[j]}
			if n > 0 {
				share := float64(n) / float64(row.Total)
				c.Class = "h" + strconv.Itoa(int(math.Round(share*10)))
				c.SharePct = strconv.FormatFloat(share*100, 'f', 1, 64)
			}
			row.Cells = append(row.Cells, c)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
