package dgcnn

import (
	"fmt"
	"math"

	"appbench/mappgraph"
)

// AdjacencyOptions chooses the graph operator Â of the convolution layers.
// The zero value is the reference's operator (spec §8.2): every listed edge
// has value 1 whatever its weight, self loops are added (diagonal set to
// 1) and rows are normalised, Â = D⁻¹(A+I).
type AdjacencyOptions struct {
	// Weighted uses the edge weights as adjacency values, the paper's
	// intent. A NaN weight (the reference's 0/0 when all co-activity counts
	// of a graph are equal) counts as 0, so such a graph keeps only its self
	// loops; an infinite weight is an error.
	Weighted bool
	// Symmetric normalises as D^-1/2 (A+I) D^-1/2 instead of D⁻¹(A+I).
	Symmetric bool
}

// Input is one graph prepared for the network: node features and the
// normalised adjacency operator, both dense row-major float32.
type Input struct {
	// N is the number of nodes, F the number of features per node.
	N, F int
	// X holds the N×F node features.
	X []float32
	// A holds the N×N operator Â.
	A []float32
}

// FromGraph prepares a mappgraph graph (63 features per node, already
// standardised) for the network.
func FromGraph(g *mappgraph.Graph, opts AdjacencyOptions) (*Input, error) {
	n := len(g.Nodes)
	x := make([]float32, n*mappgraph.NumFeatures)
	for i := range g.Nodes {
		for j, v := range g.Nodes[i].Features {
			x[i*mappgraph.NumFeatures+j] = float32(v)
		}
	}
	in, err := Prepare(x, n, mappgraph.NumFeatures, g.Edges, opts)
	if err != nil {
		return nil, fmt.Errorf("graph %d of app %q: %w", g.ID, g.App, err)
	}
	return in, nil
}

// Prepare builds an Input from n×f row-major features x and an undirected
// edge list (each edge is used in both directions; a self edge only sets
// the diagonal, which is 1 anyway).
func Prepare(x []float32, n, f int, edges []mappgraph.Edge, opts AdjacencyOptions) (*Input, error) {
	if n < 1 {
		return nil, fmt.Errorf("dgcnn: graph has no nodes")
	}
	if f < 1 || len(x) != n*f {
		return nil, fmt.Errorf("dgcnn: %d feature values for %d nodes × %d features", len(x), n, f)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("dgcnn: node %d feature %d is %v", i/f, i%f, v)
		}
	}
	a := make([]float64, n*n)
	for e, ed := range edges {
		if ed.Source < 0 || ed.Source >= n || ed.Target < 0 || ed.Target >= n {
			return nil, fmt.Errorf("dgcnn: edge %d (%d-%d) outside the %d nodes", e, ed.Source, ed.Target, n)
		}
		w := 1.0
		if opts.Weighted {
			w = ed.Weight
			if math.IsNaN(w) {
				w = 0
			}
			if math.IsInf(w, 0) {
				return nil, fmt.Errorf("dgcnn: edge %d (%d-%d) has weight %v", e, ed.Source, ed.Target, w)
			}
		}
		a[ed.Source*n+ed.Target] = w
		a[ed.Target*n+ed.Source] = w
	}
	deg := make([]float64, n)
	for i := 0; i < n; i++ {
		a[i*n+i] = 1
		s := 0.0
		for j := 0; j < n; j++ {
			s += a[i*n+j]
		}
		if s <= 0 {
			return nil, fmt.Errorf("dgcnn: node %d has weighted degree %v (negative weights?)", i, s)
		}
		deg[i] = s
	}
	out := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := a[i*n+j]
			if opts.Symmetric {
				v /= math.Sqrt(deg[i]) * math.Sqrt(deg[j])
			} else {
				v /= deg[i]
			}
			out[i*n+j] = float32(v)
		}
	}
	xc := make([]float32, len(x))
	copy(xc, x)
	return &Input{N: n, F: f, X: xc, A: out}, nil
}
