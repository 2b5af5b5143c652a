package main

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"appbench/datasets"
	"appbench/internal/testcorpus"
)

// writeCorpus writes a deterministic packet-CSV corpus
// <root>/<app>/<app>_<k>.csv: 4 apps x 3 captures of 10 minutes. A request
// every 4 seconds goes to one of the app's own servers (40%), a shared
// server (40%) or a server of another app (20%).
func writeCorpus(t *testing.T, root string) {
	t.Helper()
	r := rand.New(rand.NewPCG(11, 12))
	apps := len(testcorpus.Apps)
	testcorpus.Write(t, root, testcorpus.Spec{Requests: 150, ReplyDelay: 2e7, Request: func(ai, k, i int) datasets.Packet {
		var srv netip.Addr
		switch u := r.Float64(); {
		case u < 0.4:
			srv = netip.AddrFrom4([4]byte{198, 51, byte(ai), byte(1 + r.IntN(4))})
		case u < 0.8:
			srv = netip.AddrFrom4([4]byte{203, 0, 113, byte(1 + r.IntN(3))})
		default:
			srv = netip.AddrFrom4([4]byte{198, 51, byte(r.IntN(apps)), byte(1 + r.IntN(4))})
		}
		return datasets.Packet{Time: testcorpus.Start(k) + int64(i)*4e9, Proto: datasets.TCP, Stream: int64(i),
			Src: testcorpus.Client(k), Dst: srv, SrcPort: uint16(40000 + i), DstPort: 443, IPLen: 60 + r.IntN(1400)}
	}})
}

// goldenMetrics are the deterministic columns of the golden tables.
const goldenMetrics = "accuracy,macro_precision,macro_recall,macro_f1,weighted_f1,train,test"

// goldenRun runs the golden experiment on the fixed packet-CSV corpus from
// the command line and returns its results folder.
func goldenRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeCorpus(t, filepath.Join(dir, "corpus"))
	cfg := filepath.Join(dir, "golden.yaml")
	// The relative path keeps the cell ids, which hash the configuration
	// as written, the same in every temporary folder.
	text := `name: golden
dataset:
  kind: corpus
  path: corpus
  window: 1m
  overlap: 30s
methods:
  - name: majority
  - name: destination-set
    params: {service_only: true}
sweep:
  - param: methods.destination-set.k
    values: [1, 5]
repeats: 3
`
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "results")
	if _, err := execute(t, "run", cfg, "--out", res, "--no-progress"); err != nil {
		t.Fatal(err)
	}
	return res
}

// fixedStamp makes the pages of a test name a fixed build and command,
// so that golden pages do not change from build to build.
func fixedStamp(t *testing.T) {
	old := pageStamp
	pageStamp = func() (string, string) { return "appbench (test build)", "appbench report results --format html" }
	t.Cleanup(func() { pageStamp = old })
}

// TestReportGolden runs an experiment on a fixed packet-CSV corpus from
// the command line and compares the rendered tables of its deterministic
// metrics, in every format, and the HTML page (written with -o), with
// testdata/e2e/*.golden (go test -update rewrites them).
func TestReportGolden(t *testing.T) {
	res := goldenRun(t)
	fixedStamp(t)
	for _, f := range formatNames() {
		args := []string{"report", res, "--format", f, "--metrics", goldenMetrics}
		page := filepath.Join(t.TempDir(), "report."+f)
		if f == htmlFormat {
			args = append(args, "-o", page)
		}
		got, err := execute(t, args...)
		if err != nil {
			t.Fatalf("report --format %s: %v", f, err)
		}
		if f == htmlFormat {
			if got != "" {
				t.Errorf("report -o printed %q", got)
			}
			b, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			got = string(b)
		}
		checkGolden(t, filepath.Join("..", "..", "testdata", "e2e", "table."+f+".golden"), got)
	}
}

// checkGolden compares got with the golden file, or rewrites it under
// -update.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", golden, got)
	}
}
