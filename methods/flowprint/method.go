package flowprint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	fp "appbench/flowprint"
	"appbench/internal/workpool"
	"appbench/methods"
)

func init() { methods.Register("flowprint", New) }

// Params are the parameters of "flowprint" (yaml keys in the experiment
// file). Defaults follow the enhanced FlowPrint scripts (see the package
// documentation).
type Params struct {
	// Batch is the batch length in seconds (300).
	Batch float64 `yaml:"batch" json:"batch"`
	// Window is the activity window in seconds used for training (10).
	Window float64 `yaml:"window" json:"window"`
	// TestWindow is the activity window for test fingerprints (30, the
	// enhanced scripts' default FlowPrint); 0 means Window.
	TestWindow float64 `yaml:"test_window" json:"test_window"`
	// Correlation is the correlation-graph edge threshold (0.1).
	Correlation float64 `yaml:"correlation" json:"correlation"`
	// Similarity is the fingerprint merge threshold (0.9).
	Similarity float64 `yaml:"similarity" json:"similarity"`
	// Threshold is the unseen-app detection threshold (0.1).
	Threshold float64 `yaml:"threshold" json:"threshold"`
	// Mode is "enhanced" (each flow votes for the chunk label) or
	// "fingerprint" (each distinct fingerprint of the chunk votes once).
	Mode string `yaml:"mode" json:"mode"`
	// Input is "reference" (IPv4 only, as the reference's tshark reader)
	// or "full" (IPv6 kept).
	Input string `yaml:"input" json:"input"`
	// TrainCertificates keeps certificates in the training flows; the
	// enhanced scripts blank them (false).
	TrainCertificates bool `yaml:"train_certificates" json:"train_certificates"`
	// Default is the fallback when a fingerprint shares nothing with the
	// training fingerprints: "common" (most flows, the reference's
	// default) or "largest".
	Default string `yaml:"default" json:"default"`
	// Detect sets Prediction.Unknown (true).
	Detect bool `yaml:"detect" json:"detect"`
	// RoundTrip drops the NoCertificate element from the trained
	// fingerprints, as the enhanced scripts' JSON save and load do (true).
	// With false the in-memory fingerprints of the reference's fit are
	// used, where the element is shared by every fingerprint holding a
	// flow without certificate.
	RoundTrip bool `yaml:"round_trip" json:"round_trip"`
	// MergeBoundExact corrects the reference's float bound on merge
	// candidates (false: reference behaviour).
	MergeBoundExact bool `yaml:"merge_bound_exact" json:"merge_bound_exact"`
	// NoNullCertificate drops the reference's "no certificate" element
	// (false: reference behaviour); see flowprint.Params.
	NoNullCertificate bool `yaml:"no_null_certificate" json:"no_null_certificate"`
	// FixedBatches uses batches of exactly Batch seconds instead of the
	// reference's equal-width bins (false).
	FixedBatches bool `yaml:"fixed_batches" json:"fixed_batches"`
	// CertificateHash identifies certificates by their SHA-256 digest
	// instead of their serial number (false).
	CertificateHash bool `yaml:"certificate_hash" json:"certificate_hash"`
}

// DefaultParams returns the defaults documented on Params.
func DefaultParams() Params {
	return Params{Batch: 300, Window: 10, TestWindow: 30, Correlation: 0.1, Similarity: 0.9,
		Threshold: 0.1, Mode: "enhanced", Input: "reference", Default: "common", Detect: true, RoundTrip: true}
}

// Validate returns a *methods.ParamError for the first bad parameter.
func (p Params) Validate() error {
	bad := func(key, problem string, got any) error {
		return methods.NewParamError("flowprint", key, problem, got)
	}
	seconds := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch {
	case p.Mode != "enhanced" && p.Mode != "fingerprint":
		return bad("mode", "must be enhanced or fingerprint", p.Mode)
	case p.Input != "reference" && p.Input != "full":
		return bad("input", "must be reference or full", p.Input)
	case p.Default != "common" && p.Default != "largest":
		return bad("default", "must be common or largest", p.Default)
	case !seconds(p.Batch):
		return bad("batch", "must be a positive number of seconds", p.Batch)
	case !seconds(p.Window):
		return bad("window", "must be a positive number of seconds", p.Window)
	case p.TestWindow != 0 && !seconds(p.TestWindow):
		return bad("test_window", "must be 0 (the window) or a positive number of seconds", p.TestWindow)
	case math.IsNaN(p.Correlation):
		return bad("correlation", "must be a number", p.Correlation)
	case math.IsNaN(p.Similarity):
		return bad("similarity", "must be a number", p.Similarity)
	}
	// The checks above cover those of flowprint.Params; these stay in
	// case it gains more.
	if err := p.trainParams().Validate(); err != nil {
		return err
	}
	return p.testParams().Validate()
}

