package resultfmt

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

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
