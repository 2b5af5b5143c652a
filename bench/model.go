package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"appbench/datasets"
	"appbench/methods"
	"appbench/resultfmt"
)

// ModelSuffix ends the name of the model file of a cell (Options.SaveModels),
// written beside its result file.
const ModelSuffix = ".model"

// ModelFormat is the version of the model file layout.
const ModelFormat = 1

// maxModelHeader bounds the header line of a model file (the reader's
// buffer).
const maxModelHeader = 1 << 20

// ModelHeader is what a model file records about its model, as the JSON
// object of its first line; the method's own model (methods.Saver) follows.
type ModelHeader struct {
	// Format is ModelFormat of the program that wrote the file.
	Format int `json:"format"`
	// Method is the registered method name, As its name in the
	// experiment, Params its parameters as YAML text ("" for none) and
	// Seed the cell's seed.
	Method string `json:"method"`
	As     string `json:"as,omitempty"`
	Params string `json:"params,omitempty"`
	Seed   uint64 `json:"seed"`
	// FeatureKey is the method's methods.Featurizer key ("" for methods
	// without a feature stage).
	FeatureKey string `json:"feature_key,omitempty"`
	// Cell and Experiment name the cell that fitted the model.
	Cell       string `json:"cell"`
	Experiment string `json:"experiment"`
	// Dataset is the kind of the training dataset; Window, Overlap
	// (recorded in nanoseconds), MinPackets and OnDamage are its chunking
	// and damage policy.
	Dataset    string        `json:"dataset"`
	Window     time.Duration `json:"window_ns"`
	Overlap    time.Duration `json:"overlap_ns"`
	MinPackets int           `json:"min_packets"`
	OnDamage   string        `json:"on_damage,omitempty"`
	// Labels are the training labels, sorted.
	Labels []string `json:"labels"`
	// Version is the program version that wrote the file (Version).
	Version string `json:"version"`
}

// ModelPath returns the model file of cell id in dir.
func ModelPath(dir, id string) string { return filepath.Join(dir, id+ModelSuffix) }

// cellModel returns the model file of the fitted method m of cell c,
// trained on cd, or nil and a note when m cannot save its model.
func cellModel(c *Cell, m methods.Method, cd *cellData) ([]byte, string, error) {
	s, ok := m.(methods.Saver)
	if !ok {
		return nil, fmt.Sprintf("method %s cannot save its model (no methods.Saver): no model file written", c.MethodName), nil
	}
	params, err := paramsText(&c.spec.Params)
	if err != nil {
		return nil, "", err
	}
	h := ModelHeader{
		Format: ModelFormat, Method: c.MethodName, As: c.spec.As, Params: params, Seed: c.Seed,
		Cell: c.ID, Experiment: c.Config.Name, Dataset: c.Config.Dataset.Kind,
		Window: c.Config.Dataset.Window, Overlap: c.Config.Dataset.Overlap,
		MinPackets: c.Config.Dataset.MinPackets, OnDamage: c.Config.Dataset.OnDamage,
		Labels: uniqueSorted(cd.trainLabels()), Version: resultfmt.Version(),
	}
	if f, ok := m.(methods.Featurizer); ok {
		h.FeatureKey = f.FeatureKey()
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(h); err != nil {
		return nil, "", err
	}
	if err := s.Save(&buf); err != nil {
		return nil, "", fmt.Errorf("save model: %w", err)
	}
	return buf.Bytes(), "", nil
}

// paramsText returns params as YAML text ("" when none were given).
func paramsText(n *yaml.Node) (string, error) {
	if isNull(n) {
		return "", nil
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return "", fmt.Errorf("params: %w", err)
	}
	return string(b), nil
}

// Model is a fitted method read from a model file.
type Model struct {
	// Path is the file it was read from.
	Path string
	ModelHeader
	// Method is the method, ready to predict.
	Method methods.Method
}

// ReadModel reads a model file written by Run with Options.SaveModels and
// builds its method with workers goroutines. An unknown method, another
// format or a damaged file is an error naming the file.
func ReadModel(path string, workers int) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := readModel(bufio.NewReaderSize(f, maxModelHeader), path, workers)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	return m, nil
}

func readModel(r *bufio.Reader, path string, workers int) (*Model, error) {
	line, err := r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, fmt.Errorf("not a model file (line 1 is longer than %d bytes)", maxModelHeader)
	case errors.Is(err, io.EOF):
		return nil, errors.New("not a model file (no header line)")
	case err != nil:
		return nil, err
	}
	if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")) {
		return nil, errors.New("not a model file (line 1 is no JSON header)")
	}
	m := &Model{Path: path}
	if err := json.Unmarshal(line, &m.ModelHeader); err != nil {
		return nil, fmt.Errorf("line 1: header: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	if m.Method, err = m.build(workers); err != nil {
		return nil, err
	}
	l, ok := m.Method.(methods.Loader)
	if !ok {
		return nil, fmt.Errorf("method %s cannot load a model (no methods.Loader)", m.ModelHeader.Method)
	}
	if err := l.Load(r); err != nil {
		return nil, fmt.Errorf("line 2: %w", err)
	}
	return m, nil
}

