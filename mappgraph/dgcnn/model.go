package dgcnn

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"appbench/internal/workpool"
)

// Param is one weight tensor of the network with its gradient and Adam
// moments, all row-major.
type Param struct {
	// Name identifies the tensor ("gc1", "conv1_b", …).
	Name string
	// Shape is the tensor shape: in×out for kernels, out for biases.
	Shape []int
	// W holds the values, G the gradient of the last step, M and V the
	// Adam moments.
	W, G, M, V []float32
}

// Model is a DGCNN classifier. It keeps the activations of its last batch
// for the backward pass, so one Model must not be used by several
// goroutines at once (it parallelises internally).
type Model struct {
	// Config is the architecture and training configuration.
	Config Config
	// Features is the number of input features per node.
	Features int
	// Classes names the output units: unit j is Classes[j].
	Classes []string
	// Params lists the weight tensors in a fixed order: graph convolution
	// kernels, conv1 kernel and bias, conv2 kernel and bias, dense kernel
	// and bias, output kernel and bias.
	Params []*Param
	// Step is the number of optimiser updates applied so far.
	Step int

	gemm GEMM
	ws   workspace
}

// New builds a model for inputs with the given number of node features and
// for the given classes, with Glorot-uniform kernels and zero biases drawn
// from the seed (spec §8.8).
func New(cfg Config, features int, classes []string) (*Model, error) {
	cfg.Layers = slices.Clone(cfg.Layers)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if features < 1 {
		return nil, fmt.Errorf("dgcnn: %d node features, want >= 1", features)
	}
	if len(classes) < 1 {
		return nil, fmt.Errorf("dgcnn: no classes")
	}
	m := &Model{Config: cfg, Features: features, Classes: slices.Clone(classes), gemm: DefaultGEMM()}
	m.allocParams()
	m.initWeights()
	return m, nil
}

// SetGEMM replaces the matrix multiplication implementation (default:
// DefaultGEMM()).
func (m *Model) SetGEMM(g GEMM) { m.gemm = g }

func (m *Model) allocParams() {
	c := &m.Config
	add := func(name string, shape ...int) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		m.Params = append(m.Params, &Param{Name: name, Shape: shape,
			W: make([]float32, n), G: make([]float32, n), M: make([]float32, n), V: make([]float32, n)})
	}
	in := m.Features
	for i, l := range c.Layers {
		add(fmt.Sprintf("gc%d", i+1), in, l)
		in = l
	}
	s := c.channels()
	add("conv1", s, c.Conv1Filters)
	add("conv1_b", c.Conv1Filters)
	add("conv2", c.Conv2Kernel*c.Conv1Filters, c.Conv2Filters)
	add("conv2_b", c.Conv2Filters)
	add("dense", c.convLen()*c.Conv2Filters, c.Dense)
	add("dense_b", c.Dense)
	add("out", c.Dense, len(m.Classes))
	add("out_b", len(m.Classes))
}

// initWeights draws Glorot-uniform kernels: limit sqrt(6/(fan_in+fan_out))
// with fan_in/fan_out the input/output units of graph and dense kernels and
// kernel·in_channels / kernel·filters for Conv1D (Keras' rule).
func (m *Model) initWeights() {
	c := &m.Config
	rng := rand.New(rand.NewPCG(c.Seed, 0x1e17))
	s := c.channels()
	for _, p := range m.Params {
		if len(p.Shape) == 1 {
			clear(p.W)
			continue
		}
		fanIn, fanOut := float64(p.Shape[0]), float64(p.Shape[1])
		switch p.Name {
		case "conv1": // kernel s, 1 input channel, Conv1Filters filters
			fanIn, fanOut = float64(s), float64(s*c.Conv1Filters)
		case "conv2":
			fanIn, fanOut = float64(c.Conv2Kernel*c.Conv1Filters), float64(c.Conv2Kernel*c.Conv2Filters)
		}
		limit := math.Sqrt(6 / (fanIn + fanOut))
		for i := range p.W {
			p.W[i] = float32((2*rng.Float64() - 1) * limit)
		}
	}
}

