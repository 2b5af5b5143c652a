package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"

	"appbench/resultfmt"
)

// Paired is a row's comparison with the baseline method's row at the same
// sweep point (Options.Baseline), over matched cells: the same seed, fold
// and held-out group.
type Paired struct {
	// Baseline is set on the rows of the baseline method itself.
	Baseline bool `json:"baseline,omitempty"`
	// Cells hold one comparison per column.
	Cells []PairedStat `json:"cells,omitempty"`
	// McNemar compares the pooled per-sample predictions (nil without
	// predictions files).
	McNemar *McNemarStat `json:"mcnemar,omitempty"`
}

// PairedStat compares one metric of a row with the baseline's.
type PairedStat struct {
	// N counts the matched cells; 0 means none matched.
	N int `json:"n"`
	// Mean, Lo and Hi are the mean of the differences row − baseline and
	// its confidence interval (Student's t, as Summarize).
	Mean float64 `json:"mean"`
	Lo   float64 `json:"ci_lo"`
	Hi   float64 `json:"ci_hi"`
	// P is the two-sided Wilcoxon signed-rank p-value of the differences
	// (see Wilcoxon), PHolm its Holm adjustment across the rows compared
	// (both 0 when N is 0).
	P     float64 `json:"p"`
	PHolm float64 `json:"p_holm"`
	// Significant is PHolm < Options.Alpha.
	Significant bool `json:"significant"`
}

// McNemarStat is McNemar's exact test on the test samples of the matched
// cells, pooled, matched by capture and chunk.
type McNemarStat struct {
	// B counts the samples only the baseline gets right, C those only the
	// row gets right; Unmatched those of one side without a counterpart.
	B         int     `json:"b"`
	C         int     `json:"c"`
	Unmatched int     `json:"unmatched,omitempty"`
	P         float64 `json:"p"`
	PHolm     float64 `json:"p_holm"`
	// Significant is PHolm < Options.Alpha.
	Significant bool `json:"significant"`
}

// matchKey identifies a cell within its row: seed, fold and group.
func matchKey(r *resultfmt.Result) string { return fmt.Sprintf("%d/%d/%s", r.Seed, r.Fold, r.Group) }

// pointKey is a row's key without its method: the experiment and the
// sweep point.
func pointKey(g *group, multi bool) string {
	k := append([]string{}, g.keys...)
	i := 0
	if multi {
		i = 1
	}
	return strings.Join(append(k[:i], k[i+1:]...), "\x00")
}

// compare fills the Paired of each row of t (rows parallel to gs) against
// the rows of the baseline method.
func compare(t *Table, gs []*group, multi bool, opt Options, rc *rescorer) error {
	base := make(map[string]*group)
	var methods []string
	for _, g := range gs {
		m := g.rs[0].Method
		if !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
		if m == opt.Baseline {
			base[pointKey(g, multi)] = g
		}
	}
	if len(base) == 0 {
		return fmt.Errorf("reports: baseline %q: no such method in the results (methods: %s)", opt.Baseline, strings.Join(methods, ", "))
	}
	var unpaired, noPreds, unmatched int
	for i, g := range gs {
		row := &t.Rows[i]
		if g.rs[0].Method == opt.Baseline {
			row.Paired = &Paired{Baseline: true}
			continue
		}
		b := base[pointKey(g, multi)]
		if b == nil {
			unpaired++
			continue
		}
		pairs := matchCells(b, g)
		row.Paired = &Paired{}
		for _, m := range t.Columns {
			ps, err := pairedStat(m, pairs, opt.Confidence, rc)
			if err != nil {
				return err
			}
			row.Paired.Cells = append(row.Paired.Cells, ps)
		}
		if opt.Predictions != nil && len(pairs) > 0 {
			mc, err := mcnemar(pairs, opt.Predictions)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				noPreds++
			case err != nil:
				return err
			default:
				row.Paired.McNemar = mc
				unmatched += mc.Unmatched
			}
		}
	}
	holmRows(t, opt.Alpha)
	setMarks(t)
	if unpaired > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("baseline %s: %d rows have no baseline row at their sweep point", opt.Baseline, unpaired))
	}
	if noPreds > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("baseline %s: %d rows lack predictions files for McNemar's test", opt.Baseline, noPreds))
	}
	if unmatched > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("baseline %s: %d test samples without a counterpart in the other cell left out of McNemar's test", opt.Baseline, unmatched))
	}
	return nil
}

