package mappgraph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
)

// readPackets reads a MAppGraph packet CSV with the datasets reader.
func readPackets(tb testing.TB, path string) []datasets.Packet {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := datasets.NewCSVReader(f, path)
	if err != nil {
		tb.Fatal(err)
	}
	var pkts []datasets.Packet
	for r.Scan() {
		p := *r.Packet()
		p.Cert = nil
		pkts = append(pkts, p)
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return pkts
}

// builtApp is the result of building every chunk of one golden app.
type builtApp struct {
	graphs []*Graph // kept graphs, IDs 1.. in chunk name order
	chunks []string // chunk name (without .csv) of each kept graph
	counts [4]int   // kept, ErrEmpty, ErrSkipped, ErrDegenerate
}

func buildGoldenApp(tb testing.TB, dir, app string) builtApp {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	var out builtApp
	chunks := make([]datasets.Chunk, len(files))
	for i, f := range files {
		chunks[i] = datasets.Chunk{App: app, Capture: f, Index: i + 1, Packets: readPackets(tb, f)}
	}
	gs, st, err := BuildGraphs(app, chunks, DefaultBuildOptions)
	if err != nil {
		tb.Fatal(err)
	}
	out.graphs = gs
	out.counts = [4]int{st.Kept, st.Empty, st.Skipped, st.Degenerate}
	// Which chunk each kept graph came from: rebuild the outcome per chunk.
	var b Builder
	for _, c := range chunks {
		if _, err := b.Build(c.Packets, DefaultBuildOptions); err == nil {
			out.chunks = append(out.chunks, strings.TrimSuffix(filepath.Base(c.Capture), ".csv"))
		}
	}
	if len(out.chunks) != len(gs) {
		tb.Fatalf("%s: %d kept chunks on rebuild, %d graphs", app, len(out.chunks), len(gs))
	}
	return out
}

// closeEnough reports whether got agrees with want to 1e-9 relative (with an
// absolute floor of 1e-12 for values that cancel to about zero); NaN only
// equals NaN.
func closeEnough(got, want float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	d := math.Abs(got - want)
	return d <= 1e-9*math.Max(math.Abs(got), math.Abs(want)) || d <= 1e-12
}

// compareGraphs compares got with want and returns mismatch messages keyed
// by category.
func compareGraphs(got, want []*Graph, exactInts bool) map[string][]string {
	mm := map[string][]string{}
	add := func(cat, format string, args ...any) { mm[cat] = append(mm[cat], fmt.Sprintf(format, args...)) }
	if len(got) != len(want) {
		add("graph count", "%d graphs, want %d", len(got), len(want))
		return mm
	}
	for gi := range got {
		g, w := got[gi], want[gi]
		if g.ID != w.ID {
			add("graph id", "graph %d: id %d, want %d", gi, g.ID, w.ID)
		}
		if len(g.Nodes) != len(w.Nodes) {
			add("node count", "graph %d: %d nodes, want %d", w.ID, len(g.Nodes), len(w.Nodes))
			continue
		}
		for i := range g.Nodes {
			gn, wn := &g.Nodes[i], &w.Nodes[i]
			if gn.IP != wn.IP || gn.Port != wn.Port {
				add("node order/key", "graph %d node %d: (%s, %d), want (%s, %d)", w.ID, i, gn.IP, gn.Port, wn.IP, wn.Port)
				continue
			}
			for f := range gn.Features {
				a, b := gn.Features[f], wn.Features[f]
				if exactInts && integerFeature[f] {
					if a != b {
						add("feature "+featureNames[f], "graph %d node %d: %v, want %v", w.ID, i, a, b)
					}
				} else if !closeEnough(a, b) {
					add("feature "+featureNames[f], "graph %d node %d: %v, want %v", w.ID, i, a, b)
				}
			}
		}
		if len(g.Edges) != len(w.Edges) {
			add("edge count", "graph %d: %d edges, want %d", w.ID, len(g.Edges), len(w.Edges))
			continue
		}
		for e := range g.Edges {
			ge, we := g.Edges[e], w.Edges[e]
			if ge.Source != we.Source || ge.Target != we.Target {
				add("edge order", "graph %d row %d: (%d, %d), want (%d, %d)", w.ID, e, ge.Source, ge.Target, we.Source, we.Target)
			}
			if ge.Weight != we.Weight && !(math.IsNaN(ge.Weight) && math.IsNaN(we.Weight)) {
				add("edge weight", "graph %d row %d: %v, want %v", w.ID, e, ge.Weight, we.Weight)
			}
		}
	}
	return mm
}

func reportMismatches(t *testing.T, what string, mm map[string][]string) {
	t.Helper()
	cats := make([]string, 0, len(mm))
	for c := range mm {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		ex := mm[c]
		t.Errorf("%s: %d mismatches of %s, e.g. %s", what, len(ex), c, ex[0])
	}
}

func goldenApps(t *testing.T) []string {
	dirs := shared.Glob(t, "golden/mappgraph/chunks/*")
	var apps []string
	for _, d := range dirs {
		apps = append(apps, filepath.Base(d))
	}
	return apps
}

// TestGoldenRaw builds every golden chunk and compares the graphs with the
// reference's graphs before standardisation (raw/<app>), and the files
// WriteGraphs writes with the reference's files byte for byte.
func TestGoldenRaw(t *testing.T) {
	root := shared.Path(t, "golden/mappgraph")
	for _, app := range goldenApps(t) {
		t.Run(app, func(t *testing.T) {
			built := buildGoldenApp(t, filepath.Join(root, "chunks", app), app)
			raw := filepath.Join(root, "raw", app)
			want, err := ReadGraphs(filepath.Join(raw, FeaturesFile), filepath.Join(raw, WeightsFile), app)
			if err != nil {
				t.Fatal(err)
			}
			nodes, edges := 0, 0
			for _, g := range want {
				nodes += len(g.Nodes)
				edges += len(g.Edges)
			}
			t.Logf("%s: %d chunks: %d kept, %d empty, %d skipped, %d dropped (≤1 edge); reference %d graphs, %d nodes, %d edge rows",
				app, built.counts[0]+built.counts[1]+built.counts[2]+built.counts[3], built.counts[0], built.counts[1], built.counts[2], built.counts[3],
				len(want), nodes, edges)
			reportMismatches(t, app, compareGraphs(built.graphs, want, true))

			dir := t.TempDir()
			if err := WriteGraphs(dir, app, built.graphs); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{FeaturesFile, WeightsFile} {
				compareFiles(t, filepath.Join(dir, app, name), filepath.Join(raw, name))
			}
		})
	}
}

// compareFiles reports the lines of got that differ from want.
func compareFiles(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(g, w) {
		return
	}
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	diff := 0
	first := ""
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if a != b {
			if diff == 0 {
				first = fmt.Sprintf("line %d:\n got %.300s\nwant %.300s", i+1, a, b)
			}
			diff++
		}
	}
	t.Errorf("%s differs from %s in %d of %d lines; first %s", got, want, diff, len(wl), first)
}

