package forest

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// rowsOf returns RankRows' producer for the row-major X.
func rowsOf(X []float64, rows, cols int) func(add func([]float64) error) error {
	return func(add func([]float64) error) error {
		for i := range rows {
			if err := add(X[i*cols : (i+1)*cols]); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestRankRows: ranks follow the order of the values, equal values (-0
// and +0 included) share a rank, the distinct values are kept in
// increasing order, also across the distinct-value buffer's compactions;
// bad rows and passes that differ are errors naming the place.
func TestRankRows(t *testing.T) {
	col := []float64{3.5, -1, 0, math.Copysign(0, -1), 3.5, 1e300}
	m, err := RankRows(6, 1, rowsOf(col, 6, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantRank := []uint32{2, 0, 1, 1, 2, 3}
	wantValues := []float64{-1, 0, 3.5, 1e300}
	var ranks []uint32
	for i := range m.rows {
		ranks = append(ranks, m.rank(0, i))
	}
	if !slices.Equal(ranks, wantRank) || !slices.Equal(m.values[0], wantValues) {
		t.Fatalf("ranks %v, values %v; want %v, %v", ranks, m.values[0], wantRank, wantValues)
	}

	const rows = 20000 // several compactions
	rng := rand.New(rand.NewPCG(1, 1))
	X := make([]float64, 3*rows)
	for i := range X {
		switch i % 3 {
		case 0, 1: // few distinct values
			X[i] = float64(rng.IntN(3000 + 5000*(i%3)))
		default: // mostly distinct, zeros of both signs
			X[i] = math.Round(rng.NormFloat64()*1e4) / 7
		}
	}
	X[2], X[3*rows-1] = math.Copysign(0, -1), 0
	m, err = RankRows(rows, 3, rowsOf(X, rows, 3))
	if err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		want := make([]float64, 0, rows)
		for i := range rows {
			want = append(want, X[i*3+j])
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if !slices.Equal(m.values[j], want) {
			t.Fatalf("column %d: %d distinct values, want %d", j, len(m.values[j]), len(want))
		}
		for i := range rows {
			if r := m.rank(j, i); m.values[j][r] != X[i*3+j] {
				t.Fatalf("row %d, column %d: rank %d names %v, not %v", i, j, r, m.values[j][r], X[i*3+j])
			}
		}
	}

	col[1] = math.Inf(1)
	if _, err := RankRows(6, 1, rowsOf(col, 6, 1)); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "row 1, column 0") {
		t.Errorf("infinite value: err = %v", err)
	}
	col[1] = 2
	if _, err := RankRows(7, 1, rowsOf(col, 6, 1)); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "6 rows given, want 7") {
		t.Errorf("missing row: err = %v", err)
	}
	pass := 0
	changing := func(add func([]float64) error) error {
		pass++
		return add([]float64{float64(pass)})
	}
	if _, err := RankRows(1, 1, changing); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "differs from the first pass") {
		t.Errorf("passes that differ: err = %v", err)
	}
}

// refGrow grows tree t the way the builder specifies it, on the values
// themselves, with a recursive descent, a plain sort and no buffers: an
// independent check of the ranks, the sort and the leaf encoding. It
// builds the tree in the node layout of format version 2, one node per
// leaf (refGrowV2), and converts it as Load converts a version 2 file.
func refGrow(X []float64, rows, cols int, y []int, classes int, r resolved, t int) Tree {
	tr := refGrowV2(X, rows, cols, y, classes, r, t)
	fb, err := layoutFor(cols, classes)
	if err != nil {
		panic(err)
	}
	nodes, err := convertV2(tr.Nodes, len(tr.LeafStart)-1, &Forest{Classes: classes, Features: cols, FeatureBits: fb})
	if err != nil {
		panic(err)
	}
	return Tree{Nodes: nodes, LeafStart: tr.LeafStart, LeafClass: tr.LeafClass, LeafProb: tr.LeafProb}
}

// refGrowV2 is refGrow's tree in the layout of format version 2.
func refGrowV2(X []float64, rows, cols int, y []int, classes int, r resolved, t int) refTree {
	rng := rand.New(rand.NewPCG(r.seed, treeStream(t)))
	weight := make([]int64, rows)
	for i := range weight {
		if r.noBootstrap {
			weight[i] = 1
		} else {
			weight[rng.IntN(rows)]++
		}
	}
	var samples []int
	for i, w := range weight {
		if w > 0 {
			samples = append(samples, i)
		}
	}
	feats := make([]int, cols)
	for j := range feats {
		feats[j] = j
	}
	tr := refTree{LeafStart: []int32{0}}
	var grow func(ss []int, depth int)
	grow = func(ss []int, depth int) {
		counts := make([]int64, classes)
		var wTot int64
		for _, s := range ss {
			counts[y[s]] += weight[s]
			wTot += weight[s]
		}
		present := 0
		for _, w := range counts {
			if w > 0 {
				present++
			}
		}
		feat, thr := -1, 0.0
		if present > 1 && len(ss) >= r.minSplit && len(ss) >= 2*r.minLeaf && depth < r.maxDepth {
			feat, thr = refSplit(X, cols, y, weight, counts, wTot, ss, feats, r, rng)
		}
		if feat < 0 {
			refLeaf(&tr, counts, wTot, present)
			return
		}
		idx := len(tr.Nodes)
		tr.Nodes = append(tr.Nodes, wireNode{Threshold: thr, Feature: int32(feat)})
		var left, right []int
		for _, s := range ss {
			if X[s*cols+feat] <= thr {
				left = append(left, s)
			} else {
				right = append(right, s)
			}
		}
		grow(left, depth+1)
		tr.Nodes[idx].Right = int32(len(tr.Nodes))
		grow(right, depth+1)
	}
	grow(samples, 0)
	return tr
}

// refTree is a tree in the layout of format version 2.
type refTree struct {
	Nodes                []wireNode
	LeafStart, LeafClass []int32
	LeafProb             []float64
}

func refLeaf(tr *refTree, counts []int64, wTot int64, present int) {
	if present == 1 {
		for c, w := range counts {
			if w > 0 {
				tr.Nodes = append(tr.Nodes, wireNode{Feature: pureLeafV2, Right: int32(c)})
			}
		}
		return
	}
	tr.Nodes = append(tr.Nodes, wireNode{Feature: -int32(len(tr.LeafStart))})
	for c, w := range counts {
		if w > 0 {
			tr.LeafClass = append(tr.LeafClass, int32(c))
			tr.LeafProb = append(tr.LeafProb, float64(w)/float64(wTot))
		}
	}
	tr.LeafStart = append(tr.LeafStart, int32(len(tr.LeafClass)))
}

// refSplit draws features as the builder does and returns the best
// Gini split by the proxy sum of squared class weights over weight.
func refSplit(X []float64, cols int, y []int, weight, counts []int64, wTot int64, ss, feats []int, r resolved, rng *rand.Rand) (int, float64) {
	var sqTot int64
	for _, w := range counts {
		sqTot += w * w
	}
	best, feat, thr := math.Inf(-1), -1, 0.0
	found := 0
	for j := 0; j < cols && found < r.mtry; j++ {
		k := j + rng.IntN(cols-j)
		feats[j], feats[k] = feats[k], feats[j]
		f := feats[j]
		sorted := slices.Clone(ss)
		sort.SliceStable(sorted, func(a, b int) bool { return X[sorted[a]*cols+f] < X[sorted[b]*cols+f] })
		lo, hi := X[sorted[0]*cols+f], X[sorted[len(sorted)-1]*cols+f]
		if hi <= lo+featureThreshold {
			continue
		}
		found++
		left := make([]int64, len(counts))
		var wL int64
		for p := 0; p < len(sorted)-1; p++ {
			s := sorted[p]
			left[y[s]] += weight[s]
			wL += weight[s]
			v, next := X[s*cols+f], X[sorted[p+1]*cols+f]
			if next <= v+featureThreshold || p+1 < r.minLeaf || len(sorted)-p-1 < r.minLeaf {
				continue
			}
			var sqL, sqR int64
			for c := range counts {
				sqL += left[c] * left[c]
				sqR += (counts[c] - left[c]) * (counts[c] - left[c])
			}
			if proxy := float64(sqL)/float64(wL) + float64(sqR)/float64(wTot-wL); proxy > best {
				best, feat, thr = proxy, f, v/2+next/2
				if thr == next {
					thr = v
				}
			}
		}
	}
	return feat, thr
}

// TestFitMatchesReference: on matrices full of ties, with and without
// bootstrap, depth and leaf limits, every tree equals refGrow's.
func TestFitMatchesReference(t *testing.T) {
	for seed := range uint64(12) {
		rows, cols, classes := 40+int(seed)*23, 3+int(seed%5), 2+int(seed%4)
		X, y := synthetic(seed, rows, cols, cols, classes, 1.0)
		for i := range X {
			if i%(2+int(seed%3)) == 0 {
				X[i] = math.Round(X[i] * 2) // ties
			}
		}
		opt := Options{Trees: 4, Seed: seed, MinSamplesLeaf: int(seed % 3), MaxDepth: int(seed % 4 * 3), NoBootstrap: seed%5 == 4, Workers: 2}
		f, err := Fit(context.Background(), X, rows, cols, y, classes, opt)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := opt.resolve(cols)
		for ti := range f.Trees {
			want := refGrow(X, rows, cols, y, classes, r, ti)
			if !reflect.DeepEqual(normalized(f.Trees[ti]), normalized(want)) {
				t.Fatalf("seed %d, tree %d: builder and reference differ\n got %+v\nwant %+v", seed, ti, f.Trees[ti], want)
			}
		}
	}
}

// TestFitWideRanks: each column takes the narrowest rank width its
// distinct values allow (1, 2, 3 or, past wideRanks, 4 bytes), and trees
// grown on a matrix of mixed widths equal the reference's.
func TestFitWideRanks(t *testing.T) {
	rows, cols, classes := 70000, 3, 3
	X, y := synthetic(4, rows, cols, cols, classes, 1.0)
	for i := range rows {
		X[i*cols+1] = math.Round(X[i*cols+1] * 8)    // few distinct values
		X[i*cols+2] = math.Round(X[i*cols+2] * 2000) // thousands
	}
	defer func(w int) { wideRanks = w }(wideRanks)
	for _, c := range []struct {
		wide  int
		width [3]int
	}{{1 << 24, [3]int{3, 1, 2}}, {1 << 16, [3]int{4, 1, 2}}} {
		wideRanks = c.wide
		opt := Options{Trees: 2, Seed: 5, MaxDepth: 4, MaxFeatures: 2}
		m, err := RankRows(rows, cols, rowsOf(X, rows, cols))
		if err != nil {
			t.Fatal(err)
		}
		for j := range cols {
			if w := m.ranks[j].width(); w != c.width[j] {
				t.Fatalf("wide %d: column %d of %d distinct values has %d-byte ranks, want %d", c.wide, j, len(m.values[j]), w, c.width[j])
			}
		}
		f, err := FitMatrix(context.Background(), m, y, classes, opt)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := opt.resolve(cols)
		for ti := range f.Trees {
			if want := refGrow(X, rows, cols, y, classes, r, ti); !reflect.DeepEqual(normalized(f.Trees[ti]), normalized(want)) {
				t.Fatalf("wide %d, tree %d: builder and reference differ", c.wide, ti)
			}
		}
	}
}

// normalized gives empty leaf tables one form for DeepEqual.
func normalized(t Tree) Tree {
	for _, s := range []*[]int32{&t.LeafClass} {
		if len(*s) == 0 {
			*s = nil
		}
	}
	if len(t.LeafProb) == 0 {
		t.LeafProb = nil
	}
	return t
}

// v2Forest is a forest in the layout of format versions 1 and 2.
type v2Forest struct {
	Classes, Features int
	Trees             []refTree
}

// encodeV2 writes f as Save wrote it in format version.
func encodeV2(t *testing.T, version int, f *v2Forest) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(struct {
		Format  string
		Version int
		Forest  *v2Forest
	}{modelFormat, version, f}); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// TestLoadEarlierVersions: models saved in format version 1 (every leaf
// in the leaf tables) and 2 (leaves of one class as nodes of their own)
// load into the current layout and predict as the forest they were saved
// from.
func TestLoadEarlierVersions(t *testing.T) {
	v1 := &v2Forest{Classes: 2, Features: 1, Trees: []refTree{{
		Nodes:     []wireNode{{Threshold: 0.5, Feature: 0, Right: 2}, {Feature: -1}, {Feature: -2}},
		LeafStart: []int32{0, 1, 3},
		LeafClass: []int32{0, 0, 1},
		LeafProb:  []float64{1, 0.25, 0.75},
	}}}
	f, err := Load(encodeV2(t, 1, v1))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ProbaRow([]float64{1}, make([]float64, 2)); got[0] != 0.25 || got[1] != 0.75 {
		t.Errorf("version 1: ProbaRow = %v, want [0.25 0.75]", got)
	}

	rows, cols, classes := 300, 5, 4
	X, y := synthetic(11, rows, cols, cols, classes, 1.0)
	opt := Options{Trees: 6, Seed: 3}
	fitted, err := Fit(context.Background(), X, rows, cols, y, classes, opt)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := opt.resolve(cols)
	v2 := &v2Forest{Classes: classes, Features: cols}
	for ti := range opt.Trees {
		v2.Trees = append(v2.Trees, refGrowV2(X, rows, cols, y, classes, r, ti))
	}
	loaded, err := Load(encodeV2(t, 2, v2))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fitted.PredictProba(X, rows, 1)
	got, _ := loaded.PredictProba(X, rows, 1)
	if !slices.Equal(got, want) {
		t.Errorf("version 2 model predicts differently from the forest it was saved from")
	}

	v2.Trees = []refTree{{Nodes: []wireNode{{Feature: pureLeafV2, Right: int32(classes)}}, LeafStart: []int32{0}}}
	if _, err := Load(encodeV2(t, 2, v2)); !errors.Is(err, ErrModel) {
		t.Errorf("version 2: pure leaf of class %d in a %d-class forest: err = %v, want ErrModel", classes, classes, err)
	}
	v2.Trees = []refTree{{Nodes: []wireNode{{Threshold: 1, Feature: 0, Right: 1}, {Feature: pureLeafV2}}, LeafStart: []int32{0}}}
	if _, err := Load(encodeV2(t, 2, v2)); !errors.Is(err, ErrModel) {
		t.Errorf("version 2: right child that is the left child: err = %v, want ErrModel", err)
	}
}

// TestLoadRejectsBadNodes: damaged version 3 nodes are errors.
func TestLoadRejectsBadNodes(t *testing.T) {
	fb, _ := layoutFor(5, 2)
	mask := uint32(1)<<fb - 1
	for _, tc := range []struct {
		name  string
		nodes []Node
	}{
		{"left leaf class out of range", []Node{{Split: 0 | 3<<fb, Right: pureCode(0)}}},
		{"right leaf class out of range", []Node{{Split: 0 | 1<<fb, Right: pureCode(2)}}},
		{"feature out of range", []Node{{Split: 5 | 1<<fb, Right: pureCode(0)}}},
		{"left child missing", []Node{{Split: 0, Right: pureCode(0)}}},
		{"right child before left", []Node{{Split: 0, Right: 1}, {Split: mask, Right: pureCode(0)}}},
		{"leaf node with a left code", []Node{{Split: mask | 1<<fb, Right: pureCode(0)}}},
		{"mixed leaf out of range", []Node{{Split: mask, Right: 0}}},
	} {
		f := &Forest{Classes: 2, Features: 5, FeatureBits: fb, Trees: []Tree{{Nodes: tc.nodes, LeafStart: []int32{0}}}}
		var buf bytes.Buffer
		if err := f.Save(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(&buf); !errors.Is(err, ErrModel) {
			t.Errorf("%s: err = %v, want ErrModel", tc.name, err)
		}
	}
	good := &Forest{Classes: 2, Features: 5, FeatureBits: fb, Trees: []Tree{{Nodes: []Node{{Threshold: 1, Split: 2 | 2<<fb, Right: pureCode(0)}}, LeafStart: []int32{0}}}}
	var buf bytes.Buffer
	if err := good.Save(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if p := g.ProbaRow([]float64{0, 0, 1, 0, 0}, make([]float64, 2)); p[1] != 1 {
		t.Errorf("left leaf of class 1: ProbaRow = %v", p)
	}
	if p := g.ProbaRow([]float64{0, 0, 2, 0, 0}, make([]float64, 2)); p[0] != 1 {
		t.Errorf("right leaf of class 0: ProbaRow = %v", p)
	}
}

// TestSortByRank: short and long runs, narrow and wide rank spans (one to
// four radix passes), every key kept.
func TestSortByRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for _, tc := range []struct{ n, span int }{{10, 5}, {48, 1000}, {49, 3}, {500, 200}, {3000, 70000}, {5000, 1 << 30}} {
		xs := make([]uint64, tc.n)
		lo := uint32(rng.IntN(1000))
		for i := range xs {
			xs[i] = uint64(lo+uint32(rng.IntN(tc.span)))<<32 | uint64(i)
		}
		want := slices.Clone(xs)
		slices.Sort(want)
		hi := uint32(0)
		for _, k := range xs {
			hi = max(hi, uint32(k>>32))
		}
		sortByRank(xs, make([]uint64, tc.n), lo, hi)
		got := slices.Clone(xs)
		slices.Sort(got) // same keys
		if !slices.Equal(got, want) {
			t.Fatalf("n %d, span %d: keys lost", tc.n, tc.span)
		}
		for i := 1; i < len(xs); i++ {
			if xs[i-1]>>32 > xs[i]>>32 {
				t.Fatalf("n %d, span %d: not sorted at %d", tc.n, tc.span, i)
			}
		}
	}
}

// TestDistinctBuffer: a column of distinct values never holds a buffer
// of more than 1.25 times its values plus 1024 while rows are added.
func TestDistinctBuffer(t *testing.T) {
	d := newDistinct(1)
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range 200000 {
		d.add([]float64{rng.Float64()})
		if c := cap(d.col[0]); float64(c) > 1.25*float64(i+1)+1024 {
			t.Fatalf("after %d distinct values the buffer holds %d", i+1, c)
		}
	}
	if got := d.sorted()[0]; len(got) != 200000 || !slices.IsSorted(got) {
		t.Fatalf("%d values, sorted %t", len(got), slices.IsSorted(got))
	}
}

// BenchmarkRankRows ranks 500,000 rows of 8 columns of mostly distinct
// values (the float statistics of AppScanner's flows).
func BenchmarkRankRows(b *testing.B) {
	const rows, cols = 500000, 8
	rng := rand.New(rand.NewPCG(3, 3))
	X := make([]float64, rows*cols)
	for i := range X {
		X[i] = rng.NormFloat64()
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RankRows(rows, cols, rowsOf(X, rows, cols)); err != nil {
			b.Fatal(err)
		}
	}
}
