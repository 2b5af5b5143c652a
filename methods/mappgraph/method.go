package mappgraph

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"slices"

	"appbench/mappgraph"
	"appbench/mappgraph/dgcnn"
	"appbench/methods"
	"appbench/methods/internal/graphs"
)

func init() { methods.Register("mappgraph", New) }

// Params are the parameters of "mappgraph" (yaml keys in the experiment
// file). Defaults are the reference setting of the paper (spec §8).
type Params struct {
	// MaxNodes is N, the number of destinations kept per graph (20).
	MaxNodes int `yaml:"max_nodes" json:"max_nodes"`
	// Slice is t_slice in seconds, the co-activity slice width (10).
	Slice float64 `yaml:"slice" json:"slice"`
	// K is the number of nodes kept by SortPooling (10).
	K int `yaml:"k" json:"k"`
	// Layers are the graph convolution sizes (1024, 1024, 1024, 512).
	Layers []int `yaml:"layers" json:"layers"`
	// Conv1Filters, Pool, Conv2Filters, Conv2Kernel and Dense shape the
	// head (256, 2, 512, 5, 1024); Dropout is its dropout rate (0.25).
	Conv1Filters int     `yaml:"conv1_filters" json:"conv1_filters"`
	Pool         int     `yaml:"pool" json:"pool"`
	Conv2Filters int     `yaml:"conv2_filters" json:"conv2_filters"`
	Conv2Kernel  int     `yaml:"conv2_kernel" json:"conv2_kernel"`
	Dense        int     `yaml:"dense" json:"dense"`
	Dropout      float64 `yaml:"dropout" json:"dropout"`
	// Epochs (150), Batch (256), LR (1e-4), DecayRate (0.9) and
	// DecayEpochs (20) drive training; see dgcnn.Config.
	Epochs      int     `yaml:"epochs" json:"epochs"`
	Batch       int     `yaml:"batch" json:"batch"`
	LR          float64 `yaml:"lr" json:"lr"`
	DecayRate   float64 `yaml:"decay_rate" json:"decay_rate"`
	DecayEpochs int     `yaml:"decay_epochs" json:"decay_epochs"`
	// FullShuffle shuffles graphs instead of batch order each epoch.
	FullShuffle bool `yaml:"full_shuffle" json:"full_shuffle"`
	// Patience enables early stopping on the training loss (0: off).
	Patience int `yaml:"patience" json:"patience"`
	// Weighted uses the edge weights in the adjacency (the paper's
	// intent; the reference ignores them). Symmetric uses symmetric
	// normalisation.
	Weighted  bool `yaml:"weighted" json:"weighted"`
	Symmetric bool `yaml:"symmetric" json:"symmetric"`
	// Degenerate says how samples without a graph are predicted:
	// "majority" (the most frequent training label, score 0) or "unknown"
	// (marked Unknown).
	Degenerate string `yaml:"degenerate" json:"degenerate"`
	// Verbose writes one progress line per epoch to the log.
	Verbose bool `yaml:"verbose" json:"verbose"`
	// IPFeatures keeps the four IP-octet node features ip1..ip4 (63
	// features per node, default true); false drops them (59 features), the
	// paper's Figure 9 variant.
	IPFeatures bool `yaml:"ip_features" json:"ip_features"`
}

// DefaultParams returns the reference setting.
func DefaultParams() Params {
	d := dgcnn.DefaultConfig()
	return Params{
		MaxNodes: 20, Slice: 10, K: d.K, Layers: d.Layers,
		Conv1Filters: d.Conv1Filters, Pool: d.Pool, Conv2Filters: d.Conv2Filters, Conv2Kernel: d.Conv2Kernel,
		Dense: d.Dense, Dropout: d.Dropout, Epochs: d.Epochs, Batch: d.Batch, LR: d.LR,
		DecayRate: d.DecayRate, DecayEpochs: d.DecayEpochs, Degenerate: "majority", Verbose: true, IPFeatures: true,
	}
}

