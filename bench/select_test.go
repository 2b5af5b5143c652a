package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"appbench/resultfmt"
)

// TestLoadNoData expands an experiment whose data path and apps list name
// an unset variable: the cells are those of a normal load.
func TestLoadNoData(t *testing.T) {
	data := graphFixture(t)
	list := filepath.Join(data, "apps_list.txt")
	if err := os.WriteFile(list, []byte("List of 2 apps: 'alpha', 'bravo'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := []byte(`dataset: {kind: graphs, path: "${NODATA_ROOT}", app_count: 2, apps_list: "${NODATA_ROOT}/apps_list.txt"}
methods: [{name: majority}, {name: destination-set}]
sweep: [{param: methods.destination-set.k, values: [1, 2]}]
repeats: 2
`)
	t.Setenv("NODATA_ROOT", data)
	x, err := Load("x.yaml", t.TempDir(), text)
	if err != nil {
		t.Fatal(err)
	}
	os.Unsetenv("NODATA_ROOT")
	if _, err := Load("x.yaml", t.TempDir(), text); err == nil {
		t.Fatal("a normal load without the variable succeeded")
	}
	y, err := LoadWith("copy.experiment.yaml", t.TempDir(), text, LoadOptions{NoData: true, Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if y.Config.Name != "x" || len(y.Cells) != len(x.Cells) {
		t.Fatalf("name %q, %d cells, want x and %d", y.Config.Name, len(y.Cells), len(x.Cells))
	}
	for i := range x.Cells {
		if x.Cells[i].ID != y.Cells[i].ID || x.Cells[i].Hash != y.Cells[i].Hash {
			t.Errorf("cell %d: %s without data, %s with", i, y.Cells[i].ID, x.Cells[i].ID)
		}
	}
}

func TestShardsPresent(t *testing.T) {
	cells := make([]*Cell, 21)
	for i := range cells {
		cells[i] = &Cell{ID: fmt.Sprint(i), Index: i}
	}
	have := func(keep func(i int) bool) map[string]bool {
		m := make(map[string]bool)
		for i := range cells {
			if keep(i) {
				m[fmt.Sprint(i)] = true
			}
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		keep   func(int) bool
		n      int
		shards []int
	}{
		{"shard 1/3", func(i int) bool { return i%3 == 1 }, 3, []int{1}},
		{"shards 0/4 and 2/4", func(i int) bool { return i%4 == 0 || i%4 == 2 }, 2, []int{0}},
		{"prefix", func(i int) bool { return i < 9 }, 0, nil},
		{"shard with a gap", func(i int) bool { return i%3 == 1 && i != 7 }, 0, nil},
	} {
		n, shards := shardsPresent(cells, have(tc.keep))
		if n != tc.n || !reflect.DeepEqual(shards, tc.shards) {
			t.Errorf("%s: shards %v of %d, want %v of %d", tc.name, shards, n, tc.shards, tc.n)
		}
	}
}

// TestSelect runs an experiment, edits a parameter and runs it again into
// the same folder: Select keeps the current results and names the stale
// ones.
func TestSelect(t *testing.T) {
	data := graphFixture(t)
	text := "dataset: {kind: graphs, path: %s}\nmethods: [{name: majority}, {name: destination-set, params: {k: %d}}]\nrepeats: 2\n"
	dir := t.TempDir()
	for _, k := range []int{1, 2} {
		x := loadFixture(t, fmt.Sprintf(text, data, k))
		if _, err := Run(t.Context(), x, Options{Dir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := resultfmt.ReadResults(dir)
	if err != nil || len(rs) != 6 {
		t.Fatalf("%d results (%v), want 6", len(rs), err)
	}
	s, err := Select(dir, rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Results) != 4 || len(s.Stale) != 2 || len(s.Expected) != 4 {
		t.Fatalf("%d current, %d stale, %d expected; want 4, 2, 4", len(s.Results), len(s.Stale), len(s.Expected))
	}
	for _, r := range s.Stale {
		if r.Method != "destination-set" || !strings.Contains(strings.Join(s.Notes, "\n"), r.ID+resultfmt.ResultSuffix) {
			t.Errorf("stale %s not named in %q", r.ID, s.Notes)
		}
	}
	if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "2 cells from an earlier version of the experiment ignored") {
		t.Errorf("notes %q", s.Notes)
	}
}
