package graphbaseline

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"appbench/mappgraph"
	"appbench/methods/internal/graphs"
)

// Edge statistics that can be appended to the flattened node features
// (parameter edge_stats). Weights are the graph's min-max normalised
// co-activity weights; a NaN weight (the reference's 0/0 when all counts of
// a graph are equal) counts as 0, as in the DGCNN's weighted adjacency.
const (
	// StatNodes is the number of nodes of the graph.
	StatNodes = "nodes"
	// StatEdges is the number of edges.
	StatEdges = "edges"
	// StatDensity is edges / (nodes·(nodes−1)/2), 0 for fewer than two
	// nodes.
	StatDensity = "density"
	// StatSum, StatMean, StatStd (population), StatMin and StatMax summarise
	// the edge weights; all are 0 for a graph without edges.
	StatSum  = "sum"
	StatMean = "mean"
	StatStd  = "std"
	StatMin  = "min"
	StatMax  = "max"
)

// EdgeStatNames lists the edge statistics known to edge_stats.
func EdgeStatNames() []string {
	return []string{StatNodes, StatEdges, StatDensity, StatSum, StatMean, StatStd, StatMin, StatMax}
}

// DefaultEdgeStats are the edge statistics used unless edge_stats says
// otherwise.
func DefaultEdgeStats() []string {
	return []string{StatNodes, StatEdges, StatMean, StatStd, StatMax}
}

// Vectorizer turns a standardised graph into the fixed-length vector the
// baselines classify: the node-feature rows of the first MaxNodes nodes in
// stored order (63 features each, or 59 without the IP octets), zero rows
// for missing nodes, then the chosen edge statistics. Feature values that
// are not finite (a processed graph's feature that was constant over the
// training nodes has std 0, written as NaN) become 0.
type Vectorizer struct {
	// MaxNodes is the number of node rows (padding or truncating).
	MaxNodes int
	// IPFeatures keeps the four IP-octet features of each node.
	IPFeatures bool
	// EdgeStats are the edge statistics appended, in this order.
	EdgeStats []string
}

// edgeStatsProblem says what is wrong with an edge_stats list, or returns
// "" when nothing is.
func edgeStatsProblem(stats []string) string {
	seen := map[string]bool{}
	for _, s := range stats {
		if !slices.Contains(EdgeStatNames(), s) {
			return fmt.Sprintf("unknown statistic %q (known: %s)", s, strings.Join(EdgeStatNames(), ", "))
		}
		if seen[s] {
			return fmt.Sprintf("%q listed twice", s)
		}
		seen[s] = true
	}
	return ""
}

// Len is the length of the vectors.
func (v Vectorizer) Len() int { return v.MaxNodes*graphs.NumFeatures(v.IPFeatures) + len(v.EdgeStats) }

// Names returns the name of each vector component: "n<i>.<feature>" for
// node rows (i from 0) and "edge.<stat>" for edge statistics.
func (v Vectorizer) Names() []string {
	feat := mappgraph.FeatureNames()[:graphs.NumFeatures(v.IPFeatures)]
	out := make([]string, 0, v.Len())
	for i := 0; i < v.MaxNodes; i++ {
		for _, f := range feat {
			out = append(out, fmt.Sprintf("n%d.%s", i, f))
		}
	}
	for _, s := range v.EdgeStats {
		out = append(out, "edge."+s)
	}
	return out
}

// Append appends the vector of g to dst and returns the extended slice.
func (v Vectorizer) Append(dst []float64, g *mappgraph.Graph) []float64 {
	nf := graphs.NumFeatures(v.IPFeatures)
	for i := 0; i < v.MaxNodes; i++ {
		if i >= len(g.Nodes) {
			for j := 0; j < nf; j++ {
				dst = append(dst, 0)
			}
			continue
		}
		for _, x := range graphs.NodeFeatures(&g.Nodes[i], v.IPFeatures) {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				x = 0
			}
			dst = append(dst, x)
		}
	}
	if len(v.EdgeStats) == 0 {
		return dst
	}
	var sum, lo, hi float64
	for k, e := range g.Edges {
		w := e.Weight
		if math.IsNaN(w) || math.IsInf(w, 0) {
			w = 0
		}
		sum += w
		if k == 0 || w < lo {
			lo = w
		}
		if k == 0 || w > hi {
			hi = w
		}
	}
	ne := float64(len(g.Edges))
	var mean, std float64
	if ne > 0 {
		mean = sum / ne
		var ss float64
		for _, e := range g.Edges {
			w := e.Weight
			if math.IsNaN(w) || math.IsInf(w, 0) {
				w = 0
			}
			ss += (w - mean) * (w - mean)
		}
		std = math.Sqrt(ss / ne)
	}
	n := float64(len(g.Nodes))
	for _, s := range v.EdgeStats {
		var x float64
		switch s {
		case StatNodes:
			x = n
		case StatEdges:
			x = ne
		case StatDensity:
			if n >= 2 {
				x = ne / (n * (n - 1) / 2)
			}
		case StatSum:
			x = sum
		case StatMean:
			x = mean
		case StatStd:
			x = std
		case StatMin:
			x = lo
		case StatMax:
			x = hi
		}
		dst = append(dst, x)
	}
	return dst
}
