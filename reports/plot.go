package reports

import (
	"bufio"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"appbench/bench"
	"appbench/internal/atomicfile"
)

// checkExt accepts the image formats the plots are written in.
func checkExt(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf":
		return nil
	}
	return fmt.Errorf("reports: %s: plots are written as .png, .svg or .pdf", path)
}

// savePlot draws p in the format of path's extension and writes it with
// internal/atomicfile, so that a failed write (a full disk) leaves no
// empty or partial image.
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	format := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	wt, err := p.WriterTo(w, h, format)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	err = atomicfile.Write(path, func(bw *bufio.Writer) error {
		_, err := wt.WriteTo(bw)
		return err
	})
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// errPoints are the points of one line with their error bars.
type errPoints struct {
	plotter.XYs
	lo, hi []float64
}

func (e errPoints) YError(i int) (float64, float64) { return e.lo[i], e.hi[i] }

// PlotSweep draws metric (a Metrics key) against the swept parameter param
// (a path as in the experiment, e.g. methods.destination-set.k): one line
// per method (and per value of the other swept parameters), with the mean
// over repetitions and its confidence interval as error bars. Numeric
// parameter values are placed on a linear axis, others side by side. The
// image format follows the file extension (.png, .svg or .pdf).
func PlotSweep(rs []*bench.Result, param, metric, path string, confidence float64) error {
	if err := checkExt(path); err != nil {
		return err
	}
	var sel []*bench.Result
	for _, r := range rs {
		for _, c := range r.Point {
			if c.Param == param {
				sel = append(sel, r)
				break
			}
		}
	}
	if len(sel) == 0 {
		return fmt.Errorf("reports: no result sweeps %q", param)
	}
	t, err := Build(sel, Options{Metrics: []string{metric}, Confidence: confidence})
	if err != nil {
		return err
	}
	col := slices.Index(t.Keys, shortParam(param))
	// x values: numeric when every value parses.
	var xs []string
	numeric := true
	for _, r := range t.Rows {
		v := r.Keys[col]
		if !slices.Contains(xs, v) {
			xs = append(xs, v)
		}
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			numeric = false
		}
	}
	xOf := func(v string) float64 {
		if numeric {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
		return float64(slices.Index(xs, v))
	}
	type line struct {
		name string
		pts  errPoints
	}
	var lines []*line
	for _, r := range t.Rows {
		s := r.Cells[0]
		if s.N == 0 {
			continue
		}
		var nameParts []string
		for i, k := range r.Keys {
			if i != col && k != "" {
				if i > 0 && t.Keys[i] != "method" {
					k = t.Keys[i] + "=" + k
				}
				nameParts = append(nameParts, k)
			}
		}
		name := strings.Join(nameParts, " ")
		var l *line
		for _, x := range lines {
			if x.name == name {
				l = x
			}
		}
		if l == nil {
			l = &line{name: name}
			lines = append(lines, l)
		}
		l.pts.XYs = append(l.pts.XYs, plotter.XY{X: xOf(r.Keys[col]), Y: s.Mean})
		l.pts.lo = append(l.pts.lo, s.Mean-s.Lo)
		l.pts.hi = append(l.pts.hi, s.Hi-s.Mean)
	}
	p := plot.New()
	m, _ := MetricByKey(metric)
	p.Title.Text = fmt.Sprintf("%s: %s against %s", t.Title, m.Name, shortParam(param))
	p.X.Label.Text = shortParam(param)
	p.Y.Label.Text = fmt.Sprintf("%s (mean, %g%% CI)", m.Name, confidence*100)
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for i, l := range lines {
		// sort points by x for a proper line
		idx := make([]int, len(l.pts.XYs))
		for j := range idx {
			idx[j] = j
		}
		slices.SortFunc(idx, func(a, b int) int {
			return int(math.Copysign(1, l.pts.XYs[a].X-l.pts.XYs[b].X))
		})
		var sorted errPoints
		for _, j := range idx {
			sorted.XYs = append(sorted.XYs, l.pts.XYs[j])
			sorted.lo = append(sorted.lo, l.pts.lo[j])
			sorted.hi = append(sorted.hi, l.pts.hi[j])
		}
		ln, pts, err := plotter.NewLinePoints(sorted)
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		c := plotutil.Color(i)
		ln.Color, pts.Color = c, c
		pts.Shape = plotutil.Shape(i)
		eb, err := plotter.NewYErrorBars(sorted)
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		eb.Color = c
		p.Add(ln, pts, eb)
		p.Legend.Add(l.name, ln, pts)
	}
	if !numeric {
		p.NominalX(xs...)
	}
	return savePlot(p, 16*vg.Centimeter, 10*vg.Centimeter, path)
}

// confusionGrid adapts a confusion matrix to plotter.GridXYZ: column c is
// the predicted label, row r the true label drawn from the top, and the
// value the share of the true label's samples (the row's recall).
type confusionGrid struct {
	m   [][]int
	sum []int
}

func (g confusionGrid) Dims() (c, r int) { return len(g.m), len(g.m) }
func (g confusionGrid) X(c int) float64  { return float64(c) }
func (g confusionGrid) Y(r int) float64  { return float64(r) }
func (g confusionGrid) Z(c, r int) float64 {
	row := len(g.m) - 1 - r
	if g.sum[row] == 0 {
		return 0
	}
	return float64(g.m[row][c]) / float64(g.sum[row])
}

// PlotConfusion draws a confusion matrix as a heat map: true labels down,
// predicted labels across, colour by the share of each true label's
// samples, counts written in the cells when there are at most 30 labels.
func PlotConfusion(cm bench.Confusion, title, path string) error {
	if err := checkExt(path); err != nil {
		return err
	}
	k := len(cm.Labels)
	if k == 0 || len(cm.Matrix) != k {
		return fmt.Errorf("reports: confusion matrix with %d labels and %d rows", k, len(cm.Matrix))
	}
	g := confusionGrid{m: cm.Matrix, sum: make([]int, k)}
	for i, row := range cm.Matrix {
		if len(row) != k {
			return fmt.Errorf("reports: confusion matrix row %d has %d entries, want %d", i, len(row), k)
		}
		for _, v := range row {
			g.sum[i] += v
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	pal := moreland.SmoothBlueRed()
	pal.SetMin(0)
	pal.SetMax(1)
	h := plotter.NewHeatMap(g, pal.Palette(255))
	h.Min, h.Max = 0, 1
	p.Add(h)
	if k <= 30 {
		var xys plotter.XYs
		var texts []string
		for r := 0; r < k; r++ {
			for c := 0; c < k; c++ {
				if n := cm.Matrix[r][c]; n > 0 {
					xys = append(xys, plotter.XY{X: float64(c), Y: float64(k - 1 - r)})
					texts = append(texts, strconv.Itoa(n))
				}
			}
		}
		if len(xys) > 0 {
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
			if err != nil {
				return fmt.Errorf("reports: %w", err)
			}
			for i := range lb.TextStyle {
				lb.TextStyle[i].Color = color.Black
				lb.TextStyle[i].XAlign = -0.5
				lb.TextStyle[i].YAlign = -0.5
			}
			p.Add(lb)
		}
	}
	rev := slices.Clone(cm.Labels)
	slices.Reverse(rev)
	p.NominalX(cm.Labels...)
	p.NominalY(rev...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = -1
	size := vg.Length(max(12, 0.7*float64(k))) * vg.Centimeter
	return savePlot(p, size+3*vg.Centimeter, size, path)
}
