package bench

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func samePrediction(a, b SamplePrediction) bool {
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	return a.Capture == b.Capture && a.Chunk == b.Chunk && same(a.Start, b.Start) && same(a.Stop, b.Stop) &&
		a.Truth == b.Truth && a.Predicted == b.Predicted && same(a.Score, b.Score) && a.Unknown == b.Unknown
}

func TestPredictionsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ps := []SamplePrediction{
		{Capture: "a/x, \"quoted\".pcap", Chunk: 3, Start: 1700000000.123456789, Stop: 1700000030.1, Truth: "a", Predicted: "b", Score: 0.1 + 0.2, Unknown: true},
		{Capture: "b/test/7", Chunk: 7, Start: math.NaN(), Stop: math.NaN(), Truth: "b", Predicted: "b", Score: math.Inf(-1)},
		{Capture: "c/y.pcap", Chunk: 1, Start: 0, Stop: 1e-300, Truth: "c", Predicted: "", Score: math.NaN()},
	}
	if err := WritePredictions(dir, "cell-1", ps); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPredictions(PredictionsPath(dir, "cell-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ps) {
		t.Fatalf("%d rows back, want %d", len(got), len(ps))
	}
	for i := range ps {
		if !samePrediction(got[i], ps[i]) {
			t.Errorf("row %d: %+v, want %+v", i, got[i], ps[i])
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("%d files in the folder, want only the predictions file", len(ents))
	}
}

func TestReadPredictionsErrors(t *testing.T) {
	dir := t.TempDir()
	for name, tc := range map[string]struct{ text, want string }{
		"header": {"capture,chunk\n", ":1: not a predictions file"},
		"chunk":  {strings.Join(predictionsHeader, ",") + "\na,x,1,2,a,a,0.5,false\n", ":2: chunk \"x\""},
		"flag":   {strings.Join(predictionsHeader, ",") + "\na,1,1,2,a,a,0.5,false\na,2,1,2,a,a,0.5,maybe\n", ":3: unknown \"maybe\""},
		"fields": {strings.Join(predictionsHeader, ",") + "\na,1,1,2\n", "wrong number of fields"},
	} {
		p := filepath.Join(dir, name+".csv")
		os.WriteFile(p, []byte(tc.text), 0o644)
		_, err := ReadPredictions(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming %s with %q", name, err, p, tc.want)
		}
	}
}

const rescoreConfig = `name: rescore
dataset:
  kind: synth
  synth: {apps: 5, captures_per_app: 4, duration: 2m}
  window: 30s
  split: capture
task:
  kind: open
  unseen_fraction: 0.2
methods:
  - name: majority
  - name: destination-set
    params: {k: 1, unknown_threshold: 0.3}
repeats: 2
`

func TestPredictionsRescoreExactly(t *testing.T) {
	for _, text := range []string{rescoreConfig, strings.Replace(strings.Replace(rescoreConfig, "kind: open", "kind: closed", 1), "  unseen_fraction: 0.2\n", "", 1)} {
		x := loadFixture(t, text)
		dir := t.TempDir()
		if _, err := Run(context.Background(), x, Options{Dir: dir}); err != nil {
			t.Fatal(err)
		}
		rs, err := ReadResults(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 4 {
			t.Fatalf("%d results", len(rs))
		}
		for _, r := range rs {
			ps, err := ReadPredictions(PredictionsPath(dir, r.ID))
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != r.Test {
				t.Errorf("%s: %d predictions for %d test samples", r.ID, len(ps), r.Test)
			}
			m, err := Rescore(r, ps)
			if err != nil {
				t.Fatal(err)
			}
			if m.CaptureAccuracy == nil || *m.CaptureAccuracy < 0 || *m.CaptureAccuracy > 1 {
				t.Errorf("%s: capture accuracy %v", r.ID, m.CaptureAccuracy)
			}
			m.CaptureAccuracy = nil
			if !reflect.DeepEqual(m, r.Metrics) {
				t.Errorf("%s (%s, %s): recomputed metrics differ:\n%+v\nstored:\n%+v", r.ID, r.Task, r.Method, m, r.Metrics)
			}
			if r.Task == TaskOpen && r.Method == "destination-set" && (!r.Detects || m.Detection == nil) {
				t.Errorf("%s: detecting method without detection scores", r.ID)
			}
		}
	}
}
