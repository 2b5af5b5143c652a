package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pythonWith returns a Python 3 that imports every module, or skips t.
func pythonWith(t *testing.T, modules ...string) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return py
		}
	}
	t.Skipf("no python3 with %s installed (Debian: apt-get install python3-sklearn python3-pandas): skipping", strings.Join(modules, ", "))
	return ""
}

var wroteLine = regexp.MustCompile(`wrote (\d+) rows × (\d+) columns \(([a-z]+), (\d+) samples, (\d+) without rows\)`)

// TestFeaturesExport exports each kind of the synthetic corpus and reads
// it back: as many rows and columns as the command reports, every row
// naming a sample, the graph edges beside the nodes; with pandas when it
// is installed.
func TestFeaturesExport(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"appscanner", "graph", "destinations", "flows"} {
		t.Run(kind, func(t *testing.T) {
			out := filepath.Join(dir, kind+".csv")
			_, stderr, err := executeErr(t, "features", "--synth", "--kind", kind, "--window", "2m", "--overlap", "1m", "-o", out)
			if err != nil {
				t.Fatal(err)
			}
			m := wroteLine.FindStringSubmatch(stderr)
			if m == nil || m[3] != kind {
				t.Fatalf("report %q", stderr)
			}
			rows, _ := strconv.Atoi(m[1])
			cols, _ := strconv.Atoi(m[2])
			recs := readCSV(t, out)
			if len(recs)-1 != rows || len(recs[0]) != cols || rows == 0 {
				t.Fatalf("%d rows × %d columns, reported %s × %s", len(recs)-1, len(recs[0]), m[1], m[2])
			}
			if strings.Join(recs[0][:6], ",") != "id,label,capture,chunk,start,stop" {
				t.Errorf("header %v", recs[0])
			}
			if kind == "graph" {
				edges := readCSV(t, filepath.Join(dir, "graph.edges.csv"))
				if len(edges) < 2 || strings.Join(edges[0], ",") != "id,source,target,weight" {
					t.Errorf("edges %v", edges[:min(2, len(edges))])
				}
			}
			checkPandas(t, out, rows, cols)
		})
	}
}

// checkPandas reads a CSV with pandas and compares its shape.
func checkPandas(t *testing.T, path string, rows, cols int) {
	t.Helper()
	py := pythonWith(t, "pandas")
	b, err := exec.Command(py, "testdata/read_features.py", path).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var r, c, ids int
	if _, err := fmt.Sscan(string(b), &r, &c, &ids); err != nil || r != rows || c != cols {
		t.Errorf("pandas reads %q, want %d rows × %d columns", b, rows, cols)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestFeaturesOfExperimentMethod exports the features of an experiment's
// method with its own parameters (a burst gap changes the flows).
func TestFeaturesOfExperimentMethod(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "x.yaml")
	src := `name: x
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 2, duration: 4m, seed: 3}
  window: 1m
methods:
  - name: appscanner
  - name: appscanner
    as: wide
    params: {burst_gap: 5}
`
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, m := range []string{"appscanner", "wide"} {
		out := filepath.Join(dir, m+".csv")
		if _, _, err := executeErr(t, "features", cfg, "--method", m, "-o", out); err != nil {
			t.Fatal(err)
		}
		n[m] = len(readCSV(t, out))
	}
	if n["wide"] >= n["appscanner"] {
		t.Errorf("a wider burst gap gives %d rows, the default %d", n["wide"], n["appscanner"])
	}
	_, _, err := executeErr(t, "features", cfg, "--method", "nosuch", "-o", filepath.Join(dir, "n.csv"))
	if err == nil || !strings.Contains(err.Error(), `no method "nosuch" (methods: [appscanner wide])`) {
		t.Errorf("error %v", err)
	}
}

// TestFeaturesFlagsCheckedFirst checks that bad flags fail before any
// work and write nothing.
func TestFeaturesFlagsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "f.csv")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--synth", "--kind", "graph"}, "output file is required"},
		{[]string{"--synth", "--kind", "graph", "-o", filepath.Join(dir, "f.txt")}, "want a .csv or .parquet file"},
		{[]string{"--synth", "--kind", "nodes", "-o", filepath.Join(dir, "f.parquet")}, `--kind "nodes"`},
		{[]string{"--synth", "--kind", "nodes", "-o", out}, `--kind "nodes"`},
		{[]string{"--kind", "graph", "-o", out}, "either a corpus or --synth"},
		{[]string{"--synth", "--kind", "graph", "--window", "1m", "--overlap", "1m", "-o", out}, "want 0 <= overlap < window"},
		{[]string{"x.yaml", "-o", out}, "needs --method"},
		{[]string{"x.yaml", "--method", "m", "--kind", "graph", "-o", out}, "--kind does not apply"},
		{[]string{"--synth", "--kind", "graph", "--method", "m", "-o", out}, "--method needs an experiment file"},
		{[]string{"--synth", "--kind", "graph", "--workers", "0", "-o", out}, "--workers 0"},
	} {
		_, _, err := executeErr(t, append([]string{"features"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("wrote %s", left[0].Name())
	}
}
