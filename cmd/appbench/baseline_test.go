package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pairedConfig is a small 4-fold experiment of three methods.
const pairedConfig = `name: sel
dataset:
  kind: synth
  synth: {apps: 4, captures_per_app: 8, duration: 2m, seed: 5}
  window: 30s
  split: kfold
  folds: 4
methods:
  - name: majority
  - name: destination-set
    params: {k: 1}
  - name: destination-set
    as: dset3
    params: {k: 3}
repeats: 2
`

func TestReportBaseline(t *testing.T) {
	dir := t.TempDir()
	res := dir + "/res"
	runSelect(t, dir, res, pairedConfig)
	tb := reportJSON(t, res, "--baseline", "majority", "--metrics", "accuracy,macro_f1")
	if tb.Baseline != "majority" || tb.Alpha != 0.05 || len(tb.Rows) != 3 {
		t.Fatalf("baseline %q alpha %v rows %d", tb.Baseline, tb.Alpha, len(tb.Rows))
	}
	if !tb.Rows[0].Paired.Baseline {
		t.Errorf("the majority row is not marked baseline")
	}
	for _, r := range tb.Rows[1:] {
		p := r.Paired
		if p == nil || len(p.Cells) != 2 || p.McNemar == nil {
			t.Fatalf("row %v: paired %+v", r.Keys, p)
		}
		if p.Cells[0].N != 8 {
			t.Errorf("row %v: %d matched cells, want 2 repeats x 4 folds", r.Keys, p.Cells[0].N)
		}
		if p.McNemar.Unmatched != 0 || p.McNemar.B+p.McNemar.C == 0 {
			t.Errorf("row %v: McNemar %+v", r.Keys, p.McNemar)
		}
		// The row mean minus the baseline mean is the mean difference
		// when every cell is matched.
		if d := r.Cells[0].Mean - tb.Rows[0].Cells[0].Mean; fmt.Sprintf("%.12f", d) != fmt.Sprintf("%.12f", p.Cells[0].Mean) {
			t.Errorf("row %v: mean difference %v, want %v", r.Keys, p.Cells[0].Mean, d)
		}
		if p.Cells[0].PHolm < p.Cells[0].P {
			t.Errorf("Holm made p smaller")
		}
	}
	md, err := execute(t, "report", res, "--baseline", "majority", "--metrics", "accuracy", "--format", "markdown")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Δ Accuracy", "McNemar p", "baseline", "(p="} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	// n = 8 matched cells: the exact Wilcoxon p is at least 2/256, so the
	// mark depends on the data; with alpha 1e-9 nothing is significant.
	md, _ = execute(t, "report", res, "--baseline", "majority", "--metrics", "accuracy", "--format", "markdown", "--alpha", "1e-9")
	if strings.Count(md, " ~ (p=") != 2 {
		t.Errorf("want two ~ marks at alpha 1e-9:\n%s", md)
	}
	tex, _ := execute(t, "report", res, "--baseline", "majority", "--metrics", "accuracy", "--format", "latex", "--alpha", "1e-9")
	if !strings.Contains(tex, `$\sim$`) || !strings.Contains(tex, `$\Delta$ Accuracy`) {
		t.Errorf("latex lacks marks:\n%s", tex)
	}
	csv, _ := execute(t, "report", res, "--baseline", "majority", "--metrics", "accuracy", "--format", "csv")
	if !strings.Contains(csv, "accuracy_wilcoxon_p_holm") || !strings.Contains(csv, "mcnemar_p") {
		t.Errorf("csv lacks comparison columns:\n%s", csv)
	}
	// The HTML page shows each compared cell's difference.
	page, err := execute(t, "report", res, "--baseline", "majority", "--metrics", "accuracy", "--format", "html", "--alpha", "1e-9")
	if err != nil || strings.Count(page, `<span class="mark">Δ `) != 2 || !strings.Contains(page, "difference with majority over matched cells") {
		t.Errorf("html page lacks the comparison (%v)", err)
	}
	// Without --baseline the table has no comparison.
	plain, _ := execute(t, "report", res, "--metrics", "accuracy", "--format", "markdown")
	if strings.Contains(plain, "Δ") || strings.Contains(plain, "McNemar") {
		t.Errorf("plain table shows a comparison:\n%s", plain)
	}
	if _, err := execute(t, "report", res, "--baseline", "nosuch"); err == nil || !strings.Contains(err.Error(), `baseline "nosuch": no such method`) {
		t.Errorf("unknown baseline: %v", err)
	}
	if _, err := execute(t, "report", res, "--baseline", "majority", "--alpha", "2"); err == nil || !strings.Contains(err.Error(), "--alpha 2") {
		t.Errorf("bad alpha: %v", err)
	}
}

func TestReportDetectionPlots(t *testing.T) {
	dir := t.TempDir()
	res, plots := dir+"/res", dir+"/plots"
	runSelect(t, dir, res, `name: sel
dataset:
  kind: synth
  synth: {apps: 5, captures_per_app: 3, duration: 2m, seed: 3}
  window: 30s
  split: capture
task:
  kind: open
  unseen_fraction: 0.4
methods:
  - name: destination-set
    params: {k: 1, unknown_threshold: 0.3}
  - name: majority
`)
	if _, err := execute(t, "report", res, "--plots", plots); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"destination-set", "majority"} {
		for _, ext := range []string{".png", ".svg"} {
			if _, err := os.Stat(filepath.Join(plots, "detection_"+m+ext)); err != nil {
				t.Errorf("no detection curve: %v", err)
			}
		}
	}
	// Without the predictions files the curves cannot be drawn: an error
	// names the file.
	preds, _ := filepath.Glob(filepath.Join(res, "*.predictions.csv"))
	os.Remove(preds[0])
	if _, err := execute(t, "report", res, "--plots", plots); err == nil || !strings.Contains(err.Error(), filepath.Base(preds[0])) {
		t.Errorf("missing predictions file: %v", err)
	}
}
