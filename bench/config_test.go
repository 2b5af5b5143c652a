package bench

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestBadConfigs checks that configuration mistakes fail at load time, with
// the file, the line and the key in the message.
func TestBadConfigs(t *testing.T) {
	data := graphFixture(t)
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown method", `dataset: {kind: graphs, path: DATA}
methods:
  - name: nosuch
`, []string{"bad.yaml:3:", `"methods[0].name"`, `unknown method "nosuch"`, "majority"}},
		{"unknown parameter", `dataset: {kind: graphs, path: DATA}
methods:
  - name: destination-set
    params:
      k: 3
      kk: 4
`, []string{"bad.yaml:6:", `"methods[0].params.kk"`, "unknown key", "service_only"}},
		{"wrong type", `dataset: {kind: graphs, path: DATA}
methods:
  - name: destination-set
    params:
      k: three
`, []string{"bad.yaml:5:", `"methods[0].params.k"`, "three"}},
		{"missing dataset", `dataset:
  kind: graphs
  path: /nonexistent/appbench/data
methods: [{name: majority}]
`, []string{"bad.yaml:3:", `"dataset.path"`, "not found"}},
		{"unset variable", `dataset:
  kind: corpus
  path: ${APPBENCH_TEST_UNSET_VAR}/x
methods: [{name: majority}]
`, []string{"bad.yaml:3:", `"dataset.path"`, "APPBENCH_TEST_UNSET_VAR is not set"}},
		{"unknown top-level key", `dataset: {kind: graphs, path: DATA}
methods: [{name: majority}]
repeat: 3
`, []string{"bad.yaml:3:", `"repeat"`, "unknown key", "repeats"}},
		{"wrong type in harness", `dataset: {kind: graphs, path: DATA}
methods: [{name: majority}]
repeats: many
`, []string{"bad.yaml:3:", `"repeats"`, "many"}},
		{"bad duration", `dataset:
  kind: synth
  window: 5 minutes
methods: [{name: majority}]
`, []string{"bad.yaml:3:", `"dataset.window"`}},
		{"parameters for a method without any", `dataset: {kind: graphs, path: DATA}
methods:
  - name: majority
    params: {k: 1}
`, []string{"bad.yaml:4:", `"methods[0].params.k"`, "unknown key"}},
		{"bad sweep value", `dataset: {kind: graphs, path: DATA}
methods: [{name: destination-set}]
sweep:
  - param: methods.destination-set.k
    values: [1, x]
`, []string{"bad.yaml:5:", `"methods[0].params.k"`}},
		{"unknown synth key", `dataset:
  kind: synth
  synth:
    appz: 3
methods: [{name: majority}]
`, []string{"bad.yaml:4:", `"dataset.synth.appz"`, "unknown key"}},
		{"overlap not below window", `dataset: {kind: synth, window: 1m, overlap: 1m}
methods: [{name: majority}]
`, []string{"bad.yaml:1:", `"dataset.overlap"`}},
		{"no methods", `dataset: {kind: synth}
`, []string{"bad.yaml", `"methods"`}},
		{"bad yaml", "dataset: [\n", []string{"bad.yaml"}},
		{"unknown on_damage", `dataset:
  kind: corpus
  path: DATA
  on_damage: skip
methods: [{name: majority}]
`, []string{"bad.yaml:4:", `"dataset.on_damage"`, `unknown value "skip" (error or keep)`}},
		{"strict synth", `dataset:
  kind: synth
  strict: true
methods: [{name: majority}]
`, []string{"bad.yaml:3:", `"dataset.strict"`, "only a corpus dataset"}},
		{"on_damage graphs", `dataset:
  kind: graphs
  path: DATA
  on_damage: keep
methods: [{name: majority}]
`, []string{"bad.yaml:4:", `"dataset.on_damage"`, "only a corpus dataset"}},
		{"name with a slash", "name: a/b\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", []string{"bad.yaml:1:", `"name"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.ReplaceAll(c.text, "DATA", data)
			_, err := Load("bad.yaml", t.TempDir(), []byte(text))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			t.Log(err)
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *PosError", err)
			}
		})
	}
}

func TestDuplicateMethodNeedsAs(t *testing.T) {
	text := fmt.Sprintf(`dataset: {kind: graphs, path: %s}
methods: [{name: majority}, {name: majority}]
`, graphFixture(t))
	_, err := Load("dup.yaml", t.TempDir(), []byte(text))
	if err == nil || !strings.Contains(err.Error(), `"as"`) {
		t.Fatalf("error %v", err)
	}
}
