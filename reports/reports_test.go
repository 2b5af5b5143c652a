package reports

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"appbench/internal/atomicfile"
	"appbench/resultfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture returns fixed results: majority and destination-set (swept over
// k = 1, 3) with three repetitions each; destination-set detects unseen
// apps.
func fixture() []*resultfmt.Result {
	var rs []*resultfmt.Result
	acc := map[string][]float64{
		"majority":            {0.2, 0.25, 0.2},
		"destination-set k=1": {0.8, 0.84, 0.79},
		"destination-set k=3": {0.86, 0.85, 0.9},
	}
	add := func(method string, mi, pi int, k any, name string) {
		for rep := 0; rep < 3; rep++ {
			a := acc[name][rep]
			r := &resultfmt.Result{
				Schema: resultfmt.ResultSchema, ID: fmt.Sprintf("%s-%d-%d", method, pi, rep), Experiment: "fixture",
				Method: method, MethodName: method, MethodIndex: mi, PointIndex: pi, Repeat: rep, Seed: uint64(rep + 1),
				Train: 100, Test: 25, FitSeconds: 0.5 + 0.1*float64(rep), PredictSeconds: 0.01 * float64(rep+1),
				Metrics: resultfmt.Metrics{N: 25, Accuracy: a, MacroF1: a - 0.05, WeightedF1: a - 0.02,
					Confusion: resultfmt.Confusion{Labels: []string{"a", "b"}, Matrix: [][]int{{10 + rep, 2}, {3, 10 - rep}}}},
			}
			if k != nil {
				r.Point = []resultfmt.Coord{{Param: "methods.destination-set.k", Value: k}}
				r.Metrics.Detection = &resultfmt.Detection{F1: a - 0.1}
			}
			rs = append(rs, r)
		}
	}
	add("majority", 0, 0, nil, "majority")
	add("destination-set", 1, 0, 1, "destination-set k=1")
	add("destination-set", 1, 1, 3, "destination-set k=3")
	return rs
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{1, 2, 3}, 0.95)
	// t(0.975, 2) = 4.302652729911275 (scipy.stats.t.ppf(0.975, 2)).
	h := 4.302652729911275 / math.Sqrt(3)
	if s.N != 3 || s.Mean != 2 || math.Abs(s.Std-1) > 1e-15 || math.Abs(s.Hi-2-h) > 1e-9 || math.Abs(2-s.Lo-h) > 1e-9 {
		t.Errorf("Summarize = %+v, want mean 2 std 1 half-width %.12g", s, h)
	}
	one := Summarize([]float64{0.5}, 0.95)
	if one.N != 1 || one.Lo != 0.5 || one.Hi != 0.5 || one.Std != 0 {
		t.Errorf("one value: %+v", one)
	}
	if z := Summarize(nil, 0.95); z.N != 0 {
		t.Errorf("no values: %+v", z)
	}
}

func TestBuild(t *testing.T) {
	tb, err := Build(fixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"method", "destination-set k"}; strings.Join(tb.Keys, "|") != strings.Join(want, "|") {
		t.Errorf("keys %v, want %v", tb.Keys, want)
	}
	if len(tb.Rows) != 3 || tb.Rows[2].Keys[1] != "3" || tb.Rows[0].Keys[1] != "" {
		t.Fatalf("rows %+v", tb.Rows)
	}
	// detection_f1 is a default column because some results have it, and
	// majority's cell is absent.
	col := -1
	for i, c := range tb.Columns {
		if c.Key == "detection_f1" {
			col = i
		}
	}
	if col < 0 || tb.Rows[0].Cells[col].N != 0 || tb.Rows[1].Cells[col].N != 3 {
		t.Errorf("detection column %d in %+v", col, tb.Rows)
	}
	if math.Abs(tb.Rows[1].Cells[0].Mean-0.81) > 1e-12 {
		t.Errorf("mean accuracy %v, want 0.81", tb.Rows[1].Cells[0].Mean)
	}
	if _, err := Build(fixture(), Options{Metrics: []string{"nosuch"}}); err == nil {
		t.Error("unknown metric accepted")
	}
}

