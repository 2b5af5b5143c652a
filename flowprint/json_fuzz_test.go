package flowprint

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"appbench/internal/shared"
)

// FuzzReadJSON feeds arbitrary bytes to the fingerprint file reader. It must
// never panic; when it accepts a file, loading it into a model and writing
// the model must give a file that the reader accepts and that writes back to
// the same bytes (the writer's output is a fixed point of load and write).
// Seeds: when APPBENCH_SHARED is set, the reference's fingerprint files.
func FuzzReadJSON(f *testing.F) {
	if os.Getenv(shared.EnvVar) != "" {
		for _, p := range shared.Glob(f, "golden/flowprint/tcpdump/*.fingerprints.json") {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			if len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(`{"fingerprints": [[{"certificates": [], "destinations": [["10.0.0.1", 443]], "n_flows": 1}, "app"]]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		if _, _, err := ReadJSON(bytes.NewReader(data), "fuzz.json"); err != nil {
			return
		}
		once := loadAndWrite(t, data)
		twice := loadAndWrite(t, once)
		if !bytes.Equal(once, twice) {
			t.Fatalf("write(load(write(load(x)))) differs from write(load(x)):\n%s\n%s", once, twice)
		}
	})
}

// loadAndWrite loads a fingerprint file into a fresh model and returns the
// model's JSON.
func loadAndWrite(t *testing.T, data []byte) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m := NewModel(DefaultParams())
	if err := m.LoadJSON(p); err != nil {
		t.Fatalf("load accepted file: %v", err)
	}
	var out bytes.Buffer
	if err := m.WriteJSON(&out); err != nil {
		t.Fatalf("write loaded model: %v", err)
	}
	return out.Bytes()
}
