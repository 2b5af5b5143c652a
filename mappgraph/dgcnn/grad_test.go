package dgcnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"appbench/mappgraph"
)

// Finite-difference gradient checks. Values are float32, so every check
// uses central differences with a step of 1e-3 and sums the scalar
// objective in float64; the tolerance allows for float32 rounding.

const fdStep = 1e-3

func randSlice(rng *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32((2*rng.Float64() - 1) * scale)
	}
	return s
}

// dot is Σ r·y in float64.
func dot(r, y []float32) float64 {
	s := 0.0
	for i := range r {
		s += float64(r[i]) * float64(y[i])
	}
	return s
}

// checkGrad compares the analytic gradient ana of f with respect to x with
// central differences of f.
func checkGrad(t *testing.T, name string, x []float32, ana []float32, f func() float64) {
	t.Helper()
	bad := 0
	for i := range x {
		old := x[i]
		x[i] = old + fdStep
		up := f()
		x[i] = old - fdStep
		down := f()
		x[i] = old
		num := (up - down) / (2 * fdStep)
		a := float64(ana[i])
		if d := math.Abs(a - num); d > 5e-4+1e-2*math.Max(math.Abs(a), math.Abs(num)) {
			if bad < 5 {
				t.Errorf("%s[%d]: analytic %.6g, numeric %.6g", name, i, a, num)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d gradient entries differ", name, bad, len(x))
	}
}

func TestGradDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := Gonum{}
	rows, in, out := 3, 4, 5
	x := randSlice(rng, rows*in, 1)
	w := randSlice(rng, in*out, 1)
	b := randSlice(rng, out, 1)
	r := randSlice(rng, rows*out, 1)
	y := make([]float32, rows*out)
	f := func() float64 {
		dense(g, rows, in, out, x, in, w, b, y, out)
		return dot(r, y)
	}
	dx := make([]float32, rows*in)
	dw := make([]float32, in*out)
	db := make([]float32, out)
	denseBack(g, rows, in, out, x, in, w, r, out, dx, in, dw, db)
	checkGrad(t, "dx", x, dx, f)
	checkGrad(t, "dw", w, dw, f)
	checkGrad(t, "db", b, db, f)
}

// completeEdges lists every pair of n nodes with random weights, some NaN.
func completeEdges(rng *rand.Rand, n int) []mappgraph.Edge {
	var e []mappgraph.Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			w := rng.Float64()
			if rng.IntN(5) == 0 {
				w = math.NaN()
			}
			e = append(e, mappgraph.Edge{Source: i, Target: j, Weight: w})
		}
	}
	return e
}

// sparseEdges is a path 0-1-…-(n−1) with random weights.
func sparseEdges(rng *rand.Rand, n int) []mappgraph.Edge {
	var e []mappgraph.Edge
	for i := 0; i+1 < n; i++ {
		e = append(e, mappgraph.Edge{Source: i, Target: i + 1, Weight: 0.1 + rng.Float64()})
	}
	return e
}

var adjVariants = []AdjacencyOptions{{}, {Weighted: true}, {Symmetric: true}, {Weighted: true, Symmetric: true}}

func TestGradGCNLayer(t *testing.T) {
	for _, opts := range adjVariants {
		for _, sparse := range []bool{false, true} {
			t.Run(fmt.Sprintf("weighted=%v,symmetric=%v,sparse=%v", opts.Weighted, opts.Symmetric, sparse), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, 4))
				n, in, out := 5, 3, 4
				edges := completeEdges(rng, n)
				if sparse {
					edges = sparseEdges(rng, n)
				}
				g, err := Prepare(randSlice(rng, n*in, 1), n, in, edges, opts)
				if err != nil {
					t.Fatal(err)
				}
				h := randSlice(rng, n*in, 1) // layer input
				w := randSlice(rng, in*out, 1)
				r := randSlice(rng, n*out, 1)
				z := make([]float32, n*in)
				y := make([]float32, n*out)
				f := func() float64 {
					propagate(n, in, g.A, h, in, z, in, false)
					dense(Gonum{}, n, in, out, z, in, w, nil, y, out)
					tanhRows(2, n, out, y, out)
					return dot(r, y)
				}
				f()
				dp := append([]float32(nil), r...)
				tanhBack(2, n, out, y, dp, out)
				dz := make([]float32, n*in)
				dw := make([]float32, in*out)
				denseBack(Gonum{}, n, in, out, z, in, w, dp, out, dz, in, dw, nil)
				dh := make([]float32, n*in)
				propagate(n, in, g.A, dz, in, dh, in, true)
				checkGrad(t, "dH", h, dh, f)
				checkGrad(t, "dW", w, dw, f)
			})
		}
	}
}

