package forest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
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

// Node is one node of a tree in preorder: the left child of a split node
// is the next node, Right is the index of the right child.
type Node struct {
	// Threshold sends a row left when its value of Feature is <= Threshold.
	Threshold float64
	// Feature is the split feature, or for a leaf -1-(leaf index).
	Feature int32
	// Right is the index of the right child (unused in leaves).
	Right int32
}

// Tree is one fitted classification tree. Leaf l holds the classes
// LeafClass[LeafStart[l]:LeafStart[l+1]] with the probabilities in the same
// range of LeafProb (classes absent from the leaf are left out).
type Tree struct {
	// Nodes are the tree's nodes in preorder; node 0 is the root.
	Nodes []Node
	// LeafStart has one offset per leaf into LeafClass and LeafProb, plus
	// the end offset.
	LeafStart []int32
	// LeafClass and LeafProb are the classes present in each leaf and
	// their shares of the leaf's (bootstrap-weighted) training rows.
	LeafClass []int32
	LeafProb  []float64
}

// Forest is a fitted random forest.
type Forest struct {
	// Classes is the number of classes; labels are 0..Classes-1.
	Classes int
	// Features is the number of columns of the feature matrix.
	Features int
	// Trees are the fitted trees.
	Trees []Tree
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
// 0..classes-1. It stops early with ctx's error when ctx is cancelled. It
// works on a column-major copy of X; FitColumns takes that layout directly
// and needs no copy.
func Fit(ctx context.Context, X []float64, rows, cols int, y []int, classes int, opt Options) (*Forest, error) {
	if err := checkShape(len(X), rows, cols); err != nil {
		return nil, err
	}
	// Column-major copy: a node gathers one feature of its rows from one
	// contiguous column.
	xt := make([]float64, rows*cols)
	for i := 0; i < rows; i++ {
		SetRow(xt, rows, i, X[i*cols:(i+1)*cols])
	}
	return FitColumns(ctx, xt, rows, cols, y, classes, opt)
}

// SetRow writes row as row i of the column-major matrix xt of rows rows
// (the layout FitColumns reads).
func SetRow(xt []float64, rows, i int, row []float64) {
	for j, v := range row {
		xt[j*rows+i] = v
	}
}

// FitColumns is Fit on the column-major matrix xt (column j is
// xt[j*rows:(j+1)*rows]), which it reads without copying: xt must not
// change while FitColumns runs. The forest is the one Fit grows on the
// same matrix in row-major layout.
func FitColumns(ctx context.Context, xt []float64, rows, cols int, y []int, classes int, opt Options) (*Forest, error) {
	if err := checkShape(len(xt), rows, cols); err != nil {
		return nil, err
	}
	if classes <= 0 {
		return nil, fmt.Errorf("forest: %d classes: %w", classes, ErrInput)
	}
	if len(y) != rows {
		return nil, fmt.Errorf("forest: %d labels for %d rows: %w", len(y), rows, ErrInput)
	}
	r, err := opt.resolve(cols)
	if err != nil {
		return nil, err
	}
	labels := make([]int32, rows)
	for i, c := range y {
		if c < 0 || c >= classes {
			return nil, fmt.Errorf("forest: row %d: label %d outside 0..%d: %w", i, c, classes-1, ErrInput)
		}
		labels[i] = int32(c)
	}
	for k, v := range xt {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("forest: row %d, column %d: value %v is not finite: %w", k%rows, k/rows, v, ErrInput)
		}
	}
	f := &Forest{Classes: classes, Features: cols, Trees: make([]Tree, r.trees)}
	workers := min(r.workers, r.trees)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBuilder(xt, labels, rows, cols, classes, r)
			for {
				if ctx.Err() != nil {
					return
				}
				t := int(next.Add(1) - 1)
				if t >= r.trees {
					return
				}
				rng := rand.New(rand.NewPCG(r.seed, treeStream(t)))
				f.Trees[t] = b.grow(rng)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
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
	xt                  []float64
	y                   []int32
	rows, cols, classes int
	r                   resolved

	weight  []int32 // bootstrap count of each row
	samples []int32 // rows with a positive count, partitioned by node
	xf      []pair  // feature values of the node's samples, with the samples
	feats   []int32 // feature permutation
	counts  []int64 // class weights of the node
	left    []int64 // class weights left of the split point
	stack   []entry
}

type entry struct {
	start, end, depth, parent int32
}

func newBuilder(xt []float64, y []int32, rows, cols, classes int, r resolved) *builder {
	return &builder{
		xt: xt, y: y, rows: rows, cols: cols, classes: classes, r: r,
		weight:  make([]int32, rows),
		samples: make([]int32, 0, rows),
		xf:      make([]pair, rows),
		feats:   make([]int32, cols),
		counts:  make([]int64, classes),
		left:    make([]int64, classes),
	}
}

// grow fits one tree on a bootstrap sample drawn from rng.
func (b *builder) grow(rng *rand.Rand) Tree {
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
	n := int32(len(b.samples))
	t := Tree{
		Nodes:     make([]Node, 0, 2*n/3+1),
		LeafStart: make([]int32, 1, n/3+2),
		LeafClass: make([]int32, 0, n/3+1),
		LeafProb:  make([]float64, 0, n/3+1),
	}
	b.stack = append(b.stack[:0], entry{0, n, 0, -1})
	for len(b.stack) > 0 {
		e := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		idx := int32(len(t.Nodes))
		if e.parent >= 0 {
			t.Nodes[e.parent].Right = idx
		}
		clear(b.counts)
		var wTot int64
		nonzero := 0
		for _, s := range b.samples[e.start:e.end] {
			w := int64(b.weight[s])
			c := b.y[s]
			if b.counts[c] == 0 {
				nonzero++
			}
			b.counts[c] += w
			wTot += w
		}
		m := int(e.end - e.start)
		leaf := nonzero <= 1 || m < b.r.minSplit || m < 2*b.r.minLeaf || int(e.depth) >= b.r.maxDepth
		var feat int32
		var thr float64
		if !leaf {
			feat, thr, leaf = b.split(rng, int(e.start), int(e.end), wTot)
		}
		if leaf {
			leafID := int32(len(t.LeafStart) - 1)
			t.Nodes = append(t.Nodes, Node{Feature: -1 - leafID})
			for c, w := range b.counts {
				if w > 0 {
					t.LeafClass = append(t.LeafClass, int32(c))
					t.LeafProb = append(t.LeafProb, float64(w)/float64(wTot))
				}
			}
			t.LeafStart = append(t.LeafStart, int32(len(t.LeafClass)))
			continue
		}
		// Partition the node's samples: values <= thr first.
		col := b.xt[int(feat)*b.rows : int(feat+1)*b.rows]
		ss := b.samples[e.start:e.end]
		lo, hi := 0, len(ss)-1
		for lo <= hi {
			if col[ss[lo]] <= thr {
				lo++
			} else {
				ss[lo], ss[hi] = ss[hi], ss[lo]
				hi--
			}
		}
		pos := e.start + int32(lo)
		t.Nodes = append(t.Nodes, Node{Threshold: thr, Feature: feat})
		b.stack = append(b.stack, entry{pos, e.end, e.depth + 1, idx}, entry{e.start, pos, e.depth + 1, -1})
	}
	return t
}

// split finds the best split of samples[start:end] whose class weights
// are in b.counts. It reports leaf = true when no feature can split the
// node.
func (b *builder) split(rng *rand.Rand, start, end int, wTot int64) (feat int32, thr float64, leaf bool) {
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
		col := b.xt[int(f)*b.rows : int(f+1)*b.rows]
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, s := range ss {
			v := col[s]
			xs[i] = pair{v, s}
			lo = min(lo, v)
			hi = max(hi, v)
		}
		if hi <= lo+featureThreshold {
			continue
		}
		found++
		sortPairs(xs)
		clear(b.left)
		var sqL, wL int64
		sqR, wR := sqTot, wTot
		for p := 0; p < m-1; p++ {
			s := xs[p].s
			c := b.y[s]
			w := int64(b.weight[s])
			lc := b.left[c]
			rc := b.counts[c] - lc
			sqL += w * (2*lc + w)
			sqR += w * (w - 2*rc)
			b.left[c] = lc + w
			wL += w
			wR -= w
			v, next := xs[p].v, xs[p+1].v
			if next <= v+featureThreshold {
				continue
			}
			if p+1 < minLeaf || m-p-1 < minLeaf {
				continue
			}
			proxy := float64(sqL)/float64(wL) + float64(sqR)/float64(wR)
			if proxy > best {
				best = proxy
				feat = f
				thr = v/2 + next/2
				if thr == next || math.IsInf(thr, 0) {
					thr = v
				}
			}
		}
	}
	return feat, thr, feat < 0
}

