package graphbaseline

import (
	"context"
	"fmt"
	"io"
	"math"

	"appbench/forest"
	"appbench/mappgraph"
	"appbench/methods"
	"appbench/methods/internal/graphs"
)

// GraphParams are the parameters both baselines share: how graphs are
// built from packets and how a graph becomes a vector.
type GraphParams struct {
	// MaxNodes is N: the number of destinations kept when building a graph
	// from packets, and the number of node rows of the vector (default 20).
	MaxNodes int `yaml:"max_nodes" json:"max_nodes"`
	// Slice is t_slice in seconds for graphs built from packets (10).
	Slice float64 `yaml:"slice" json:"slice"`
	// IPFeatures keeps the four IP-octet node features (default true);
	// false drops them (59 features per node, the paper's Figure 9).
	IPFeatures bool `yaml:"ip_features" json:"ip_features"`
	// EdgeStats are the edge statistics appended to the node rows (see
	// EdgeStatNames; default DefaultEdgeStats; an empty list appends none).
	EdgeStats []string `yaml:"edge_stats" json:"edge_stats"`
	// Degenerate says how samples without a graph (empty chunks, chunks the
	// reference skips, graphs with at most two nodes) are predicted:
	// "majority" (the most frequent training label, score 0) or "unknown"
	// (marked Unknown).
	Degenerate string `yaml:"degenerate" json:"degenerate"`
}

// DefaultGraphParams returns the defaults documented on GraphParams.
func DefaultGraphParams() GraphParams {
	return GraphParams{MaxNodes: 20, Slice: 10, IPFeatures: true, EdgeStats: DefaultEdgeStats(), Degenerate: "majority"}
}

// vectorizer returns the Vectorizer of p.
func (p GraphParams) vectorizer() Vectorizer {
	return Vectorizer{MaxNodes: p.MaxNodes, IPFeatures: p.IPFeatures, EdgeStats: append([]string(nil), p.EdgeStats...)}
}

// graphInput is the state both baselines share: graph construction,
// training standardiser, classes and the fallback label.
type graphInput struct {
	name    string
	p       GraphParams
	build   mappgraph.BuildOptions
	vec     Vectorizer
	workers int
	log     io.Writer
	note    func(string)

	std      *mappgraph.Standardizer // nil when every training graph came standardised
	classes  []string                // training labels in byte order
	majority string
	skips    graphs.Skips // of the training samples
}

// validate returns a *methods.ParamError of method for the first bad
// parameter.
func (p GraphParams) validate(method string) error {
	bad := func(key, problem string, got any) error {
		return methods.NewParamError(method, key, problem, got)
	}
	switch {
	case p.MaxNodes < 1:
		return bad("max_nodes", "must be at least 1", p.MaxNodes)
	case !(p.Slice > 0) || math.IsInf(p.Slice, 0):
		return bad("slice", "must be a positive number of seconds", p.Slice)
	case p.Degenerate != "majority" && p.Degenerate != "unknown":
		return bad("degenerate", "must be majority or unknown", p.Degenerate)
	}
	if problem := edgeStatsProblem(p.EdgeStats); problem != "" {
		return bad("edge_stats", problem, p.EdgeStats)
	}
	return nil
}

// newGraphInput returns the shared state of the method name with valid
// parameters p.
func newGraphInput(name string, p GraphParams, workers int, log io.Writer) (graphInput, error) {
	build, err := graphs.BuildOptions(p.MaxNodes, p.Slice)
	if err != nil {
		return graphInput{}, fmt.Errorf("%s: %w", name, err)
	}
	return graphInput{name: name, p: p, build: build, vec: p.vectorizer(), workers: workers, log: log, note: func(string) {}}, nil
}

// Inputs reports that the method accepts packets and processed graphs.
func (g *graphInput) Inputs() methods.Input { return methods.Packets | methods.Graphs }

// DetectsUnknown reports whether samples without a graph are marked
// Unknown (parameter degenerate: unknown).
func (g *graphInput) DetectsUnknown() bool { return g.p.Degenerate == "unknown" }

// FeatureKey returns the graph methods' shared key (graphs.FeatureKey):
// graphs built with the same N and t_slice are the same for graph-rf,
// graph-knn and mappgraph.
func (g *graphInput) FeatureKey() string { return graphs.FeatureKey(g.build) }

