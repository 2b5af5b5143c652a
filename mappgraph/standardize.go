package mappgraph

import "math"

// Standardizer holds the training statistics of §6: for each feature the
// pooled mean and sample standard deviation (ddof = 1) over all nodes of
// all training graphs. protocol and ip1..ip4 are not standardised; their
// entries are NaN.
type Standardizer struct {
	Mean, Std [NumFeatures]float64
}

// Standardized reports whether feature i is standardised with the training
// statistics (every feature but protocol and the four IP octets).
func Standardized(i int) bool {
	return i != FeatureProtocol && (i < FeatureIP1 || i >= NumFeatures)
}

// FitStandardizer computes the pooled mean and sample standard deviation of
// each standardised feature over all nodes of train (in the order given),
// as pandas' Series.mean and Series.std do on the concatenated training
// frame: the mean is NumPy's pairwise sum over the count; the standard
// deviation is a two-pass computation (NaN for fewer than two nodes) whose
// sums are NumPy's pairwise sums for the integer-typed columns and plain
// sequential sums (bottleneck's nanstd, which pandas uses for float64
// columns when bottleneck is installed, as in the reference's environment)
// for the others. These choices reproduce the reference's mean_std.json to
// the last bit; any of them agrees to about 1e-15 relative.
func FitStandardizer(train []*Graph) *Standardizer {
	s, _ := FitStandardizerColumns(func(f int, col []float64) ([]float64, error) {
		for _, g := range train {
			for i := range g.Nodes {
				col = append(col, g.Nodes[i].Features[f])
			}
		}
		return col, nil
	})
	return s
}

// FitStandardizerColumns is FitStandardizer over the training nodes that
// column gives: column(f, col) appends feature f of every training node,
// always in the same order, to col and returns it. It is asked for one
// column at a time, so that no more than one column of the training nodes
// need be held; its first error is returned.
func FitStandardizerColumns(column func(f int, col []float64) ([]float64, error)) (*Standardizer, error) {
	s := &Standardizer{}
	var col []float64
	for f := 0; f < NumFeatures; f++ {
		if !Standardized(f) {
			s.Mean[f], s.Std[f] = math.NaN(), math.NaN()
			continue
		}
		var err error
		if col, err = column(f, col[:0]); err != nil {
			return nil, err
		}
		s.Mean[f], s.Std[f] = meanStd(col, !integerFeature[f])
	}
	return s, nil
}

// meanStd is pandas' nanmean and nanstd(ddof=1) over non-NaN values; the
// standard deviation uses sequential sums (bottleneck) when sequential is
// set, NumPy's pairwise sums otherwise.
func meanStd(x []float64, sequential bool) (mean, std float64) {
	vals := x[:0:0]
	for _, v := range x {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	n := len(vals)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = pairwiseSum(vals) / float64(n)
	if n < 2 {
		return mean, math.NaN()
	}
	if sequential {
		var sum float64
		for _, v := range vals {
			sum += v
		}
		m := sum / float64(n)
		sum = 0
		for _, v := range vals {
			d := v - m
			sum += d * d
		}
		return mean, math.Sqrt(sum / float64(n-1))
	}
	sq := make([]float64, n)
	for i, v := range vals {
		d := mean - v
		sq[i] = d * d
	}
	return mean, math.Sqrt(pairwiseSum(sq) / float64(n-1))
}

// Apply returns a standardised copy of g (Scaled set): every standardised
// feature becomes (x − mean)/std, the IP octets are divided by 255 once
// (what the shipped processed graphs show; the published notebook divides
// them once per feature, a quirk not reproduced), protocol is unchanged.
// Edges are copied unchanged.
//
// A feature with std = 0 (constant over the training nodes) is divided by
// zero as in the reference: NaN where x equals the mean, ±Inf elsewhere,
// written as an empty field or "inf". Callers that feed a model should
// check for such features in their training set.
func (s *Standardizer) Apply(g *Graph) *Graph {
	out := &Graph{ID: g.ID, App: g.App, Scaled: true,
		Nodes: make([]Node, len(g.Nodes)), Edges: append([]Edge(nil), g.Edges...)}
	for i, n := range g.Nodes {
		for f := 0; f < NumFeatures; f++ {
			switch {
			case Standardized(f):
				n.Features[f] = (n.Features[f] - s.Mean[f]) / s.Std[f]
			case f >= FeatureIP1:
				n.Features[f] /= 255
			}
		}
		out.Nodes[i] = n
	}
	return out
}