// NumParams returns the number of trainable values.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params {
		n += len(p.W)
	}
	return n
}

// workspace holds the activations of one batch for the backward pass; its
// buffers only grow.
type workspace struct {
	off    []int       // first stacked row of each graph
	z      [][]float32 // per layer: Â·H_{l−1}, rows×in_l
	h      []float32   // concatenated layer outputs, rows×s
	sel    []int       // per graph k selected node indices
	pooled []float32   // (b·k)×s
	c1     []float32   // (b·k)×f1
	mp     []float32   // (b·p)×f1
	arg    []int8      // (b·p)×f1
	col    []float32   // (b·l2)×(kern·f1)
	c2     []float32   // (b·l2)×f2 = b×(l2·f2)
	d1     []float32   // b×dense after ReLU (and dropout when training)
	mask   []float32   // b×dense dropout scale (0 or 1/(1−rate))
	logits []float32   // b×classes
	probs  []float32
	dlog   []float32
	dd1    []float32
	dc2    []float32
	dcol   []float32
	dmp    []float32
	dc1    []float32
	dpool  []float32
	dh     []float32
	dz     []float32
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward runs the network on a batch. With train set, dropout is applied
// with rng. It leaves the activations in m.ws and the probabilities in
// m.ws.probs; with labels y it returns the summed loss and the number of
// correct arg-max predictions and, when train is set, the gradient of the
// mean loss in m.ws.dlog.
func (m *Model) forward(batch []*Input, y []int, train bool, rng *rand.Rand) (loss float64, correct int) {
	rows := m.stackRows(batch)
	m.graphConvs(batch, rows)
	m.sortPooling(batch)
	m.convolutions(len(batch))
	m.denseDropout(len(batch), train, rng)
	return m.output(len(batch), y, train)
}

// stackRows records the first stacked row of each graph of the batch in
// m.ws.off, sizes the layer buffers and returns the number of rows.
func (m *Model) stackRows(batch []*Input) int {
	c := &m.Config
	w := &m.ws
	w.off = w.off[:0]
	rows := 0
	for _, g := range batch {
		w.off = append(w.off, rows)
		rows += g.N
	}
	if len(w.z) != len(c.Layers) {
		w.z = make([][]float32, len(c.Layers))
	}
	w.h = grow(w.h, rows*c.channels())
	return rows
}

// graphConvs runs the graph convolutions: Z_l = Â·H_{l−1} per graph, then
// one GEMM H_l = tanh(Z_l·W_l) over all stacked rows, written into its
// column block of the concatenation m.ws.h.
func (m *Model) graphConvs(batch []*Input, rows int) {
	c := &m.Config
	w := &m.ws
	s := c.channels()
	in := m.Features
	col := 0
	prevCol := 0
	for l, units := range c.Layers {
		w.z[l] = grow(w.z[l], rows*in)
		z := w.z[l]
		workpool.For(c.Workers, len(batch), func(i int) {
			g := batch[i]
			o := w.off[i]
			if l == 0 {
				propagate(g.N, in, g.A, g.X, in, z[o*in:], in, false)
			} else {
				propagate(g.N, in, g.A, w.h[o*s+prevCol:], s, z[o*in:], in, false)
			}
		})
		dense(m.gemm, rows, in, units, z, in, m.Params[l].W, nil, w.h[col:], s)
		tanhRows(c.Workers, rows, units, w.h[col:], s)
		prevCol = col
		col += units
		in = units
	}
}

// sortPooling keeps the K top rows of each graph (SortPooling) in
// m.ws.pooled, their node indices in m.ws.sel.
func (m *Model) sortPooling(batch []*Input) {
	c := &m.Config
	w := &m.ws
	b, s, k := len(batch), c.channels(), c.K
	if cap(w.sel) < b*k {
		w.sel = make([]int, b*k)
	}
	w.sel = w.sel[:b*k]
	w.pooled = grow(w.pooled, b*k*s)
	workpool.For(c.Workers, b, func(i int) {
		o := w.off[i]
		sortPool(batch[i].N, s, k, w.h[o*s:], w.pooled[i*k*s:], w.sel[i*k:])
	})
}

// convolutions runs the first Conv1D (kernel = stride = s, a dense layer
// on each pooled row), MaxPool1D, and the second Conv1D through im2col,
// for the b graphs of the batch.
func (m *Model) convolutions(b int) {
	c := &m.Config
	w := &m.ws
	s, k := c.channels(), c.K
	f1, f2 := c.Conv1Filters, c.Conv2Filters
	p, l2, kern := c.pooledLen(), c.convLen(), c.Conv2Kernel
	nl := len(c.Layers)
	w.c1 = grow(w.c1, b*k*f1)
	dense(m.gemm, b*k, s, f1, w.pooled, s, m.Params[nl].W, m.Params[nl+1].W, w.c1, f1)
	w.mp = grow(w.mp, b*p*f1)
	if cap(w.arg) < b*p*f1 {
		w.arg = make([]int8, b*p*f1)
	}
	w.arg = w.arg[:b*p*f1]
	w.col = grow(w.col, b*l2*kern*f1)
	workpool.For(c.Workers, b, func(i int) {
		maxPool(k, f1, c.Pool, w.c1[i*k*f1:], w.mp[i*p*f1:], w.arg[i*p*f1:])
		im2col(p, f1, kern, w.mp[i*p*f1:], w.col[i*l2*kern*f1:])
	})
	w.c2 = grow(w.c2, b*l2*f2)
	dense(m.gemm, b*l2, kern*f1, f2, w.col, kern*f1, m.Params[nl+2].W, m.Params[nl+3].W, w.c2, f2)
}

// denseDropout runs the dense layer with ReLU and, when training, dropout
// drawn from rng; m.ws.mask keeps the dropout scale of every unit.
func (m *Model) denseDropout(b int, train bool, rng *rand.Rand) {
	c := &m.Config
	w := &m.ws
	l2, f2 := c.convLen(), c.Conv2Filters
	nl := len(c.Layers)
	w.d1 = grow(w.d1, b*c.Dense)
	dense(m.gemm, b, l2*f2, c.Dense, w.c2, l2*f2, m.Params[nl+4].W, m.Params[nl+5].W, w.d1, c.Dense)
	for i, v := range w.d1 {
		if v < 0 {
			w.d1[i] = 0
		}
	}
	w.mask = grow(w.mask, b*c.Dense)
	if train && c.Dropout > 0 {
		keep := float32(1 / (1 - c.Dropout))
		for i := range w.mask {
			if rng.Float64() < c.Dropout {
				w.mask[i] = 0
			} else {
				w.mask[i] = keep
			}
			w.d1[i] *= w.mask[i]
		}
	} else {
		for i := range w.mask {
			w.mask[i] = 1
		}
	}
}

// output runs the output layer and the softmax cross-entropy (see
// forward).
func (m *Model) output(b int, y []int, train bool) (loss float64, correct int) {
	c := &m.Config
	w := &m.ws
	nc := len(m.Classes)
	nl := len(c.Layers)
	w.logits = grow(w.logits, b*nc)
	dense(m.gemm, b, c.Dense, nc, w.d1, c.Dense, m.Params[nl+6].W, m.Params[nl+7].W, w.logits, nc)
	w.probs = grow(w.probs, b*nc)
	var dl []float32
	if train {
		w.dlog = grow(w.dlog, b*nc)
		dl = w.dlog
	}
	return softmaxCE(b, nc, w.logits, y, w.probs, dl, b)
}

// backward computes the gradients of every parameter (into Param.G) from
// the activations of the last training forward pass.
func (m *Model) backward(batch []*Input) {
	c := &m.Config
	w := &m.ws
	b := len(batch)
	workers := c.Workers
	s := c.channels()
	k := c.K
	f1, f2 := c.Conv1Filters, c.Conv2Filters
	p, l2, kern := c.pooledLen(), c.convLen(), c.Conv2Kernel
	nc := len(m.Classes)
	nl := len(c.Layers)
	rows := 0
	for _, g := range batch {
		rows += g.N
	}
	P := m.Params

	w.dd1 = grow(w.dd1, b*c.Dense)
	denseBack(m.gemm, b, c.Dense, nc, w.d1, c.Dense, P[nl+6].W, w.dlog, nc, w.dd1, c.Dense, P[nl+6].G, P[nl+7].G)
	for i := range w.dd1 {
		if w.d1[i] <= 0 { // ReLU off or dropped
			w.dd1[i] = 0
		} else {
			w.dd1[i] *= w.mask[i]
		}
	}
	w.dc2 = grow(w.dc2, b*l2*f2)
	denseBack(m.gemm, b, l2*f2, c.Dense, w.c2, l2*f2, P[nl+4].W, w.dd1, c.Dense, w.dc2, l2*f2, P[nl+4].G, P[nl+5].G)
	w.dcol = grow(w.dcol, b*l2*kern*f1)
	denseBack(m.gemm, b*l2, kern*f1, f2, w.col, kern*f1, P[nl+2].W, w.dc2, f2, w.dcol, kern*f1, P[nl+2].G, P[nl+3].G)
	w.dmp = grow(w.dmp, b*p*f1)
	w.dc1 = grow(w.dc1, b*k*f1)
	workpool.For(workers, b, func(i int) {
		col2im(p, f1, kern, w.dcol[i*l2*kern*f1:], w.dmp[i*p*f1:])
		maxPoolBack(k, f1, c.Pool, w.dmp[i*p*f1:], w.arg[i*p*f1:], w.dc1[i*k*f1:])
	})
	w.dpool = grow(w.dpool, b*k*s)
	denseBack(m.gemm, b*k, s, f1, w.pooled, s, P[nl].W, w.dc1, f1, w.dpool, s, P[nl].G, P[nl+1].G)
	w.dh = grow(w.dh, rows*s)
	workpool.For(workers, b, func(i int) {
		o := w.off[i]
		sortPoolBack(batch[i].N, s, k, w.dpool[i*k*s:], w.sel[i*k:], w.dh[o*s:])
	})

	// Graph convolutions, last to first. The column block of layer l in dh
	// holds dL/dH_l (from pooling, plus from layer l+1 once that is done).
	col := s
	for l := nl - 1; l >= 0; l-- {
		units := c.Layers[l]
		col -= units
		in := m.Features
		if l > 0 {
			in = c.Layers[l-1]
		}
		tanhBack(workers, rows, units, w.h[col:], w.dh[col:], s)
		if l == 0 {
			denseBack(m.gemm, rows, in, units, w.z[l], in, P[l].W, w.dh[col:], s, nil, 0, P[l].G, nil)
			break
		}
		w.dz = grow(w.dz, rows*in)
		denseBack(m.gemm, rows, in, units, w.z[l], in, P[l].W, w.dh[col:], s, w.dz, in, P[l].G, nil)
		prevCol := col - in
		workpool.For(workers, b, func(i int) {
			g := batch[i]
			o := w.off[i]
			propagate(g.N, in, g.A, w.dz[o*in:], in, w.dh[o*s+prevCol:], s, true)
		})
	}
}

// Predict returns the class probabilities (len(batch)×classes, row-major)
// of the inputs, evaluated in batches of Config.Batch without dropout.
func (m *Model) Predict(ctx context.Context, inputs []*Input) ([]float32, error) {
	if err := m.checkInputs(inputs); err != nil {
		return nil, err
	}
	nc := len(m.Classes)
	out := make([]float32, len(inputs)*nc)
	for lo := 0; lo < len(inputs); lo += m.Config.Batch {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("dgcnn: predict: %w", err)
		}
		hi := min(lo+m.Config.Batch, len(inputs))
		m.forward(inputs[lo:hi], nil, false, nil)
		copy(out[lo*nc:hi*nc], m.ws.probs)
	}
	return out, nil
}

// checkInputs verifies that every input has the model's feature count.
func (m *Model) checkInputs(inputs []*Input) error {
	for i, g := range inputs {
		if g == nil || g.N < 1 || g.F != m.Features || len(g.X) != g.N*g.F || len(g.A) != g.N*g.N {
			return fmt.Errorf("dgcnn: input %d: not a prepared graph with %d features", i, m.Features)
		}
	}
	return nil
}