// TestGoldenStandardized splits the reference's raw graphs with split.json,
// fits the standardiser on the training graphs of all apps and compares the
// statistics with mean_std.json and the standardised graphs with
// {train,test}_graphs/N20/t10.
func TestGoldenStandardized(t *testing.T) {
	root := shared.Path(t, "golden/mappgraph")
	var split map[string][2][]string
	data, err := os.ReadFile(filepath.Join(root, "split.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &split); err != nil {
		t.Fatal(err)
	}
	apps := goldenApps(t)
	sets := map[string][2][]*Graph{}
	var train []*Graph
	for _, app := range apps {
		// Which chunk each raw graph came from: the kept chunks in name order.
		built := buildGoldenApp(t, filepath.Join(root, "chunks", app), app)
		raw := filepath.Join(root, "raw", app)
		rawGraphs, err := ReadGraphs(filepath.Join(raw, FeaturesFile), filepath.Join(raw, WeightsFile), app)
		if err != nil {
			t.Fatal(err)
		}
		if len(rawGraphs) != len(built.chunks) {
			t.Fatalf("%s: %d raw graphs, %d kept chunks", app, len(rawGraphs), len(built.chunks))
		}
		byChunk := map[string]*Graph{}
		for i, c := range built.chunks {
			byChunk[c] = rawGraphs[i]
		}
		var s [2][]*Graph
		for side := 0; side < 2; side++ {
			for _, name := range split[app][side] {
				if g := byChunk[name]; g != nil {
					c := *g
					c.ID = len(s[side]) + 1
					s[side] = append(s[side], &c)
				}
			}
		}
		sets[app] = s
		train = append(train, s[0]...)
	}
	st := FitStandardizer(train)

	var ms map[string][2]float64
	data, err = os.ReadFile(filepath.Join(root, "mean_std.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ms); err != nil {
		t.Fatal(err)
	}
	n, exact := 0, 0
	for f, name := range featureNames {
		want, ok := ms[name]
		if ok != Standardized(f) {
			t.Errorf("feature %s: in mean_std.json %v, standardised %v", name, ok, Standardized(f))
			continue
		}
		if !ok {
			continue
		}
		n++
		if st.Mean[f] == want[0] && st.Std[f] == want[1] {
			exact++
		}
		if !closeEnough(st.Mean[f], want[0]) || !closeEnough(st.Std[f], want[1]) {
			t.Errorf("feature %s: mean, std = %v, %v; want %v, %v", name, st.Mean[f], st.Std[f], want[0], want[1])
		}
	}
	t.Logf("mean_std.json: %d (mean, std) pairs within 1e-9, %d of them bit-identical", n, exact)

	for _, app := range apps {
		for side, folder := range []string{"train_graphs", "test_graphs"} {
			d := filepath.Join(root, folder, "N20", "t10", app)
			want, err := ReadGraphs(filepath.Join(d, FeaturesFile), filepath.Join(d, WeightsFile), app)
			if err != nil {
				t.Fatal(err)
			}
			var got []*Graph
			for _, g := range sets[app][side] {
				got = append(got, st.Apply(g))
			}
			t.Logf("%s/%s: %d graphs", folder, app, len(got))
			reportMismatches(t, folder+"/"+app, compareGraphs(got, want, false))
			out := t.TempDir()
			if err := WriteGraphs(out, app, got); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{FeaturesFile, WeightsFile} {
				compareFiles(t, filepath.Join(out, app, name), filepath.Join(d, name))
			}
		}
	}
}
