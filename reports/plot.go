package reports

import (
	"bufio"
	"cmp"
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
	"gonum.org/v1/plot/vg/draw"

	"appbench/internal/atomicfile"
	"appbench/resultfmt"
)

// checkExt accepts the image formats the plots are written in.
func checkExt(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf":
		return nil
	}
	return fmt.Errorf("reports: %s: plots are written as .png, .svg or .pdf", path)
}

// errPoints are the points of one line with their error bars.
type errPoints struct {
	plotter.XYs
	lo, hi []float64
}

func (e errPoints) YError(i int) (float64, float64) { return e.lo[i], e.hi[i] }

// boundedMetrics are the metrics whose values lie in [0, 1]: their error
// bars are clipped to it when drawn (tables keep the true interval).
var boundedMetrics = []string{
	"accuracy", "macro_precision", "macro_recall", "macro_f1", "weighted_precision", "weighted_recall",
	"weighted_f1", "detection_precision", "detection_recall", "detection_f1",
}

// clipBar returns the lengths below and above mean of the error bar of the
// interval [lo, hi] clipped to [floor, ceil].
func clipBar(mean, lo, hi, floor, ceil float64) (below, above float64) {
	lo, hi = max(lo, floor), min(hi, ceil)
	return max(mean-lo, 0), max(hi-mean, 0)
}

// lineName names the line of a table row in a sweep plot: its key values
// (vals, titled keys) but the swept one (col), the method's (unless
// noMethod) and the experiment's as they are, the others as key=value
// without the method's name where the key repeats it ("destination-set
// window" gives "window=..."). A name left empty is the method's.
func lineName(keys, vals []string, col int, noMethod bool) string {
	mi := slices.Index(keys, "method")
	method := ""
	if mi >= 0 {
		method = vals[mi]
	}
	var parts []string
	for i, v := range vals {
		if i == col || v == "" || i == mi && noMethod {
			continue
		}
		if k := keys[i]; k != "method" && k != "experiment" {
			v = strings.TrimPrefix(k, method+" ") + "=" + v
		}
		parts = append(parts, v)
	}
	if len(parts) == 0 {
		return method
	}
	return strings.Join(parts, " ")
}

// sweepLine is one line of a sweep plot.
type sweepLine struct {
	name string
	pts  errPoints
}

// soleMethod returns the method of every row of t, or "" when there are
// several.
func soleMethod(t *Table) string {
	mi := slices.Index(t.Keys, "method")
	if mi < 0 || len(t.Rows) == 0 {
		return ""
	}
	m := t.Rows[0].Keys[mi]
	for _, r := range t.Rows {
		if r.Keys[mi] != m {
			return ""
		}
	}
	return m
}

// sweepPoint is one point of a sweep line: x, mean and the lengths of
// its error bar below and above.
type sweepPoint struct {
	x, y, below, above float64
}

// sweepLines groups the rows of t into lines against the key column col,
// sorted by x (stably: points of equal x keep the rows' order); xOf places
// a row on the x axis. Error bars of a bounded metric are clipped to
// [0, 1]. Line names leave the method out when noMethod is set.
func sweepLines(t *Table, col int, xOf func(r *Row) float64, bounded, noMethod bool) []*sweepLine {
	var lines []*sweepLine
	var pts [][]sweepPoint // per line
	for _, r := range t.Rows {
		s := r.Cells[0]
		if s.N == 0 {
			continue
		}
		name := lineName(t.Keys, r.Keys, col, noMethod)
		i := slices.IndexFunc(lines, func(l *sweepLine) bool { return l.name == name })
		if i < 0 {
			i = len(lines)
			lines = append(lines, &sweepLine{name: name})
			pts = append(pts, nil)
		}
		below, above := s.Mean-s.Lo, s.Hi-s.Mean
		if bounded {
			below, above = clipBar(s.Mean, s.Lo, s.Hi, 0, 1)
		}
		pts[i] = append(pts[i], sweepPoint{x: xOf(&r), y: s.Mean, below: below, above: above})
	}
	for i, l := range lines {
		slices.SortStableFunc(pts[i], func(a, b sweepPoint) int { return cmp.Compare(a.x, b.x) })
		for _, p := range pts[i] {
			l.pts.XYs = append(l.pts.XYs, plotter.XY{X: p.x, Y: p.y})
			l.pts.lo = append(l.pts.lo, p.below)
			l.pts.hi = append(l.pts.hi, p.above)
		}
	}
	return lines
}

// number returns the value of a swept parameter as a number: numbers as
// they are, and a string that reads as one (a sweep label such as "10")
// too; ok is false for anything else.
func number(v any) (f float64, ok bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case float32:
		return float64(t), true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case uint64:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	return 0, false
}

