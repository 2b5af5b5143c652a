package bench

import (
	"os"
	"path/filepath"
	"testing"

	_ "appbench/methods/all"
)

// FuzzLoad feeds arbitrary YAML to the experiment loader. It must never
// panic, and an accepted experiment must expand the same way twice, into
// cells with distinct, non-empty ids. Seeds: the shipped experiment files,
// with their data folders' environment variables set to an empty folder.
func FuzzLoad(f *testing.F) {
	data := f.TempDir()
	for _, v := range []string{"FLOWPRINT_DATA", "MAPPGRAPH_DATA", "MAPPGRAPH_GRAPHS"} {
		f.Setenv(v, data)
	}
	seeds, _ := filepath.Glob("../configs/*.yaml")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 64<<10 {
			return
		}
		dir := t.TempDir()
		x, err := Load("fuzz.yaml", dir, src)
		if err != nil {
			return
		}
		y, err := Load("fuzz.yaml", dir, src)
		if err != nil {
			t.Fatalf("second load of an accepted experiment failed: %v", err)
		}
		if len(x.Cells) != len(y.Cells) {
			t.Fatalf("cells: %d then %d", len(x.Cells), len(y.Cells))
		}
		seen := make(map[string]bool, len(x.Cells))
		for i, c := range x.Cells {
			if c.ID == "" || seen[c.ID] {
				t.Fatalf("cell %d: empty or repeated id %q", i, c.ID)
			}
			seen[c.ID] = true
			if c.ID != y.Cells[i].ID {
				t.Fatalf("cell %d: id %q then %q", i, c.ID, y.Cells[i].ID)
			}
		}
	})
}