func TestGradSortPool(t *testing.T) {
	for _, n := range []int{3, 7} { // fewer and more nodes than k
		rng := rand.New(rand.NewPCG(5, uint64(n)))
		s, k := 4, 5
		h := randSlice(rng, n*s, 1)
		for i, v := range rng.Perm(n) { // last channels well apart: the order is stable under the step
			h[i*s+s-1] = float32(v) * 0.1
		}
		r := randSlice(rng, k*s, 1)
		pooled := make([]float32, k*s)
		sel := make([]int, k)
		f := func() float64 {
			sortPool(n, s, k, h, pooled, sel)
			return dot(r, pooled)
		}
		f()
		dh := make([]float32, n*s)
		sortPoolBack(n, s, k, r, sel, dh)
		checkGrad(t, fmt.Sprintf("dH(n=%d)", n), h, dh, f)
	}
}

func TestSortPoolOrder(t *testing.T) {
	// Last channel: 0.5, 2, 0.5, -1, 2 → order 1, 4 (tie: lower index
	// first), 0, 2 (tie), 3; k = 6 pads one zero row.
	h := []float32{
		10, 0.5,
		11, 2,
		12, 0.5,
		13, -1,
		14, 2,
	}
	pooled := make([]float32, 6*2)
	sel := make([]int, 6)
	sortPool(5, 2, 6, h, pooled, sel)
	want := []int{1, 4, 0, 2, 3, -1}
	for i := range want {
		if sel[i] != want[i] {
			t.Fatalf("selected %v, want %v", sel, want)
		}
	}
	if pooled[0] != 11 || pooled[2] != 14 || pooled[10] != 0 || pooled[11] != 0 {
		t.Errorf("pooled rows %v", pooled)
	}
	sortPool(5, 2, 2, h, pooled[:4], sel[:2])
	if sel[0] != 1 || sel[1] != 4 {
		t.Errorf("k=2 selected %v, want [1 4]", sel[:2])
	}
}

func TestGradMaxPool(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	rows, c, pool := 7, 3, 2 // the last row falls outside every window
	x := make([]float32, rows*c)
	for i, v := range rng.Perm(rows * c) { // distinct values, gaps of 0.05
		x[i] = float32(v) * 0.05
	}
	p := rows / pool
	y := make([]float32, p*c)
	arg := make([]int8, p*c)
	r := randSlice(rng, p*c, 1)
	f := func() float64 {
		maxPool(rows, c, pool, x, y, arg)
		return dot(r, y)
	}
	f()
	dx := make([]float32, rows*c)
	maxPoolBack(rows, c, pool, r, arg, dx)
	checkGrad(t, "dX", x, dx, f)
	for ch := 0; ch < c; ch++ {
		if dx[(rows-1)*c+ch] != 0 {
			t.Errorf("row outside the windows got gradient %v", dx[(rows-1)*c+ch])
		}
	}
}

