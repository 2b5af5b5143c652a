package bench

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// badConfigCase is a configuration that must fail to load: DATA in text
// stands for the graph fixture's path, and the error must contain every
// string of want.
type badConfigCase struct {
	name, text string
	want       []string
}

// badConfigs lists the configuration mistakes of TestBadConfigs.
var badConfigs = []badConfigCase{
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

// TestBadConfigs checks that configuration mistakes fail at load time, with
// the file, the line and the key in the message.
func TestBadConfigs(t *testing.T) {
	data := graphFixture(t)
	for _, c := range badConfigs {
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

// errorPositionCase is a configuration whose error must point at line:col
// and key and contain want; DATA in text stands for the graph fixture's
// path.
type errorPositionCase struct {
	name, text string
	line, col  int
	key, want  string
}

// errorPositionCases lists the configuration errors of TestErrorPositions.
var errorPositionCases = []errorPositionCase{
	{"negative window", "dataset:\n  kind: synth\n  window: -2m\n  overlap: 0s\nmethods: [{name: majority}]\n",
		3, 11, "dataset.window", "must not be negative, got -2m0s"},
	{"negative overlap", "dataset:\n  kind: synth\n  window: 2m\n  overlap: -1m\nmethods: [{name: majority}]\n",
		4, 12, "dataset.overlap", "must not be negative"},
	{"overlap without window", "dataset:\n  kind: synth\n  overlap: 1m\nmethods: [{name: majority}]\n",
		3, 12, "dataset.overlap", "needs a window"},
	{"empty methods", "name: x\ndataset:\n  kind: synth\nmethods: []\n",
		4, 10, "methods", "no methods"},
	{"methods left out", "name: x\ndataset:\n  kind: synth\n",
		1, 1, "methods", "no methods"},
	{"sweep value the method rejects", `dataset: {kind: synth}
methods:
  - name: destination-set
    params:
      k: 3
sweep:
  - param: methods.destination-set.k
    values:
      - 1
      - -5
`, 10, 9, "sweep[0].values[1]", "methods.destination-set.k = -5: destination-set: k: must be at least 1 (got -5)"},
	{"base params the method rejects", `dataset: {kind: synth}
methods:
  - name: destination-set
    params:
      k: 0
sweep:
  - param: methods.destination-set.service_only
    values: [true]
`, 5, 10, "methods[0].params.k", "destination-set: k: must be at least 1 (got 0)"},
	{"param the method rejects", `dataset: {kind: synth}
methods:
  - name: appscanner
    params:
      trees: 5
      voting: loud
`, 6, 15, "methods[0].params.voting", `appscanner: voting: must be majority or soft (got "loud")`},
	{"param the method rejects for another one's value", `dataset: {kind: synth}
methods:
  - name: mappgraph
    params:
      k: 4
`, 5, 7, "methods[0].params", "mappgraph: conv2_kernel: must be at most k/pool = 4/2 = 2 (got 5)"},
	{"sweep value of the wrong type", `dataset: {kind: synth}
methods:
  - name: destination-set
    params: {k: 3}
sweep:
  - param: methods.destination-set.k
    values:
      - 1
      - x
`, 9, 9, "methods[0].params.k", "`x`"},
	{"sweep value the dataset rejects", `dataset: {kind: synth, window: 2m}
methods: [{name: majority}]
sweep:
  - param: dataset.window
    values: [1m, -1m]
`, 5, 18, "dataset.window", "must not be negative"},
	{"sweep over a method not listed", `dataset: {kind: synth}
methods:
  - name: destination-set
sweep:
  - param: methods.destination-sett.k
    values: [1, 2]
`, 5, 12, "sweep[0].param", `no method "destination-sett" in the experiment (methods: destination-set)`},
	{"sweep over a registered method not listed", `dataset: {kind: graphs, path: DATA}
methods: [{name: majority}, {name: graph-knn}]
sweep:
  - params: [methods.graph-knn.k, methods.graph-rf.trees]
    values: [[1, 10], [3, 20]]
`, 4, 35, "sweep[0].params[1]", `no method "graph-rf"`},
	{"sweep by registered name of a renamed method", `dataset: {kind: synth}
methods: [{name: destination-set, as: ds}]
sweep:
  - param: methods.destination-set.k
    values: [1, 2]
`, 4, 12, "sweep[0].param", `no method "destination-set" in the experiment (methods: ds)`},
	{"sweep over an unknown parameter", `dataset: {kind: synth}
methods: [{name: destination-set}]
sweep:
  - param: methods.destination-set.kk
    values:
      - 1
`, 6, 9, "methods[0].params.kk", "unknown key"},
	{"sweep over an unknown parameter of a method without any", `dataset: {kind: synth}
methods: [{name: majority}]
sweep:
  - param: methods.majority.k
    values: [1]
`, 5, 14, "methods[0].params.k", "unknown key"},
	{"sweep renaming a method", `dataset: {kind: synth}
methods: [{name: destination-set}]
sweep:
  - param: methods.destination-set.as
    values: [a, b]
`, 4, 12, "sweep[0].param", "cannot rename"},
	{"sweep path without a parameter", `dataset: {kind: synth}
methods: [{name: destination-set}]
sweep:
  - param: methods.destination-set
    values: [1]
`, 4, 12, "sweep[0].param", "want methods.<method>.<parameter>"},
	{"sweep labels", `dataset: {kind: synth}
methods: [{name: destination-set}]
sweep:
  - param: methods.destination-set.k
    values: [1, 2]
    labels: [one]
`, 6, 13, "sweep[0].labels", "1 labels for 2 values"},
}

// TestErrorPositions checks that each configuration error points at the
// offending node: the exact line and column, and the key.
func TestErrorPositions(t *testing.T) {
	data := graphFixture(t)
	for _, c := range errorPositionCases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.ReplaceAll(c.text, "DATA", data)
			_, err := Load("bad.yaml", t.TempDir(), []byte(text))
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *PosError", err, err)
			}
			if pe.Line != c.line || pe.Column != c.col || pe.Key != c.key || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant at %d:%d, key %q, containing %q", err, c.line, c.col, c.key, c.want)
			}
			if prefix := fmt.Sprintf("bad.yaml:%d:%d: ", c.line, c.col); !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
		})
	}
}