// segments returns what the lines draw, in data coordinates: the line
// between consecutive points and each point's error bar.
func segments(lines []*sweepLine) [][2]plotter.XY {
	var out [][2]plotter.XY
	for _, l := range lines {
		for j, p := range l.pts.XYs {
			out = append(out, [2]plotter.XY{{X: p.X, Y: p.Y - l.pts.lo[j]}, {X: p.X, Y: p.Y + l.pts.hi[j]}})
			if j > 0 {
				out = append(out, [2]plotter.XY{l.pts.XYs[j-1], p})
			}
		}
	}
	return out
}

// PlotSweep draws metric (a Metrics key) against the swept parameter param
// (a path as in the experiment, e.g. methods.destination-set.k): one line
// per method (and per value of the other swept parameters), with the mean
// over repetitions and its confidence interval as error bars, clipped to
// [0, 1] for metrics bounded by it. Numeric parameter values are placed on
// a linear axis, others side by side. The legend goes in a corner of the
// plotting area that no data reaches, else to the right of it. The image
// format follows the file extension (.png, .svg or .pdf).
func PlotSweep(rs []*resultfmt.Result, param, metric, path string, confidence float64) error {
	if err := checkExt(path); err != nil {
		return err
	}
	img, err := sweepImage(rs, param, metric, confidence)
	if err != nil {
		return err
	}
	return savePlot(path, img.w, img.h, img.draw)
}

// SweepSVG draws the plot of PlotSweep as an SVG element, without the XML
// prologue, to be inlined in an HTML page.
func SweepSVG(rs []*resultfmt.Result, param, metric string, confidence float64) (string, error) {
	img, err := sweepImage(rs, param, metric, confidence)
	if err != nil {
		return "", err
	}
	c, err := draw.NewFormattedCanvas(img.w, img.h, "svg")
	if err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	img.draw(draw.New(c))
	var b strings.Builder
	if _, err := c.WriteTo(&b); err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return s, nil
}

// plotImage is a plot to draw: its size and the function drawing it.
type plotImage struct {
	w, h vg.Length
	draw func(draw.Canvas)
}

// sweepImage lays out the plot of PlotSweep.
func sweepImage(rs []*resultfmt.Result, param, metric string, confidence float64) (plotImage, error) {
	var sel []*resultfmt.Result
	for _, r := range rs {
		for _, c := range r.Point {
			if c.Param == param {
				sel = append(sel, r)
				break
			}
		}
	}
	if len(sel) == 0 {
		return plotImage{}, fmt.Errorf("reports: no result sweeps %q", param)
	}
	t, err := Build(sel, Options{Metrics: []string{metric}, Confidence: confidence})
	if err != nil {
		return plotImage{}, err
	}
	col := slices.Index(t.Keys, shortParam(param))
	// x values: numeric when every value is a number.
	var xs []string
	numeric := true
	for _, r := range t.Rows {
		if !slices.Contains(xs, r.Keys[col]) {
			xs = append(xs, r.Keys[col])
		}
		if _, ok := number(r.Values[col]); !ok {
			numeric = false
		}
	}
	xOf := func(r *Row) float64 {
		if numeric {
			f, _ := number(r.Values[col])
			return f
		}
		return float64(slices.Index(xs, r.Keys[col]))
	}
	// With one method, the title names it and the legend does not.
	sole := soleMethod(t)
	lines := sweepLines(t, col, xOf, slices.Contains(boundedMetrics, metric), sole != "")
	p := plot.New()
	m, _ := MetricByKey(metric)
	p.Title.Text = fmt.Sprintf("%s: %s against %s", t.Title, m.Name, shortParam(param))
	if sole != "" && !strings.HasPrefix(shortParam(param), sole+" ") {
		p.Title.Text = fmt.Sprintf("%s: %s %s against %s", t.Title, sole, m.Name, shortParam(param))
	}
	p.X.Label.Text = shortParam(param)
	p.Y.Label.Text = fmt.Sprintf("%s (mean, %g%% CI)", m.Name, confidence*100)
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	for i, l := range lines {
		ln, pts, err := plotter.NewLinePoints(l.pts)
		if err != nil {
			return plotImage{}, fmt.Errorf("reports: %w", err)
		}
		c := plotutil.Color(i)
		ln.Color, pts.Color = c, c
		pts.Shape = plotutil.Shape(i)
		eb, err := plotter.NewYErrorBars(l.pts)
		if err != nil {
			return plotImage{}, fmt.Errorf("reports: %w", err)
		}
		eb.Color = c
		p.Add(ln, pts, eb)
		leg.Add(l.name, ln, pts)
	}
	if !numeric {
		p.NominalX(xs...)
	}
	segs := segments(lines)
	return plotImage{w: 16 * vg.Centimeter, h: 10 * vg.Centimeter, draw: func(c draw.Canvas) {
		drawWithLegend(c, p, leg, segs)
	}}, nil
}