func TestGoldenTables(t *testing.T) {
	tb, err := Build(fixture(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, tb, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		golden := filepath.Join("testdata", "table."+f+".golden")
		if *update {
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s output differs from %s (go test -update rewrites it):\n%s", f, golden, buf.String())
		}
	}
	if err := Write(&bytes.Buffer{}, tb, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestPlots(t *testing.T) {
	dir := t.TempDir()
	rs := fixture()
	for _, ext := range []string{".png", ".svg"} {
		sweep := filepath.Join(dir, "sweep"+ext)
		if err := PlotSweep(rs, "methods.destination-set.k", "accuracy", sweep, 0.95); err != nil {
			t.Fatal(err)
		}
		conf := filepath.Join(dir, "confusion"+ext)
		if err := PlotConfusion(rs[0].Metrics.Confusion, "majority", 2, conf); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{sweep, conf} {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if ext == ".png" {
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil || img.Bounds().Dx() < 100 {
					t.Errorf("%s: %v", p, err)
				}
			} else if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("</svg>")) {
				t.Errorf("%s is not an SVG document", p)
			}
		}
	}
	if err := PlotSweep(rs, "dataset.window", "accuracy", filepath.Join(dir, "x.png"), 0.95); err == nil {
		t.Error("plot of an unswept parameter accepted")
	}
	if err := PlotConfusion(rs[0].Metrics.Confusion, "x", 1, filepath.Join(dir, "x.gif")); err == nil {
		t.Error("unknown image format accepted")
	}
}

func TestBuildNotes(t *testing.T) {
	rs := fixture()
	rs[0].Version = "appbench v1"
	tb, err := Build(rs[1:], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Notes) != 1 || !strings.Contains(tb.Notes[0], "majority: 2 of 3 repetitions") {
		t.Errorf("notes %q, want one about the missing repetition", tb.Notes)
	}
	tb, _ = Build(rs, Options{})
	if len(tb.Notes) != 1 || !strings.Contains(tb.Notes[0], "2 different builds") {
		t.Errorf("notes %q, want one about mixed builds", tb.Notes)
	}
}

func TestBuildPerClass(t *testing.T) {
	rs := fixture()
	for _, r := range rs {
		r.Metrics.PerClass = []resultfmt.ClassMetrics{
			{Label: "b", Precision: 0.5, Recall: 1, F1: 2.0 / 3, Support: 2},
			{Label: "a", Precision: 1, Recall: 0.5, F1: 2.0 / 3, Support: 4},
		}
	}
	rs[0].Metrics.PerClass = rs[0].Metrics.PerClass[:1] // majority's first run never saw a
	tb, err := BuildPerClass(rs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 6 || tb.Keys[len(tb.Keys)-1] != "app" {
		t.Fatalf("keys %v, %d rows", tb.Keys, len(tb.Rows))
	}
	first := tb.Rows[0]
	if first.Keys[0] != "majority" || first.Keys[2] != "a" || first.Repeats != 2 || first.Cells[3].Mean != 4 {
		t.Errorf("first row %+v", first)
	}
	var buf bytes.Buffer
	if err := Write(&buf, tb, "text"); err != nil || !strings.Contains(buf.String(), "(per app)") {
		t.Errorf("render: %v\n%s", err, buf.String())
	}
}

// TestPlotsDiskFull draws plots on a simulated full disk: each fails with
// ENOSPC and leaves no file, neither an empty image nor a temporary file.
func TestPlotsDiskFull(t *testing.T) {
	dir := t.TempDir()
	rs := fixture()
	defer atomicfile.SetFault(func(string) error { return syscall.ENOSPC })()
	for _, ext := range []string{".png", ".svg"} {
		err := PlotSweep(rs, "methods.destination-set.k", "accuracy", filepath.Join(dir, "sweep"+ext), 0.95)
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("sweep%s: error %v, want ENOSPC", ext, err)
		}
		err = PlotConfusion(rs[0].Metrics.Confusion, "majority", 1, filepath.Join(dir, "confusion"+ext))
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("confusion%s: error %v, want ENOSPC", ext, err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a full disk left %d files, e.g. %s", len(ents), ents[0].Name())
	}
}

// TestBuildExpected counts missing repetitions against the expected cells:
// every row short of one repetition is noted, and a row with no result.
func TestBuildExpected(t *testing.T) {
	rs := fixture()
	var expected, have []*resultfmt.Result
	for _, r := range rs {
		e := *r
		e.Metrics = resultfmt.Metrics{}
		expected = append(expected, &e)
		if r.Repeat < 2 {
			have = append(have, r)
		}
	}
	extra := *expected[len(expected)-1]
	extra.ID, extra.PointIndex, extra.Point = "destination-set-9-0", 2, []resultfmt.Coord{{Param: "methods.destination-set.k", Value: 9}}
	expected = append(expected, &extra)
	tb, err := Build(have, Options{Expected: expected})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"majority: 2 of 3 repetitions", "destination-set 1: 2 of 3", "destination-set 3: 2 of 3", "destination-set 9: 0 of 1"} {
		found := false
		for _, n := range tb.Notes {
			found = found || strings.Contains(n, want)
		}
		if !found {
			t.Errorf("no note %q in %q", want, tb.Notes)
		}
	}
	if tb, _ := Build(rs, Options{Expected: expected[:len(expected)-1]}); len(tb.Notes) != 0 {
		t.Errorf("complete results noted: %q", tb.Notes)
	}
}
