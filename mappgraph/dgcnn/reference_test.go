package dgcnn

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// referenceForward is a direct float64 transcription of spec §8.4–§8.6 for
// one graph, written independently of the batched code: the graph
// convolutions on dense matrices, SortPooling to a flattened one-channel
// sequence of length k·S, Conv1D(kernel S, stride S) on that sequence as
// Keras' cross-correlation, MaxPool1D, Conv1D(kernel 5), Dense+ReLU and
// softmax. Weights are read in Keras' layouts (Conv1D kernels
// [kernel][in_channels][filters]).
func referenceForward(m *Model, g *Input) []float64 {
	c := &m.Config
	cat := referenceGraphConv(m, g)
	S := len(cat[0])
	seq := referenceSortPool(cat, c.K, g.N)
	mp := referenceMaxPool(referenceConv1(m, seq, S), c.Pool, c.Conv1Filters)
	return referenceDense(m, referenceConv2(m, mp))
}

// referenceGraphConv applies the graph convolutions to g and returns, for
// each node, the outputs of all layers concatenated.
func referenceGraphConv(m *Model, g *Input) [][]float64 {
	c := &m.Config
	P := m.Params
	h := make([][]float64, g.N)
	for i := range h {
		h[i] = make([]float64, g.F)
		for j := range h[i] {
			h[i][j] = float64(g.X[i*g.F+j])
		}
	}
	cat := make([][]float64, g.N)
	for l, units := range c.Layers {
		in := len(h[0])
		next := make([][]float64, g.N)
		for i := 0; i < g.N; i++ {
			next[i] = make([]float64, units)
			for o := 0; o < units; o++ {
				s := 0.0
				for j := 0; j < g.N; j++ {
					for q := 0; q < in; q++ {
						s += float64(g.A[i*g.N+j]) * h[j][q] * float64(P[l].W[q*units+o])
					}
				}
				next[i][o] = math.Tanh(s)
			}
			cat[i] = append(cat[i], next[i]...)
		}
		h = next
	}
	return cat
}

// referenceSortPool is SortPooling of the n rows of cat: real rows by last
// channel descending (stable), zero rows, first k, flattened.
func referenceSortPool(cat [][]float64, k, n int) []float64 {
	S := len(cat[0])
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return cat[idx[a]][S-1] > cat[idx[b]][S-1] })
	seq := make([]float64, k*S)
	for r := 0; r < k && r < n; r++ {
		copy(seq[r*S:], cat[idx[r]])
	}
	return seq
}

// referenceConv1 is the Conv1D over the one-channel sequence, kernel =
// stride = S.
func referenceConv1(m *Model, seq []float64, S int) [][]float64 {
	c := &m.Config
	P := m.Params
	f1 := c.Conv1Filters
	c1 := make([][]float64, c.K)
	for p := 0; p < c.K; p++ {
		c1[p] = make([]float64, f1)
		for f := 0; f < f1; f++ {
			s := float64(P[len(c.Layers)+1].W[f])
			for t := 0; t < S; t++ {
				s += seq[p*S+t] * float64(P[len(c.Layers)].W[(t*1+0)*f1+f])
			}
			c1[p][f] = s
		}
	}
	return c1
}

// referenceMaxPool is MaxPool1D, valid, with pool size and stride pool, on
// the f1 channels of c1.
func referenceMaxPool(c1 [][]float64, pool, f1 int) [][]float64 {
	np := (len(c1)-pool)/pool + 1
	mp := make([][]float64, np)
	for p := range mp {
		mp[p] = make([]float64, f1)
		for f := 0; f < f1; f++ {
			mx := math.Inf(-1)
			for j := 0; j < pool; j++ {
				mx = math.Max(mx, c1[p*pool+j][f])
			}
			mp[p][f] = mx
		}
	}
	return mp
}

// referenceConv2 is the Conv1D(kernel Conv2Kernel, stride 1) on mp, then
// flatten.
func referenceConv2(m *Model, mp [][]float64) []float64 {
	c := &m.Config
	P := m.Params
	f1, f2, np := c.Conv1Filters, c.Conv2Filters, len(mp)
	var flat []float64
	for p := 0; p+c.Conv2Kernel <= np; p++ {
		for f := 0; f < f2; f++ {
			s := float64(P[len(c.Layers)+3].W[f])
			for t := 0; t < c.Conv2Kernel; t++ {
				for ch := 0; ch < f1; ch++ {
					s += mp[p+t][ch] * float64(P[len(c.Layers)+2].W[(t*f1+ch)*f2+f])
				}
			}
			flat = append(flat, s)
		}
	}
	return flat
}

// referenceDense is Dense + ReLU on flat, then the output layer and
// softmax.
func referenceDense(m *Model, flat []float64) []float64 {
	c := &m.Config
	P := m.Params
	dn := make([]float64, c.Dense)
	for o := range dn {
		s := float64(P[len(c.Layers)+5].W[o])
		for i, v := range flat {
			s += v * float64(P[len(c.Layers)+4].W[i*c.Dense+o])
		}
		dn[o] = math.Max(0, s)
	}
	nc := len(m.Classes)
	logits := make([]float64, nc)
	mx := math.Inf(-1)
	for o := range logits {
		s := float64(P[len(c.Layers)+7].W[o])
		for i, v := range dn {
			s += v * float64(P[len(c.Layers)+6].W[i*nc+o])
		}
		logits[o] = s
		mx = math.Max(mx, s)
	}
	sum := 0.0
	for o := range logits {
		logits[o] = math.Exp(logits[o] - mx)
		sum += logits[o]
	}
	for o := range logits {
		logits[o] /= sum
	}
	return logits
}

// TestForwardMatchesReference compares the batched float32 forward pass
// with the float64 transcription, for graphs smaller and larger than k,
// with several sequence lengths after the second convolution.
func TestForwardMatchesReference(t *testing.T) {
	for _, k := range []int{5, 7} { // 5: pooled length 2; 7: 3 with an unused row
		rng := rand.New(rand.NewPCG(81, uint64(k)))
		cfg := tinyConfig()
		cfg.K = k
		cfg.Workers = 3
		cfg.Batch = 3 // two prediction batches
		for _, opts := range adjVariants {
			cfg.Adjacency = opts
			m, err := New(cfg, 4, []string{"a", "b", "c", "d"})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range m.Params { // non-zero biases too
				for i := range p.W {
					p.W[i] = float32((2*rng.Float64() - 1) * 0.7)
				}
			}
			var batch []*Input
			for _, n := range []int{1, 3, 5, 9} {
				edges := completeEdges(rng, n)
				if n == 9 {
					edges = sparseEdges(rng, n)
				}
				g, err := Prepare(randSlice(rng, n*4, 1.5), n, 4, edges, opts)
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, g)
			}
			probs, err := m.Predict(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			for b, g := range batch {
				want := referenceForward(m, g)
				for o, w := range want {
					if got := float64(probs[b*4+o]); math.Abs(got-w) > 1e-5 {
						t.Errorf("k=%d %+v graph %d class %d: %v, reference %v", k, opts, b, o, got, w)
					}
				}
			}
		}
	}
}
