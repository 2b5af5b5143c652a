package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"appbench/datasets"
	"appbench/featcache"
	"appbench/internal/workpool"
	"appbench/methods"
	"appbench/resultfmt"
)

// featureNeeds are the feature stages that the cells of one reading group
// ask for: one method per feature key computes the features of every chunk
// once for all of them.
type featureNeeds struct {
	by      map[string]methods.Featurizer // feature key -> a method computing it
	keys    []string                      // sorted
	packets bool                          // some cell's method has no feature stage
	of      map[*Cell]string              // each cell's feature key ("" without one)
	refs    map[string]int                // feature key -> cells using it
}

// needsOf builds the methods of cells to learn their feature keys. A cell
// whose method cannot be built is left out: it fails when it runs.
func needsOf(cells []*Cell) featureNeeds {
	n := featureNeeds{by: make(map[string]methods.Featurizer), of: make(map[*Cell]string), refs: make(map[string]int)}
	for _, c := range cells {
		m, err := newMethod(c.file, c.dir, &c.spec, "params", c.Seed, 1, io.Discard, nil)
		if err != nil {
			continue
		}
		f, ok := m.(methods.Featurizer)
		if !ok {
			n.packets = true
			continue
		}
		k := f.FeatureKey()
		if n.by[k] == nil {
			n.by[k] = f
			n.keys = append(n.keys, k)
		}
		n.of[c] = k
		n.refs[k]++
	}
	slices.Sort(n.keys)
	return n
}

// LoadStats tells what loading datasets cost.
type LoadStats struct {
	// Read and Features are the seconds spent reading and chunking
	// captures and computing features, summed over the captures (which
	// run in parallel, so the sum may exceed the wall time).
	Read, Features float64
	// Hits and Misses count the captures whose features came from the
	// feature cache or were computed (per feature key).
	Hits, Misses int
}

func (s *LoadStats) add(o LoadStats) {
	s.Read += o.Read
	s.Features += o.Features
	s.Hits += o.Hits
	s.Misses += o.Misses
}

// stage computes the features of one capture's chunks for every needed
// key and drops the packets that no method needs, taking what it can from
// the feature cache and storing what it computes there.
type stage struct {
	needs featureNeeds
	cache *featcache.Cache // nil: no disk cache
	d     *Dataset

	mu      sync.Mutex
	stats   LoadStats
	notes   []string
	featErr map[string]error // feature key -> first failure
}

// capture fills cuts[i] from src.
func (s *stage) capture(src source) (cut, error) {
	keys := s.cacheKeys(src)
	if ct, ok := s.fromCache(src, keys); ok {
		ct.ckeys = keys
		return ct, nil
	}
	ct, err := s.compute(src, keys, s.needs.keys, false)
	ct.ckeys = keys
	return ct, err
}

// compute reads src, chunks it and computes the features of the keys in
// want; hold keeps them all in the cut, else those stored in the cache
// are left out (they are read back when a cell needs them).
func (s *stage) compute(src source, keys map[string]*featcache.Key, want []string, hold bool) (cut, error) {
	t0 := time.Now()
	pkts, err := src.packets()
	pkts, note, err := onDamage(pkts, err, s.d.OnDamage)
	if err != nil {
		return cut{}, fmt.Errorf("bench: dataset %s: %w", src.name, err)
	}
	ct := chunk(src.app, src.name, pkts, s.d)
	if note != "" {
		ct.note = src.name + ": " + note
	}
	t1 := time.Now()
	ct.feats = make(map[string][][]byte, len(want))
	for _, k := range want {
		s.featurize(&ct, k, keys[k], hold)
	}
	if !s.needs.packets {
		ct.counts = make([]int, len(ct.chunks))
		for j := range ct.chunks {
			ct.counts[j] = len(ct.chunks[j].Packets)
			ct.chunks[j].Packets = nil
		}
	}
	s.mu.Lock()
	s.stats.Read += t1.Sub(t0).Seconds()
	s.stats.Features += time.Since(t1).Seconds()
	s.mu.Unlock()
	return ct, nil
}