// LearningCurveParam is the swept parameter of a learning curve.
const LearningCurveParam = "dataset.train_fraction"

// PlotLearningCurve draws metric against the training size, for the
// results that sweep dataset.train_fraction: one line per method (and per
// value of the other swept parameters), each point at the mean number of
// training samples of its cells, with the metric's mean and confidence
// interval as in PlotSweep.
func PlotLearningCurve(rs []*resultfmt.Result, metric, path string, confidence float64) error {
	if err := checkExt(path); err != nil {
		return err
	}
	var sel []*resultfmt.Result
	for _, r := range rs {
		if slices.ContainsFunc(r.Point, func(c resultfmt.Coord) bool { return c.Param == LearningCurveParam }) {
			sel = append(sel, r)
		}
	}
	if len(sel) == 0 {
		return fmt.Errorf("reports: no result sweeps %s", LearningCurveParam)
	}
	t, err := Build(sel, Options{Metrics: []string{metric, "train"}, Confidence: confidence})
	if err != nil {
		return err
	}
	col := slices.Index(t.Keys, shortParam(LearningCurveParam))
	sole := soleMethod(t)
	lines := sweepLines(t, col, func(r *Row) float64 { return r.Cells[1].Mean }, slices.Contains(boundedMetrics, metric), sole != "")
	p := plot.New()
	m, _ := MetricByKey(metric)
	p.Title.Text = fmt.Sprintf("%s: %s learning curve", t.Title, m.Name)
	if sole != "" {
		p.Title.Text = fmt.Sprintf("%s: %s %s learning curve", t.Title, sole, m.Name)
	}
	p.X.Label.Text = "training samples (mean over the cells)"
	p.Y.Label.Text = fmt.Sprintf("%s (mean, %g%% CI)", m.Name, confidence*100)
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	for i, l := range lines {
		ln, pts, err := plotter.NewLinePoints(l.pts)
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		c := plotutil.Color(i)
		ln.Color, pts.Color = c, c
		pts.Shape = plotutil.Shape(i)
		eb, err := plotter.NewYErrorBars(l.pts)
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		eb.Color = c
		p.Add(ln, pts, eb)
		leg.Add(l.name, ln, pts)
	}
	segs := segments(lines)
	return savePlot(path, 16*vg.Centimeter, 10*vg.Centimeter, func(c draw.Canvas) {
		drawWithLegend(c, p, leg, segs)
	})
}

