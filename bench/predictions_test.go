package bench

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"appbench/resultfmt"
)

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
		rs, err := resultfmt.ReadResults(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 4 {
			t.Fatalf("%d results", len(rs))
		}
		for _, r := range rs {
			ps, err := resultfmt.ReadPredictions(resultfmt.PredictionsPath(dir, r.ID))
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != r.Test {
				t.Errorf("%s: %d predictions for %d test samples", r.ID, len(ps), r.Test)
			}
			m, err := resultfmt.Rescore(r, ps)
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
			if r.Task == resultfmt.TaskOpen && r.Method == "destination-set" && (!r.Detects || m.Detection == nil) {
				t.Errorf("%s: detecting method without detection scores", r.ID)
			}
		}
	}
}
