package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// TestClipBar checks that error bars are clipped to the bounds and never
// negative.
func TestClipBar(t *testing.T) {
	for _, c := range []struct{ mean, lo, hi, below, above float64 }{
		{0.9, 0.7, 1.2, 0.2, 0.1},     // above 1
		{0.05, -0.1, 0.2, 0.05, 0.15}, // below 0
		{0.5, 0.4, 0.6, 0.1, 0.1},     // inside
		{1, 1, 1, 0, 0},               // a single repetition
	} {
		b, a := clipBar(c.mean, c.lo, c.hi, 0, 1)
		if !near(b, c.below) || !near(a, c.above) {
			t.Errorf("clipBar(%v, %v, %v) = %v, %v, want %v, %v", c.mean, c.lo, c.hi, b, a, c.below, c.above)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

// TestSweepLinesClip checks that the drawn bars of a bounded metric stay
// in [0, 1] while the table keeps the true interval, and that other
// metrics are not clipped.
func TestSweepLinesClip(t *testing.T) {
	tb := &Table{Keys: []string{"method", "k"}, Rows: []Row{
		{Keys: []string{"m", "3"}, Cells: []Stat{{N: 3, Mean: 0.95, Lo: 0.8, Hi: 1.1}}},
		{Keys: []string{"m", "1"}, Cells: []Stat{{N: 3, Mean: 0.05, Lo: -0.2, Hi: 0.3}}},
	}}
	x := func(r *Row) float64 { return map[string]float64{"1": 1, "3": 3}[r.Keys[1]] }
	l := sweepLines(tb, 1, x, true, false)[0]
	if l.pts.XYs[0].X != 1 || l.pts.XYs[1].X != 3 {
		t.Fatalf("points not sorted by x: %v", l.pts.XYs)
	}
	for i, p := range l.pts.XYs {
		if p.Y-l.pts.lo[i] < 0 || p.Y+l.pts.hi[i] > 1 {
			t.Errorf("bar %d: [%v, %v] leaves [0, 1]", i, p.Y-l.pts.lo[i], p.Y+l.pts.hi[i])
		}
	}
	if tb.Rows[0].Cells[0].Hi != 1.1 {
		t.Error("the table's interval changed")
	}
	l = sweepLines(tb, 1, x, false, false)[0]
	if !near(l.pts.XYs[1].Y+l.pts.hi[1], 1.1) {
		t.Errorf("unbounded metric clipped: %v", l.pts.XYs[1].Y+l.pts.hi[1])
	}
}

// TestLineName checks that legend entries name the method once, or not at
// all when it is the only one.
func TestLineName(t *testing.T) {
	keys := []string{"method", "window", "destination-set k"}
	vals := []string{"destination-set", "30s", "3"}
	for _, c := range []struct {
		col      int
		noMethod bool
		want     string
	}{
		{1, false, "destination-set k=3"},
		{1, true, "k=3"},
		{2, false, "destination-set window=30s"},
		{2, true, "window=30s"},
	} {
		if got := lineName(keys, vals, c.col, c.noMethod); got != c.want {
			t.Errorf("lineName(col %d, noMethod %v) = %q, want %q", c.col, c.noMethod, got, c.want)
		}
	}
	if got := lineName([]string{"experiment", "method", "k"}, []string{"e", "majority", ""}, 2, true); got != "e" {
		t.Errorf("with experiment: %q", got)
	}
	if got := lineName([]string{"method", "k"}, []string{"majority", "1"}, 1, true); got != "majority" {
		t.Errorf("nothing left: %q, want the method", got)
	}
}

// TestChooseLegendSpot checks that the legend goes in the first free
// corner, and outside when none is free or it is too wide.
func TestChooseLegendSpot(t *testing.T) {
	seg := func(x0, y0, x1, y1 float64) [2]plotter.XY {
		return [2]plotter.XY{{X: x0, Y: y0}, {X: x1, Y: y1}}
	}
	high := [][2]plotter.XY{seg(0, 0.9, 1, 0.95)}             // a line along the top
	bars := [][2]plotter.XY{seg(0, 0, 0, 1), seg(1, 0, 1, 1)} // full-height bars at both ends
	for _, c := range []struct {
		name string
		segs [][2]plotter.XY
		w, h float64
		want legendSpot
	}{
		{"no data", nil, 0.3, 0.2, topRight},
		{"line along the top", high, 0.3, 0.2, bottomRight},
		{"line through the top right box only", [][2]plotter.XY{seg(0.5, 0.5, 1, 1)}, 0.3, 0.2, topLeft},
		{"bars at both edges", bars, 0.3, 0.2, outside},
		{"too wide", nil, 0.6, 0.2, outside},
		{"too high", nil, 0.3, 0.95, outside},
	} {
		if got := chooseLegendSpot(c.segs, c.w, c.h); got != c.want {
			t.Errorf("%s: spot %d, want %d", c.name, got, c.want)
		}
	}
}

// TestCrosses checks the segment-box test, including a segment that
// crosses the box with both ends outside.
func TestCrosses(t *testing.T) {
	box := [4]float64{0.7, 1, 0.8, 1}
	for _, c := range []struct {
		s    [2]plotter.XY
		want bool
	}{
		{[2]plotter.XY{{X: 0.6, Y: 0.85}, {X: 1.1, Y: 0.95}}, true}, // through
		{[2]plotter.XY{{X: 0.8, Y: 0.9}, {X: 0.8, Y: 0.9}}, true},   // a point inside
		{[2]plotter.XY{{X: 0, Y: 0}, {X: 0.6, Y: 1}}, false},        // beside
		{[2]plotter.XY{{X: 0, Y: 0.5}, {X: 1, Y: 0.5}}, false},      // below
		{[2]plotter.XY{{X: 0.75, Y: 0}, {X: 0.75, Y: 0.85}}, true},  // a bar reaching in
	} {
		if got := crosses(c.s, box); got != c.want {
			t.Errorf("crosses(%v) = %v, want %v", c.s, got, c.want)
		}
	}
}

// TestPlotSVGText checks the text of the SVG plots: the confusion matrix
// says what it sums and carries a colour scale; the sweep legend names
// each line without repeating the method.
func TestPlotSVGText(t *testing.T) {
	dir := t.TempDir()
	rs := fixture()
	conf := filepath.Join(dir, "c.svg")
	if err := PlotConfusion(rs[0].Metrics.Confusion, "majority", 3, conf); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	for _, want := range []string{">majority</text>", "summed over 3 repetitions", "share of the true label&#39;s samples</text>", "<image", ">0.5</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("confusion SVG lacks %q", want)
		}
	}
	sweep := filepath.Join(dir, "s.svg")
	if err := PlotSweep(rs, "methods.destination-set.k", "accuracy", sweep, 0.95); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(sweep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), ">destination-set</text>") || strings.Contains(string(b), "destination-set destination-set") {
		t.Errorf("sweep legend: %s", b)
	}
}

// TestRowValues checks that table rows carry the swept values as the
// results hold them beside the shown keys, and which of them place a
// sweep plot's points on a numeric axis.
func TestRowValues(t *testing.T) {
	tb, err := Build(fixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tb.Rows {
		got = append(got, fmt.Sprintf("%q/%v", r.Keys, r.Values))
	}
	want := []string{`["majority" ""]/[majority <nil>]`, `["destination-set" "1"]/[destination-set 1]`, `["destination-set" "3"]/[destination-set 3]`}
	if !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	for _, tc := range []struct {
		v  any
		f  float64
		ok bool
	}{
		{3, 3, true}, {0.5, 0.5, true}, {uint64(1 << 40), 1 << 40, true}, {"10", 10, true}, {1e21, 1e21, true},
		{"30s", 0, false}, {nil, 0, false}, {true, 0, false}, {[]any{1, 2}, 0, false},
	} {
		if f, ok := number(tc.v); ok != tc.ok || f != tc.f {
			t.Errorf("number(%#v) = %g, %v; want %g, %v", tc.v, f, ok, tc.f, tc.ok)
		}
	}
}