// Method is the MAppGraph classifier.
type Method struct {
	p     Params
	cfg   dgcnn.Config
	build mappgraph.BuildOptions
	log   io.Writer
	note  func(string)

	model    *dgcnn.Model
	std      *mappgraph.Standardizer // nil when every training graph was standardised already
	majority string
	skips    graphs.Skips // of the training samples
}

// Validate returns a *methods.ParamError for the first bad parameter. It
// checks, under their parameter names, what dgcnn.Config.Validate checks of
// the network settings.
func (p Params) Validate() error {
	bad := func(key, problem string, got any) error {
		return methods.NewParamError("mappgraph", key, problem, got)
	}
	switch {
	case p.MaxNodes < 1:
		return bad("max_nodes", "must be at least 1", p.MaxNodes)
	case !(p.Slice > 0) || math.IsInf(p.Slice, 0):
		return bad("slice", "must be a positive number of seconds", p.Slice)
	case p.Degenerate != "majority" && p.Degenerate != "unknown":
		return bad("degenerate", "must be majority or unknown", p.Degenerate)
	case len(p.Layers) == 0:
		return bad("layers", "must list at least one layer size", p.Layers)
	case slices.Min(p.Layers) < 1:
		return bad("layers", "sizes must be at least 1", p.Layers)
	}
	return p.validateHead()
}

// validateHead checks the settings of the network after the graph
// convolutions and of its training.
func (p Params) validateHead() error {
	bad := func(key, problem string, got any) error {
		return methods.NewParamError("mappgraph", key, problem, got)
	}
	switch {
	case p.K < 1:
		return bad("k", "must be at least 1", p.K)
	case p.Pool < 1 || p.Pool > 127:
		return bad("pool", "must be 1 to 127", p.Pool)
	case p.Conv2Kernel < 1:
		return bad("conv2_kernel", "must be at least 1", p.Conv2Kernel)
	case p.K/p.Pool < p.Conv2Kernel:
		return bad("conv2_kernel", fmt.Sprintf("must be at most k/pool = %d/%d = %d", p.K, p.Pool, p.K/p.Pool), p.Conv2Kernel)
	case p.Conv1Filters < 1:
		return bad("conv1_filters", "must be at least 1", p.Conv1Filters)
	case p.Conv2Filters < 1:
		return bad("conv2_filters", "must be at least 1", p.Conv2Filters)
	case p.Dense < 1:
		return bad("dense", "must be at least 1", p.Dense)
	case !(p.Dropout >= 0 && p.Dropout < 1):
		return bad("dropout", "must be in [0, 1)", p.Dropout)
	case !(p.LR > 0):
		return bad("lr", "must be positive", p.LR)
	case p.DecayEpochs < 0:
		return bad("decay_epochs", "must be 0 (no decay) or positive", p.DecayEpochs)
	case p.DecayEpochs > 0 && !(p.DecayRate > 0):
		return bad("decay_rate", "must be positive when decay_epochs is", p.DecayRate)
	case p.Batch < 1:
		return bad("batch", "must be at least 1", p.Batch)
	case p.Epochs < 0:
		return bad("epochs", "must not be negative", p.Epochs)
	case p.Patience < 0:
		return bad("patience", "must be 0 (no early stopping) or positive", p.Patience)
	}
	return nil
}

// New is the Factory of "mappgraph".
func New(cfg methods.Config) (methods.Method, error) {
	p := DefaultParams()
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m, err := newMethod(p, cfg.Seed, cfg.Workers, cfg.Log)
	if err != nil {
		return nil, err
	}
	m.note = cfg.Noter()
	return m, nil
}

// newMethod returns the method of valid parameters p. The network
// configuration is checked again by dgcnn, in case it checks more than
// Validate does.
func newMethod(p Params, seed uint64, workers int, log io.Writer) (*Method, error) {
	build, err := graphs.BuildOptions(p.MaxNodes, p.Slice)
	if err != nil {
		return nil, fmt.Errorf("mappgraph: %w", err)
	}
	c := dgcnn.Config{
		Layers: append([]int(nil), p.Layers...), K: p.K, Conv1Filters: p.Conv1Filters, Pool: p.Pool,
		Conv2Filters: p.Conv2Filters, Conv2Kernel: p.Conv2Kernel, Dense: p.Dense, Dropout: p.Dropout,
		LR: p.LR, DecayRate: p.DecayRate, DecayEpochs: p.DecayEpochs, Batch: p.Batch, Epochs: p.Epochs,
		FullShuffle: p.FullShuffle, Patience: p.Patience,
		Adjacency: dgcnn.AdjacencyOptions{Weighted: p.Weighted, Symmetric: p.Symmetric},
		Seed:      seed, Workers: workers,
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("mappgraph: %w", err)
	}
	return &Method{p: p, cfg: c, log: log, note: func(string) {}, build: build}, nil
}

