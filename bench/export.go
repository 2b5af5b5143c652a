package bench

import (
	"context"
	"fmt"
	"io"
	"slices"

	"appbench/mappgraph"
	"appbench/methods"
)

// ExportSample is one sample's features as a method of an experiment
// computes them: what ExportFeatures hands out.
type ExportSample struct {
	// Label, Capture, Chunk, Start and Stop describe the sample as
	// methods.Sample does.
	Label, Capture string
	Chunk          int
	Start, Stop    float64
	// Features are what the method's Features returned.
	Features []byte
}

// ExportFeatures reads the dataset of the first cell of method (its id:
// its as name or registered name) as a run would, with the same chunking,
// app selection and feature stage, and calls fn with the features of every
// sample of its selected apps, before any split: chunks in capture order,
// or the graphs of a graphs dataset (training side, then test side, app by
// app). ready gets the method, which must have a feature stage, before the
// dataset is read. The feature cache is not used.
func ExportFeatures(ctx context.Context, x *Experiment, method string, workers int, ready func(methods.Featurizer) error, fn func(ExportSample) error) error {
	var c *Cell
	var ids []string
	for _, cell := range x.Cells {
		if !slices.Contains(ids, cell.Method) {
			ids = append(ids, cell.Method)
		}
		if c == nil && cell.Method == method {
			c = cell
		}
	}
	if c == nil {
		return fmt.Errorf("bench: %s: no method %q (methods: %v)", x.File, method, ids)
	}
	m, err := newMethod(c.file, c.dir, &c.spec, "params", c.Seed, 1, io.Discard, nil)
	if err != nil {
		return err
	}
	f, ok := m.(methods.Featurizer)
	if !ok {
		return fmt.Errorf("bench: method %q has no feature stage to export (it reads packets)", method)
	}
	if err := ready(f); err != nil {
		return err
	}
	d, err := loadData(ctx, []*Cell{c}, workers, nil)
	if err != nil {
		return err
	}
	if d.trainG != nil {
		return exportGraphs(d, c, f, fn)
	}
	v, err := viewOf(d, c)
	if err != nil {
		return err
	}
	feats, err := d.chunkFeatures(ctx, f.FeatureKey(), refsOf(v.refs, v.chunks))
	if err != nil {
		return err
	}
	for k, ch := range v.chunks {
		s := ExportSample{Label: ch.App, Capture: ch.Capture, Chunk: ch.Index, Start: ch.Start, Stop: ch.Stop, Features: feats[k]}
		if err := fn(s); err != nil {
			return err
		}
	}
	return nil
}

// exportGraphs is ExportFeatures for a graphs dataset.
func exportGraphs(d *data, c *Cell, f methods.Featurizer, fn func(ExportSample) error) error {
	apps, err := selectApps(c, d.apps)
	if err != nil {
		return fmt.Errorf("bench: %s: dataset: %w", c.file, err)
	}
	for _, side := range []struct {
		name string
		gs   map[string][]*mappgraph.Graph
	}{{"train", d.trainG}, {"test", d.testG}} {
		for _, app := range apps {
			for _, g := range side.gs[app] {
				s := methods.Sample{Label: app, Capture: fmt.Sprintf("%s/%s/%d", app, side.name, g.ID), Chunk: g.ID, Graph: g}
				b, err := f.Features(s)
				if err != nil {
					return fmt.Errorf("bench: %s: %w", s.Capture, err)
				}
				if err := fn(ExportSample{Label: app, Capture: s.Capture, Chunk: g.ID, Features: b}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