func (p Params) trainParams() fp.Params {
	return fp.Params{Batch: p.Batch, Window: p.Window, Correlation: p.Correlation,
		Similarity: p.Similarity, MergeBoundExact: p.MergeBoundExact,
		NoNullCertificate: p.NoNullCertificate, FixedBatches: p.FixedBatches}
}

func (p Params) testParams() fp.Params {
	q := p.trainParams()
	if p.TestWindow > 0 {
		q.Window = p.TestWindow
	}
	return q
}

// Method is the FlowPrint harness method.
type Method struct {
	p       Params
	workers int
	model   *fp.Model
}

// New builds the method from its configuration.
func New(cfg methods.Config) (methods.Method, error) {
	p := DefaultParams()
	if err := cfg.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Method{p: p, workers: cfg.Workers}, nil
}

// Name returns "flowprint".
func (m *Method) Name() string { return "flowprint" }

// DetectsUnknown reports whether predictions carry open-world flags.
func (m *Method) DetectsUnknown() bool { return m.p.Detect }

// Fit fingerprints the flows of all training chunks together and labels
// the fingerprints (FitVia).
func (m *Method) Fit(ctx context.Context, train []methods.Sample) error {
	return methods.FitVia(ctx, m, train, m.workers)
}

// FitFeatures fingerprints the flows of all training chunks together and
// labels the fingerprints.
func (m *Method) FitFeatures(ctx context.Context, train []methods.Encoded) error {
	flows, labels, err := m.trainFlows(ctx, train)
	if err != nil {
		return err
	}
	return m.fitFlows(flows, labels)
}

// fitFlows fingerprints the training flows and labels the fingerprints.
func (m *Method) fitFlows(flows fp.FlowSet, labels []string) error {
	if flows.Len() == 0 {
		return errors.New("flowprint: the training samples hold no TCP/UDP flows")
	}
	model := fp.NewModel(m.p.trainParams())
	model.Threshold = m.p.Threshold
	if err := model.FitSet(flows, labels); err != nil {
		return err
	}
	if m.p.RoundTrip {
		model = model.RoundTrip()
	}
	m.model = model
	return nil
}

// Predict labels each test chunk (see the package documentation;
// PredictVia).
func (m *Method) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	return methods.PredictVia(ctx, m, test, m.workers)
}

// PredictFeatures labels each encoded test chunk.
func (m *Method) PredictFeatures(ctx context.Context, test []methods.Encoded) ([]methods.Prediction, error) {
	if m.model == nil {
		return nil, errors.New("flowprint: Predict called before Fit or Load")
	}
	out := make([]methods.Prediction, len(test))
	err := workpool.Run(ctx, m.workers, len(test), func(_ context.Context, i int) error {
		flows, err := decodeAt(nil, "flowprint: test", i, &test[i], "chunk", false)
		if err != nil {
			return err
		}
		if out[i], err = m.predictOne(flows); err != nil {
			// Errors of appbench/flowprint name flowprint already.
			return fmt.Errorf("test sample %d (%s): %w", i, test[i].Capture, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (m *Method) predictOne(flows []fp.Flow) (methods.Prediction, error) {
	opt := fp.VoteOptions{PerFingerprint: m.p.Mode == "fingerprint", Default: fp.DefaultCommon, Threshold: m.p.Threshold}
	if m.p.Default == "largest" {
		opt.Default = fp.DefaultLargest
	}
	v, err := m.model.ChunkVote(flows, m.p.testParams(), opt)
	if err != nil {
		return methods.Prediction{}, err
	}
	return methods.Prediction{Label: v.Label, Score: v.Share, Unknown: m.p.Detect && v.Unseen}, nil
}

// Save writes the trained fingerprints in the reference's JSON format.
func (m *Method) Save(w io.Writer) error {
	if m.model == nil {
		return errors.New("flowprint: Save called before Fit")
	}
	return m.model.WriteJSON(w)
}

// Load restores fingerprints written by Save (or by the reference); the
// method's own parameters stay in force.
func (m *Method) Load(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return fmt.Errorf("flowprint: %w", err)
	}
	_, fps, err := fp.ReadJSON(&buf, "model")
	if err != nil {
		return fmt.Errorf("flowprint: %w", err)
	}
	model := fp.NewModel(m.p.trainParams())
	model.Threshold = m.p.Threshold
	for _, lf := range fps {
		model.Add(lf.Fingerprint, lf.Label)
	}
	m.model = model
	return nil
}

var (
	_ methods.Detector = (*Method)(nil)
	_ methods.Saver    = (*Method)(nil)
	_ methods.Loader   = (*Method)(nil)
)
