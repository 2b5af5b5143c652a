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
)

// featureNeeds are the feature stages that the cells of one reading group
// ask for: one method per feature key computes the features of every chunk
// once for all of them.
type featureNeeds struct {
	by      map[string]methods.Featurizer // feature key -> a method computing it
	keys    []string                      // sorted
	packets bool                          // some cell's method has no feature stage
}

// needsOf builds the methods of cells to learn their feature keys. A cell
// whose method cannot be built is left out: it fails when it runs.
func needsOf(cells []*Cell) featureNeeds {
	n := featureNeeds{by: make(map[string]methods.Featurizer)}
	for _, c := range cells {
		m, err := newMethod(c.file, &c.spec, "params", c.Seed, 1, io.Discard, nil)
		if err != nil {
			continue
		}
		f, ok := m.(methods.Featurizer)
		if !ok {
			n.packets = true
			continue
		}
		if k := f.FeatureKey(); n.by[k] == nil {
			n.by[k] = f
			n.keys = append(n.keys, k)
		}
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
		return ct, nil
	}
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
	ct.feats = make(map[string][][]byte, len(s.needs.keys))
	for _, k := range s.needs.keys {
		s.featurize(&ct, src, k, keys[k])
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
// failed already) and stores them in the cache under ck.
func (s *stage) featurize(ct *cut, src source, key string, ck *featcache.Key) {
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
				s.featErr[key] = fmt.Errorf("%s: features of %s chunk %d: %w", f.Name(), ch.Capture, ch.Index, err)
			}
			s.mu.Unlock()
			return
		}
		feats[j] = b
	}
	ct.feats[key] = feats
	if ck != nil {
		if err := s.cache.Put(*ck, encodeEntry(ct, key)); err != nil {
			s.note(fmt.Sprintf("feature cache: %v (features are computed again next time)", err))
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

// fromCache assembles src's cut from the cache when every needed key is
// there and no method needs packets.
func (s *stage) fromCache(src source, keys map[string]*featcache.Key) (cut, bool) {
	if s.needs.packets || len(s.needs.keys) == 0 {
		return cut{}, false
	}
	var ct cut
	for i, k := range s.needs.keys {
		ck := keys[k]
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
		if i == 0 {
			ct = e
			ct.feats = make(map[string][][]byte, len(s.needs.keys))
		}
		ct.feats[k] = e.feats[""]
	}
	s.mu.Lock()
	s.stats.Hits += len(s.needs.keys)
	s.mu.Unlock()
	return ct, true
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
	return Version()
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
