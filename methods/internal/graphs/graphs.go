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

// Skips counts the samples a graph method looked at and those that gave
// no graph.
type Skips struct {
	// Samples counts the samples, Missing those without a graph, IPv6 the
	// chunks among them skipped for a destination that is not an IPv4
	// address (mappgraph.ErrNotIPv4).
	Samples, Missing, IPv6 int
}

// Add adds the counts of o to s.
func (s *Skips) Add(o Skips) {
	s.Samples += o.Samples
	s.Missing += o.Missing
	s.IPv6 += o.IPv6
}

// IPv6Note is the note of a method named name on the chunks skipped for
// IPv6 destinations, or "" when there are none.
func (s Skips) IPv6Note(name string) string {
	if s.IPv6 == 0 {
		return ""
	}
	return fmt.Sprintf("%s: skipped %d of %d chunks with IPv6 destinations (MAppGraph's graph builder parses IPv4 octets)",
		name, s.IPv6, s.Samples)
}

// Of returns the graph of a sample: its own Graph when set, else the graph
// built from its packets with opt. It returns nil and no error when the
// chunk gives no graph (mappgraph.ErrEmpty, ErrSkipped or ErrDegenerate),
// with ipv6 set when that is because of a destination that is not an IPv4
// address.
func Of(s *methods.Sample, opt mappgraph.BuildOptions) (g *mappgraph.Graph, ipv6 bool, err error) {
	if s.Graph != nil {
		return s.Graph, false, nil
	}
	g, err = mappgraph.Build(s.Packets, opt)
	if err != nil {
		if errors.Is(err, mappgraph.ErrEmpty) || errors.Is(err, mappgraph.ErrSkipped) || errors.Is(err, mappgraph.ErrDegenerate) {
			return nil, errors.Is(err, mappgraph.ErrNotIPv4), nil
		}
		return nil, false, err
	}
	return g, false, nil
}

// FeatureKey is the feature key of every graph method: the graph codec's
// version and the construction parameters N and t_slice, so that methods
// building graphs alike share their features.
func FeatureKey(opt mappgraph.BuildOptions) string {
	return fmt.Sprintf("graph/v%d/max_nodes=%d/slice=%s", datasets.GraphCodecVersion, opt.MaxNodes, opt.Slice)
}

// noGraphIPv6 is the features of a chunk that gives no graph because of an
// IPv6 destination (a graph encoding starts with the codec version, never
// 0).
var noGraphIPv6 = []byte{0}

// Features returns the features of a sample for the graph methods: its
// graph (Of) in the datasets graph encoding; no bytes when the chunk gives
// no graph, or noGraphIPv6 when that is for an IPv6 destination.
func Features(s *methods.Sample, opt mappgraph.BuildOptions) ([]byte, error) {
	g, ipv6, err := Of(s, opt)
	switch {
	case err != nil:
		return nil, err
	case ipv6:
		return noGraphIPv6, nil
	case g == nil:
		return nil, nil
	}
	return datasets.AppendGraph(nil, g), nil
}

// Set is the graphs of encoded samples, decoded one at a time as they are
// read, so that no more than one decoded graph need be held.
type Set struct {
	samples []methods.Encoded
	// Skips counts the samples and those without a graph.
	Skips Skips
}

// NewSet returns the set of the samples' graphs; it decodes none.
func NewSet(samples []methods.Encoded) *Set {
	s := &Set{samples: samples, Skips: Skips{Samples: len(samples)}}
	for i := range samples {
		if ok, ipv6 := HasGraph(samples[i].Features); !ok {
			s.Skips.Missing++
			if ipv6 {
				s.Skips.IPv6++
			}
		}
	}
	return s
}

// Graphs returns the number of samples with a graph.
func (s *Set) Graphs() int { return s.Skips.Samples - s.Skips.Missing }

// HasGraph reports whether features f hold a graph, and when not whether
// the chunk was skipped for IPv6 destinations.
func HasGraph(f []byte) (graph, ipv6 bool) {
	switch {
	case len(f) == 0:
		return false, false
	case len(f) == 1 && f[0] == noGraphIPv6[0]:
		return false, true
	}
	return true, false
}

// Each decodes the samples' graphs in order and calls fn with each
// sample's index and graph; samples without a graph are passed over. A
// decoding error names the sample.
func (s *Set) Each(ctx context.Context, fn func(i int, g *mappgraph.Graph) error) error {
	for i := range s.samples {
		if err := ctx.Err(); err != nil {
			return err
		}
		f := s.samples[i].Features
		if ok, _ := HasGraph(f); !ok {
			continue
		}
		g, err := datasets.DecodeGraph(f)
		if err != nil {
			return fmt.Errorf("sample %d (%s): %w", i, s.samples[i].Capture, err)
		}
		if err := fn(i, g); err != nil {
			return err
		}
	}
	return nil
}

// Decode returns the samples' graphs (nil for those without one) and what
// was skipped.
func Decode(ctx context.Context, samples []methods.Encoded) ([]*mappgraph.Graph, Skips, error) {
	s := NewSet(samples)
	gs := make([]*mappgraph.Graph, len(samples))
	err := s.Each(ctx, func(i int, g *mappgraph.Graph) error {
		gs[i] = g
		return nil
	})
	if err != nil {
		return nil, Skips{}, err
	}
	return gs, s.Skips, nil
}

// FitStandardizer fits the training standardiser (mappgraph.FitStandardizer)
// on the graphs of the set that are not standardised yet, reading each
// feature's column straight from the encodings. It returns nil when there
// is none (processed datasets ship standardised graphs).
func (s *Set) FitStandardizer() (*mappgraph.Standardizer, error) {
	raw := 0
	std, err := mappgraph.FitStandardizerColumns(func(f int, col []float64) ([]float64, error) {
		raw = 0
		for i := range s.samples {
			b := s.samples[i].Features
			if ok, _ := HasGraph(b); !ok {
				continue
			}
			n := len(col)
			c, scaled, err := datasets.AppendGraphFeature(col, b, f)
			if err != nil {
				return nil, fmt.Errorf("sample %d (%s): %w", i, s.samples[i].Capture, err)
			}
			if col = c; scaled {
				col = col[:n]
				continue
			}
			raw++
		}
		return col, nil
	})
	if err != nil || raw == 0 {
		return nil, err
	}
	return std, nil
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
