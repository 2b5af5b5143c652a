package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"appbench/datasets"
	"appbench/featcache"
	"appbench/methods"
	"appbench/resultfmt"
)

// stagedCalls counts the Features calls of every test-staged method.
var stagedCalls atomic.Int64

// staged is a two-stage test method: its feature is the set of server
// addresses' third octets of a chunk (with a burst-like parameter "min"
// that drops chunks' small packets, so that it is a feature parameter),
// and it predicts the label of the training sample sharing most octets
// (parameter "bias" only shifts the score: a model parameter).
type staged struct {
	p struct {
		Min  int     `yaml:"min"`
		Bias float64 `yaml:"bias"`
	}
	workers int
	train   []methods.Encoded
}

func newStaged(cfg methods.Config) (methods.Method, error) {
	s := &staged{workers: cfg.Workers}
	if err := cfg.Decode(&s.p); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *staged) Name() string       { return "test-staged" }
func (s *staged) FeatureKey() string { return fmt.Sprintf("test-staged/1/min=%d", s.p.Min) }

func (s *staged) Features(smp methods.Sample) ([]byte, error) {
	stagedCalls.Add(1)
	var seen [256]bool
	for _, p := range smp.Packets {
		if p.IPLen >= s.p.Min && p.Dst.Is4() && p.DstPort == 443 {
			seen[p.Dst.As4()[2]] = true
		}
	}
	var b []byte
	for i, ok := range seen {
		if ok {
			b = append(b, byte(i))
		}
	}
	return binary.AppendUvarint(b, uint64(len(b))), nil
}

func (s *staged) FitFeatures(_ context.Context, train []methods.Encoded) error {
	s.train = train
	return nil
}

func (s *staged) PredictFeatures(_ context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	out := make([]methods.Prediction, len(test))
	for i, e := range test {
		best := -1
		for _, tr := range s.train {
			if n := commonBytes(e.Features, tr.Features); n > best {
				best, out[i] = n, methods.Prediction{Label: tr.Label, Score: float64(n) + s.p.Bias}
			}
		}
	}
	return out, nil
}

func commonBytes(a, b []byte) int {
	n := 0
	for _, x := range a[:len(a)-1] {
		if strings.IndexByte(string(b[:len(b)-1]), x) >= 0 {
			n++
		}
	}
	return n
}

func (s *staged) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, s, train, s.workers)
}

func (s *staged) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, s, test, s.workers)
}

func init() { methods.Register("test-staged", newStaged) }

func stagedConfig(root string) string {
	return fmt.Sprintf(`dataset:
  kind: corpus
  path: %s
  window: 2m
  overlap: 1m
  split: capture
methods:
  - name: test-staged
  - name: test-staged
    as: staged-min
    params: {min: 50}
sweep:
  - param: methods.test-staged.bias
    values: [0, 1, 2]
  - param: dataset.test_fraction
    values: [0.3, 0.5]
`, root)
}

// TestFeaturesOncePerReading: a sweep over a model parameter and over the
// split reads the corpus once and computes each feature key's features of
// each chunk once, however many cells use them.
func TestFeaturesOncePerReading(t *testing.T) {
	root := corpusFixture(t)
	x := loadFixture(t, stagedConfig(root))
	stagedCalls.Store(0)
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Results) != 6+2 {
		t.Fatalf("%d results, want 8", len(sum.Results))
	}
	chunks := sum.Results[0].Train + sum.Results[0].Test
	// Two feature keys (min 0 and min 50), each computed once per chunk.
	if got := stagedCalls.Load(); got != int64(2*chunks) {
		t.Errorf("Features called %d times for %d chunks and 2 feature keys, want %d", got, chunks, 2*chunks)
	}
	for _, r := range sum.Results {
		if r.Metrics.Accuracy != 1 {
			t.Errorf("cell %s: accuracy %v on separable apps", r.ID, r.Metrics.Accuracy)
		}
	}
}

