package mappgraph

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"appbench/internal/shared"
)

// headLines returns the first n lines of the file at path.
func headLines(tb testing.TB, path string, n int) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for i := 0; i < n && sc.Scan(); i++ {
		b.Write(sc.Bytes())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// sameGraphs reports whether a and b hold the same graphs, treating NaN
// features and weights as equal to NaN.
func sameGraphs(a, b []*Graph) bool {
	eq := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		ga, gb := a[i], b[i]
		if ga.ID != gb.ID || ga.App != gb.App || ga.Scaled != gb.Scaled ||
			len(ga.Nodes) != len(gb.Nodes) || len(ga.Edges) != len(gb.Edges) {
			return false
		}
		for j := range ga.Nodes {
			na, nb := ga.Nodes[j], gb.Nodes[j]
			if na.IP != nb.IP || na.Port != nb.Port {
				return false
			}
			for f := range na.Features {
				if !eq(na.Features[f], nb.Features[f]) {
					return false
				}
			}
		}
		for j := range ga.Edges {
			ea, eb := ga.Edges[j], gb.Edges[j]
			if ea.Source != eb.Source || ea.Target != eb.Target || !eq(ea.Weight, eb.Weight) {
				return false
			}
		}
	}
	return true
}

// FuzzReadGraphs feeds arbitrary features.csv and weights.csv pairs to the
// processed-graph reader. It must never panic; when it accepts a pair,
// writing the graphs back and reading them again must give the same graphs.
// Seeds: the committed testdata and, when APPBENCH_SHARED is set, the head
// of every app of one real processed folder.
func FuzzReadGraphs(f *testing.F) {
	if os.Getenv(shared.EnvVar) != "" {
		for _, feat := range shared.Glob(f, "data/mappgraph/2_0/train_graphs/N20/t10/*/"+FeaturesFile) {
			w := filepath.Join(filepath.Dir(feat), WeightsFile)
			f.Add(headLines(f, feat, 40), headLines(f, w, 60))
		}
	}
	f.Add([]byte(""), []byte(""))
	f.Fuzz(func(t *testing.T, features, weights []byte) {
		if len(features)+len(weights) > 1<<20 {
			return
		}
		dir := t.TempDir()
		fp, wp := filepath.Join(dir, FeaturesFile), filepath.Join(dir, WeightsFile)
		if err := os.WriteFile(fp, features, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(wp, weights, 0o644); err != nil {
			t.Fatal(err)
		}
		gs, err := ReadGraphs(fp, wp, "app")
		if err != nil {
			return
		}
		out := t.TempDir()
		if err := WriteGraphs(out, "app", gs); err != nil {
			t.Fatalf("write accepted graphs: %v", err)
		}
		back, err := ReadGraphs(filepath.Join(out, "app", FeaturesFile), filepath.Join(out, "app", WeightsFile), "app")
		if err != nil {
			t.Fatalf("read written graphs: %v", err)
		}
		if !sameGraphs(gs, back) {
			t.Fatalf("graphs changed in a write/read round trip")
		}
	})
}
