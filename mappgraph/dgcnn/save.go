package dgcnn

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"appbench/internal/atomicfile"
)

// formatMagic and formatVersion head every saved model.
const (
	formatMagic   = "appbench-dgcnn"
	formatVersion = 1
)

// ErrFormat reports a saved model that is not one this package can load.
var ErrFormat = errors.New("dgcnn: not a saved model of a supported version")

type savedParam struct {
	Name  string
	Shape []int
	W     []float32
}

type savedModel struct {
	Magic    string
	Version  int
	Config   Config
	Features int
	Classes  []string
	Step     int
	Params   []savedParam
}

// Save writes the model (configuration, class names, weights and the
// number of updates applied; not the Adam moments) to w in a versioned gob
// format.
func (m *Model) Save(w io.Writer) error {
	s := savedModel{Magic: formatMagic, Version: formatVersion, Config: m.Config,
		Features: m.Features, Classes: m.Classes, Step: m.Step}
	for _, p := range m.Params {
		s.Params = append(s.Params, savedParam{Name: p.Name, Shape: p.Shape, W: p.W})
	}
	if err := gob.NewEncoder(w).Encode(&s); err != nil {
		return fmt.Errorf("dgcnn: save: %w", err)
	}
	return nil
}

// SaveFile writes the model to path through a temporary file that is
// renamed into place.
func (m *Model) SaveFile(path string) error {
	err := atomicfile.Write(path, func(w *bufio.Writer) error { return m.Save(w) })
	if err != nil {
		return fmt.Errorf("dgcnn: save: %w", err)
	}
	return nil
}

// Load reads a model written by Save. The Adam moments start at zero.
func Load(r io.Reader) (*Model, error) {
	var s savedModel
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("dgcnn: load: %w: %w", ErrFormat, err)
	}
	if s.Magic != formatMagic || s.Version != formatVersion {
		return nil, fmt.Errorf("dgcnn: load: magic %q version %d: %w", s.Magic, s.Version, ErrFormat)
	}
	m, err := New(s.Config, s.Features, s.Classes)
	if err != nil {
		return nil, fmt.Errorf("dgcnn: load: %w", err)
	}
	if len(s.Params) != len(m.Params) {
		return nil, fmt.Errorf("dgcnn: load: %d weight tensors, the configuration has %d: %w", len(s.Params), len(m.Params), ErrFormat)
	}
	for i, p := range m.Params {
		q := s.Params[i]
		if q.Name != p.Name || !slices.Equal(q.Shape, p.Shape) || len(q.W) != len(p.W) {
			return nil, fmt.Errorf("dgcnn: load: tensor %d is %s%v with %d values, want %s%v: %w", i, q.Name, q.Shape, len(q.W), p.Name, p.Shape, ErrFormat)
		}
		copy(p.W, q.W)
	}
	m.Step = s.Step
	return m, nil
}

// LoadFile reads a model saved with SaveFile.
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dgcnn: load: %w", err)
	}
	defer f.Close()
	m, err := Load(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