// featurize computes the features of ct's chunks for key (unless the key
// failed already) and stores them in the cache under ck. They stay in ct
// only with hold, without a cache, or when storing them failed.
func (s *stage) featurize(ct *cut, key string, ck *featcache.Key, hold bool) {
	s.mu.Lock()
	failed := s.featErr[key] != nil
	s.stats.Misses++
	s.mu.Unlock()
	if failed {
		return
	}
	f := s.needs.by[key]
	feats := make([][]byte, len(ct.chunks))
	for j := range ct.chunks {
		ch := &ct.chunks[j]
		b, err := f.Features(methods.Sample{Label: ch.App, Capture: ch.Capture, Packets: ch.Packets})
		if err != nil {
			s.mu.Lock()
			if s.featErr[key] == nil {
				s.featErr[key] = fmt.Errorf("features of %s chunk %d: %w", ch.Capture, ch.Index, err)
			}
			s.mu.Unlock()
			return
		}
		feats[j] = b
	}
	ct.feats[key] = feats
	if ck != nil {
		err := s.cache.Put(*ck, encodeEntry(ct, key))
		if err != nil {
			s.note(fmt.Sprintf("feature cache: %v (features are computed again next time)", err))
		} else if !hold {
			delete(ct.feats, key)
		}
	}
}

func (s *stage) note(n string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.notes, n) {
		s.notes = append(s.notes, n)
	}
}

// cacheKeys returns the cache key of each needed feature key for src, or
// nil keys when src has no file identity or there is no cache.
func (s *stage) cacheKeys(src source) map[string]*featcache.Key {
	keys := make(map[string]*featcache.Key, len(s.needs.keys))
	if s.cache == nil || src.path == "" {
		return keys
	}
	id, err := featcache.FileID(src.path)
	if err != nil {
		return keys
	}
	d := s.d
	chunking := fmt.Sprintf("window=%d overlap=%d min_packets=%d on_damage=%s", d.Window, d.Overlap, d.MinPackets, d.OnDamage)
	for _, k := range s.needs.keys {
		ck := featcache.KeyOf(entryFormat, buildID(), id, src.app, src.name, chunking, k)
		keys[k] = &ck
	}
	return keys
}

// fromCache assembles src's cut from the cache when no method needs
// packets and the entry of the first needed key is there: the cut takes
// its chunks from that entry and holds no features (every key's are read
// when a cell needs them: see reload).
func (s *stage) fromCache(src source, keys map[string]*featcache.Key) (cut, bool) {
	if s.needs.packets || len(s.needs.keys) == 0 {
		return cut{}, false
	}
	ct, ok := s.cached(src, keys[s.needs.keys[0]])
	if !ok {
		return cut{}, false
	}
	ct.feats = make(map[string][][]byte)
	s.mu.Lock()
	s.stats.Hits++
	s.mu.Unlock()
	return ct, true
}

// cached reads and decodes the cache entry ck of src (its features under
// key ""); a missing entry gives false, a damaged one false and a note.
func (s *stage) cached(src source, ck *featcache.Key) (cut, bool) {
	if ck == nil {
		return cut{}, false
	}
	b, ok, err := s.cache.Get(*ck)
	if err != nil {
		s.note(fmt.Sprintf("feature cache: %v; rebuilt", err))
	}
	if !ok {
		return cut{}, false
	}
	e, err := decodeEntry(b, src)
	if err != nil {
		s.note(fmt.Sprintf("feature cache: entry %s of %s: %v; rebuilt", ck, src.name, err))
		return cut{}, false
	}
	return e, true
}

