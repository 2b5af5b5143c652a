package graphbaseline

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io"

	"appbench/forest"
	"appbench/mappgraph"
	"appbench/methods"
)

// saveVersion is the version of the gob forms written by Save.
const saveVersion = 1

// savedInput is the fitted state both baselines share.
type savedInput struct {
	Std      *mappgraph.Standardizer
	Classes  []string
	Majority string
}

func (g *graphInput) saved() savedInput {
	return savedInput{Std: g.std, Classes: g.classes, Majority: g.majority}
}

func (g *graphInput) restore(s savedInput) error {
	if len(s.Classes) == 0 {
		return fmt.Errorf("%s: load: model without classes", g.name)
	}
	g.std, g.classes, g.majority = s.Std, s.Classes, s.Majority
	return nil
}

// savedForest is the gob form of a fitted graph-rf.
type savedForest struct {
	Version int
	Params  ForestParams
	Input   savedInput
	Forest  []byte
}

// Save writes the fitted method (parameters, standardiser, classes and
// forest) as gob.
func (f *Forest) Save(w io.Writer) error {
	if f.model == nil {
		return fmt.Errorf("graph-rf: Save before Fit")
	}
	var buf bytes.Buffer
	if err := f.model.Save(&buf); err != nil {
		return fmt.Errorf("graph-rf: %w", err)
	}
	s := savedForest{Version: saveVersion, Params: f.fp, Input: f.saved(), Forest: buf.Bytes()}
	if err := gob.NewEncoder(w).Encode(&s); err != nil {
		return fmt.Errorf("graph-rf: save: %w", err)
	}
	return nil
}

// Load restores a method written by Save, replacing its parameters with
// the saved ones (the seed and worker count stay those of this method).
func (f *Forest) Load(r io.Reader) error {
	var s savedForest
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("graph-rf: load: %w", err)
	}
	if s.Version != saveVersion {
		return fmt.Errorf("graph-rf: load: model version %d, want %d", s.Version, saveVersion)
	}
	if err := s.Params.Validate(); err != nil {
		return methods.SavedParamsError(err)
	}
	n, err := newForest(s.Params, f.seed, f.workers, f.log)
	if err != nil {
		return err
	}
	model, err := forest.Load(bytes.NewReader(s.Forest))
	if err != nil {
		return fmt.Errorf("graph-rf: load: %w", err)
	}
	if model.Features != n.vec.Len() || model.Classes != len(s.Input.Classes) {
		return fmt.Errorf("graph-rf: load: forest of %d features and %d classes, parameters give %d features and %d classes",
			model.Features, model.Classes, n.vec.Len(), len(s.Input.Classes))
	}
	if err := n.restore(s.Input); err != nil {
		return err
	}
	n.model = model
	n.note = f.note
	*f = *n
	return nil
}

// savedKNN is the gob form of a fitted graph-knn.
type savedKNN struct {
	Version     int
	Params      KNNParams
	Input       savedInput
	Mean, Scale []float64
	Train       []float64
	Y           []int
}

// Save writes the fitted method (parameters, standardisers, classes and
// the training vectors) as gob.
func (k *KNN) Save(w io.Writer) error {
	if k.train == nil {
		return fmt.Errorf("graph-knn: Save before Fit")
	}
	s := savedKNN{Version: saveVersion, Params: k.kp, Input: k.saved(), Mean: k.mean, Scale: k.scale, Train: k.train, Y: k.y}
	if err := gob.NewEncoder(w).Encode(&s); err != nil {
		return fmt.Errorf("graph-knn: save: %w", err)
	}
	return nil
}

// Load restores a method written by Save, replacing its parameters with
// the saved ones (the worker count stays that of this method).
func (k *KNN) Load(r io.Reader) error {
	var s savedKNN
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return fmt.Errorf("graph-knn: load: %w", err)
	}
	if s.Version != saveVersion {
		return fmt.Errorf("graph-knn: load: model version %d, want %d", s.Version, saveVersion)
	}
	if err := s.Params.Validate(); err != nil {
		return methods.SavedParamsError(err)
	}
	n, err := newKNN(s.Params, k.workers, k.log)
	if err != nil {
		return err
	}
	d := n.vec.Len()
	if len(s.Mean) != d || len(s.Scale) != d || len(s.Y) == 0 || len(s.Train) != len(s.Y)*d {
		return fmt.Errorf("graph-knn: load: %d training values for %d rows of %d components", len(s.Train), len(s.Y), d)
	}
	for i, c := range s.Y {
		if c < 0 || c >= len(s.Input.Classes) {
			return fmt.Errorf("graph-knn: load: training row %d has class %d of %d", i, c, len(s.Input.Classes))
		}
	}
	if err := n.restore(s.Input); err != nil {
		return err
	}
	n.mean, n.scale, n.train, n.y = s.Mean, s.Scale, s.Train, s.Y
	n.norms = n.rowNorms(n.train, len(n.y))
	n.note = k.note
	*k = *n
	return nil
}
