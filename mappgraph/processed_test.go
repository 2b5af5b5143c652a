package mappgraph

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
)

// TestRealProcessedRoundTrip reads the shipped processed graphs (22 apps of
// T2_0, train and test), checks their structure, writes them back and
// compares the files byte for byte.
func TestRealProcessedRoundTrip(t *testing.T) {
	root := shared.Path(t, "data/mappgraph/2_0")
	for _, split := range []string{"train_graphs", "test_graphs"} {
		dir := filepath.Join(root, split, "N20", "t10")
		all, err := ReadProcessed(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 22 {
			t.Errorf("%s: %d apps, want 22", split, len(all))
		}
		apps := make([]string, 0, len(all))
		for app := range all {
			apps = append(apps, app)
		}
		sort.Strings(apps)
		var counts []string
		total, nodes, edges := 0, 0, 0
		out := t.TempDir()
		for _, app := range apps {
			gs := all[app]
			counts = append(counts, app+"="+itoa(len(gs)))
			total += len(gs)
			for i, g := range gs {
				if g.ID != i+1 || g.App != app || !g.Scaled {
					t.Fatalf("%s/%s graph %d: id %d app %q scaled %v", split, app, i, g.ID, g.App, g.Scaled)
				}
				nodes += len(g.Nodes)
				edges += len(g.Edges)
				n := len(g.Nodes)
				// Listed edges form the complete graph on the nodes (§5.10).
				if len(g.Edges) != n*(n-1)/2 || len(g.Edges) <= 1 {
					t.Errorf("%s/%s graph %d: %d nodes, %d edges", split, app, g.ID, n, len(g.Edges))
				}
			}
			if err := WriteGraphs(out, app, gs); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{FeaturesFile, WeightsFile} {
				compareFiles(t, filepath.Join(out, app, name), filepath.Join(dir, app, name))
			}
		}
		t.Logf("%s: %d apps, %d graphs, %d nodes, %d edge rows: %s", split, len(apps), total, nodes, edges, strings.Join(counts, " "))
	}
}

func itoa(n int) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestReadGraphsErrors checks that malformed files give positioned errors
// wrapping datasets.ErrMalformed.
func TestReadGraphsErrors(t *testing.T) {
	header := strings.Join(featuresHeader(), ",") + "\n"
	row := func(key, v0, id string) string {
		f := make([]string, NumFeatures)
		for i := range f {
			f[i] = "1.5"
		}
		f[0] = v0
		return "0,\"" + key + "\"," + strings.Join(f, ",") + "," + id + "\n"
	}
	whead := strings.Join(weightsHeader, ",") + "\n"
	cases := []struct {
		name, features, weights, want string
	}{
		{"header length", ",IP,x\n", whead, "features.csv:1: header has 3 columns, want 66"},
		{"bad header", strings.Replace(header, "complete_min", "complete_mn", 1), whead, "features.csv:1:4: header \"complete_mn\", want \"complete_min\""},
		{"bad number", header + row("('1.2.3.4', 443)", "x1", "1"), whead, "features.csv:2:3: column \"complete_max\""},
		{"bad key", header + row("(1.2.3.4, 443)", "1", "1"), whead, "features.csv:2:2: node"},
		{"bad id", header + row("('1.2.3.4', 443)", "1", "one"), whead, "features.csv:2:66: graph_id"},
		{"short row", header + "0,1,2\n", whead, "features.csv:2:"},
		{"unknown node", header + row("('1.2.3.4', 443)", "1", "1"),
			whead + "0,\"('1.2.3.4', 443)\",\"('5.6.7.8', 443)\",1.0,1\n", "weights.csv:2:3: node ('5.6.7.8', 443) is not a node of graph 1"},
		{"unknown graph", header + row("('1.2.3.4', 443)", "1", "1"),
			whead + "0,\"('1.2.3.4', 443)\",\"('1.2.3.4', 443)\",1.0,2\n", "weights.csv:2:5: graph 2"},
		{"bad weight", header + row("('1.2.3.4', 443)", "1", "1"),
			whead + "0,\"('1.2.3.4', 443)\",\"('1.2.3.4', 443)\",w,1\n", "weights.csv:2:4: weight"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			fp, wp := filepath.Join(dir, FeaturesFile), filepath.Join(dir, WeightsFile)
			os.WriteFile(fp, []byte(c.features), 0o644)
			os.WriteFile(wp, []byte(c.weights), 0o644)
			_, err := ReadGraphs(fp, wp, "app")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, datasets.ErrMalformed) {
				t.Errorf("%v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

// TestWriteReadRoundTrip writes a small graph with special values and reads
// it back.
func TestWriteReadRoundTrip(t *testing.T) {
	var n1, n2 Node
	n1.IP, n1.Port = "10.0.0.1", 443
	n2.IP, n2.Port = "192.168.1.20", 8080
	for i := range n1.Features {
		n1.Features[i] = float64(i)
		n2.Features[i] = float64(i)/7 - 3
		if integerFeature[i] {
			n2.Features[i] = float64(i) - 3
		}
	}
	n2.Features[4] = math.NaN()
	n2.Features[5] = 1e-7
	n2.Features[6] = 1.5e17
	g := &Graph{ID: 1, Nodes: []Node{n1, n2}, Edges: []Edge{{Source: 0, Target: 1, Weight: math.NaN()}, {Source: 1, Target: 0, Weight: 0.25}}}
	dir := t.TempDir()
	if err := WriteGraphs(dir, "app", []*Graph{g}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "app", FeaturesFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if !strings.HasPrefix(lines[1], `0,"('10.0.0.1', 443)",0,1,2.0,3.0,`) {
		t.Errorf("first node row %.60s", lines[1])
	}
	if !strings.HasPrefix(lines[2], `1,"('192.168.1.20', 8080)",-3,-2,-2.7142857142857144,-2.5714285714285716,,1e-07,1.5e+17,-2.0,5,`) {
		t.Errorf("second node row %.120s", lines[2])
	}
	got, err := ReadGraphs(filepath.Join(dir, "app", FeaturesFile), filepath.Join(dir, "app", WeightsFile), "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Scaled {
		t.Fatalf("read %d graphs (scaled %v)", len(got), len(got) == 1 && got[0].Scaled)
	}
	if mm := compareGraphs(got, []*Graph{g}, true); len(mm) != 0 {
		t.Errorf("round trip: %v", mm)
	}
}

func TestAppendPyFloat(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1, "1.0"}, {0.1, "0.1"}, {-2.5, "-2.5"},
		{1e16, "1e+16"}, {1.5e16, "1.5e+16"}, {9999999999999998, "9999999999999998.0"},
		{123456789012345.6, "123456789012345.6"}, {1e-4, "0.0001"}, {1e-5, "1e-05"},
		{1.25e-5, "1.25e-05"}, {0.00012, "0.00012"}, {1e22, "1e+22"}, {1e100, "1e+100"},
		{5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{1323.6000000000001, "1323.6000000000001"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"},
		{math.NaN(), ""}, {100, "100.0"}, {0.611764705882353, "0.611764705882353"},
	}
	for _, c := range cases {
		if got := string(appendPyFloat(nil, c.v)); got != c.want {
			t.Errorf("appendPyFloat(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func mustParse(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// BenchmarkReadProcessed reads the shipped training graphs of one app.
func BenchmarkReadProcessed(b *testing.B) {
	d := shared.Path(b, "data/mappgraph/2_0/train_graphs/N20/t10/voizfm")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadGraphs(filepath.Join(d, FeaturesFile), filepath.Join(d, WeightsFile), "voizfm"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteGraphs writes them back.
func BenchmarkWriteGraphs(b *testing.B) {
	d := shared.Path(b, "data/mappgraph/2_0/train_graphs/N20/t10/voizfm")
	gs, err := ReadGraphs(filepath.Join(d, FeaturesFile), filepath.Join(d, WeightsFile), "voizfm")
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteGraphs(out, "voizfm", gs); err != nil {
			b.Fatal(err)
		}
	}
}
