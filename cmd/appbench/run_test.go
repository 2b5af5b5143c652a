package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"appbench/bench"
	"appbench/configs"
	"appbench/reports"
	"appbench/resultfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/e2e")

// checkRendered checks the shape of a rendered table: every method named,
// rows data rows, and a well-formed document for each format.
func checkRendered(t *testing.T, format, got string, methods []string, rows int) {
	t.Helper()
	for _, m := range methods {
		if !strings.Contains(got, m) {
			t.Errorf("%s table lacks %s:\n%s", format, m, got)
		}
	}
	switch format {
	case "csv":
		recs, err := csv.NewReader(strings.NewReader(got)).ReadAll()
		if err != nil || len(recs) != rows+1 {
			t.Errorf("csv: %d records (%v), want %d", len(recs), err, rows+1)
		}
	case "json":
		var tb reports.Table
		if err := json.Unmarshal([]byte(got), &tb); err != nil || len(tb.Rows) != rows {
			t.Errorf("json: %v, %d rows, want %d", err, len(tb.Rows), rows)
		}
	case "latex":
		if !strings.Contains(got, `\begin{tabular}`) || !strings.Contains(got, `\end{tabular}`) || strings.Count(got, `\\`) != rows+1 {
			t.Errorf("latex: not a tabular with %d rows:\n%s", rows, got)
		}
	case "markdown":
		if strings.Count(got, "\n|") != rows+2 {
			t.Errorf("markdown: want header, rule and %d rows:\n%s", rows, got)
		}
	case "text":
		if !strings.Contains(got, "┌") || !strings.Contains(got, "┘") {
			t.Errorf("text: no box table:\n%s", got)
		}
	}
}

// e2eConfig is a small synthetic experiment: baselines and AppScanner on 4
// apps, swept over the k of destination-set, two repetitions.
const e2eConfig = `name: e2e
dataset:
  kind: synth
  synth: {apps: 4, captures_per_app: 3, duration: 4m, seed: 7}
  window: 1m
methods:
  - name: majority
  - name: destination-set
  - name: appscanner
    params: {trees: 10}
sweep:
  - param: methods.destination-set.k
    values: [1, 3]
repeats: 2
workers: 2
`

func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, _, err := executeErr(t, args...)
	return out, err
}

// TestEndToEnd runs a synthetic experiment from the command line, then
// reports its result folder in every format (checked for shape here; the
// golden comparison of rendered tables is TestReportGolden, on a corpus
// that does not change with the synthetic generator), writes the plots,
// resumes, shards and dry-runs.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "e2e.yaml")
	if err := os.WriteFile(cfg, []byte(e2eConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "results")
	out, err := execute(t, "run", cfg, "--out", res, "--no-progress", "--format", "text")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"majority", "destination-set", "appscanner", "Accuracy"} {
		if !strings.Contains(out, m) {
			t.Errorf("run output lacks %q:\n%s", m, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(res, "*"+resultfmt.ResultSuffix))
	if len(files) != 8 {
		t.Fatalf("%d result files, want 8 (majority 2, destination-set 2x2, appscanner 2)", len(files))
	}
	plots := filepath.Join(dir, "plots")
	for _, f := range reports.Formats {
		args := []string{"report", res, "--format", f}
		if f == "text" {
			args = append(args, "--plots", plots)
		}
		got, err := execute(t, args...)
		if err != nil {
			t.Fatalf("report --format %s: %v", f, err)
		}
		checkRendered(t, f, got, []string{"majority", "destination-set", "appscanner"}, 4)
	}
	for _, p := range []string{"sweep_methods.destination-set.k_accuracy.png", "sweep_methods.destination-set.k_macro_f1.svg",
		"confusion_majority.png", "confusion_destination-set_3.svg"} {
		if st, err := os.Stat(filepath.Join(plots, p)); err != nil || st.Size() == 0 {
			t.Errorf("plot %s: %v", p, err)
		}
	}
	// A second run finds every cell done and runs nothing.
	_, stderr, err := executeErr(t, "run", cfg, "--out", res, "--no-progress")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "8 already done, 0 run") {
		t.Errorf("second run: %s", stderr)
	}
	perApp, err := execute(t, "report", res, "--per-class", "--format", "csv")
	if err != nil || strings.Count(perApp, "\n") != 1+4*4 {
		t.Errorf("per-class report (%v): want a header and 4 methods x 4 apps rows:\n%s", err, perApp)
	}
	// Three shards into another folder merge into the same table.
	sharded := filepath.Join(dir, "sharded")
	for i := 0; i < 3; i++ {
		if _, err := execute(t, "run", cfg, "--out", sharded, "--no-progress", "--shard", fmt.Sprintf("%d/3", i)); err != nil {
			t.Fatalf("shard %d/3: %v", i, err)
		}
	}
	metrics := "accuracy,macro_f1,weighted_f1,train,test"
	whole, err1 := execute(t, "report", res, "--format", "csv", "--metrics", metrics)
	merged, err2 := execute(t, "report", sharded, "--format", "csv", "--metrics", metrics)
	if err1 != nil || err2 != nil || whole != merged {
		t.Errorf("merged shards (%v):\n%s\nwhole run (%v):\n%s", err2, merged, err1, whole)
	}
	// --dry-run lists the cells as done.
	dry, err := execute(t, "run", cfg, "--out", res, "--dry-run")
	if err != nil || strings.Count(dry, "\ndone ") != 8 {
		t.Errorf("dry run (%v):\n%s", err, dry)
	}
}

func TestRunBadConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	text := "dataset: {kind: synth}\nmethods:\n  - name: majority\n  - name: destination-set\n    params: {k: 2, kay: 3}\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := execute(t, "run", cfg, "--out", filepath.Join(dir, "r"), "--no-progress")
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:5:") || !strings.Contains(err.Error(), "kay") {
		t.Fatalf("error %v, want one naming bad.yaml:5 and kay", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "r")); err == nil {
		t.Error("a bad config created the results folder")
	}
}

// TestEmbeddedConfigs loads every shipped experiment file. Those that need
// a dataset are loaded with their variable pointing at an empty folder and
// must fail on the dataset path only.
func TestEmbeddedConfigs(t *testing.T) {
	ents, err := configs.Files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, _ := configs.Files.ReadFile(e.Name())
		_, err := bench.Load(e.Name(), t.TempDir(), b)
		if e.Name() == configs.DefaultName {
			if err != nil {
				t.Errorf("%s: %v", e.Name(), err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), `"dataset.path"`) {
			t.Errorf("%s without data: %v, want a dataset.path error", e.Name(), err)
		}
	}
}

// TestDefaultExperiment runs the built-in default experiment and checks it
// stays under two minutes. It takes about a minute, so it runs only with
// APPBENCH_LONG=1.
func TestDefaultExperiment(t *testing.T) {
	if os.Getenv("APPBENCH_LONG") == "" {
		t.Skip("set APPBENCH_LONG=1 to run the default experiment")
	}
	start := time.Now()
	var out bytes.Buffer
	if err := runExperiment(context.Background(), &out, os.Stderr, nil, &runFlags{out: t.TempDir(), noProgress: true, format: "text"}); err != nil {
		t.Fatal(err)
	}
	t.Logf("default experiment in %v:\n%s", time.Since(start), out.String())
	if d := time.Since(start); d > 2*time.Minute {
		t.Errorf("default experiment took %v, want under 2 minutes", d)
	}
}

// TestRunPrintsDatasetNotes: a file the corpus skips is told once on
// stderr, however many cells load the dataset.
func TestRunPrintsDatasetNotes(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "corpus"))
	var app string
	if ents, err := os.ReadDir(filepath.Join(dir, "corpus")); err != nil || len(ents) == 0 {
		t.Fatal(err)
	} else {
		app = ents[0].Name()
	}
	if err := os.WriteFile(filepath.Join(dir, "corpus", app, "empty.pcap"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "notes.yaml")
	text := "dataset: {kind: corpus, path: corpus, window: 1m, overlap: 30s}\nmethods: [{name: majority}, {name: destination-set}]\nrepeats: 2\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := executeErr(t, "run", cfg, "--out", filepath.Join(dir, "r"), "--no-progress")
	if err != nil {
		t.Fatal(err)
	}
	note := "note: skipped " + filepath.Join(dir, "corpus", app, "empty.pcap") + ": empty file\n"
	if strings.Count(stderr, note) != 1 {
		t.Errorf("stderr does not tell %q once:\n%s", note, stderr)
	}
}

// TestRunPrintsMethodNotes checks that the chunks a graph method skips for
// IPv6 destinations are noted once at the end of a run without -v, and
// stored in the cell files.
func TestRunPrintsMethodNotes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "v6.yaml")
	text := `name: v6
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 2, duration: 3m, seed: 7, ipv6_captures: 0.5}
  window: 1m
methods: [{name: graph-knn}]
repeats: 2
`
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	res := filepath.Join(dir, "r")
	f := &runFlags{out: res, noProgress: true, format: "csv"}
	if err := runExperiment(context.Background(), &bytes.Buffer{}, &stderr, []string{cfg}, f); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^note: graph-knn: skipped [1-9][0-9]* of [0-9]+ chunks with IPv6 destinations \(MAppGraph's graph builder parses IPv4 octets\)( \(2 cells\))?$`)
	if n := len(re.FindAllString(stderr.String(), -1)); n == 0 {
		t.Errorf("no IPv6 note:\n%s", stderr.String())
	}
	rs, err := resultfmt.ReadResults(res)
	if err != nil || len(rs) != 2 || len(rs[0].MethodNotes) != 1 {
		t.Fatalf("results (%v): %+v", err, rs)
	}
}
