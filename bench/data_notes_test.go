package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/shared"
	"appbench/resultfmt"
)

// corpusConfig is a corpus experiment on root with extra dataset lines.
func corpusConfig(root, extra string) string {
	return fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
%smethods: [{name: majority}, {name: destination-set, params: {k: 1}}]
repeats: 2
`, root, extra)
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCorpusSkipNotes: files a folder corpus skips are reported once in
// the run's notes and in every cell file; strict: true makes them an error
// at the strict line.
func TestCorpusSkipNotes(t *testing.T) {
	root := corpusFixture(t)
	capture, err := os.ReadFile(filepath.Join(root, "maps", "maps_1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(root, "maps", "zero.pcap"), nil)
	mustWrite(t, filepath.Join(root, "news", "text.pcap"), []byte("just some text\n"))
	mustWrite(t, filepath.Join(root, "video", "cols.csv"), []byte("time,bytes\n1,2\n"))
	mustWrite(t, filepath.Join(root, "loose.csv"), capture)
	x := loadFixture(t, corpusConfig(root, "  window: 2m\n"))
	dir := t.TempDir()
	sum, err := Run(context.Background(), x, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	wants := []string{"zero.pcap: empty file", "text.pcap: not a pcap, pcapng or packet CSV file", `cols.csv: not a pcap, pcapng or packet CSV file: its CSV header lacks the columns "protocol"`,
		"loose.csv: a csv file directly in the corpus folder has no app"}
	for _, w := range wants {
		n := 0
		for _, note := range sum.Notes {
			if strings.Contains(note, w) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d notes with %q, want 1: %q", n, w, sum.Notes)
		}
	}
	rs, err := resultfmt.ReadResults(dir)
	if err != nil || len(rs) != 4 {
		t.Fatalf("%d results, %v", len(rs), err)
	}
	for _, r := range rs {
		if strings.Join(r.DatasetNotes, "\n") != strings.Join(sum.Notes, "\n") {
			t.Errorf("cell %s: dataset_notes %q, want %q", r.ID, r.DatasetNotes, sum.Notes)
		}
	}
	_, err = LoadFile(writeConfig(t, t.TempDir(), "strict.yaml", corpusConfig(root, "  window: 2m\n  strict: true\n")))
	if err == nil || !strings.Contains(err.Error(), `strict.yaml:5:11: key "dataset.strict": corpus `+root+" skips 4 files") || !strings.Contains(err.Error(), "zero.pcap: empty file") {
		t.Errorf("strict corpus: %v", err)
	}
}

// TestShortCapturesDropApp: an app whose captures are all shorter than the
// window is dropped with a note and not counted; when every capture is
// too short, the run fails with one error saying so.
func TestShortCapturesDropApp(t *testing.T) {
	root := corpusFixture(t)
	for k := 1; k <= 2; k++ {
		var b strings.Builder
		w := datasets.NewCSVWriter(&b)
		for i := 0; i < 20; i++ {
			p := datasets.Packet{Time: int64(1_700_000_000+k*1000+i) * 1e9, Proto: datasets.UDP, IPLen: 80, FrameLen: 80}
			if err := w.Write(&p); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, filepath.Join(root, "tiny", fmt.Sprintf("t%d.csv", k)), []byte(b.String()))
	}
	x := loadFixture(t, corpusConfig(root, "  window: 2m\n"))
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := "app tiny dropped: its 2 captures are all shorter than the window 2m0s (the longest, tiny/t1.csv, spans 19s); only whole windows are kept"
	if strings.Join(sum.Notes, "\n") != want {
		t.Errorf("notes %q, want %q", sum.Notes, want)
	}
	for _, r := range sum.Results {
		if r.Apps != 4 || len(r.Metrics.Confusion.Labels) != 4 {
			t.Errorf("cell %s: %d apps, labels %v; want the 4 apps with samples", r.ID, r.Apps, r.Metrics.Confusion.Labels)
		}
	}

	x = loadFixture(t, corpusConfig(root, "  window: 20m\n"))
	_, err = Run(context.Background(), x, Options{Dir: t.TempDir()})
	msg := "every capture (14) is shorter than the window 20m0s (the longest, maps/maps_1.csv, spans 9m55.01s); only whole windows are kept"
	if err == nil || strings.Count(err.Error(), msg) != 1 || !strings.Contains(err.Error(), "4 cells (") {
		t.Errorf("error %v\nwant %q once, for 4 cells", err, msg)
	}
}

// pcapRecords returns the offsets of the records of a classic
// little-endian pcap file.
func pcapRecords(t *testing.T, b []byte) []int {
	t.Helper()
	if binary.LittleEndian.Uint32(b) != 0xa1b2c3d4 {
		t.Fatalf("not a little-endian microsecond pcap")
	}
	var offs []int
	for off := 24; off+16 <= len(b); off += 16 + int(binary.LittleEndian.Uint32(b[off+8:])) {
		offs = append(offs, off)
	}
	return offs
}

// TestDamagedCapture: a real capture cut in its last record is kept by
// default with a note; on_damage: error makes it one error for every
// cell; other damage is an error unless on_damage is keep.
func TestDamagedCapture(t *testing.T) {
	dir := shared.Path(t, "data/apps/matousp")
	whole, err := os.ReadFile(filepath.Join(dir, "cp", "android71__android71_cp_cache00.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(dir, "cp", "android71__android71_cp_cache01.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	offs := pcapRecords(t, whole)
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "a", "whole.pcap"), whole)
	mustWrite(t, filepath.Join(root, "b", "cut.pcap"), other[:len(other)-7])
	before, readErr := datasets.ReadCapturePartial(filepath.Join(root, "b", "cut.pcap"))
	if len(before) == 0 || readErr == nil {
		t.Fatalf("the cut copy reads %d packets, error %v", len(before), readErr)
	}
	run := func(extra string) (*Summary, error) {
		x := loadFixture(t, corpusConfig(root, "  window: 2s\n"+extra))
		return Run(context.Background(), x, Options{Dir: t.TempDir()})
	}
	sum, err := run("")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("b/cut.pcap: kept the %d packets before the cut last record: datasets: %s", len(before), filepath.Join(root, "b", "cut.pcap"))
	if len(sum.Notes) != 1 || !strings.HasPrefix(sum.Notes[0], want) || !strings.Contains(sum.Notes[0], "cut short") {
		t.Errorf("notes %q, want one starting %q", sum.Notes, want)
	}
	if _, err := run("  on_damage: error\n"); err == nil || strings.Count(err.Error(), "cut short") != 1 || !strings.Contains(err.Error(), "4 cells (") {
		t.Errorf("on_damage error: %v, want one error for 4 cells", err)
	}

	// A record length no capture can have, in the middle of the file.
	bad := append([]byte(nil), whole...)
	binary.LittleEndian.PutUint32(bad[offs[len(offs)/2]+8:], 1<<30)
	mustWrite(t, filepath.Join(root, "a", "whole.pcap"), bad)
	if _, err := run(""); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("frame %d: record length 1073741824 exceeds the maximum", len(offs)/2+1)) || !strings.Contains(err.Error(), "on_damage: keep keeps the packets") {
		t.Errorf("damage in the middle: %v", err)
	}
	sum, err = run("  on_damage: keep\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Notes) != 2 || !strings.Contains(sum.Notes[0], "a/whole.pcap: kept the ") || !strings.Contains(sum.Notes[0], "before the damage (on_damage: keep)") {
		t.Errorf("notes %q", sum.Notes)
	}
}
