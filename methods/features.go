package methods

import (
	"context"
	"fmt"

	"appbench/internal/workpool"
)

// Featurizer is implemented by two-stage methods: methods that reduce each
// sample to compact features on its own (without seeing the other
// samples), then fit and predict from the features alone. The harness uses
// it to read each capture once, keep only the features of its chunks, and
// share them between the cells (and runs) whose feature parameters agree.
// Methods that do not implement it get every sample's packets, so that the
// packets of the whole dataset stay in memory while their cells run.
//
// Fit and Predict of a Featurizer must equal FitFeatures and
// PredictFeatures of the encoded samples (EncodeAll); the simplest way is to
// implement them that way (FitVia, PredictVia).
type Featurizer interface {
	Method
	// FeatureKey identifies every parameter that Features depends on:
	// two methods whose keys are equal compute the same features of
	// every sample. It changes with, for example, a burst gap or a graph
	// size, and not with a number of trees or neighbours. The key starts
	// with the method's name, or with the name of a feature family that
	// several methods share (the graph methods share their graphs, so that
	// graphs built with the same parameters are built once for all of
	// them), and, so that stored features of an older layout are never
	// read, with its encoding's version.
	FeatureKey() string
	// Features reduces one sample to the method's features, encoded in
	// the method's own format. It is safe for concurrent use and keeps no
	// reference to the sample.
	Features(s Sample) ([]byte, error)
	// FitFeatures is Fit on encoded samples. It may set the Features of
	// train to nil once it has taken what it needs of them (DropFeatures),
	// so that they can be collected while it goes on fitting: callers do
	// not read them afterwards.
	FitFeatures(ctx context.Context, train []Encoded) error
	// PredictFeatures is Predict on encoded samples.
	PredictFeatures(ctx context.Context, test []Encoded) ([]Prediction, error)
}

// Encoded is a sample reduced to a method's features.
type Encoded struct {
	// Label, Capture, Chunk, Start and Stop are the sample's.
	Label, Capture string
	Chunk          int
	Start, Stop    float64
	// Features are what the method's Features returned.
	Features []byte
}

// EncodeAll reduces samples to f's features on at most workers goroutines,
// keeping their order. An error names the sample.
func EncodeAll(ctx context.Context, f Featurizer, samples []Sample, workers int) ([]Encoded, error) {
	out := make([]Encoded, len(samples))
	err := workpool.Run(ctx, workers, len(samples), func(_ context.Context, i int) error {
		s := &samples[i]
		b, err := f.Features(*s)
		if err != nil {
			return fmt.Errorf("sample %d (%s): %w", i, s.Capture, err)
		}
		out[i] = Encoded{Label: s.Label, Capture: s.Capture, Chunk: s.Chunk, Start: s.Start, Stop: s.Stop, Features: b}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DropFeatures sets the Features of every sample of enc to nil (see
// Featurizer.FitFeatures).
func DropFeatures(enc []Encoded) {
	for i := range enc {
		enc[i].Features = nil
	}
}

// FitVia implements Fit for a Featurizer: it encodes train and calls
// FitFeatures.
func FitVia(ctx context.Context, f Featurizer, train []Sample, workers int) error {
	enc, err := EncodeAll(ctx, f, train, workers)
	if err != nil {
		return fmt.Errorf("training %w", err)
	}
	return f.FitFeatures(ctx, enc)
}

// PredictVia implements Predict for a Featurizer: it encodes test and calls
// PredictFeatures.
func PredictVia(ctx context.Context, f Featurizer, test []Sample, workers int) ([]Prediction, error) {
	enc, err := EncodeAll(ctx, f, test, workers)
	if err != nil {
		return nil, fmt.Errorf("test %w", err)
	}
	return f.PredictFeatures(ctx, enc)
}
