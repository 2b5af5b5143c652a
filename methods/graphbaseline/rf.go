package graphbaseline

import (
	"context"
	"fmt"
	"io"

	"appbench/forest"
	"appbench/methods"
)

func init() { methods.Register("graph-rf", NewForest) }

// ForestParams are the parameters of "graph-rf" (yaml keys in the
// experiment file).
type ForestParams struct {
	GraphParams `yaml:",inline"`
	// Trees is the number of trees (default 100).
	Trees int `yaml:"trees" json:"trees"`
	// MaxFeatures is the number of vector components examined at each
	// split; 0 (the default) means floor(sqrt(length)), scikit-learn's
	// default for classifiers.
	MaxFeatures int `yaml:"max_features" json:"max_features"`
	// MaxDepth limits the depth of the trees; 0 (the default) grows them
	// to purity.
	MaxDepth int `yaml:"max_depth" json:"max_depth"`
	// MinSamplesLeaf is the smallest number of training rows in a leaf
	// (default 1).
	MinSamplesLeaf int `yaml:"min_samples_leaf" json:"min_samples_leaf"`
}

// DefaultForestParams returns the defaults documented on ForestParams and
// GraphParams.
func DefaultForestParams() ForestParams {
	return ForestParams{GraphParams: DefaultGraphParams(), Trees: 100, MinSamplesLeaf: 1}
}

// Forest is the "graph-rf" baseline: a random forest (appbench/forest) on
// the flattened graph vector (Vectorizer).
type Forest struct {
	graphInput
	fp   ForestParams
	seed uint64

	model *forest.Forest
}

// Validate returns a *methods.ParamError for the first bad parameter.
func (p ForestParams) Validate() error {
	if err := p.GraphParams.validate("graph-rf"); err != nil {
		return err
	}
	bad := func(key, problem string, got any) error {
		return methods.NewParamError("graph-rf", key, problem, got)
	}
	switch {
	case p.Trees < 1:
		return bad("trees", "must be at least 1", p.Trees)
	case p.MaxFeatures < 0:
		return bad("max_features", "must be 0 (sqrt of the vector length) or positive", p.MaxFeatures)
	case p.MaxDepth < 0:
		return bad("max_depth", "must be 0 (unlimited) or positive", p.MaxDepth)
	case p.MinSamplesLeaf < 1:
		return bad("min_samples_leaf", "must be at least 1", p.MinSamplesLeaf)
	}
	return nil
}

// NewForest is the Factory of "graph-rf".
func NewForest(cfg methods.Config) (methods.Method, error) {
	p := DefaultForestParams()
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	f, err := newForest(p, cfg.Seed, cfg.Workers, cfg.Log)
	if err != nil {
		return nil, err
	}
	f.note = cfg.Noter()
	return f, nil
}

// newForest returns the method of valid parameters p.
func newForest(p ForestParams, seed uint64, workers int, log io.Writer) (*Forest, error) {
	gi, err := newGraphInput("graph-rf", p.GraphParams, workers, log)
	if err != nil {
		return nil, err
	}
	return &Forest{graphInput: gi, fp: p, seed: seed}, nil
}

// Name returns "graph-rf".
func (f *Forest) Name() string { return "graph-rf" }

// Fit builds and vectorises the training graphs and grows the forest
// (FitVia). Samples without a graph are left out of training.
func (f *Forest) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, f, train, f.workers)
}

// FitFeatures vectorises the encoded training graphs and grows the forest.
func (f *Forest) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	x, y, err := f.fitMatrix(ctx, train)
	if err != nil {
		return err
	}
	model, err := forest.FitMatrix(ctx, x, y, len(f.classes), forest.Options{
		Trees: f.fp.Trees, MaxFeatures: f.fp.MaxFeatures, MaxDepth: f.fp.MaxDepth,
		MinSamplesLeaf: f.fp.MinSamplesLeaf, Workers: f.workers, Seed: f.seed,
	})
	if err != nil {
		return fmt.Errorf("graph-rf: %w", err)
	}
	f.model = model
	return nil
}

// Predict classifies each sample; Score is the forest's probability of the
// predicted label (0 for samples without a graph). It goes through
// PredictVia.
func (f *Forest) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, f, test, f.workers)
}

// PredictFeatures classifies each encoded sample.
func (f *Forest) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	if f.model == nil {
		return nil, fmt.Errorf("graph-rf: Predict before Fit")
	}
	x, at, out, err := f.testVectors(ctx, test)
	if err != nil {
		return nil, err
	}
	if len(at) == 0 {
		return out, nil
	}
	labels, conf, err := f.model.Predict(x, len(at), f.workers)
	if err != nil {
		return nil, fmt.Errorf("graph-rf: %w", err)
	}
	for j, i := range at {
		out[i] = methods.Prediction{Label: f.classes[labels[j]], Score: conf[j]}
	}
	return out, nil
}

var _ methods.Featurizer = (*Forest)(nil)
