package appscanner

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"math/rand/v2"

	"appbench/appscanner"
	"appbench/datasets"
	"appbench/forest"
	"appbench/methods"
)

func init() { methods.Register("appscanner", New) }

// Params are the method's parameters; see the package comment.
type Params struct {
	// Trees is the number of trees of each forest.
	Trees int `yaml:"trees" json:"trees"`
	// MaxFeatures is the number of features tried per split (0: sqrt).
	MaxFeatures int `yaml:"max_features" json:"max_features"`
	// MaxDepth limits tree depth (0: unlimited).
	MaxDepth int `yaml:"max_depth" json:"max_depth"`
	// MinSamplesLeaf is the smallest leaf, in distinct training flows.
	MinSamplesLeaf int `yaml:"min_samples_leaf" json:"min_samples_leaf"`
	// Threshold is the per-flow confidence threshold (0: none).
	Threshold float64 `yaml:"threshold" json:"threshold"`
	// BurstGap is the burst threshold in seconds.
	BurstGap float64 `yaml:"burst_gap" json:"burst_gap"`
	// Extraction is "auto", "csv" (R2) or "pcap" (R1).
	Extraction string `yaml:"extraction" json:"extraction"`
	// Models is the number of forests trained on disjoint slices.
	Models int `yaml:"models" json:"models"`
	// Voting is "majority" or "soft".
	Voting string `yaml:"voting" json:"voting"`
}

// DefaultParams returns the defaults listed in the package comment.
func DefaultParams() Params {
	return Params{Trees: 150, Threshold: 0, BurstGap: appscanner.DefaultBurstGap, Extraction: "auto", Models: 1, Voting: "majority"}
}

// Validate returns a *methods.ParamError for the first bad parameter.
func (p Params) Validate() error {
	bad := func(key, problem string, got any) error {
		return methods.NewParamError("appscanner", key, problem, got)
	}
	switch {
	case p.Trees < 1:
		return bad("trees", "must be at least 1", p.Trees)
	case p.MaxFeatures < 0 || p.MaxFeatures > appscanner.NumFeatures:
		return bad("max_features", fmt.Sprintf("must be 0 (sqrt) to %d", appscanner.NumFeatures), p.MaxFeatures)
	case p.MaxDepth < 0:
		return bad("max_depth", "must be 0 (unlimited) or positive", p.MaxDepth)
	case p.MinSamplesLeaf < 0:
		return bad("min_samples_leaf", "must not be negative", p.MinSamplesLeaf)
	case !(p.Threshold >= 0 && p.Threshold <= 1):
		return bad("threshold", "must be in [0, 1]", p.Threshold)
	case !(p.BurstGap > 0):
		return bad("burst_gap", "must be a positive number of seconds", p.BurstGap)
	case p.Extraction != "auto" && p.Extraction != "csv" && p.Extraction != "pcap":
		return bad("extraction", "must be auto, csv or pcap", p.Extraction)
	case p.Models < 1:
		return bad("models", "must be at least 1", p.Models)
	case p.Voting != "majority" && p.Voting != "soft":
		return bad("voting", "must be majority or soft", p.Voting)
	}
	return nil
}

// Method is the "appscanner" method.
type Method struct {
	p       Params
	seed    uint64
	workers int
	log     io.Writer
	models  []*appscanner.Classifier
}

// New is the Factory of "appscanner".
func New(cfg methods.Config) (methods.Method, error) {
	p := DefaultParams()
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Method{p: p, seed: cfg.Seed, workers: cfg.Workers, log: cfg.Log}, nil
}

// Name returns "appscanner".
func (m *Method) Name() string { return "appscanner" }

// Inputs reports that the method reads packets.
func (m *Method) Inputs() methods.Input { return methods.Packets }

// DetectsUnknown reports whether Predict can mark chunks Unknown for a
// reason other than having no flow: true when a confidence threshold is
// set.
func (m *Method) DetectsUnknown() bool { return m.p.Threshold > 0 }

