package bench

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appbench/datasets"
	"appbench/internal/testcorpus"
	"appbench/resultfmt"
)

// corpusFixture writes a packet-CSV corpus <root>/<app>/<app>_<k>.csv: 4
// apps x 3 captures of 10 minutes; each app talks to its own three servers
// and a shared one, one request-reply pair every 5 seconds.
func corpusFixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	testcorpus.Write(t, root, testcorpus.Spec{Requests: 120, ReplyDelay: 1e7, Request: func(ai, k, i int) datasets.Packet {
		srv := netip.AddrFrom4([4]byte{198, 51, byte(ai), byte(1 + i%3)})
		if i%4 == 3 {
			srv = netip.MustParseAddr("203.0.113.9")
		}
		return datasets.Packet{Time: testcorpus.Start(k) + int64(i)*5e9, Proto: datasets.TCP, Stream: int64(i % 3),
			Src: testcorpus.Client(k), Dst: srv, SrcPort: uint16(40000 + i%3), DstPort: 443, IPLen: 100, FrameLen: 100}
	}})
	return root
}

func TestCorpusDataset(t *testing.T) {
	root := corpusFixture(t)
	list := filepath.Join(t.TempDir(), "apps_list.txt")
	if err := os.WriteFile(list, []byte("List of 2 apps: 'news', 'maps'\nList of 3 apps: 'news', 'maps', 'video'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	x := loadFixture(t, fmt.Sprintf(`name: corpus
dataset:
  kind: corpus
  path: %s
  apps_list: %s
  app_count: 3
  window: 2m
  overlap: 1m
  split: capture
  test_fraction: 0.3
methods:
  - name: destination-set
    params: {k: 1}
`, root, list))
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	r := sum.Results[0]
	// 10-minute captures, 2-minute windows every minute: windows start at
	// 0..7 min (a window must end before the last packet), 8 per capture.
	// Per app: 2 captures train, 1 test.
	if r.Apps != 3 || r.Train != 3*2*8 || r.Test != 3*8 {
		t.Errorf("apps %d, train %d, test %d; want 3, 48, 24", r.Apps, r.Train, r.Test)
	}
	if r.Captures != 3*3 {
		t.Errorf("captures %d, want 9 (3 apps x 3)", r.Captures)
	}
	if r.Metrics.Accuracy != 1 {
		t.Errorf("accuracy %v on separable apps", r.Metrics.Accuracy)
	}
	if got := strings.Join(r.Metrics.Confusion.Labels, ","); got != "maps,news,video" {
		t.Errorf("labels %s", got)
	}
}

func TestCorpusUnknownApp(t *testing.T) {
	text := fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  apps: [maps, chess]
methods: [{name: majority}]
`, corpusFixture(t))
	_, err := Load("apps.yaml", t.TempDir(), []byte(text))
	if err == nil || !strings.Contains(err.Error(), `apps.yaml:4:9: key "dataset.apps": app "chess" is not in the dataset`) {
		t.Fatalf("error %v", err)
	}
	open := fmt.Sprintf(`dataset: {kind: corpus, path: %s}
task:
  kind: open
  unseen_apps: [maps, music, news, video]
methods: [{name: majority}]
`, corpusFixture(t))
	if _, err := Load("open.yaml", t.TempDir(), []byte(open)); err == nil || !strings.Contains(err.Error(), `open.yaml:4:16: key "task.unseen_apps"`) {
		t.Fatalf("holding out every app: %v", err)
	}
}

func TestCorpusOpenWorld(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  window: 2m
  overlap: 1m
task: {kind: open, unseen_fraction: 0.25}
methods:
  - name: destination-set
    params: {k: 1, unknown_threshold: 0.5}
repeats: 2
`, corpusFixture(t)))
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sum.Results {
		// one app of four held out: its 3 captures x 8 chunks are all
		// tested; the known apps' 72 chunks split 80:20 per app.
		if len(r.Unseen) != 1 || r.Train != 3*19 || r.Test != 3*5+24 {
			t.Errorf("seed %d: unseen %v, train %d, test %d", r.Seed, r.Unseen, r.Train, r.Test)
		}
		d := r.Metrics.Detection
		if d == nil || d.TP != 24 || d.FP != 0 {
			t.Errorf("seed %d: detection %+v: the unseen app's own servers never occur in training", r.Seed, d)
		}
	}
}

// TestFixedSplitSeed checks that dataset.seed fixes the split across
// repetitions, and that repetitions split differently without it.
func TestFixedSplitSeed(t *testing.T) {
	root := corpusFixture(t)
	run := func(extra string) []*resultfmt.Result {
		x := loadFixture(t, fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  window: 2m
  overlap: 1m
%stask: {kind: open, unseen_fraction: 0.25}
methods: [{name: majority}]
repeats: 4
`, root, extra))
		sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return sum.Results
	}
	fixed := run("  seed: 9\n")
	for _, r := range fixed[1:] {
		if r.Unseen[0] != fixed[0].Unseen[0] {
			t.Errorf("fixed split seed: held-out apps %v and %v differ", r.Unseen, fixed[0].Unseen)
		}
	}
	free := run("")
	differ := false
	for _, r := range free[1:] {
		differ = differ || r.Unseen[0] != free[0].Unseen[0]
	}
	if !differ {
		t.Error("four repetitions held out the same app: the repetition seed does not reach the hold-out")
	}
}

