package bench

import (
	"bytes"
	"encoding/json"
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

// FuzzReadResult feeds arbitrary bytes to the result-file reader. It must
// never panic; an accepted result must survive encoding (as WriteResult
// writes it) and decoding unchanged.
func FuzzReadResult(f *testing.F) {
	f.Add([]byte(`{"schema": 0, "id": "c"}`))
	f.Add(resultSeed(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		dir := t.TempDir()
		if err := os.WriteFile(ResultPath(dir, "c"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := ReadResult(ResultPath(dir, "c"))
		if err != nil {
			return
		}
		enc, err := encodeResult(r)
		if err != nil {
			t.Fatalf("encode accepted result: %v", err)
		}
		back, err := decodeResult(ResultPath(dir, r.ID), enc)
		if err != nil {
			t.Fatalf("read encoded result: %v", err)
		}
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(back)
		if !bytes.Equal(a, b) {
			t.Fatalf("result changed in a write/read round trip:\n%s\n%s", a, b)
		}
	})
}

// resultSeed is a well-formed result file of one cell.
func resultSeed(tb testing.TB) []byte {
	r := Result{Schema: ResultSchema, ID: "c", Method: "majority", MethodName: "majority", Train: 3, Test: 2}
	b, err := json.Marshal(r)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