// pair is a feature value with its sample, the unit the splitter sorts.
type pair struct {
	v float64
	s int32
}

// sortPairs sorts x by value (introsort: three-way quicksort, heapsort
// below a depth limit, insertion sort for short runs).
func sortPairs(x []pair) {
	depth := 0
	for n := len(x); n > 0; n >>= 1 {
		depth += 2
	}
	quickPairs(x, depth)
}

func quickPairs(x []pair, depth int) {
	for len(x) > 16 {
		if depth == 0 {
			heapPairs(x)
			return
		}
		depth--
		n := len(x)
		a, b, c := x[0].v, x[n/2].v, x[n-1].v
		// median of three
		if a > b {
			a, b = b, a
		}
		if b > c {
			b = c
			if a > b {
				b = a
			}
		}
		p := b
		// three-way partition: [0,lt) < p, [lt,i) == p, [gt,n) > p
		lt, i, gt := 0, 0, n
		for i < gt {
			v := x[i].v
			if v < p {
				x[lt], x[i] = x[i], x[lt]
				lt++
				i++
			} else if v > p {
				gt--
				x[gt], x[i] = x[i], x[gt]
			} else {
				i++
			}
		}
		if lt < n-gt {
			quickPairs(x[:lt], depth)
			x = x[gt:]
		} else {
			quickPairs(x[gt:], depth)
			x = x[:lt]
		}
	}
	for i := 1; i < len(x); i++ {
		e := x[i]
		j := i
		for j > 0 && x[j-1].v > e.v {
			x[j] = x[j-1]
			j--
		}
		x[j] = e
	}
}