// TestOneAppWarning checks that a dataset of a single app is a warning,
// given once however many datasets of the grid have one app, and that two
// apps give none.
func TestOneAppWarning(t *testing.T) {
	root := corpusFixture(t)
	one := fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  apps: [maps]
methods: [{name: majority}, {name: destination-set}]
sweep:
  - param: dataset.window
    values: [1m, 2m]
`, root)
	x, err := Load("one.yaml", t.TempDir(), []byte(one))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Warnings) != 1 || !strings.Contains(x.Warnings[0], "one.yaml:4:9") ||
		!strings.Contains(x.Warnings[0], "only one app (maps)") || !strings.Contains(x.Warnings[0], "at least two apps") {
		t.Errorf("warnings %q, want one naming one.yaml:4:9 and the single app", x.Warnings)
	}
	two := strings.Replace(one, "[maps]", "[maps, news]", 1)
	x, err = Load("two.yaml", t.TempDir(), []byte(two))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Warnings) != 0 {
		t.Errorf("two apps: warnings %q", x.Warnings)
	}
}

// TestCorpusAlso: dataset.also joins another corpus's apps, here held out
// as unseen; the same capture name in two corpora and also on a synth
// dataset are errors.
func TestCorpusAlso(t *testing.T) {
	root := corpusFixture(t)
	other := t.TempDir()
	if err := os.Rename(filepath.Join(root, "video"), filepath.Join(other, "radio")); err != nil {
		t.Fatal(err)
	}
	cfg := func(also, task string) string {
		return fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  also: [%s]
  window: 2m
  overlap: 1m
  split: capture
task: %s
methods: [{name: destination-set, params: {k: 1, unknown_threshold: 0.5}}]
`, root, also, task)
	}
	sum, err := Run(context.Background(), loadFixture(t, cfg(other, "{kind: open, unseen_apps: [radio]}")), Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	r := sum.Results[0]
	if r.Apps != 4 || strings.Join(r.Unseen, ",") != "radio" || r.Metrics.Detection == nil {
		t.Fatalf("apps %d, unseen %v, detection %v", r.Apps, r.Unseen, r.Metrics.Detection)
	}
	x := loadFixture(t, cfg(root, "{kind: closed}"))
	if _, err := Run(context.Background(), x, Options{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "is in both") {
		t.Errorf("a corpus joined to itself: %v", err)
	}
	_, err = Load("also.yaml", t.TempDir(), []byte("dataset: {kind: synth, also: [x]}\nmethods: [{name: majority}]\n"))
	if err == nil || !strings.Contains(err.Error(), `"dataset.also"`) {
		t.Errorf("also on a synth dataset: %v", err)
	}
}