// Features returns the sample's graph in the datasets graph encoding, or no
// bytes when the chunk gives no graph (graphs.Features).
func (g *graphInput) Features(s methods.Sample) ([]byte, error) {
	return graphs.Features(&s, g.build)
}

// fitGraphs reads the training graphs, fits the standardiser on those not
// yet standardised and records the classes; it returns the graphs, to be
// decoded one at a time, and the class index of each sample.
func (g *graphInput) fitGraphs(train []methods.Encoded) (set *graphs.Set, cls []int, err error) {
	if len(train) == 0 {
		return nil, nil, fmt.Errorf("%s: no training samples", g.name)
	}
	set = graphs.NewSet(train)
	sk := set.Skips
	if set.Graphs() == 0 {
		return nil, nil, fmt.Errorf("%s: none of the %d training samples gives a graph (%d skipped for IPv6 destinations)", g.name, len(train), sk.IPv6)
	}
	if g.std, err = set.FitStandardizer(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", g.name, err)
	}
	g.skips = sk
	g.classes, g.majority = graphs.Classes(train)
	index := make(map[string]int, len(g.classes))
	for j, l := range g.classes {
		index[l] = j
	}
	cls = make([]int, len(train))
	for i := range train {
		cls[i] = index[train[i].Label]
	}
	fmt.Fprintf(g.log, "%s: %d training graphs of %d classes (%d samples without a graph), %d features\n",
		g.name, set.Graphs(), len(g.classes), sk.Missing, g.vec.Len())
	return set, cls, nil
}

// fitVectors returns the training matrix (one row per sample with a
// graph, row-major) with its class indices (see fitGraphs).
func (g *graphInput) fitVectors(ctx context.Context, train []methods.Encoded) (x []float64, y []int, err error) {
	set, cls, err := g.fitGraphs(train)
	if err != nil {
		return nil, nil, err
	}
	x = make([]float64, 0, set.Graphs()*g.vec.Len())
	err = set.Each(ctx, func(i int, gr *mappgraph.Graph) error {
		x = g.vec.Append(x, graphs.Standardize(g.std, gr))
		y = append(y, cls[i])
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", g.name, err)
	}
	methods.DropFeatures(train)
	return x, y, nil
}

// fitMatrix is fitVectors with the vectors in a forest matrix
// (forest.RankRows: each graph is decoded and vectorised twice, and no
// float64 matrix is held).
func (g *graphInput) fitMatrix(ctx context.Context, train []methods.Encoded) (*forest.Matrix, []int, error) {
	set, cls, err := g.fitGraphs(train)
	if err != nil {
		return nil, nil, err
	}
	y := make([]int, 0, set.Graphs())
	for i := range train {
		if ok, _ := graphs.HasGraph(train[i].Features); ok {
			y = append(y, cls[i])
		}
	}
	var row []float64
	m, err := forest.RankRows(set.Graphs(), g.vec.Len(), func(add func([]float64) error) error {
		return set.Each(ctx, func(i int, gr *mappgraph.Graph) error {
			row = g.vec.Append(row[:0], graphs.Standardize(g.std, gr))
			if err := add(row); err != nil {
				return fmt.Errorf("training sample %d (%s): %w", i, train[i].Capture, err)
			}
			return nil
		})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", g.name, err)
	}
	methods.DropFeatures(train)
	return m, y, nil
}

// testVectors returns the matrix of the test samples that give a graph and
// their positions in test; out holds the fallback answer for the others.
// When chunks of the training or the test samples were skipped for IPv6
// destinations, it notes how many of them.
func (g *graphInput) testVectors(ctx context.Context, test []methods.Encoded) (x []float64, at []int, out []methods.Prediction, err error) {
	set := graphs.NewSet(test)
	sk := set.Skips
	sk.Add(g.skips)
	if n := sk.IPv6Note(g.name); n != "" {
		g.note(n)
	}
	out = make([]methods.Prediction, len(test))
	for i := range out {
		out[i] = methods.Prediction{Label: g.majority, Unknown: g.p.Degenerate == "unknown"}
	}
	err = set.Each(ctx, func(i int, gr *mappgraph.Graph) error {
		x = g.vec.Append(x, graphs.Standardize(g.std, gr))
		at = append(at, i)
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", g.name, err)
	}
	return x, at, out, nil
}
