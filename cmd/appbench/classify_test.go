package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"appbench/bench"
	"appbench/resultfmt"
)

// trainSaved writes a synthetic corpus with "appbench synth", runs an
// experiment on it with --save-models and returns the corpus folder, the
// results folder and the cells' result files.
func trainSaved(t *testing.T) (corpus, res string, results []*resultfmt.Result) {
	t.Helper()
	dir := t.TempDir()
	corpus, res = filepath.Join(dir, "corpus"), filepath.Join(dir, "res")
	synth := newSynthCmd()
	synth.SetOut(&bytes.Buffer{})
	cfgSynth := filepath.Join(dir, "synth.yaml")
	if err := os.WriteFile(cfgSynth, []byte("duration: 3m\nnoise: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	synth.SetArgs([]string{"-o", corpus, "--config", cfgSynth, "--apps", "3", "--captures", "3", "--seed", "5"})
	if err := synth.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "exp.yaml")
	exp := `name: saved
dataset: {kind: corpus, path: corpus, window: 30s, overlap: 10s, split: capture, test_fraction: 0.34}
methods:
  - name: destination-set
  - name: appscanner
    params: {trees: 5}
  - name: flowprint
  - name: graph-knn
  - name: mappgraph
    params: {epochs: 2}
`
	if err := os.WriteFile(cfg, []byte(exp), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := executeErr(t, "run", cfg, "--no-progress", "--out", res, "--save-models"); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(res, "*"+resultfmt.ResultSuffix))
	for _, f := range files {
		r, err := resultfmt.ReadResult(f)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	if len(results) != 5 {
		t.Fatalf("%d results, want 5", len(results))
	}
	return corpus, res, results
}

// TestClassifyMatchesCellPredictions trains on a synthetic corpus with
// --save-models and classifies a capture the cells tested: each model
// predicts what its cell predicted for every chunk of the capture.
func TestClassifyMatchesCellPredictions(t *testing.T) {
	corpus, res, results := trainSaved(t)
	for _, r := range results {
		preds, err := resultfmt.ReadPredictions(resultfmt.PredictionsPath(res, r.ID))
		if err != nil {
			t.Fatal(err)
		}
		capture := preds[0].Capture
		want := map[int]string{}
		for _, p := range preds {
			if p.Capture == capture {
				want[p.Chunk] = p.Predicted + "," + strconv.FormatBool(p.Unknown)
			}
		}
		out, stderr, err := executeErr(t, "classify", "--model", bench.ModelPath(res, r.ID), "--format", "csv", filepath.Join(corpus, capture))
		if err != nil {
			t.Fatalf("%s: classify: %v\n%s", r.Method, err, stderr)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "capture,chunk,start,stop,label,score,unknown" {
			t.Fatalf("%s: output %q (%v)", r.Method, out, err)
		}
		if len(rows)-1 != len(want) {
			t.Errorf("%s: %d chunks classified, the cell tested %d of %s", r.Method, len(rows)-1, len(want), capture)
		}
		for _, row := range rows[1:] {
			chunk, _ := strconv.Atoi(row[1])
			if got, ok := want[chunk]; !ok || got != row[4]+","+row[6] {
				t.Errorf("%s: %s chunk %d: classify says %q (unknown %s), the cell predicted %q", r.Method, capture, chunk, row[4], row[6], got)
			}
		}
	}
	// The other formats carry the same rows.
	model := bench.ModelPath(res, results[0].ID)
	capture := filepath.Join(corpus, firstCapture(t, res, results[0].ID))
	js, _, err := executeErr(t, "classify", "--model", model, "--format", "json", capture)
	var rows []map[string]any
	if err != nil || json.Unmarshal([]byte(js), &rows) != nil || len(rows) == 0 || rows[0]["label"] == "" {
		t.Errorf("json: %v\n%s", err, js)
	}
	text, _, err := executeErr(t, "classify", "--model", model, "--window", "1m", capture)
	if err != nil || !strings.HasPrefix(text, "capture") || strings.Count(text, "\n") < 2 {
		t.Errorf("text with --window 1m: %v\n%s", err, text)
	}
}

func firstCapture(t *testing.T, res, id string) string {
	t.Helper()
	preds, err := resultfmt.ReadPredictions(resultfmt.PredictionsPath(res, id))
	if err != nil {
		t.Fatal(err)
	}
	return preds[0].Capture
}

// TestClassifyBadModels checks that a bad model file is an error naming
// the file and the problem.
func TestClassifyBadModels(t *testing.T) {
	corpus, res, results := trainSaved(t)
	good, err := os.ReadFile(bench.ModelPath(res, results[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := bytes.Cut(good, []byte("\n"))
	var h map[string]any
	if err := json.Unmarshal(head, &h); err != nil {
		t.Fatal(err)
	}
	edit := func(k string, v any) []byte {
		c := map[string]any{}
		for kk, vv := range h {
			c[kk] = vv
		}
		c[k] = v
		b, _ := json.Marshal(c)
		return append(append(b, '\n'), body...)
	}
	capture := filepath.Join(corpus, firstCapture(t, res, results[0].ID))
	dir := t.TempDir()
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "not a model file"},
		{"garbage", []byte("hello\nworld\n"), "not a model file"},
		{"format", edit("format", 99), "format 99, but this program reads format 1"},
		{"method", edit("method", "no-such-method"), `unknown method "no-such-method"`},
		{"params", edit("params", "nosuchkey: 1\n"), "params of"},
		{"key", edit("feature_key", "other/v0"), `feature key "other/v0"`},
		{"body", append(append([]byte(nil), head...), "\n{broken"...), "line 2"},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".model")
		if err := os.WriteFile(p, c.content, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := executeErr(t, "classify", "--model", p, capture)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", c.name, err, p, c.want)
		}
	}
	// A header longer than a default read buffer (many apps) reads.
	many := make([]string, 400)
	for i := range many {
		many[i] = fmt.Sprintf("some.rather.long.app.name.%03d", i)
	}
	long := filepath.Join(dir, "long.model")
	if err := os.WriteFile(long, edit("labels", many), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := executeErr(t, "classify", "--model", long, capture); err != nil {
		t.Errorf("model with a long header: %v", err)
	}
	for _, args := range [][]string{
		{"classify", capture},
		{"classify", "--model", filepath.Join(dir, "missing.model"), capture},
		{"classify", "--model", bench.ModelPath(res, results[0].ID), "--format", "xml", capture},
		{"classify", "--model", bench.ModelPath(res, results[0].ID), "--window", "10s", "--overlap", "10s", capture},
		{"classify", "--model", bench.ModelPath(res, results[0].ID), filepath.Join(dir, "missing.pcap")},
	} {
		if _, _, err := executeErr(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