func heapPairs(x []pair) {
	n := len(x)
	down := func(i, n int) {
		for {
			c := 2*i + 1
			if c >= n {
				return
			}
			if c+1 < n && x[c+1].v > x[c].v {
				c++
			}
			if x[i].v >= x[c].v {
				return
			}
			x[i], x[c] = x[c], x[i]
			i = c
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		down(i, n)
	}
	for end := n - 1; end > 0; end-- {
		x[0], x[end] = x[end], x[0]
		down(0, end)
	}
}

// leaf returns the index of the leaf that x falls into.
func (t *Tree) leaf(x []float64) int32 {
	nodes := t.Nodes
	i := int32(0)
	for {
		n := &nodes[i]
		if n.Feature < 0 {
			return -1 - n.Feature
		}
		if x[n.Feature] <= n.Threshold {
			i++
		} else {
			i = n.Right
		}
	}
}

// ProbaRow writes the class probabilities of one row x (len Features)
// into dst (len Classes) and returns dst: the mean over trees of the class
// distribution of the leaf x falls into.
func (f *Forest) ProbaRow(x, dst []float64) []float64 {
	clear(dst)
	for ti := range f.Trees {
		t := &f.Trees[ti]
		l := t.leaf(x)
		lo, hi := t.LeafStart[l], t.LeafStart[l+1]
		for k := lo; k < hi; k++ {
			dst[t.LeafClass[k]] += t.LeafProb[k]
		}
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
	parallel(blocks, workers, func(bi int) {
		lo, hi := bi*block, min((bi+1)*block, rows)
		for ti := range f.Trees {
			t := &f.Trees[ti]
			for i := lo; i < hi; i++ {
				l := t.leaf(X[i*f.Features : (i+1)*f.Features])
				dst := out[i*f.Classes : (i+1)*f.Classes]
				for k := t.LeafStart[l]; k < t.LeafStart[l+1]; k++ {
					dst[t.LeafClass[k]] += t.LeafProb[k]
				}
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

// parallel calls fn(0..n-1) from up to workers goroutines.
func parallel(n, workers int, fn func(i int)) {
	workers = max(1, min(workers, n))
	if workers == 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
