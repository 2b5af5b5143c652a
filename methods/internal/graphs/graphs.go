package graphs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"appbench/datasets"
	"appbench/mappgraph"
	"appbench/methods"
)

// BuildOptions returns the graph construction options for the parameters
// max_nodes and slice (seconds) that the graph methods share, checking them.
func BuildOptions(maxNodes int, slice float64) (mappgraph.BuildOptions, error) {
	if maxNodes < 1 {
		return mappgraph.BuildOptions{}, fmt.Errorf("max_nodes must be at least 1, got %d", maxNodes)
	}
	if !(slice > 0) || math.IsInf(slice, 0) {
		return mappgraph.BuildOptions{}, fmt.Errorf("slice must be a positive number of seconds, got %v", slice)
	}
	return mappgraph.BuildOptions{MaxNodes: maxNodes, Slice: time.Duration(slice * float64(time.Second))}, nil
}

// Of returns the graph of a sample: its own Graph when set, else the graph
// built from its packets with opt. It returns nil and no error when the
// chunk gives no graph (mappgraph.ErrEmpty, ErrSkipped or ErrDegenerate).
func Of(s *methods.Sample, opt mappgraph.BuildOptions) (*mappgraph.Graph, error) {
	if s.Graph != nil {
		return s.Graph, nil
	}
	g, err := mappgraph.Build(s.Packets, opt)
	if err != nil {
		if errors.Is(err, mappgraph.ErrEmpty) || errors.Is(err, mappgraph.ErrSkipped) || errors.Is(err, mappgraph.ErrDegenerate) {
			return nil, nil
		}
		return nil, err
	}
	return g, nil
}

// FeatureKey is the feature key of every graph method: the graph codec's
// version and the construction parameters N and t_slice, so that methods
// building graphs alike share their features.
func FeatureKey(opt mappgraph.BuildOptions) string {
	return fmt.Sprintf("graph/v%d/max_nodes=%d/slice=%s", datasets.GraphCodecVersion, opt.MaxNodes, opt.Slice)
}

// Features returns the features of a sample for the graph methods: its
// graph (Of) in the datasets graph encoding, or no bytes when the chunk
// gives no graph.
func Features(s *methods.Sample, opt mappgraph.BuildOptions) ([]byte, error) {
	g, err := Of(s, opt)
	if err != nil || g == nil {
		return nil, err
	}
	return datasets.AppendGraph(nil, g), nil
}

// Decode returns the graph of every encoded sample (nil where the chunk
// gave none) and the number of such samples. It checks ctx between
// samples; errors name the sample.
func Decode(ctx context.Context, samples []methods.Encoded) (gs []*mappgraph.Graph, missing int, err error) {
	gs = make([]*mappgraph.Graph, len(samples))
	for i := range samples {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		if len(samples[i].Features) == 0 {
			missing++
			continue
		}
		if gs[i], err = datasets.DecodeGraph(samples[i].Features); err != nil {
			return nil, 0, fmt.Errorf("sample %d (%s): %w", i, samples[i].Capture, err)
		}
	}
	return gs, missing, nil
}

// FitStandardizer fits the training standardiser (mappgraph.FitStandardizer)
// on the graphs of gs that are not standardised yet, skipping nil entries.
// It returns nil when there is none (processed datasets ship standardised
// graphs).
func FitStandardizer(gs []*mappgraph.Graph) *mappgraph.Standardizer {
	var raw []*mappgraph.Graph
	for _, g := range gs {
		if g != nil && !g.Scaled {
			raw = append(raw, g)
		}
	}
	if len(raw) == 0 {
		return nil
	}
	return mappgraph.FitStandardizer(raw)
}

// Standardize returns g standardised with std when g is not standardised
// yet, with every feature that is not finite afterwards (a feature constant
// over the training nodes has std 0, the reference's division by zero) set
// to 0. A graph that is standardised already, or any graph when std is nil
// (no training statistics exist because every training graph came
// standardised), is returned as it is. g itself is never modified.
func Standardize(std *mappgraph.Standardizer, g *mappgraph.Graph) *mappgraph.Graph {
	if g.Scaled || std == nil {
		return g
	}
	g = std.Apply(g)
	for i := range g.Nodes {
		for f, v := range g.Nodes[i].Features {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				g.Nodes[i].Features[f] = 0
			}
		}
	}
	return g
}

// Classes returns the distinct training labels in byte order and the most
// frequent one (the first in byte order on ties), the answer for samples
// without a graph. train must not be empty.
func Classes(train []methods.Encoded) (classes []string, majority string) {
	counts := map[string]int{}
	for i := range train {
		counts[train[i].Label]++
	}
	classes = make([]string, 0, len(counts))
	for l := range counts {
		classes = append(classes, l)
	}
	sort.Strings(classes)
	if len(classes) == 0 {
		return nil, ""
	}
	majority = classes[0]
	for _, l := range classes {
		if counts[l] > counts[majority] {
			majority = l
		}
	}
	return classes, majority
}

// NumFeatures is the number of node features used: mappgraph.NumFeatures
// with the IP octets, mappgraph.NumFeaturesWithoutIP without them.
func NumFeatures(ipFeatures bool) int {
	if ipFeatures {
		return mappgraph.NumFeatures
	}
	return mappgraph.NumFeaturesWithoutIP
}

// NodeFeatures returns the features used of node n: all 63, or without the
// four IP octets (mappgraph.WithoutIP) when ipFeatures is false. The result
// shares memory with n.
func NodeFeatures(n *mappgraph.Node, ipFeatures bool) []float64 {
	if ipFeatures {
		return n.Features[:]
	}
	return mappgraph.WithoutIP(&n.Features)
}