func TestGradConv1D(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	rows, c, kern, filters := 6, 3, 3, 2
	l := rows - kern + 1
	x := randSlice(rng, rows*c, 1)
	w := randSlice(rng, kern*c*filters, 1)
	b := randSlice(rng, filters, 1)
	r := randSlice(rng, l*filters, 1)
	col := make([]float32, l*kern*c)
	y := make([]float32, l*filters)
	f := func() float64 {
		im2col(rows, c, kern, x, col)
		dense(Gonum{}, l, kern*c, filters, col, kern*c, w, b, y, filters)
		return dot(r, y)
	}
	f()
	// Direct cross-correlation as a cross-check of the im2col layout.
	for j := 0; j < l; j++ {
		for o := 0; o < filters; o++ {
			s := float64(b[o])
			for t2 := 0; t2 < kern; t2++ {
				for ch := 0; ch < c; ch++ {
					s += float64(x[(j+t2)*c+ch]) * float64(w[(t2*c+ch)*filters+o])
				}
			}
			if math.Abs(s-float64(y[j*filters+o])) > 1e-5 {
				t.Fatalf("conv output (%d,%d) = %v, direct %v", j, o, y[j*filters+o], s)
			}
		}
	}
	dcol := make([]float32, l*kern*c)
	dw := make([]float32, len(w))
	db := make([]float32, filters)
	denseBack(Gonum{}, l, kern*c, filters, col, kern*c, w, r, filters, dcol, kern*c, dw, db)
	dx := make([]float32, rows*c)
	col2im(rows, c, kern, dcol, dx)
	checkGrad(t, "dX", x, dx, f)
	checkGrad(t, "dW", w, dw, f)
	checkGrad(t, "db", b, db, f)
}

func TestGradSoftmaxCE(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	rows, c := 4, 5
	logits := randSlice(rng, rows*c, 3)
	y := []int{0, 4, 2, 2}
	probs := make([]float32, rows*c)
	dl := make([]float32, rows*c)
	f := func() float64 {
		l, _ := softmaxCE(rows, c, logits, y, probs, nil, rows)
		return l / float64(rows)
	}
	loss, _ := softmaxCE(rows, c, logits, y, probs, dl, rows)
	// The loss itself, from the probabilities in float64.
	want := 0.0
	for r := 0; r < rows; r++ {
		sum := 0.0
		for j := 0; j < c; j++ {
			sum += math.Exp(float64(logits[r*c+j]))
		}
		want -= math.Log(math.Exp(float64(logits[r*c+y[r]])) / sum)
	}
	if math.Abs(loss-want) > 1e-5*want {
		t.Errorf("loss %v, want %v", loss, want)
	}
	checkGrad(t, "dlogits", logits, dl, f)
}

// tinyConfig is a small architecture that still has every layer kind.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Layers = []int{4, 3, 2}
	c.K = 5
	c.Conv1Filters = 3
	c.Conv2Filters = 3
	c.Conv2Kernel = 2
	c.Dense = 6
	c.Dropout = 0
	c.Batch = 4
	return c
}

// TestGradModel checks the gradient of the whole network (every parameter
// tensor, through the model's own backward pass) for each adjacency
// variant, on a batch with graphs smaller and larger than k.
func TestGradModel(t *testing.T) {
	for _, opts := range adjVariants {
		t.Run(fmt.Sprintf("weighted=%v,symmetric=%v", opts.Weighted, opts.Symmetric), func(t *testing.T) {
			cfg := tinyConfig()
			cfg.Adjacency = opts
			cfg.Workers = 2
			m, err := New(cfg, 3, []string{"a", "b", "c"})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(13, 14))
			// Larger weights than Glorot's so that gradients are not tiny.
			for _, p := range m.Params {
				for i := range p.W {
					p.W[i] = float32((2*rng.Float64() - 1) * 0.8)
				}
			}
			var batch []*Input
			for _, n := range []int{2, 4, 7} {
				edges := completeEdges(rng, n)
				if n == 7 {
					edges = sparseEdges(rng, n)
				}
				g, err := Prepare(randSlice(rng, n*3, 1.5), n, 3, edges, opts)
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, g)
			}
			y := []int{2, 0, 1}
			m.forward(batch, y, true, nil)
			m.backward(batch)
			grads := make([][]float32, len(m.Params))
			for i, p := range m.Params {
				grads[i] = append([]float32(nil), p.G...)
			}
			f := func() float64 {
				l, _ := m.forward(batch, y, false, nil)
				return l / float64(len(batch))
			}
			for i, p := range m.Params {
				checkGrad(t, p.Name, p.W, grads[i], f)
			}
		})
	}
}
