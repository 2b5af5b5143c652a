package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"appbench/bench"
	"appbench/configs"
	"appbench/datasets"
	"appbench/internal/shared"
)

// fakeMAppGraphData makes a folder laid out like the MAppGraph raw data:
// apps_list.txt (the shared copy) and sources/<app>/<app>_1_10m.csv with a
// few packets for each of the 101 apps.
func fakeMAppGraphData(t *testing.T) string {
	t.Helper()
	list, err := os.ReadFile(shared.Path(t, "data/mappgraph/apps_list.txt"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "apps_list.txt"), list, 0o644); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`List of 101 apps: (.*)`).FindSubmatch(list)
	if m == nil {
		t.Fatal("apps_list.txt has no 101-app line")
	}
	apps := regexp.MustCompile(`'([^']+)'`).FindAllSubmatch(m[1], -1)
	for _, a := range apps {
		app := string(a[1])
		dir := filepath.Join(root, "sources", app)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(dir, app+"_1_10m.csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := datasets.NewCSVWriter(f)
		for i := 0; i < 3; i++ {
			p := datasets.Packet{Time: int64(1_600_000_000+i) * 1e9, Proto: datasets.TCP, Stream: 0,
				Src: netip.MustParseAddr("10.0.0.2"), Dst: netip.MustParseAddr("192.0.2.1"), SrcPort: 40000, DstPort: 443, IPLen: 60}
			if err := w.Write(&p); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return root
}

// TestPaperConfigs loads the shipped MAppGraph and FlowPrint experiments
// against a folder laid out like their data and checks their grids.
func TestPaperConfigs(t *testing.T) {
	data := fakeMAppGraphData(t)
	t.Setenv("MAPPGRAPH_DATA", data)
	t.Setenv("FLOWPRINT_DATA", filepath.Join(data, "sources"))
	t.Setenv("MAPPGRAPH_GRAPHS", filepath.Dir(shared.Path(t, "data/mappgraph/2_0")))
	// The MAppGraph experiments run mappgraph, graph-rf and graph-knn in
	// every point; Figure 9's sweep leaves graph-knn with one point.
	cells := map[string]int{
		"mappgraph-fig8-nodes.yaml":    3 * 4 * 3,
		"mappgraph-table4-window.yaml": 3 * 5 * 3,
		"mappgraph-table5-slice.yaml":  3 * 3 * 3,
		"mappgraph-fig9-ip.yaml":       (2 + 2 + 1) * 3,
		"mappgraph-fig10-similar.yaml": 3 * 2 * 3,
		"mappgraph-fig11-apps.yaml":    3 * 10 * 3,
		"mappgraph-processed.yaml":     5 * 3,
		"flowprint-recognition.yaml":   3 * 5,
		"flowprint-detection.yaml":     5*5 + 5,
	}
	for name, want := range cells {
		b, err := configs.Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		x, err := bench.Load(name, t.TempDir(), b)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(x.Cells) != want {
			t.Errorf("%s: %d cells, want %d", name, len(x.Cells), want)
		}
	}
	// Figure 11's largest point uses all 101 apps, Figure 10's two lists
	// 17 apps each.
	b, _ := configs.Files.ReadFile("mappgraph-fig10-similar.yaml")
	x, err := bench.Load("fig10", t.TempDir(), b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range x.Cells {
		if n := len(c.Config.Dataset.Apps); n != 17 {
			t.Errorf("fig10 cell %s: %d apps, want 17", c.ID, n)
		}
		if got := fmt.Sprint(c.Point[0].Value); got != "similar" && got != "different" {
			t.Errorf("fig10 point %v", c.Point)
		}
	}
}

// TestConfigsCiteSources checks that the shipped experiments cite the
// papers and this repository's documents, not a specification the
// repository does not hold, and that every document they name exists.
func TestConfigsCiteSources(t *testing.T) {
	ents, err := configs.Files.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	spec := regexp.MustCompile(`(?i)\bspec(s|'s|ification)?\b`)
	doc := regexp.MustCompile(`[a-z/]+/doc\.go|README\.md`)
	papers := map[string]string{"mappgraph-": "ACSAC 2021", "flowprint-": "NDSS 2020"}
	for _, e := range ents {
		b, _ := configs.Files.ReadFile(e.Name())
		if m := spec.Find(b); m != nil {
			t.Errorf("%s cites %q, which is not in the repository", e.Name(), m)
		}
		for prefix, paper := range papers {
			if strings.HasPrefix(e.Name(), prefix) && !bytes.Contains(b, []byte(paper)) {
				t.Errorf("%s does not cite its paper (%s)", e.Name(), paper)
			}
		}
		for _, p := range doc.FindAll(b, -1) {
			if _, err := os.Stat(filepath.Join("..", "..", string(p))); err != nil {
				t.Errorf("%s names %s: %v", e.Name(), p, err)
			}
		}
	}
}
