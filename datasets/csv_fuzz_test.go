package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"appbench/internal/shared"
)

// FuzzCSVReader feeds arbitrary bytes to the packet CSV reader. It must
// never panic; when it accepts an input, writing the records (extended, so
// that every field is kept) and reading them back must give the same
// records. Seeds: the committed testdata CSVs and, when APPBENCH_SHARED is
// set, every golden MAppGraph chunk.
func FuzzCSVReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.csv")
	if os.Getenv(shared.EnvVar) != "" {
		seeds = append(seeds, shared.Glob(f, "golden/mappgraph/chunks/*/*.csv")...)
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		r, err := NewCSVReader(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		var pkts []Packet
		for r.Scan() {
			p := *r.Packet()
			p.Cert = bytes.Clone(p.Cert)
			pkts = append(pkts, p)
		}
		if r.Err() != nil {
			return
		}
		var buf bytes.Buffer
		w := NewCSVWriter(&buf)
		w.Extended = true
		for i := range pkts {
			if err := w.Write(&pkts[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r2, err := NewCSVReader(bytes.NewReader(buf.Bytes()), "again.csv")
		if err != nil {
			t.Fatalf("reading our own output: %v\n%s", err, buf.Bytes())
		}
		i := 0
		for r2.Scan() {
			if i >= len(pkts) {
				t.Fatalf("more records after the round trip than the %d read", len(pkts))
			}
			if !samePacket(r2.Packet(), &pkts[i]) {
				t.Fatalf("record %d: read\n%+v\nafter the round trip\n%+v\noutput:\n%s", i, pkts[i], *r2.Packet(), buf.Bytes())
			}
			i++
		}
		if err := r2.Err(); err != nil {
			t.Fatalf("reading our own output: %v\n%s", err, buf.Bytes())
		}
		if i != len(pkts) {
			t.Fatalf("%d records after the round trip, %d before", i, len(pkts))
		}
	})
}