// savePlot draws an image of w by h with drawFn and writes it to path in
// the format of its extension, with internal/atomicfile, so that a failed
// write (a full disk) leaves no empty or partial image.
func savePlot(path string, w, h vg.Length, drawFn func(draw.Canvas)) error {
	c, err := draw.NewFormattedCanvas(w, h, strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")))
	if err != nil {
		return fmt.Errorf("reports: %s: %w", path, err)
	}
	drawFn(draw.New(c))
	err = atomicfile.Write(path, func(bw *bufio.Writer) error {
		_, err := c.WriteTo(bw)
		return err
	})
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// legendSpot is where a legend goes.
type legendSpot int

const (
	outside legendSpot = iota // right of the plotting area
	topRight
	topLeft
	bottomRight
	bottomLeft
)

// chooseLegendSpot returns the first corner of the plotting area (top
// right, top left, bottom right, bottom left) where a legend box w wide
// and h high (fractions of the area) touches none of segs (in coordinates
// normalised to [0, 1]), or outside when none is free or the box takes
// more than half the width.
func chooseLegendSpot(segs [][2]plotter.XY, w, h float64) legendSpot {
	if w > 0.5 || h > 0.9 {
		return outside
	}
	boxes := map[legendSpot][4]float64{
		topRight: {1 - w, 1, 1 - h, 1}, topLeft: {0, w, 1 - h, 1},
		bottomRight: {1 - w, 1, 0, h}, bottomLeft: {0, w, 0, h},
	}
	for _, spot := range []legendSpot{topRight, topLeft, bottomRight, bottomLeft} {
		b := boxes[spot]
		if !slices.ContainsFunc(segs, func(s [2]plotter.XY) bool { return crosses(s, b) }) {
			return spot
		}
	}
	return outside
}

// crosses reports whether the segment s meets the box b (x0, x1, y0, y1),
// by Liang-Barsky clipping.
func crosses(s [2]plotter.XY, b [4]float64) bool {
	dx, dy := s[1].X-s[0].X, s[1].Y-s[0].Y
	t0, t1 := 0.0, 1.0
	for _, e := range [4][2]float64{{-dx, s[0].X - b[0]}, {dx, b[1] - s[0].X}, {-dy, s[0].Y - b[2]}, {dy, b[3] - s[0].Y}} {
		p, q := e[0], e[1]
		switch {
		case p == 0:
			if q < 0 {
				return false
			}
		case p < 0:
			t0 = max(t0, q/p)
		default:
			t1 = min(t1, q/p)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// drawWithLegend draws p on c with the legend leg in the spot that
// chooseLegendSpot picks for segs (data coordinates of what p draws).
func drawWithLegend(c draw.Canvas, p *plot.Plot, leg plot.Legend, segs [][2]plotter.XY) {
	leg.Top, leg.Left = true, true
	margin := 0.3 * vg.Centimeter
	box := leg.Rectangle(c).Size()
	da := p.DataCanvas(c)
	norm := make([][2]plotter.XY, len(segs))
	for i, s := range segs {
		for j := range s {
			norm[i][j] = plotter.XY{X: p.X.Norm(s[j].X), Y: p.Y.Norm(s[j].Y)}
		}
	}
	spot := chooseLegendSpot(norm, float64((box.X+margin)/da.Size().X), float64((box.Y+margin)/da.Size().Y))
	if spot == outside {
		strip := box.X + 2*margin
		p.Draw(draw.Crop(c, 0, -strip, 0, 0))
		da = p.DataCanvas(draw.Crop(c, 0, -strip, 0, 0))
		leg.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Max.X - strip + margin, Y: da.Min.Y}, Max: vg.Point{X: c.Max.X, Y: da.Max.Y}}})
		return
	}
	leg.Top, leg.Left = spot == topRight || spot == topLeft, spot == topLeft || spot == bottomLeft
	leg.XOffs, leg.YOffs = margin/2, -margin/2
	if !leg.Left {
		leg.XOffs = -margin / 2
	}
	if !leg.Top {
		leg.YOffs = margin / 2
	}
	p.Legend = leg
	p.Draw(c)
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

// ConfusionSubtitle is the line under a confusion matrix's title: what
// its counts add up and what its colours mean.
func ConfusionSubtitle(repeats int) string {
	rep := "repetitions"
	if repeats == 1 {
		rep = "repetition"
	}
	return fmt.Sprintf("summed over %d %s; colour: share of the true label's samples", repeats, rep)
}

// PlotConfusion draws a confusion matrix summed over repeats repetitions as
// a heat map: true labels down, predicted labels across, colour by the
// share of each true label's samples (with a colour scale beside it),
// counts written in the cells when there are at most 30 labels. The
// subtitle (ConfusionSubtitle) says how many repetitions the counts add up.
func PlotConfusion(cm resultfmt.Confusion, title string, repeats int, path string) error {
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
	p.Title.Text = title + "\n" + ConfusionSubtitle(repeats)
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	pal := moreland.SmoothBlueRed()
	pal.SetMin(0)
	pal.SetMax(1)
	h := plotter.NewHeatMap(g, pal.Palette(255))
	h.Min, h.Max = 0, 1
	p.Add(h)
	if err := addCounts(p, cm); err != nil {
		return err
	}
	rev := slices.Clone(cm.Labels)
	slices.Reverse(rev)
	p.NominalX(cm.Labels...)
	p.NominalY(rev...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = -1
	scale := plot.New()
	scale.HideX()
	scale.Y.Label.Text = "share of the true label's samples"
	scale.Add(&plotter.ColorBar{ColorMap: pal, Vertical: true})
	size := vg.Length(max(12, 0.7*float64(k))) * vg.Centimeter
	bar := 3 * vg.Centimeter
	return savePlot(path, size+3*vg.Centimeter+bar, size, func(c draw.Canvas) {
		mc := draw.Crop(c, 0, -bar, 0, 0)
		p.Draw(mc)
		da := p.DataCanvas(mc)
		scale.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Max.X - bar + 0.3*vg.Centimeter, Y: da.Min.Y}, Max: vg.Point{X: c.Max.X - 0.6*vg.Centimeter, Y: da.Max.Y}}})
	})
}

// addCounts writes the non-zero counts of cm in its cells when there are
// at most 30 labels.
func addCounts(p *plot.Plot, cm resultfmt.Confusion) error {
	k := len(cm.Labels)
	if k > 30 {
		return nil
	}
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
	if len(xys) == 0 {
		return nil
	}
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
	return nil
}