// reload returns the features of key for the chunks of ct, the cut of
// src: from the cache, or computed again when the entry is gone or damaged.
func (s *stage) reload(src source, ct *cut, key string) ([][]byte, error) {
	if e, ok := s.cached(src, ct.ckeys[key]); ok {
		if len(e.chunks) == len(ct.chunks) {
			s.mu.Lock()
			s.stats.Hits++
			s.mu.Unlock()
			return e.feats[""], nil
		}
		s.note(fmt.Sprintf("feature cache: entry %s of %s does not match the capture's chunks; rebuilt", ct.ckeys[key], src.name))
	}
	again, err := s.compute(src, ct.ckeys, []string{key}, true)
	if err != nil {
		return nil, err
	}
	if len(again.chunks) != len(ct.chunks) {
		return nil, fmt.Errorf("bench: dataset %s: %d chunks on a second reading, %d on the first (has the file changed?)", src.name, len(again.chunks), len(ct.chunks))
	}
	if err := s.failure(key); err != nil {
		return nil, err
	}
	return again.feats[key], nil
}

// failure returns the error that stopped computing key's features.
func (s *stage) failure(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.featErr[key]
}

// entryFormat names the layout of cache entries (encodeEntry); a new
// layout takes a new name.
const entryFormat = "bench/capture-features/1"

// encodeEntry encodes what the cache keeps of one capture for one feature
// key: the capture's packet count, chunking statistics and note, and per
// chunk its index, bounds, packet count and features.
func encodeEntry(ct *cut, key string) []byte {
	var b []byte
	u := func(v uint64) { b = binary.AppendUvarint(b, v) }
	f := func(v float64) { b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v)) }
	str := func(s string) { u(uint64(len(s))); b = append(b, s...) }
	u(uint64(ct.packets))
	u(uint64(ct.stats.Windows))
	u(uint64(ct.stats.Empty))
	f(ct.stats.Span)
	str(ct.note)
	u(uint64(len(ct.chunks)))
	for j, ch := range ct.chunks {
		u(uint64(ch.Index))
		f(ch.Start)
		f(ch.Stop)
		u(uint64(ct.npackets(j)))
		str(string(ct.feats[key][j]))
	}
	return b
}

// decodeEntry decodes an entry of src; its features are under key "".
func decodeEntry(b []byte, src source) (cut, error) {
	r := entryReader{b: b}
	ct := cut{packets: r.int()}
	ct.stats.Windows, ct.stats.Empty = r.int(), r.int()
	ct.stats.Span = r.float()
	ct.note = string(r.bytes())
	n := r.int()
	if r.err == nil && n > len(b) {
		r.err = errors.New("chunk count beyond the entry")
	}
	if r.err != nil {
		return cut{}, r.err
	}
	ct.chunks = make([]datasets.Chunk, n)
	ct.counts = make([]int, n)
	feats := make([][]byte, n)
	for j := range ct.chunks {
		ct.chunks[j] = datasets.Chunk{App: src.app, Capture: src.name, Index: r.int(), Start: r.float(), Stop: r.float()}
		ct.counts[j] = r.int()
		feats[j] = r.bytes()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d bytes after the last chunk", len(r.b))
	}
	if r.err != nil {
		return cut{}, r.err
	}
	ct.feats = map[string][][]byte{"": feats}
	return ct, nil
}

// entryReader reads the fields of an entry, remembering the first error.
type entryReader struct {
	b   []byte
	err error
}

