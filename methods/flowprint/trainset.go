package flowprint

import (
	"context"
	"fmt"
	"math"

	fp "appbench/flowprint"
	"appbench/methods"
)

// trainingFlows are the flows of the training chunks in the compact form
// fingerprinting reads them in (an fp.FlowSet): per flow its span, its
// destination and certificate as indices into interned tables, and where
// its packet times lie in its chunk's features, which are read in place
// rather than copied. A flow costs 32 bytes here (and 16 for its label)
// against about 170 bytes plus 8 per packet as an fp.Flow.
type trainingFlows struct {
	feats      [][]byte  // per chunk: its features
	chunk      []int32   // per flow: its chunk
	at         []int32   // per flow: offset of its times in its chunk's features
	start, end []float64 // per flow: its first and last packet time
	dst, cert  []int32   // per flow: index into dsts, certs (-1: no certificate)
	dsts       []fp.Element
	certs      []string
}

// trainFlows reads the flows of the training samples and their labels
// (the label of a flow's chunk), without certificates unless
// train_certificates is set. Each chunk is its own flow key space, as each
// CSV file is in the enhanced scripts.
func (m *Method) trainFlows(ctx context.Context, train []methods.Encoded) (*trainingFlows, []string, error) {
	n := 0
	for i := range train {
		n += flowCount(train[i].Features)
	}
	t := &trainingFlows{
		feats: make([][]byte, len(train)),
		chunk: make([]int32, 0, n), at: make([]int32, 0, n),
		start: make([]float64, 0, n), end: make([]float64, 0, n),
		dst: make([]int32, 0, n), cert: make([]int32, 0, n),
	}
	labels := make([]string, 0, n)
	in := newInterner()
	var times []float64
	for i := range train {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := t.add(in, int32(i), train[i].Features, !m.p.TrainCertificates, &times); err != nil {
			return nil, nil, fmt.Errorf("flowprint: training sample %d (%s): %w", i, train[i].Capture, err)
		}
		for len(labels) < len(t.chunk) {
			labels = append(labels, train[i].Label)
		}
	}
	t.dsts, t.certs = in.dsts.list, in.certs.list
	return t, labels, nil
}

// table interns values: id gives each distinct value its index in list.
type table[K comparable] struct {
	index map[K]int32
	list  []K
}

func newTable[K comparable]() *table[K] { return &table[K]{index: make(map[K]int32)} }

func (t *table[K]) id(k K) int32 {
	id, ok := t.index[k]
	if !ok {
		id = int32(len(t.list))
		t.index[k] = id
		t.list = append(t.list, k)
	}
	return id
}

// interner interns the destinations and certificates of training flows.
type interner struct {
	dsts  *table[fp.Element]
	certs *table[string]
}

func newInterner() interner { return interner{dsts: newTable[fp.Element](), certs: newTable[string]()} }

// cert returns the index of certificate c, -1 for none.
func (in interner) cert(c string) int32 {
	if c == "" {
		return -1
	}
	return in.certs.id(c)
}

// add appends the flows of chunk c's features b; times is a scratch
// buffer.
func (t *trainingFlows) add(in interner, c int32, b []byte, dropCerts bool, times *[]float64) error {
	if len(b) > math.MaxInt32 {
		return fmt.Errorf("%w: %d bytes, more than a chunk can hold", errFeatures, len(b))
	}
	t.feats[c] = b
	return readFlows(b, func(d *reader) {
		f := d.head("")
		at := int32(d.off)
		*times = d.times((*times)[:0])
		if d.err != nil {
			return
		}
		lo, hi := 0.0, 0.0
		if len(*times) > 0 {
			lo, hi = extremes(*times)
		}
		if dropCerts {
			f.Cert = ""
		}
		t.chunk = append(t.chunk, c)
		t.at = append(t.at, at)
		t.start, t.end = append(t.start, lo), append(t.end, hi)
		t.dst = append(t.dst, in.dsts.id(f.Destination()))
		t.cert = append(t.cert, in.cert(f.Cert))
	})
}

// Len returns the number of flows.
func (t *trainingFlows) Len() int { return len(t.chunk) }

// Span returns flow i's first and last packet time.
func (t *trainingFlows) Span(i int) (start, end float64) { return t.start[i], t.end[i] }

// Destination returns flow i's destination.
func (t *trainingFlows) Destination(i int) fp.Element { return t.dsts[t.dst[i]] }

// Certificate returns flow i's certificate, "" for none.
func (t *trainingFlows) Certificate(i int) string {
	if c := t.cert[i]; c >= 0 {
		return t.certs[c]
	}
	return ""
}

// AppendTimes appends flow i's packet times to dst. The features were
// checked when the flow was added.
func (t *trainingFlows) AppendTimes(dst []float64, i int) []float64 {
	d := &reader{b: t.feats[t.chunk[i]], off: int(t.at[i])}
	return d.times(dst)
}

// Name names flow i by its training chunk and destination.
func (t *trainingFlows) Name(i int) string {
	return fmt.Sprintf("training chunk %d, flow to %s", t.chunk[i], t.Destination(i))
}

var _ fp.FlowSet = (*trainingFlows)(nil)
