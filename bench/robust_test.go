package bench

import (
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "appbench/methods/all"

	"appbench/internal/shared"
)

// robustnessManifest writes a manifest of every capture under the shared
// data's pcaps and apps folders, each labelled by the folder it is in, and
// returns its path and the number of captures.
func robustnessManifest(t *testing.T) (string, int) {
	t.Helper()
	var rows [][]string
	for _, top := range []string{"data/pcaps", "data/apps"} {
		root := shared.Path(t, top)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
				rows = append(rows, []string{p, filepath.Base(filepath.Dir(p))})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	m := filepath.Join(t.TempDir(), "manifest.csv")
	f, err := os.Create(m)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"path", "label"})
	w.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return m, len(rows)
}

// robustnessConfig is every method with small settings over the manifest,
// cut into 30-second windows, keeping what damaged captures hold.
func robustnessConfig(manifest string) string {
	return fmt.Sprintf(`name: robustness
dataset:
  kind: corpus
  path: %s
  window: 30s
  overlap: 10s
  split: random
  on_damage: keep
methods:
  - name: majority
  - name: destination-set
  - name: flowprint
  - name: appscanner
    params: {trees: 5}
  - name: graph-rf
    params: {trees: 5}
  - name: graph-knn
  - name: mappgraph
    params: {layers: [8, 8, 1], k: 10, conv1_filters: 4, conv2_filters: 8, dense: 16, epochs: 1, batch: 32}
workers: 2
`, manifest)
}

// TestRobustnessSweep runs every method on every shared real capture as one
// corpus: odd, damaged and tiny captures among them. The run must finish
// every cell (no panic, no failure) and print notes for what it skipped or
// kept from damaged files. Peak memory is measured outside the test suite
// (see the closing note) with /usr/bin/time -v on the same
// experiment through the command line.
func TestRobustnessSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("robustness sweep skipped in -short mode")
	}
	manifest, n := robustnessManifest(t)
	x, err := Load("robustness.yaml", t.TempDir(), []byte(robustnessConfig(manifest)))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("robustness sweep over %d captures: %v", n, err)
	}
	if sum.Ran != len(x.Cells) || sum.Failed != 0 {
		t.Fatalf("%d of %d cells ran, %d failed", sum.Ran, len(x.Cells), sum.Failed)
	}
	// Among the captures are some spanning years (clock jumps) and apps
	// whose only capture is shorter than the window: each gets a note.
	var spans, dropped int
	for _, note := range sum.Notes {
		spans += strings.Count(note, "empty windows skipped")
		dropped += strings.Count(note, " dropped: ")
	}
	if spans == 0 || dropped == 0 {
		t.Errorf("%d notes about long spans and %d about dropped apps, want some of each:\n%s", spans, dropped, strings.Join(sum.Notes, "\n"))
	}
	t.Logf("%d captures, %d cells, %d notes:\n%s", n, len(x.Cells), len(sum.Notes), strings.Join(sum.Notes, "\n"))
}