// TestFeatureCacheReused: a second run over the same corpus with a
// feature cache computes no feature and gives the same numbers; a damaged
// entry is noted and rebuilt.
func TestFeatureCacheReused(t *testing.T) {
	root := corpusFixture(t)
	fc, err := featcache.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	run := func() *Summary {
		t.Helper()
		x := loadFixture(t, stagedConfig(root))
		sum, err := Run(context.Background(), x, Options{Dir: t.TempDir(), Cache: fc})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	stagedCalls.Store(0)
	first := run()
	computed := stagedCalls.Load()
	// 12 captures, 2 feature keys: each computed once and stored; each
	// of the 8 cells reads its features back from the cache (each capture
	// once: the split is by capture).
	const captures, cells = 12, 8
	if computed == 0 || first.Load.Misses != 2*captures || first.Load.Hits != cells*captures {
		t.Fatalf("first run: %d Features calls, %+v; want %d misses and %d hits", computed, first.Load, 2*captures, cells*captures)
	}
	stagedCalls.Store(0)
	second := run()
	if n := stagedCalls.Load(); n != 0 {
		t.Errorf("second run computed features %d times, want 0", n)
	}
	// Loading reads one entry per capture for its chunks.
	if l := second.Load; l.Hits != captures+cells*captures || l.Misses != 0 {
		t.Errorf("second run: %+v; want %d hits and no miss", l, captures+cells*captures)
	}
	for i := range first.Results {
		a, b := first.Results[i], second.Results[i]
		if a.ID != b.ID || !sameJSON(a.Metrics, b.Metrics) || a.Train != b.Train || a.Test != b.Test {
			t.Errorf("cell %s: results differ between the computed and the cached features", a.ID)
		}
	}
	// Damage one entry: the third run says so, rebuilds it, and agrees.
	damaged := damageOneEntry(t, fc.Dir())
	stagedCalls.Store(0)
	third := run()
	if stagedCalls.Load() == 0 {
		t.Error("a damaged entry was not rebuilt")
	}
	if !strings.Contains(strings.Join(third.Notes, "\n"), filepath.Base(damaged)) {
		t.Errorf("no note names the damaged entry %s: %q", damaged, third.Notes)
	}
	for i := range first.Results {
		if !sameJSON(first.Results[i].Metrics, third.Results[i].Metrics) {
			t.Errorf("cell %s: results differ after rebuilding", first.Results[i].ID)
		}
	}
}

// damageOneEntry flips the last byte of one cache entry and returns its
// path.
func damageOneEntry(t *testing.T, dir string) string {
	t.Helper()
	var found string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && found == "" {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatal("no cache entry")
	}
	b, err := os.ReadFile(found)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(found, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return found
}

// TestStagedAndPacketMethodsTogether: a method without a feature stage
// next to a two-stage one still gets the packets, and both score as when
// run alone.
func TestStagedAndPacketMethodsTogether(t *testing.T) {
	root := corpusFixture(t)
	cfg := func(methods string) string {
		return fmt.Sprintf("dataset: {kind: corpus, path: %s, window: 2m, overlap: 1m, split: capture}\nmethods: %s\n", root, methods)
	}
	runOne := func(text string) []*resultfmt.Result {
		sum, err := Run(context.Background(), loadFixture(t, text), Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return sum.Results
	}
	both := runOne(cfg("[{name: test-staged}, {name: destination-set, params: {k: 1}}]"))
	alone := append(runOne(cfg("[{name: test-staged}]")), runOne(cfg("[{name: destination-set, params: {k: 1}}]"))...)
	if len(both) != 2 || len(alone) != 2 {
		t.Fatalf("%d and %d results", len(both), len(alone))
	}
	for i := range both {
		if both[i].Method != alone[i].Method || !sameJSON(both[i].Metrics, alone[i].Metrics) {
			t.Errorf("%s: together %v, alone %v", both[i].Method, both[i].Metrics.Accuracy, alone[i].Metrics.Accuracy)
		}
	}
}

func TestCacheEntryRoundTrip(t *testing.T) {
	src := source{app: "maps", name: "maps/maps_1.csv"}
	ct := cut{packets: 42, note: "a note", counts: []int{3, 5}}
	ct.stats.Windows, ct.stats.Empty, ct.stats.Span = 4, 2, 123.5
	ct.chunks = make([]datasets.Chunk, 2)
	ct.chunks[0].App, ct.chunks[0].Capture, ct.chunks[0].Index, ct.chunks[0].Start, ct.chunks[0].Stop = src.app, src.name, 1, 10, 130
	ct.chunks[1].App, ct.chunks[1].Capture, ct.chunks[1].Index, ct.chunks[1].Start, ct.chunks[1].Stop = src.app, src.name, 3, 70, 190
	ct.feats = map[string][][]byte{"k": {[]byte("ab"), nil}}
	b := encodeEntry(&ct, "k")
	got, err := decodeEntry(b, src)
	if err != nil {
		t.Fatal(err)
	}
	if got.packets != 42 || got.note != "a note" || got.stats != ct.stats || !sameJSON(got.chunks, ct.chunks) ||
		string(got.feats[""][0]) != "ab" || len(got.feats[""][1]) != 0 || got.npackets(1) != 5 {
		t.Errorf("round trip: %+v", got)
	}
	for n := 0; n < len(b); n++ {
		if _, err := decodeEntry(b[:n], src); err == nil {
			t.Fatalf("entry cut to %d of %d bytes decoded without error", n, len(b))
		}
	}
	if _, err := decodeEntry(append(b, 0), src); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

// TestFeaturesStayInTheCache: with a feature cache, loading keeps no
// features in memory; a cell's request reads them back from the cache,
// equal to those loading without a cache keeps in memory, and keeps them
// no longer than the caller holds them.
func TestFeaturesStayInTheCache(t *testing.T) {
	root := corpusFixture(t)
	fc, err := featcache.Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	x := loadFixture(t, stagedConfig(root))
	cached, err := loadData(context.Background(), x.Cells, 2, fc)
	if err != nil {
		t.Fatal(err)
	}
	held, err := loadData(context.Background(), x.Cells, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	inMemory := func(d *data, key string) int {
		n := 0
		for i := range d.cuts {
			if d.feats[key].inMemory(i) != nil {
				n++
			}
		}
		return n
	}
	for _, key := range cached.stage.needs.keys {
		if n := inMemory(cached, key); n != 0 {
			t.Errorf("%s: %d captures' features in memory with a cache, want none", key, n)
		}
		if n := inMemory(held, key); n != len(held.cuts) {
			t.Errorf("%s: %d of %d captures' features in memory without a cache", key, n, len(held.cuts))
		}
		// Every other chunk: part of each capture's chunks.
		var refs []chunkRef
		for i := range cached.cuts {
			for j := 0; j < len(cached.cuts[i].chunks); j += 2 {
				refs = append(refs, chunkRef{i, j})
			}
		}
		got, err := cached.chunkFeatures(context.Background(), key, refs)
		if err != nil {
			t.Fatal(err)
		}
		want, err := held.chunkFeatures(context.Background(), key, refs)
		if err != nil {
			t.Fatal(err)
		}
		for k := range refs {
			if string(got[k]) != string(want[k]) {
				t.Fatalf("%s: chunk %v: features %x from the cache, %x computed", key, refs[k], got[k], want[k])
			}
		}
		if n := inMemory(cached, key); n != 0 {
			t.Errorf("%s: %d captures' features kept in memory after a request", key, n)
		}
	}
	for _, c := range x.Cells {
		held.release(held.stage.needs.of[c])
	}
	for _, key := range held.stage.needs.keys {
		if n := inMemory(held, key); n != 0 {
			t.Errorf("%s: features of %d captures kept after the last cell", key, n)
		}
	}
}
