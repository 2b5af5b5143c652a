package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appbench/reports"
	"appbench/resultfmt"
)

// selectConfig is a fast synthetic experiment: two methods, three
// repetitions each, six cells.
const selectConfig = `name: sel
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 2, duration: 2m, seed: 5}
  window: 1m
methods:
  - name: majority
  - name: destination-set
    params: {k: 1}
repeats: 3
`

// runSelect writes text as sel.yaml in dir, runs it into res with extra
// flags and returns the config's path.
func runSelect(t *testing.T, dir, res, text string, extra ...string) string {
	t.Helper()
	cfg := filepath.Join(dir, "sel.yaml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"run", cfg, "--out", res, "--no-progress"}, extra...)
	if _, err := execute(t, args...); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// reportJSON runs report with --format json and decodes the table.
func reportJSON(t *testing.T, args ...string) reports.Table {
	t.Helper()
	out, err := execute(t, append([]string{"report", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var tb reports.Table
	if err := json.Unmarshal([]byte(out), &tb); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return tb
}

func hasNote(tb reports.Table, parts ...string) bool {
	for _, n := range tb.Notes {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(n, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestReportMissingRepetitionOfEveryMethod deletes the last repetition of
// every method: the experiment copy, not the largest count seen, gives the
// expected count, so each row is noted.
func TestReportMissingRepetitionOfEveryMethod(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "results")
	runSelect(t, dir, res, selectConfig)
	rs, err := resultfmt.ReadResults(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Repeat == 2 {
			if err := os.Remove(resultfmt.ResultPath(res, r.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tb := reportJSON(t, res)
	for _, m := range []string{"majority", "destination-set"} {
		if !hasNote(tb, m+": 2 of 3 repetitions") {
			t.Errorf("no note on the missing repetition of %s: %q", m, tb.Notes)
		}
	}
	if !hasNote(tb, "4 of 6 cells present") {
		t.Errorf("no note on the cells present: %q", tb.Notes)
	}
}

// TestReportSingleShard reports a folder holding one shard of three.
func TestReportSingleShard(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "results")
	runSelect(t, dir, res, selectConfig, "--shard", "1/3")
	tb := reportJSON(t, res)
	if !hasNote(tb, "shard results: 2 of 6 cells present", "shard 1/3") {
		t.Errorf("no shard note: %q", tb.Notes)
	}
	if !hasNote(tb, "majority: 1 of 3 repetitions") {
		t.Errorf("no note on the repetitions of the other shards: %q", tb.Notes)
	}
}

// TestReportIgnoresStaleCells changes a parameter and runs again into the
// same folder: report shows the current cells only and names the stale
// files; --all merges them as before.
func TestReportIgnoresStaleCells(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "results")
	runSelect(t, dir, res, selectConfig)
	runSelect(t, dir, res, strings.Replace(selectConfig, "{k: 1}", "{k: 2}", 1))
	tb := reportJSON(t, res)
	if len(tb.Rows) != 2 || tb.Rows[0].Repeats != 3 || tb.Rows[1].Repeats != 3 {
		t.Fatalf("rows %+v, want 2 rows of 3 repetitions", tb.Rows)
	}
	if !hasNote(tb, "3 cells from an earlier version of the experiment ignored", "destination-set-") {
		t.Errorf("no note on the stale cells: %q", tb.Notes)
	}
	all := reportJSON(t, res, "--all")
	if len(all.Rows) != 2 || all.Rows[1].Repeats != 6 {
		t.Errorf("--all rows %+v, want destination-set with 6 results", all.Rows)
	}
}

// TestReportWithoutData reports a folder whose experiment names its data
// through a variable that is no longer set and an apps list that moved:
// the copy is expanded without touching the data.
func TestReportWithoutData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, err := execute(t, "synth", "-o", data, "--apps", "3", "--captures", "2", "--duration", "2m"); err != nil {
		t.Skipf("synth corpus: %v", err)
	}
	apps, _ := filepath.Glob(filepath.Join(data, "*", ""))
	var names []string
	for _, a := range apps {
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			names = append(names, filepath.Base(a))
		}
	}
	if len(names) < 2 {
		t.Fatalf("synth corpus: app folders %v", names)
	}
	list := "List of 2 apps: '" + names[0] + "', '" + names[1] + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "apps_list.txt"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEL_DATA", data)
	t.Setenv("SEL_LISTS", dir)
	text := `name: sel
dataset:
  kind: corpus
  path: ${SEL_DATA}
  window: 1m
  app_count: 2
  apps_list: ${SEL_LISTS}/apps_list.txt
methods: [{name: majority}]
repeats: 2
`
	res := filepath.Join(dir, "results")
	runSelect(t, dir, res, text)
	os.Unsetenv("SEL_DATA")
	os.Setenv("SEL_LISTS", filepath.Join(dir, "moved"))
	tb := reportJSON(t, res)
	if len(tb.Rows) != 1 || tb.Rows[0].Repeats != 2 || len(tb.Notes) != 0 {
		t.Errorf("rows %+v notes %q, want one row of 2 repetitions and no note", tb.Rows, tb.Notes)
	}
}

// TestReportOutputFile checks that -o writes the table to the file and
// prints nothing, and that run --format html writes the page into the
// results folder.
func TestReportOutputFile(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "results")
	cfg := runSelect(t, dir, res, selectConfig)
	out := filepath.Join(dir, "table.md")
	stdout, err := execute(t, "report", res, "--format", "markdown", "-o", out)
	if err != nil || stdout != "" {
		t.Fatalf("report -o: %v, printed %q", err, stdout)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "| majority") {
		t.Errorf("table file (%v):\n%s", err, b)
	}
	_, stderr, err := executeErr(t, "run", cfg, "--out", res, "--no-progress", "--format", "html")
	page := filepath.Join(res, "report.html")
	if err != nil || !strings.Contains(stderr, "report: "+page) {
		t.Fatalf("run --format html: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h1>sel</h1>", "name: sel\n", "<td class=\"k\">destination-set</td>"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A missing repetition is noted on the page as under the tables.
	cells, _ := filepath.Glob(filepath.Join(res, "majority-*"+resultfmt.ResultSuffix))
	if len(cells) != 3 {
		t.Fatalf("%d majority cells", len(cells))
	}
	if err := os.Remove(cells[0]); err != nil {
		t.Fatal(err)
	}
	html, err := execute(t, "report", res, "--format", "html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, `<section id="notes">`) || !strings.Contains(html, "<li>majority: 2 of 3 repetitions") {
		t.Errorf("page does not note the missing repetition")
	}
}