// TestExplicitZeros checks that a key given as 0 (or an empty list), where
// leaving it out means a default, is an error naming the value at its
// node, while leaving the keys out still gives the defaults.
func TestExplicitZeros(t *testing.T) {
	data := graphFixture(t)
	synth := "dataset:\n  kind: synth\n%smethods: [{name: majority}]\n"
	cases := []struct {
		name, text string
		line, col  int
		key, want  string
	}{
		{"repeats", "repeats: 0\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", 1, 10, "repeats", "must be at least 1, got 0"},
		{"negative repeats", "repeats: -2\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", 1, 10, "repeats", "got -2"},
		{"workers", "workers: 0\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", 1, 10, "workers", "got 0"},
		{"negative workers", "workers: -1\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", 1, 10, "workers", "got -1"},
		{"method_workers", "method_workers: 0\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", 1, 17, "method_workers", "got 0"},
		{"empty seeds", "seeds: []\ndataset: {kind: synth}\nmethods: [{name: majority}]\n", 1, 8, "seeds", "empty list"},
		{"test_fraction", fmt.Sprintf(synth, "  test_fraction: 0\n"), 3, 18, "dataset.test_fraction", "must be in (0, 1), got 0"},
		{"test_fraction 1", fmt.Sprintf(synth, "  test_fraction: 1\n"), 3, 18, "dataset.test_fraction", "got 1"},
		{"min_packets", fmt.Sprintf(synth, "  min_packets: 0\n"), 3, 16, "dataset.min_packets", "got 0"},
		{"split seed", fmt.Sprintf(synth, "  seed: 0\n"), 3, 9, "dataset.seed", "0 is not a split seed"},
		{"app_count", fmt.Sprintf(synth, "  app_count: 0\n"), 3, 14, "dataset.app_count", "got 0"},
		{"unseen_fraction", "dataset: {kind: synth}\ntask:\n  kind: open\n  unseen_fraction: 0\nmethods: [{name: majority}]\n",
			4, 20, "task.unseen_fraction", "must be in (0, 1), got 0"},
		{"unseen_fraction in the closed world", "dataset: {kind: synth}\ntask:\n  unseen_fraction: 0\nmethods: [{name: majority}]\n",
			3, 20, "task.unseen_fraction", "only apply to task kind open"},
		{"nodes", fmt.Sprintf("dataset:\n  kind: graphs\n  path: %s\n  nodes: 0\nmethods: [{name: majority}]\n", data),
			4, 10, "dataset.nodes", "got 0"},
		{"slice", fmt.Sprintf("dataset:\n  kind: graphs\n  path: %s\n  slice: 0s\nmethods: [{name: majority}]\n", data),
			4, 10, "dataset.slice", "positive whole number of seconds, got 0s"},
		{"nodes for packets", fmt.Sprintf(synth, "  nodes: 0\n"), 3, 10, "dataset.nodes", "only apply to graphs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("bad.yaml", t.TempDir(), []byte(c.text))
			var pe *PosError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *PosError", err, err)
			}
			if pe.Line != c.line || pe.Column != c.col || pe.Key != c.key || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant at %d:%d, key %q, containing %q", err, c.line, c.col, c.key, c.want)
			}
		})
	}
	x, err := Load("ok.yaml", t.TempDir(), []byte("dataset: {kind: synth}\ntask: {kind: open}\nmethods: [{name: majority}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := x.Config
	if c.Repeats != 1 || c.Workers != 1 || c.MethodWorkers != 1 || c.Seed != 1 ||
		c.Dataset.TestFraction != 0.2 || c.Dataset.MinPackets != 1 || c.Task.UnseenFraction != 0.2 {
		t.Errorf("defaults not filled in: %+v", c)
	}
	g, err := Load("ok.yaml", t.TempDir(), []byte(fmt.Sprintf("dataset: {kind: graphs, path: %s}\nmethods: [{name: majority}]\n", data)))
	if err != nil {
		t.Fatal(err)
	}
	if g.Config.Dataset.Nodes != 20 || g.Config.Dataset.Slice != 10*time.Second {
		t.Errorf("graph set defaults: nodes %d, slice %v", g.Config.Dataset.Nodes, g.Config.Dataset.Slice)
	}
}

// TestEmptyFile checks that a file without a document is reported as
// empty, not as an end of file, and that syntax errors carry their line.
func TestEmptyFile(t *testing.T) {
	for _, text := range []string{"", "\n\n", "# only a comment\n", "---\n", "~\n"} {
		_, err := Load("empty.yaml", t.TempDir(), []byte(text))
		if err == nil || err.Error() != "empty.yaml: empty experiment file" {
			t.Errorf("%q: error %v, want \"empty.yaml: empty experiment file\"", text, err)
		}
	}
	if _, err := Load("list.yaml", t.TempDir(), []byte("- a\n")); err == nil || !strings.Contains(err.Error(), "list.yaml:1:1: expected a mapping") {
		t.Errorf("a list: %v", err)
	}
	_, err := Load("syntax.yaml", t.TempDir(), []byte("name: x\ndataset:\n  kind: synth\n    window: 1m\n"))
	if err == nil || err.Error() != "syntax.yaml:4: mapping values are not allowed in this context" {
		t.Errorf("a syntax error: %v, want it at syntax.yaml:4", err)
	}
}