// flows extracts the flows of a chunk with the configured semantics.
func (m *Method) flows(pkts []datasets.Packet) ([]appscanner.Flow, error) {
	opt := appscanner.Options{BurstGap: m.p.BurstGap}
	pcap := m.p.Extraction == "pcap"
	if m.p.Extraction == "auto" {
		pcap = len(pkts) > 0 && pkts[0].Frame != 0
	}
	if pcap {
		return appscanner.PcapFlows(pkts, opt)
	}
	return appscanner.CSVFlows(pkts, opt)
}

// Fit extracts flows from the training chunks and fits the forests
// (FitVia).
func (m *Method) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, m, train, m.workers)
}

// FitFeatures fits the forests on the flow rows of the training chunks,
// one model slice at a time, each slice's rows built column-major so that
// the forest needs no copy of them.
func (m *Method) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	if len(train) == 0 {
		return fmt.Errorf("appscanner: no training samples")
	}
	parts, err := m.trainSlices(train)
	if err != nil {
		return err
	}
	models := make([]*appscanner.Classifier, 0, m.p.Models)
	for k, members := range parts {
		x, y, err := flowMatrix(train, members)
		if err != nil {
			return err
		}
		for _, i := range members {
			train[i].Features = nil // ranked: no longer needed (methods.DropFeatures)
		}
		if len(y) == 0 {
			return fmt.Errorf("appscanner: training slice %d of %d has no flow (too few training chunks for models = %d?)", k+1, m.p.Models, m.p.Models)
		}
		opt := forest.Options{Trees: m.p.Trees, MaxFeatures: m.p.MaxFeatures, MaxDepth: m.p.MaxDepth,
			MinSamplesLeaf: m.p.MinSamplesLeaf, Workers: m.workers, Seed: rand.New(rand.NewPCG(m.seed, uint64(k))).Uint64()}
		flows := len(y)
		c, err := appscanner.TrainMatrix(ctx, x, y, opt) // y is not kept: one label per flow
		if err != nil {
			return err
		}
		fmt.Fprintf(m.log, "appscanner: model %d/%d: %d flows, %d apps\n", k+1, m.p.Models, flows, len(c.Labels))
		models = append(models, c)
	}
	m.models = models
	return nil
}

// trainSlices deals each app's chunks round-robin over the model slices
// and returns the training samples of each slice.
func (m *Method) trainSlices(train []methods.Encoded) ([][]int, error) {
	out := make([][]int, m.p.Models)
	seen := make(map[string]int)
	for i := range train {
		s := &train[i]
		if s.Label == "" {
			return nil, fmt.Errorf("appscanner: training sample %d (%s) has no label", i, s.Capture)
		}
		k := seen[s.Label] % m.p.Models
		seen[s.Label]++
		out[k] = append(out[k], i)
	}
	return out, nil
}

