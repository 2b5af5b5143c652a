package forest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"appbench/internal/workpool"
)

// Options are the forest's hyper-parameters. The zero value asks for
// scikit-learn's defaults with 100 trees and one worker.
type Options struct {
	// Trees is the number of trees; 0 means 100.
	Trees int
	// MaxFeatures is the number of features examined at each split; 0
	// means floor(sqrt(cols)) (at least 1); values above cols mean cols.
	MaxFeatures int
	// MaxDepth limits the depth of the trees (the root has depth 0); 0
	// means unlimited.
	MaxDepth int
	// MinSamplesSplit is the smallest number of distinct training rows a
	// node needs to be split; 0 means 2.
	MinSamplesSplit int
	// MinSamplesLeaf is the smallest number of distinct training rows on
	// each side of a split; 0 means 1.
	MinSamplesLeaf int
	// Workers is the number of goroutines that grow trees and predict; 0
	// means 1. It never changes the result.
	Workers int
	// Seed seeds every random choice (bootstrap draws and feature draws).
	Seed uint64
	// NoBootstrap grows every tree on all rows, each once (sklearn's
	// bootstrap=False); features are still drawn at random.
	NoBootstrap bool
}

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: feature values
// closer than this are treated as equal when looking for split points.
const featureThreshold = 1e-7

// resolved holds the options with defaults applied.
type resolved struct {
	trees, mtry, maxDepth, minSplit, minLeaf, workers int
	seed                                              uint64
	noBootstrap                                       bool
}

func (o Options) resolve(cols int) (resolved, error) {
	r := resolved{trees: o.Trees, mtry: o.MaxFeatures, maxDepth: o.MaxDepth,
		minSplit: o.MinSamplesSplit, minLeaf: o.MinSamplesLeaf, workers: o.Workers, seed: o.Seed, noBootstrap: o.NoBootstrap}
	if r.trees < 0 || r.mtry < 0 || r.maxDepth < 0 || r.minSplit < 0 || r.minLeaf < 0 || r.workers < 0 {
		return r, fmt.Errorf("forest: negative option in %+v", o)
	}
	if r.trees == 0 {
		r.trees = 100
	}
	if r.mtry == 0 {
		r.mtry = int(math.Sqrt(float64(cols)))
		if r.mtry < 1 {
			r.mtry = 1
		}
	}
	if r.mtry > cols {
		r.mtry = cols
	}
	if r.maxDepth == 0 {
		r.maxDepth = math.MaxInt32
	}
	if r.minSplit < 2 {
		r.minSplit = 2
	}
	if r.minLeaf == 0 {
		r.minLeaf = 1
	}
	if r.workers == 0 {
		r.workers = 1
	}
	return r, nil
}

// ErrInput is wrapped by every error about invalid training or test data.
var ErrInput = errors.New("invalid input")

