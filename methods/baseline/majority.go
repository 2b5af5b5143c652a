package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"appbench/methods"
)

func init() { methods.Register("majority", NewMajority) }

// Majority predicts the most frequent training label. Ties go to the label
// that sorts first. Its score is the label's share of the training set.
type Majority struct {
	label string
	share float64
}

// MajorityParams are the parameters of "majority": none, so that any key
// given is an error.
type MajorityParams struct{}

// Validate returns nil: there is nothing to check.
func (MajorityParams) Validate() error { return nil }

// NewMajority is the Factory of "majority". It takes no parameters.
func NewMajority(cfg methods.Config) (methods.Method, error) {
	var p MajorityParams
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Majority{}, nil
}

// Name returns "majority".
func (m *Majority) Name() string { return "majority" }

// Inputs reports that the method accepts packets and graphs (it reads
// neither).
func (m *Majority) Inputs() methods.Input { return methods.Packets | methods.Graphs }

// FeatureKey returns "majority/v1": the method reads nothing of a sample
// but its label.
func (m *Majority) FeatureKey() string { return "majority/v1" }

// Features returns no features (nil): only labels count.
func (m *Majority) Features(methods.Sample) ([]byte, error) { return nil, nil }

// Fit counts the training labels (FitVia).
func (m *Majority) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, m, train, 1)
}

// FitFeatures counts the training labels.
func (m *Majority) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	if len(train) == 0 {
		return fmt.Errorf("majority: no training samples")
	}
	counts := make(map[string]int)
	for _, s := range train {
		counts[s.Label]++
	}
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	best := labels[0]
	for _, l := range labels[1:] {
		if counts[l] > counts[best] {
			best = l
		}
	}
	m.label = best
	m.share = float64(counts[best]) / float64(len(train))
	return ctx.Err()
}

// Predict answers the majority label for every sample (PredictVia).
func (m *Majority) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, m, test, 1)
}

// PredictFeatures answers the majority label for every sample.
func (m *Majority) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	if m.label == "" {
		return nil, fmt.Errorf("majority: Predict before Fit")
	}
	out := make([]methods.Prediction, len(test))
	for i := range out {
		out[i] = methods.Prediction{Label: m.label, Score: m.share}
	}
	return out, ctx.Err()
}

var _ methods.Featurizer = (*Majority)(nil)

type majorityModel struct {
	Version int     `json:"version"`
	Label   string  `json:"label"`
	Share   float64 `json:"share"`
}

// Save writes the fitted model as JSON.
func (m *Majority) Save(w io.Writer) error {
	return json.NewEncoder(w).Encode(majorityModel{Version: 1, Label: m.label, Share: m.share})
}

// Load reads a model written by Save.
func (m *Majority) Load(r io.Reader) error {
	var mm majorityModel
	if err := json.NewDecoder(r).Decode(&mm); err != nil {
		return fmt.Errorf("majority: load: %w", err)
	}
	if mm.Version != 1 || mm.Label == "" {
		return fmt.Errorf("majority: load: unsupported model (version %d, label %q)", mm.Version, mm.Label)
	}
	m.label, m.share = mm.Label, mm.Share
	return nil
}