// flowMatrix returns the flow rows of the samples members of train as a
// forest matrix, with each flow's label. The rows are computed from the
// encoded flows twice (forest.RankRows), never held as float64.
func flowMatrix(train []methods.Encoded, members []int) (*forest.Matrix, []string, error) {
	var y []string
	for _, i := range members {
		n, err := flowCount(train[i].Features)
		if err != nil {
			return nil, nil, fmt.Errorf("appscanner: training sample %d (%s): %w", i, train[i].Capture, err)
		}
		for range n {
			y = append(y, train[i].Label)
		}
	}
	if len(y) == 0 {
		return nil, nil, nil
	}
	var scratch []float64
	x, err := forest.RankRows(len(y), appscanner.NumFeatures, func(add func([]float64) error) error {
		for _, i := range members {
			var n int
			var err error
			if scratch, n, err = rowsAt(scratch[:0], "training", i, &train[i]); err != nil {
				return err
			}
			for r := range n {
				if err := add(scratch[r*appscanner.NumFeatures : (r+1)*appscanner.NumFeatures]); err != nil {
					return fmt.Errorf("appscanner: training sample %d (%s): %w", i, train[i].Capture, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// Predict labels each test chunk; see the package comment (PredictVia).
func (m *Method) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, m, test, m.workers)
}

// PredictFeatures labels each encoded test chunk.
func (m *Method) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	if len(m.models) == 0 {
		return nil, fmt.Errorf("appscanner: Predict before Fit")
	}
	out := make([]methods.Prediction, len(test))
	var all []float64
	for lo := 0; lo < len(test); {
		// One forest pass over the flows of a batch of chunks: the rows of
		// all test flows at once would grow with the corpus.
		start := []int{0}
		all = all[:0]
		hi := lo
		for ; hi < len(test) && (hi == lo || start[len(start)-1] < predictBatchFlows); hi++ {
			var n int
			var err error
			if all, n, err = rowsAt(all, "test", hi, &test[hi]); err != nil {
				return nil, err
			}
			start = append(start, start[len(start)-1]+n)
		}
		votes, err := m.vote(ctx, all, start)
		if err != nil {
			return nil, err
		}
		for i, vs := range votes {
			v := vs[0]
			if len(vs) > 1 {
				v = appscanner.VoteModels(vs)
			}
			out[lo+i] = methods.Prediction{Label: v.Label, Score: v.Share(), Unknown: v.Unknown}
		}
		lo = hi
	}
	return out, nil
}

// predictBatchFlows is about the number of test flows whose rows are held
// at once: a batch of chunks ends at the first chunk that reaches it.
var predictBatchFlows = 1 << 14

// vote returns each chunk's vote of each model; the rows of chunk i are
// rows start[i] to start[i+1] of all.
func (m *Method) vote(ctx context.Context, all []float64, start []int) ([][]appscanner.Vote, error) {
	n := len(start) - 1
	votes := make([][]appscanner.Vote, n)
	for i := range votes {
		votes[i] = make([]appscanner.Vote, len(m.models))
	}
	for k, c := range m.models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m.p.Voting == "soft" {
			p, err := c.Proba(all, m.workers)
			if err != nil {
				return nil, err
			}
			nc := len(c.Labels)
			for i := range n {
				votes[i][k] = c.SoftVote(p[start[i]*nc:start[i+1]*nc], m.p.Threshold)
			}
			continue
		}
		preds, err := c.PredictFlows(all, m.p.Threshold, m.workers)
		if err != nil {
			return nil, err
		}
		for i := range n {
			votes[i][k] = appscanner.VoteFlows(preds[start[i]:start[i+1]])
		}
	}
	return votes, nil
}

// saved is the gob form written by Save.
type saved struct {
	Version int
	Params  Params
	Labels  [][]string
	Forests [][]byte
}

const savedVersion = 1

// Save writes the parameters and fitted forests (encoding/gob).
func (m *Method) Save(w io.Writer) error {
	if len(m.models) == 0 {
		return fmt.Errorf("appscanner: Save before Fit")
	}
	s := saved{Version: savedVersion, Params: m.p}
	for _, c := range m.models {
		var buf bytes.Buffer
		if err := c.Forest.Save(&buf); err != nil {
			return fmt.Errorf("appscanner: save: %w", err)
		}
		s.Labels = append(s.Labels, c.Labels)
		s.Forests = append(s.Forests, buf.Bytes())
	}
	if err := gob.NewEncoder(w).Encode(s); err != nil {
		return fmt.Errorf("appscanner: save: %w", err)
	}
	return nil
}

// Load restores a method written by Save, parameters included.
func (m *Method) Load(r io.Reader) error {
	var s saved
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("appscanner: load: %w", err)
	}
	if s.Version != savedVersion {
		return fmt.Errorf("appscanner: load: model version %d, this build reads %d", s.Version, savedVersion)
	}
	if err := s.Params.Validate(); err != nil {
		return methods.SavedParamsError(err)
	}
	if len(s.Forests) == 0 || len(s.Forests) != len(s.Labels) {
		return fmt.Errorf("appscanner: load: %d forests with %d label lists", len(s.Forests), len(s.Labels))
	}
	models := make([]*appscanner.Classifier, len(s.Forests))
	for k, b := range s.Forests {
		f, err := forest.Load(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("appscanner: load: model %d: %w", k+1, err)
		}
		if f.Classes != len(s.Labels[k]) || f.Features != appscanner.NumFeatures {
			return fmt.Errorf("appscanner: load: model %d has %d classes and %d features for %d labels", k+1, f.Classes, f.Features, len(s.Labels[k]))
		}
		models[k] = &appscanner.Classifier{Labels: s.Labels[k], Forest: f}
	}
	m.p, m.models = s.Params, models
	return nil
}
