package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"appbench/internal/shared"
)

// csvAt returns a packet CSV with one packet at each offset in seconds
// from t0 seconds.
func csvAt(t *testing.T, t0 int64, offsets ...int64) []byte {
	var pkts []Packet
	for i, o := range offsets {
		pkts = append(pkts, Packet{Proto: TCP, Stream: int64(i), Time: (t0 + o) * 1e9, IPLen: 60})
	}
	return csvWriteAll(t, pkts, false)
}

func TestLoadCorpusDir(t *testing.T) {
	root := t.TempDir()
	pcap, _ := tinyPcap(3, 1600000000)
	writeFile(t, filepath.Join(root, "zoom", "s1.pcap"), pcap)
	writeFile(t, filepath.Join(root, "zoom", "nested", "deeper", "s2.bin"), gz(t, csvAt(t, 0, 0, 30)))
	writeFile(t, filepath.Join(root, "zoom", ".s3.pcap"), pcap)
	writeFile(t, filepath.Join(root, "zoom", ".cache", "x.pcap"), pcap)
	writeFile(t, filepath.Join(root, "zoom", "README.md"), []byte("# notes\n"))
	writeFile(t, filepath.Join(root, "among_us", "b.csv"), csvAt(t, 0, 0))
	writeFile(t, filepath.Join(root, "among_us", "a.csv"), csvAt(t, 0, 0))
	writeFile(t, filepath.Join(root, "manifest.txt"), []byte("x"))
	writeFile(t, filepath.Join(root, ".git", "HEAD"), []byte("x"))
	writeFile(t, filepath.Join(root, "loose.pcap"), pcap)
	writeFile(t, filepath.Join(root, "zoom", "zero.pcap"), nil)
	writeFile(t, filepath.Join(root, "zoom", "text.pcap"), []byte("hello, this is not a capture\n"))
	writeFile(t, filepath.Join(root, "zoom", "cols.csv"), []byte("time,size\n1,2\n"))
	writeFile(t, filepath.Join(root, "zoom", "bad.pcap.gz"), []byte{0x1f, 0x8b, 1, 2})

	c, err := LoadCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []CaptureRef{
		{filepath.Join(root, "among_us", "a.csv"), "among_us", FormatCSV, nil},
		{filepath.Join(root, "among_us", "b.csv"), "among_us", FormatCSV, nil},
		{filepath.Join(root, "zoom", "nested", "deeper", "s2.bin"), "zoom", FormatCSV, nil},
		{filepath.Join(root, "zoom", "s1.pcap"), "zoom", FormatPcap, nil},
	}
	if !reflect.DeepEqual(c.Captures, want) {
		t.Errorf("captures\n%v\nwant\n%v", c.Captures, want)
	}
	if got := c.Apps(); !reflect.DeepEqual(got, []string{"among_us", "zoom"}) {
		t.Errorf("Apps() = %v", got)
	}
	notes := strings.Join(c.Notes, "\n")
	for _, s := range []string{".git", "manifest.txt: not inside an app folder", ".s3.pcap", ".cache", "README.md: not a pcap, pcapng or packet CSV file",
		"loose.pcap: a pcap file directly in the corpus folder has no app: the app of a capture is the name of the folder it is in (move it to " + filepath.Join(root, "<app>", "loose.pcap") + ")",
		"zero.pcap: empty file", `text.pcap: not a pcap, pcapng or packet CSV file (first bytes "hello, this is n")`,
		`cols.csv: not a pcap, pcapng or packet CSV file: its CSV header lacks the columns "protocol", "stream_id", "length"`,
		"bad.pcap.gz: not a pcap, pcapng or packet CSV file: damaged gzip data"} {
		if !strings.Contains(notes, s) {
			t.Errorf("notes do not mention %q:\n%s", s, notes)
		}
	}
	if strings.Contains(notes, "x.pcap") {
		t.Errorf("notes list a file inside a hidden folder:\n%s", notes)
	}

	// An app folder without captures is an error, and so is an empty root.
	writeFile(t, filepath.Join(root, "empty_app", "notes.txt"), []byte("x"))
	if _, err := LoadCorpus(root); err == nil || !strings.Contains(err.Error(), `app folder "empty_app" has no pcap, pcapng or packet CSV file`) {
		t.Errorf("app without captures: %v", err)
	}
	if _, err := LoadCorpus(t.TempDir()); err == nil || !strings.Contains(err.Error(), "empty corpus") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := LoadCorpus(filepath.Join(root, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing corpus: %v", err)
	}
}

func TestLoadCorpusManifest(t *testing.T) {
	dir := t.TempDir()
	pcap, _ := tinyPcap(2, 1600000000)
	writeFile(t, filepath.Join(dir, "caps", "one.pcap"), pcap)
	writeFile(t, filepath.Join(dir, "caps", "two.csv"), csvAt(t, 0, 0))
	abs := writeFile(t, filepath.Join(dir, "elsewhere", "three.csv"), csvAt(t, 0, 0))
	writeFile(t, filepath.Join(dir, "caps", "bad.txt"), []byte("not a capture\n"))
	m := writeFile(t, filepath.Join(dir, "m.csv"), []byte("label,path,comment\nzoom,caps/one.pcap,first\nteams,caps/two.csv,\n\nzoom,"+abs+",x\n"))
	c, err := LoadCorpus(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []CaptureRef{
		{filepath.Join(dir, "caps", "two.csv"), "teams", FormatCSV, map[string]string{"comment": ""}},
		{filepath.Join(dir, "caps", "one.pcap"), "zoom", FormatPcap, map[string]string{"comment": "first"}},
		{abs, "zoom", FormatCSV, map[string]string{"comment": "x"}},
	}
	if !reflect.DeepEqual(c.Captures, want) {
		t.Errorf("captures\n%v\nwant\n%v", c.Captures, want)
	}
	if got := c.Apps(); !reflect.DeepEqual(got, []string{"teams", "zoom"}) {
		t.Errorf("Apps() = %v", got)
	}

	bad := []struct{ data, msg string }{
		{"path,label\ncaps/one.pcap,zoom\ncaps/missing.pcap,zoom\n", "m2.csv:3: open " + filepath.Join(dir, "caps", "missing.pcap")},
		{"path,label\ncaps/bad.txt,zoom\n", "m2.csv:2: " + filepath.Join(dir, "caps", "bad.txt") + " is not a pcap, pcapng or packet CSV file"},
		{"path,label\ncaps/one.pcap,\n", `m2.csv:2: empty label for "caps/one.pcap"`},
		{"path,label\ncaps/one.pcap,a\n./caps/one.pcap,b\n", "m2.csv:3: " + filepath.Join(dir, "caps", "one.pcap") + " is listed twice (first at line 2)"},
		{"file,app\ncaps/one.pcap,zoom\n", `m2.csv:1: not a corpus manifest: the header "file,app" needs the columns "path" and "label"`},
		{"path,label\n", "empty corpus"},
		{"", "m2.csv: empty file"},
		{"path,label\ncaps/one.pcap\n", "m2.csv:2: 1 fields, the header has 2"},
	}
	for _, b := range bad {
		p := writeFile(t, filepath.Join(dir, "m2.csv"), []byte(b.data))
		_, err := LoadCorpus(p)
		if err == nil || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("manifest %q: error %v, want it to contain %q", b.data, err, b.msg)
		}
	}
}

func TestCorpusChunks(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a", "x.csv"), csvAt(t, 1000, 0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600))
	writeFile(t, filepath.Join(root, "b", "y.csv"), csvAt(t, 50, 0, 30, 400))
	writeFile(t, filepath.Join(root, "b", "z.csv"), csvAt(t, 50, 0)) // no full window
	c, err := LoadCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := c.Chunks(context.Background(), 5*time.Minute, 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		App, Capture string
		Index, N     int
	}
	var got []summary
	for _, ch := range chunks {
		got = append(got, summary{ch.App, filepath.Base(ch.Capture), ch.Index, len(ch.Packets)})
	}
	// a/x: 3 windows of 6 packets (see TestChunkPacketsHandComputed);
	// b/y: end 450: i=1 [50,350] (2 packets), i=2 50+420 = 470 is not < 450.
	want := []summary{{"a", "x.csv", 1, 6}, {"a", "x.csv", 2, 6}, {"a", "x.csv", 3, 6}, {"b", "y.csv", 1, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunks %v, want %v", got, want)
	}
	if _, err := c.Chunks(context.Background(), time.Minute, time.Minute); err == nil {
		t.Error("overlap = window accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Chunks(ctx, time.Minute, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	// A damaged capture stops the run with its error.
	writeFile(t, filepath.Join(root, "b", "w.csv"), []byte(",protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\n0,tcp,0,1,60,1.2.3.4,1.2.3.5,1,99999\n"))
	c, err = LoadCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Chunks(context.Background(), time.Minute, 0); err == nil || !strings.Contains(err.Error(), `w.csv:2: column "destination_port": invalid port "99999"`) {
		t.Errorf("damaged capture: %v", err)
	}
}

// TestLoadCorpusShared loads the shared capture folders as a corpus whose
// apps are the capture sources: every capture is found by content, the
// tshark reference CSVs and text files beside them are skipped.
func TestLoadCorpusShared(t *testing.T) {
	root := shared.Path(t, "data/pcaps")
	c, err := LoadCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	want := len(shared.Glob(t, "data/pcaps/*/*.pcap")) + len(shared.Glob(t, "data/pcaps/*/*.pcapng"))
	if len(c.Captures) != want {
		t.Errorf("%d captures, want %d", len(c.Captures), want)
	}
	if got := c.Apps(); !reflect.DeepEqual(got, []string{"ja4", "tcpdump"}) {
		t.Errorf("Apps() = %v", got)
	}
	for _, ref := range c.Captures {
		if ref.Format != FormatPcap && ref.Format != FormatPcapng {
			t.Errorf("%s: format %v", ref.Path, ref.Format)
		}
	}
	t.Logf("%d captures, %d notes", len(c.Captures), len(c.Notes))
}

func TestEachCaptureParallel(t *testing.T) {
	root := t.TempDir()
	for i := range 9 {
		app := string(rune('a' + i%3))
		offs := make([]int64, i+1)
		for k := range offs {
			offs[k] = int64(k)
		}
		writeFile(t, filepath.Join(root, app, strings.Repeat("x", i+1)+".csv"), csvAt(t, int64(i), offs...))
	}
	c, err := LoadCorpus(root)
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		path string
		n    int
		t0   int64
	}
	run := func(workers int) []seen {
		var got []seen
		err := c.EachCaptureParallel(context.Background(), workers, func(ref CaptureRef, pkts []Packet) error {
			got = append(got, seen{ref.Path, len(pkts), pkts[0].Time})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := run(1)
	if len(want) != 9 {
		t.Fatalf("%d captures", len(want))
	}
	for i, s := range want {
		if s.path != c.Captures[i].Path {
			t.Fatalf("capture %d is %s, want corpus order %s", i, s.path, c.Captures[i].Path)
		}
		if base := filepath.Base(s.path); s.n != len(base)-len(".csv") || s.t0 != int64(s.n-1)*1e9 {
			t.Fatalf("%s: %d packets from %d", s.path, s.n, s.t0)
		}
	}
	for _, w := range []int{0, 2, 3, 16} {
		if got := run(w); !reflect.DeepEqual(got, want) {
			t.Errorf("%d workers: %v, want %v", w, got, want)
		}
	}
	// fn's error stops the run.
	stop := errors.New("stop")
	calls := 0
	err = c.EachCaptureParallel(context.Background(), 3, func(CaptureRef, []Packet) error {
		calls++
		if calls == 4 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 4 {
		t.Errorf("error %v after %d calls", err, calls)
	}
	// A damaged capture (b/xx.csv, the fourth in corpus order after a/x,
	// a/xxxx, a/xxxxxxx): its error, after the three captures before it.
	writeFile(t, filepath.Join(root, "b", "xx.csv"), []byte("protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port\ntcp,0,zz,1,1.2.3.4,1.2.3.5,1,2\n"))
	calls = 0
	err = c.EachCaptureParallel(context.Background(), 4, func(CaptureRef, []Packet) error { calls++; return nil })
	if err == nil || !strings.Contains(err.Error(), `xx.csv:2: column "time"`) || calls != 3 {
		t.Errorf("damaged capture: %v after %d calls", err, calls)
	}
}