// Name returns "mappgraph".
func (m *Method) Name() string { return "mappgraph" }

// Inputs reports that the method accepts packets and processed graphs.
func (m *Method) Inputs() methods.Input { return methods.Packets | methods.Graphs }

// DetectsUnknown reports whether samples without a graph are marked
// Unknown (parameter degenerate: unknown).
func (m *Method) DetectsUnknown() bool { return m.p.Degenerate == "unknown" }

// prepare standardises g when needed (graphs.Standardize: features that
// are not finite afterwards are set to 0; a graph that is not standardised
// while every training graph was is used as it is) and turns it into a
// network input with 63 node features, or 59 without the IP octets.
func (m *Method) prepare(g *mappgraph.Graph) (*dgcnn.Input, error) {
	g = graphs.Standardize(m.std, g)
	if m.p.IPFeatures {
		return dgcnn.FromGraph(g, m.cfg.Adjacency)
	}
	f := graphs.NumFeatures(false)
	x := make([]float32, len(g.Nodes)*f)
	for i := range g.Nodes {
		for j, v := range graphs.NodeFeatures(&g.Nodes[i], false) {
			x[i*f+j] = float32(v)
		}
	}
	in, err := dgcnn.Prepare(x, len(g.Nodes), f, g.Edges, m.cfg.Adjacency)
	if err != nil {
		return nil, fmt.Errorf("graph %d of app %q: %w", g.ID, g.App, err)
	}
	return in, nil
}

// FeatureKey returns the graph methods' shared key (graphs.FeatureKey).
func (m *Method) FeatureKey() string { return graphs.FeatureKey(m.build) }

// Features returns the sample's graph in the datasets graph encoding, or no
// bytes when the chunk gives no graph.
func (m *Method) Features(s methods.Sample) ([]byte, error) {
	return graphs.Features(&s, m.build)
}

// Fit builds the training graphs, fits the standardiser on those not yet
// standardised and trains the network (FitVia). Classes are the training
// labels in byte order (spec §8.10); training batches follow the sample
// order.
func (m *Method) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, m, train, m.cfg.Workers)
}

// FitFeatures trains on the encoded training graphs.
func (m *Method) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	if len(train) == 0 {
		return fmt.Errorf("mappgraph: no training samples")
	}
	set := graphs.NewSet(train)
	sk := set.Skips
	m.skips = sk
	classes, majority := graphs.Classes(train)
	m.majority = majority
	var err error
	if m.std, err = set.FitStandardizer(); err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	index := map[string]int{}
	for j, l := range classes {
		index[l] = j
	}
	ex := make([]dgcnn.Example, 0, set.Graphs())
	err = set.Each(ctx, func(i int, g *mappgraph.Graph) error {
		in, err := m.prepare(g)
		if err != nil {
			return fmt.Errorf("training sample %d (%s): %w", i, train[i].Capture, err)
		}
		ex = append(ex, dgcnn.Example{Input: in, Class: index[train[i].Label]})
		return nil
	})
	if err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	methods.DropFeatures(train) // the examples hold what training needs
	if len(ex) == 0 {
		return fmt.Errorf("mappgraph: none of the %d training samples gives a graph (%d skipped for IPv6 destinations)", len(train), sk.IPv6)
	}
	fmt.Fprintf(m.log, "mappgraph: %d training graphs of %d classes (%d samples without a graph), gemm %s\n",
		len(ex), len(classes), sk.Missing, dgcnn.DefaultGEMMName())
	return m.train(ctx, classes, ex)
}