// treeStream derives the PCG stream of tree t (splitmix64 of t+1), so that
// trees draw from independent generators for one forest seed.
func treeStream(t int) uint64 {
	z := uint64(t) + 1 + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Fit grows a forest on the rows × cols row-major matrix X with labels y in
// 0..classes-1. It stops early with ctx's error when ctx is cancelled.
func Fit(ctx context.Context, X []float64, rows, cols int, y []int, classes int, opt Options) (*Forest, error) {
	if err := checkShape(len(X), rows, cols); err != nil {
		return nil, err
	}
	m, err := RankRows(rows, cols, func(add func(row []float64) error) error {
		for i := range rows {
			if err := add(X[i*cols : (i+1)*cols]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return FitMatrix(ctx, m, y, classes, opt)
}

// FitMatrix grows a forest on the matrix m (see RankRows) with labels y in 0..classes-1: the forest Fit grows on the same
// values. m must not change while FitMatrix runs.
func FitMatrix(ctx context.Context, m *Matrix, y []int, classes int, opt Options) (*Forest, error) {
	if classes <= 0 {
		return nil, fmt.Errorf("forest: %d classes: %w", classes, ErrInput)
	}
	if len(y) != m.rows {
		return nil, fmt.Errorf("forest: %d labels for %d rows: %w", len(y), m.rows, ErrInput)
	}
	r, err := opt.resolve(m.cols)
	if err != nil {
		return nil, err
	}
	labels := make([]int32, m.rows)
	for i, c := range y {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("forest: row %d: label %d outside 0..%d: %w", i, c, classes-1, ErrInput)
		}
		labels[i] = int32(c)
	}
	fb, err := layoutFor(m.cols, classes)
	if err != nil {
		return nil, err
	}
	f := &Forest{Classes: classes, Features: m.cols, FeatureBits: fb, Trees: make([]Tree, r.trees)}
	err = workpool.RunState(ctx, r.workers, r.trees, func() *builder {
		return newBuilder(m, labels, classes, r, f.layout())
	}, func(_ context.Context, b *builder, t int) error {
		rng := rand.New(rand.NewPCG(r.seed, treeStream(t)))
		f.Trees[t] = b.grow(rng)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("forest: fit: %w", err)
	}
	return f, nil
}

// checkShape checks a matrix of n values against its rows and columns.
func checkShape(n, rows, cols int) error {
	if rows <= 0 || cols <= 0 {
		return fmt.Errorf("forest: %d rows, %d columns: %w", rows, cols, ErrInput)
	}
	if n != rows*cols {
		return fmt.Errorf("forest: matrix has %d values, want %d rows × %d columns: %w", n, rows, cols, ErrInput)
	}
	if rows > math.MaxInt32/2 {
		return fmt.Errorf("forest: %d rows is too many: %w", rows, ErrInput)
	}
	return nil
}

// builder holds one worker's buffers, reused from tree to tree.
type builder struct {
	m          *Matrix
	y          []int32
	rows, cols int
	classes    int
	r          resolved

	weight  []int32  // bootstrap count of each row
	samples []int32  // rows with a positive count, partitioned by node
	xf      []uint64 // the node's samples as rank<<32 | sample, sorted by rank
	tmp     []uint64 // sortByRank's buffer
	feats   []int32  // feature permutation
	counts  []int64  // class weights of the node
	left    []int64  // class weights left of the split point
	stack   []entry
	tree    Tree // the tree being grown; grow returns an exact-size copy
	layout  nodeLayout
}

// entry is a branch still to grow: its samples, depth, parent node (-1
// for the root) and side.
type entry struct {
	start, end, depth, parent int32
	right                     bool
}

func newBuilder(m *Matrix, y []int32, classes int, r resolved, l nodeLayout) *builder {
	return &builder{
		m: m, y: y, rows: m.rows, cols: m.cols, classes: classes, r: r, layout: l,
		weight:  make([]int32, m.rows),
		samples: make([]int32, 0, m.rows),
		xf:      make([]uint64, m.rows),
		tmp:     make([]uint64, m.rows),
		feats:   make([]int32, m.cols),
		counts:  make([]int64, classes),
		left:    make([]int64, classes),
	}
}

// draw sets the bootstrap counts of a new tree and the rows it grows on.
func (b *builder) draw(rng *rand.Rand) {
	if b.r.noBootstrap {
		for i := range b.weight {
			b.weight[i] = 1
		}
	} else {
		clear(b.weight)
		for i := 0; i < b.rows; i++ {
			b.weight[rng.IntN(b.rows)]++
		}
	}
	b.samples = b.samples[:0]
	for i, w := range b.weight {
		if w > 0 {
			b.samples = append(b.samples, int32(i))
		}
	}
	for j := range b.feats {
		b.feats[j] = int32(j)
	}
}

// grow fits one tree on a bootstrap sample drawn from rng.
func (b *builder) grow(rng *rand.Rand) Tree {
	b.draw(rng)
	t := &b.tree
	t.Nodes, t.LeafStart, t.LeafClass, t.LeafProb = t.Nodes[:0], append(t.LeafStart[:0], 0), t.LeafClass[:0], t.LeafProb[:0]
	b.stack = append(b.stack[:0], entry{0, int32(len(b.samples)), 0, -1, false})
	for len(b.stack) > 0 {
		e := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		wTot, nonzero := b.count(e)
		m := int(e.end - e.start)
		leaf := nonzero <= 1 || m < b.r.minSplit || m < 2*b.r.minLeaf || int(e.depth) >= b.r.maxDepth
		var feat int32
		var thr float64
		var cut uint32
		if !leaf {
			feat, thr, cut, leaf = b.split(rng, int(e.start), int(e.end), wTot)
		}
		if leaf {
			b.addLeaf(e, wTot, nonzero)
			continue
		}
		idx := b.link(e)
		pos := e.start + b.partition(e, feat, cut)
		t.Nodes = append(t.Nodes, Node{Threshold: thr, Split: uint32(feat)})
		b.stack = append(b.stack, entry{pos, e.end, e.depth + 1, idx, true}, entry{e.start, pos, e.depth + 1, idx, false})
	}
	return Tree{
		Nodes:     slices.Clone(t.Nodes),
		LeafStart: slices.Clone(t.LeafStart),
		LeafClass: slices.Clone(t.LeafClass),
		LeafProb:  slices.Clone(t.LeafProb),
	}
}

// link returns the index of the node about to be appended for e and makes
// it e's parent's right child if e is one; a left child is the node after
// its parent.
func (b *builder) link(e entry) int32 {
	t := &b.tree
	idx := int32(len(t.Nodes))
	if e.parent >= 0 && e.right {
		t.Nodes[e.parent].Right = idx
	}
	return idx
}

// count sets b.counts to the class weights of the node's samples and
// returns their total and the number of classes present.
func (b *builder) count(e entry) (wTot int64, nonzero int) {
	clear(b.counts)
	for _, s := range b.samples[e.start:e.end] {
		w := int64(b.weight[s])
		c := b.y[s]
		if b.counts[c] == 0 {
			nonzero++
		}
		b.counts[c] += w
		wTot += w
	}
	return wTot, nonzero
}

// addLeaf ends the branch e with the class weights in b.counts. A leaf of
// one class takes no node: its parent names the class in place of the
// child (unless it is the root). Any other leaf is a node with an entry
// in the leaf tables.
func (b *builder) addLeaf(e entry, wTot int64, nonzero int) {
	t := &b.tree
	if nonzero == 1 {
		c := int32(slices.IndexFunc(b.counts, func(w int64) bool { return w > 0 }))
		switch {
		case e.parent < 0:
			t.Nodes = append(t.Nodes, Node{Split: b.layout.mask, Right: pureCode(c)})
		case e.right:
			t.Nodes[e.parent].Right = pureCode(c)
		default:
			t.Nodes[e.parent].Split |= uint32(c+1) << b.layout.shift
		}
		return
	}
	b.link(e)
	t.Nodes = append(t.Nodes, Node{Split: b.layout.mask, Right: int32(len(t.LeafStart) - 1)})
	for c, w := range b.counts {
		if w > 0 {
			t.LeafClass = append(t.LeafClass, int32(c))
			t.LeafProb = append(t.LeafProb, float64(w)/float64(wTot))
		}
	}
	t.LeafStart = append(t.LeafStart, int32(len(t.LeafClass)))
}

// partition puts the node's samples whose value of feat has a rank of at
// most cut first and returns how many they are.
func (b *builder) partition(e entry, feat int32, cut uint32) int32 {
	ss := b.samples[e.start:e.end]
	return b.m.ranks[feat].partition(ss, cut)
}

// split finds the best split of samples[start:end] whose class weights
// are in b.counts: the feature, the threshold and the rank of the largest
// value sent left. It reports leaf = true when no feature can split the
// node. Class weights are integers, so the gains, and the split, do not
// depend on the order of equal values.
func (b *builder) split(rng *rand.Rand, start, end int, wTot int64) (feat int32, thr float64, cut uint32, leaf bool) {
	var sqTot int64
	for _, w := range b.counts {
		sqTot += w * w
	}
	best := math.Inf(-1)
	feat = -1
	m := end - start
	xs := b.xf[:m]
	ss := b.samples[start:end]
	minLeaf := b.r.minLeaf
	found := 0
	nf := b.cols
	for j := 0; j < nf && found < b.r.mtry; j++ {
		k := j + rng.IntN(nf-j)
		b.feats[j], b.feats[k] = b.feats[k], b.feats[j]
		f := b.feats[j]
		vals := b.m.values[f]
		lo, hi := b.m.ranks[f].gather(ss, xs)
		if vals[hi] <= vals[lo]+featureThreshold {
			continue
		}
		found++
		sortByRank(xs, b.tmp[:m], lo, hi)
		clear(b.left)
		var sqL, wL int64
		sqR, wR := sqTot, wTot
		next := vals[xs[0]>>32]
		for p := 0; p < m-1; p++ {
			s := int32(uint32(xs[p]))
			c := b.y[s]
			w := int64(b.weight[s])
			lc := b.left[c]
			rc := b.counts[c] - lc
			sqL += w * (2*lc + w)
			sqR += w * (w - 2*rc)
			b.left[c] = lc + w
			wL += w
			wR -= w
			rv, rn := uint32(xs[p]>>32), uint32(xs[p+1]>>32)
			if rn == rv {
				continue
			}
			v := next
			next = vals[rn]
			if next <= v+featureThreshold {
				continue
			}
			if p+1 < minLeaf || m-p-1 < minLeaf {
				continue
			}
			proxy := float64(sqL)/float64(wL) + float64(sqR)/float64(wR)
			if proxy > best {
				best = proxy
				feat, cut = f, rv
				thr = v/2 + next/2
				if thr == next || math.IsInf(thr, 0) {
					thr = v
				}
			}
		}
	}
	return feat, thr, cut, feat < 0
}

// sortByRank sorts keys rank<<32 | sample, whose ranks lie in [lo, hi],
// by rank: a least-significant-digit radix sort on rank-lo, one pass per
// byte of hi-lo, through tmp (len(xs) long); insertion sort for short
// runs. Any order of equal ranks will do (see split).
func sortByRank(xs, tmp []uint64, lo, hi uint32) {
	if len(xs) <= 48 {
		for i := 1; i < len(xs); i++ {
			k := xs[i]
			j := i
			for ; j > 0 && xs[j-1]>>32 > k>>32; j-- {
				xs[j] = xs[j-1]
			}
			xs[j] = k
		}
		return
	}
	src, dst := xs, tmp
	for shift := uint(0); shift < 32 && (hi-lo)>>shift > 0; shift += 8 {
		var count [256]int
		for _, k := range src {
			count[(uint32(k>>32)-lo)>>shift&0xff]++
		}
		pos := 0
		for d, c := range count {
			count[d] = pos
			pos += c
		}
		for _, k := range src {
			d := (uint32(k>>32) - lo) >> shift & 0xff
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		copy(xs, src)
	}
}

// ProbaRow writes the class probabilities of one row x (len Features)
// into dst (len Classes) and returns dst: the mean over trees of the class
// distribution of the leaf x falls into.
func (f *Forest) ProbaRow(x, dst []float64) []float64 {
	clear(dst)
	l := f.layout()
	for ti := range f.Trees {
		f.Trees[ti].addProba(l, x, dst)
	}
	inv := float64(len(f.Trees))
	for c := range dst {
		dst[c] /= inv
	}
	return dst
}

func (f *Forest) checkMatrix(X []float64, rows int) error {
	if rows < 0 || len(X) != rows*f.Features {
		return fmt.Errorf("forest: matrix has %d values, want %d rows × %d columns: %w", len(X), rows, f.Features, ErrInput)
	}
	return nil
}

// PredictProba returns the rows × Classes row-major matrix of class
// probabilities for the rows × Features matrix X, using up to workers
// goroutines (0 means 1). Rows are processed in blocks, tree by tree, so
// that one tree stays in cache while it serves a block; every row still
// sums its trees in tree order.
func (f *Forest) PredictProba(X []float64, rows, workers int) ([]float64, error) {
	if err := f.checkMatrix(X, rows); err != nil {
		return nil, err
	}
	out := make([]float64, rows*f.Classes)
	const block = 512
	blocks := (rows + block - 1) / block
	inv := float64(len(f.Trees))
	l := f.layout()
	workpool.For(workers, blocks, func(bi int) {
		lo, hi := bi*block, min((bi+1)*block, rows)
		for ti := range f.Trees {
			t := &f.Trees[ti]
			for i := lo; i < hi; i++ {
				t.addProba(l, X[i*f.Features:(i+1)*f.Features], out[i*f.Classes:(i+1)*f.Classes])
			}
		}
		for k := lo * f.Classes; k < hi*f.Classes; k++ {
			out[k] /= inv
		}
	})
	return out, nil
}

// Predict returns for each row of X the most probable class (the lowest
// class index among equally probable ones) and its probability.
func (f *Forest) Predict(X []float64, rows, workers int) (labels []int, conf []float64, err error) {
	p, err := f.PredictProba(X, rows, workers)
	if err != nil {
		return nil, nil, err
	}
	labels = make([]int, rows)
	conf = make([]float64, rows)
	for i := 0; i < rows; i++ {
		labels[i], conf[i] = Argmax(p[i*f.Classes : (i+1)*f.Classes])
	}
	return labels, conf, nil
}

// Argmax returns the index of the largest value of p (the first on ties)
// and that value; (-1, NaN) for an empty p.
func Argmax(p []float64) (int, float64) {
	best, bv := -1, math.NaN()
	for c, v := range p {
		if best < 0 || v > bv {
			best, bv = c, v
		}
	}
	return best, bv
}