// check checks the header's format and values.
func (m *Model) check() error {
	h := &m.ModelHeader
	switch {
	case h.Format != ModelFormat:
		return fmt.Errorf("line 1: format %d, but this program reads format %d (written by %s)", h.Format, ModelFormat, h.Version)
	case h.Method == "":
		return errors.New("line 1: no method")
	case h.Window < 0 || h.Overlap < 0 || (h.Window > 0 && h.Overlap >= h.Window):
		return fmt.Errorf("line 1: window %v, overlap %v: want 0 <= overlap < window", h.Window, h.Overlap)
	}
	return nil
}

// build builds the header's method from its parameters, and checks that
// its feature key is the recorded one.
func (m *Model) build(workers int) (methods.Method, error) {
	h := &m.ModelHeader
	f, err := methods.Lookup(h.Method)
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	meth, err := f(methods.Config{
		Decode: func(v any) error {
			if h.Params == "" {
				return nil
			}
			dec := yaml.NewDecoder(strings.NewReader(h.Params))
			dec.KnownFields(true)
			return dec.Decode(v)
		},
		Seed: h.Seed, Workers: max(workers, 1), Log: io.Discard,
	})
	if err != nil {
		var pe *methods.ParamError
		if errors.As(err, &pe) { // it names the method
			return nil, fmt.Errorf("line 1: params: %w", err)
		}
		return nil, fmt.Errorf("line 1: params of %s: %w", h.Method, err)
	}
	key := ""
	if fz, ok := meth.(methods.Featurizer); ok {
		key = fz.FeatureKey()
	}
	if key != h.FeatureKey {
		return nil, fmt.Errorf("line 1: feature key %q, but %s of this program (%s) computes %q", h.FeatureKey, h.Method, resultfmt.Version(), key)
	}
	return meth, nil
}

// Classify reads the capture at path, cuts it into chunks of window with
// overlap (window 0: the whole capture) and the model's MinPackets, and
// predicts each chunk. It returns the predictions (Truth empty) and notes
// on what was kept of a damaged capture or left out.
func (m *Model) Classify(ctx context.Context, path string, window, overlap time.Duration, workers int) ([]resultfmt.SamplePrediction, []string, error) {
	raw, rerr := datasets.ReadCapturePartial(path)
	pkts, note, err := onDamage(raw, rerr, m.OnDamage)
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	if note != "" {
		notes = append(notes, path+": "+note)
	}
	d := &Dataset{Window: window, Overlap: overlap, MinPackets: m.MinPackets}
	ct := chunk("", path, pkts, d)
	if ct.note != "" {
		notes = append(notes, ct.note)
	}
	preds, err := m.predict(ctx, packetSamples(ct.chunks), workers)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: predict: %w", path, err)
	}
	out := make([]resultfmt.SamplePrediction, len(preds))
	for i, p := range preds {
		ch := &ct.chunks[i]
		out[i] = resultfmt.SamplePrediction{Capture: path, Chunk: ch.Index, Start: ch.Start, Stop: ch.Stop,
			Predicted: p.Label, Score: p.Score, Unknown: p.Unknown}
	}
	return out, notes, nil
}

// predict predicts samples as the harness does: from features for a
// Featurizer.
func (m *Model) predict(ctx context.Context, samples []methods.Sample, workers int) ([]methods.Prediction, error) {
	if len(samples) == 0 {
		return nil, nil
	}
	f, ok := m.Method.(methods.Featurizer)
	if !ok {
		return m.Method.Predict(ctx, samples)
	}
	enc, err := methods.EncodeAll(ctx, f, samples, workers)
	if err != nil {
		return nil, err
	}
	preds, err := f.PredictFeatures(ctx, enc)
	if err == nil && len(preds) != len(samples) {
		err = fmt.Errorf("%s: %d predictions for %d chunks", m.Method.Name(), len(preds), len(samples))
	}
	return preds, err
}

// trainLabels returns the labels of the training samples.
func (cd *cellData) trainLabels() []string {
	var out []string
	for i := range cd.trainC {
		out = append(out, cd.trainC[i].App)
	}
	for i := range cd.trainG {
		out = append(out, cd.trainG[i].Label)
	}
	return out
}

// exists reports whether a file is at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