// setMarks writes each compared row's differences as its Marks (one per
// column, as the text table prints them), which the HTML page shows beside
// the cells; the table's caption says what they mean.
func setMarks(t *Table) {
	for i := range t.Rows {
		r := &t.Rows[i]
		if r.Paired == nil {
			continue
		}
		r.Marks = make([]string, len(t.Columns))
		for j, c := range t.Columns {
			if r.Paired.Baseline {
				r.Marks[j] = "baseline"
			} else {
				r.Marks[j] = "Δ " + deltaCell(r.Paired.Cells[j], c.Digits, plainMarks(" ± "))
			}
		}
	}
}

// matchCells pairs the results of the baseline group b and group g with
// the same seed, fold and group: [baseline, row] pairs in g's order.
func matchCells(b, g *group) [][2]*resultfmt.Result {
	byKey := make(map[string]*resultfmt.Result)
	for _, r := range b.rs {
		byKey[matchKey(r)] = r
	}
	var out [][2]*resultfmt.Result
	for _, r := range g.rs {
		if o := byKey[matchKey(r)]; o != nil {
			out = append(out, [2]*resultfmt.Result{o, r})
		}
	}
	return out
}

// pairedStat compares metric m over the matched pairs.
func pairedStat(m Metric, pairs [][2]*resultfmt.Result, level float64, rc *rescorer) (PairedStat, error) {
	var d []float64
	for _, p := range pairs {
		x, ok1, err := rc.value(m, p[0])
		if err != nil {
			return PairedStat{}, err
		}
		y, ok2, err := rc.value(m, p[1])
		if err != nil {
			return PairedStat{}, err
		}
		if ok1 && ok2 {
			d = append(d, y-x)
		}
	}
	s := Summarize(d, level)
	ps := PairedStat{N: s.N, Mean: s.Mean, Lo: s.Lo, Hi: s.Hi, P: math.NaN()}
	if s.N > 0 {
		_, ps.P = Wilcoxon(d)
	}
	return ps, nil
}

// mcnemar pools the per-sample predictions of the matched pairs.
func mcnemar(pairs [][2]*resultfmt.Result, read func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error)) (*McNemarStat, error) {
	mc := &McNemarStat{}
	for _, p := range pairs {
		a, err := read(p[0])
		if err != nil {
			return nil, err
		}
		b, err := read(p[1])
		if err != nil {
			return nil, err
		}
		right := make(map[string]bool, len(a))
		for _, s := range a {
			t, l := resultfmt.Scored(p[0], s)
			right[fmt.Sprintf("%s\x00%d", s.Capture, s.Chunk)] = t == l
		}
		seen := 0
		for _, s := range b {
			base, ok := right[fmt.Sprintf("%s\x00%d", s.Capture, s.Chunk)]
			if !ok {
				mc.Unmatched++
				continue
			}
			seen++
			t, l := resultfmt.Scored(p[1], s)
			switch row := t == l; {
			case base && !row:
				mc.B++
			case row && !base:
				mc.C++
			}
		}
		mc.Unmatched += len(a) - seen
	}
	mc.P = McNemar(mc.B, mc.C)
	return mc, nil
}

// holmRows adjusts the p-values of each column, and McNemar's, across the
// rows compared, and marks the significant ones at alpha.
func holmRows(t *Table, alpha float64) {
	var rows []*Paired
	for i := range t.Rows {
		if p := t.Rows[i].Paired; p != nil && !p.Baseline {
			rows = append(rows, p)
		}
	}
	for j := range t.Columns {
		ps := make([]float64, len(rows))
		for i, p := range rows {
			ps[i] = p.Cells[j].P
		}
		for i, h := range Holm(ps) {
			rows[i].Cells[j].PHolm = h
			rows[i].Cells[j].Significant = h < alpha
		}
	}
	var ps []float64
	var with []*McNemarStat
	for _, p := range rows {
		if p.McNemar != nil {
			ps, with = append(ps, p.McNemar.P), append(with, p.McNemar)
		}
	}
	for i, h := range Holm(ps) {
		with[i].PHolm = h
		with[i].Significant = h < alpha
	}
	for _, p := range rows {
		for j := range p.Cells {
			if p.Cells[j].N == 0 {
				p.Cells[j].P, p.Cells[j].PHolm = 0, 0 // JSON has no NaN
			}
		}
	}
}