func (r *entryReader) int() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > math.MaxInt32 {
		r.err = errors.New("bad integer")
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *entryReader) float() float64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = errors.New("cut float")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *entryReader) bytes() []byte {
	n := r.int()
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = errors.New("cut field")
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// buildID identifies the running program by the SHA-256 of its executable,
// so that features computed by another build are never reused; when the
// executable cannot be read, by its version.
var buildID = sync.OnceValue(func() string {
	p, err := os.Executable()
	if err == nil {
		var b []byte
		if b, err = os.ReadFile(p); err == nil {
			s := sha256.Sum256(b)
			return hex.EncodeToString(s[:])
		}
	}
	return resultfmt.Version()
})

// loadAll runs stage.capture over srcs on at most workers goroutines and
// returns every capture's error.
func (s *stage) loadAll(ctx context.Context, srcs []source, workers int) ([]cut, error) {
	cuts := make([]cut, len(srcs))
	errs := make([]error, len(srcs))
	err := workpool.Run(ctx, workers, len(srcs), func(_ context.Context, i int) error {
		cuts[i], errs[i] = s.capture(srcs[i])
		return nil
	})
	return cuts, errors.Join(append(errs, err)...)
}

// keyFeatures are the features of one feature key held in memory, per
// capture and chunk, while cells need them.
type keyFeatures struct {
	mu   sync.Mutex
	of   [][][]byte // per capture; nil for a capture whose features are in the cache only
	refs int        // cells still to use them
}

// chunkFeatures returns the features of key of the chunks at refs, in
// their order. Features held in memory (there is no feature cache, or
// storing them failed) are shared; the others are read back from the
// cache (or computed again) capture by capture and not kept, so that they
// live only as long as the caller holds them.
func (d *data) chunkFeatures(ctx context.Context, key string, refs []chunkRef) ([][]byte, error) {
	if err := d.stage.failure(key); err != nil {
		return nil, err
	}
	kf := d.feats[key]
	if kf == nil {
		return nil, fmt.Errorf("bench: no features %q were computed", key)
	}
	at := make(map[int][]int) // capture -> positions in refs
	var caps []int
	for p, r := range refs {
		if at[r.i] == nil {
			caps = append(caps, r.i)
		}
		at[r.i] = append(at[r.i], p)
	}
	out := make([][]byte, len(refs))
	err := workpool.Run(ctx, d.workers, len(caps), func(_ context.Context, n int) error {
		i := caps[n]
		fs, err := d.captureFeatures(kf, key, i)
		if err != nil {
			return err
		}
		// A capture only part of whose chunks are asked for gives
		// copies, so that the rest of its entry can go.
		part := kf.inMemory(i) == nil && len(at[i]) < len(fs)
		for _, p := range at[i] {
			out[p] = fs[refs[p].j]
			if part {
				out[p] = slices.Clone(out[p])
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// captureFeatures returns the features of key of capture i's chunks: those
// in memory, else those read back from the cache.
func (d *data) captureFeatures(kf *keyFeatures, key string, i int) ([][]byte, error) {
	if fs := kf.inMemory(i); fs != nil {
		return fs, nil
	}
	return d.stage.reload(d.srcs[i], &d.cuts[i], key)
}

// inMemory returns the features of capture i held in memory (nil when
// they are in the cache only).
func (kf *keyFeatures) inMemory(i int) [][]byte {
	kf.mu.Lock()
	defer kf.mu.Unlock()
	if kf.of == nil {
		return nil
	}
	return kf.of[i]
}

// release tells that one cell using key is done; the features of key are
// dropped after the last one.
func (d *data) release(key string) {
	kf := d.feats[key]
	if kf == nil {
		return
	}
	kf.mu.Lock()
	defer kf.mu.Unlock()
	if kf.refs--; kf.refs <= 0 {
		kf.of = nil
	}
}

// loadStats returns what loading d has cost so far (reading features back
// from the cache included).
func (d *data) loadStats() LoadStats {
	if d.stage == nil {
		return LoadStats{}
	}
	d.stage.mu.Lock()
	defer d.stage.mu.Unlock()
	return d.stage.stats
}

// allNotes returns the notes of loading d so far: those of its files and
// those of its feature stage (reading features back from the cache
// included).
func (d *data) allNotes() []string {
	out := slices.Clone(d.notes)
	if d.stage != nil {
		d.stage.mu.Lock()
		out = append(out, d.stage.notes...)
		d.stage.mu.Unlock()
	}
	return out
}
