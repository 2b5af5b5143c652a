package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appbench/configs"
	"appbench/internal/shared"
	"appbench/resultfmt"
)

// TestAppsMatouspRuns runs configs/apps-matousp.yaml on the shared real
// captures (APPBENCH_SHARED) end to end: every cell runs, the table has a
// row per method and protocol with every fold or Android version, and the
// comparison with destination-set has a row per other method.
func TestAppsMatouspRuns(t *testing.T) {
	data := shared.Path(t, "data/apps/matousp")
	t.Setenv("MATOUSP_DATA", data)
	dir := t.TempDir()
	b, err := configs.Files.ReadFile("apps-matousp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "apps-matousp.yaml")
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "res")
	if _, err := execute(t, "run", cfg, "--out", res, "--no-progress", "--no-cache"); err != nil {
		t.Fatal(err)
	}
	const methods, repeats = 7, 2
	cells, _ := filepath.Glob(filepath.Join(res, "*.cell.json"))
	preds, _ := filepath.Glob(filepath.Join(res, "*.predictions.csv"))
	if want := methods * repeats * (3 + 5); len(cells) != want || len(preds) != want {
		t.Fatalf("%d cell files and %d predictions files, want %d of each", len(cells), len(preds), want)
	}
	tb := reportJSON(t, res)
	if len(tb.Rows) != methods*2 {
		t.Fatalf("%d rows, want %d methods x 2 protocols", len(tb.Rows), methods)
	}
	for _, r := range tb.Rows {
		want := repeats * 5
		if r.Keys[1] == "android-version" {
			want = repeats * 3
		}
		if r.Repeats != want || r.Cells[0].N != want {
			t.Errorf("row %v: %d cells, want %d", r.Keys, r.Repeats, want)
		}
		if r.Cells[0].Mean < 0 || r.Cells[0].Mean > 1 {
			t.Errorf("row %v: accuracy %v", r.Keys, r.Cells[0].Mean)
		}
	}
	for _, n := range tb.Notes {
		if !strings.Contains(n, "not inside an app folder") {
			t.Errorf("note: %s", n)
		}
	}
	cmp := reportJSON(t, res, "--baseline", "destination-set")
	paired := 0
	for _, r := range cmp.Rows {
		if r.Paired != nil && !r.Paired.Baseline && r.Paired.McNemar != nil {
			paired++
		}
	}
	if paired != (methods-1)*2 {
		t.Errorf("%d rows compared with destination-set, want %d", paired, (methods-1)*2)
	}
}

// TestAppsMatouspUnseenRuns runs configs/apps-matousp-unseen.yaml on the
// shared real captures: the four known apps train, the eleven
// single-capture apps are all held out as unseen, and the detecting
// methods are scored on them.
func TestAppsMatouspUnseenRuns(t *testing.T) {
	t.Setenv("MATOUSP_DATA", shared.Path(t, "data/apps/matousp"))
	t.Setenv("MATOUSP_SINGLETONS", shared.Path(t, "data/apps/matousp_singletons"))
	dir := t.TempDir()
	b, err := configs.Files.ReadFile("apps-matousp-unseen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "apps-matousp-unseen.yaml")
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "res")
	if _, err := execute(t, "run", cfg, "--out", res, "--no-progress", "--no-cache"); err != nil {
		t.Fatal(err)
	}
	tb := reportJSON(t, res, "--metrics", "accuracy,detection_f1")
	if len(tb.Rows) != 4 {
		t.Fatalf("%d rows, want 4 methods", len(tb.Rows))
	}
	for _, r := range tb.Rows {
		if r.Repeats != 3 {
			t.Errorf("row %v: %d cells, want 3", r.Keys, r.Repeats)
		}
		detects := r.Keys[0] != "majority"
		if got := r.Cells[1].N > 0; got != detects {
			t.Errorf("row %v: detection scored %v, want %v", r.Keys, got, detects)
		}
	}
	rs, err := resultfmt.ReadResults(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if len(r.Unseen) != 11 || r.Apps < 13 {
			t.Errorf("cell %s: %d apps, %d unseen: %v", r.ID, r.Apps, len(r.Unseen), r.Unseen)
		}
	}
}