// train trains a new network on the examples.
func (m *Method) train(ctx context.Context, classes []string, ex []dgcnn.Example) error {
	model, err := dgcnn.New(m.cfg, graphs.NumFeatures(m.p.IPFeatures), classes)
	if err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	var progress io.Writer
	if m.p.Verbose {
		progress = m.log
	}
	if _, err := model.Fit(ctx, ex, nil, progress); err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	m.model = model
	return nil
}

// Predict classifies each sample; Score is the softmax probability of the
// predicted label. It goes through PredictVia.
func (m *Method) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, m, test, m.cfg.Workers)
}

// PredictFeatures classifies each encoded sample. When chunks of the
// training or the test samples were skipped for IPv6 destinations, it
// notes how many of them.
func (m *Method) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	if m.model == nil {
		return nil, fmt.Errorf("mappgraph: Predict before Fit")
	}
	set := graphs.NewSet(test)
	sk := set.Skips
	out := make([]methods.Prediction, len(test))
	var inputs []*dgcnn.Input
	var at []int
	sk.Add(m.skips)
	for i := range out {
		out[i] = methods.Prediction{Label: m.majority, Unknown: m.p.Degenerate == "unknown"}
	}
	err := set.Each(ctx, func(i int, g *mappgraph.Graph) error {
		in, err := m.prepare(g)
		if err != nil {
			return fmt.Errorf("test sample %d (%s): %w", i, test[i].Capture, err)
		}
		inputs = append(inputs, in)
		at = append(at, i)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mappgraph: %w", err)
	}
	probs, err := m.model.Predict(ctx, inputs)
	if err != nil {
		return nil, fmt.Errorf("mappgraph: %w", err)
	}
	nc := len(m.model.Classes)
	for j, i := range at {
		pr := probs[j*nc : (j+1)*nc]
		best := 0
		for c, v := range pr {
			if v > pr[best] {
				best = c
			}
		}
		out[i] = methods.Prediction{Label: m.model.Classes[best], Score: float64(pr[best])}
	}
	if n := sk.IPv6Note("mappgraph"); n != "" {
		m.note(n)
	}
	return out, nil
}

var _ methods.Featurizer = (*Method)(nil)

// savedMethod is the gob form written by Save.
type savedMethod struct {
	Version  int
	Params   Params
	Std      *mappgraph.Standardizer
	Majority string
	Model    []byte
}

const saveVersion = 1

// Save writes the fitted method (parameters, standardiser, fallback label
// and network) as gob.
func (m *Method) Save(w io.Writer) error {
	if m.model == nil {
		return fmt.Errorf("mappgraph: Save before Fit")
	}
	var buf bytes.Buffer
	if err := m.model.Save(&buf); err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	s := savedMethod{Version: saveVersion, Params: m.p, Std: m.std, Majority: m.majority, Model: buf.Bytes()}
	if err := gob.NewEncoder(w).Encode(&s); err != nil {
		return fmt.Errorf("mappgraph: save: %w", err)
	}
	return nil
}

// Load restores a method written by Save, replacing its parameters with
// the saved ones (the seed and worker count stay those of this method).
func (m *Method) Load(r io.Reader) error {
	var s savedMethod
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("mappgraph: load: %w", err)
	}
	if s.Version != saveVersion {
		return fmt.Errorf("mappgraph: load: model version %d, want %d", s.Version, saveVersion)
	}
	model, err := dgcnn.Load(bytes.NewReader(s.Model))
	if err != nil {
		return fmt.Errorf("mappgraph: load: %w", err)
	}
	// Models saved before the ip_features parameter existed decode it as
	// false; the network's input width says which variant it is.
	s.Params.IPFeatures = model.Features == mappgraph.NumFeatures
	if err := s.Params.Validate(); err != nil {
		return methods.SavedParamsError(err)
	}
	n, err := newMethod(s.Params, m.cfg.Seed, m.cfg.Workers, m.log)
	if err != nil {
		return err
	}
	model.Config.Workers = m.cfg.Workers
	n.model, n.std, n.majority, n.note = model, s.Std, s.Majority, m.note
	*m = *n
	return nil
}
