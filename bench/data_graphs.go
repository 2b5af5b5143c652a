package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"appbench/mappgraph"
)

// graphSetDir returns the folder of one side of a graphs dataset:
// <path>/<side>_graphs/N<nodes>/t<slice seconds>.
func graphSetDir(c *Cell, side string) string {
	d := &c.Config.Dataset
	return filepath.Join(c.DataPath, side+"_graphs", fmt.Sprintf("N%d", d.Nodes), fmt.Sprintf("t%d", d.Slice/time.Second))
}

// graphsKind is a processed MAppGraph graph set with its split given.
type graphsKind struct{}

// apps lists the app folders of the training set, which must be those of
// the test set.
func (graphsKind) apps(c *Cell) ([]string, error) {
	ds := mapValue(c.root, "dataset")
	var have []string
	for _, side := range []string{"train", "test"} {
		ents, err := os.ReadDir(graphSetDir(c, side))
		if err != nil {
			return nil, posErr(c.file, mapValue(ds, "path"), "dataset.path", "graph set: %w", err)
		}
		var apps []string
		for _, e := range ents {
			if e.IsDir() {
				apps = append(apps, e.Name())
			}
		}
		if side == "train" {
			have = apps
		} else if !slices.Equal(uniqueSorted(apps), uniqueSorted(have)) {
			return nil, posErr(c.file, mapValue(ds, "path"), "dataset.path", "%s and %s hold different apps", graphSetDir(c, "train"), graphSetDir(c, "test"))
		}
	}
	return have, nil
}

// load reads the given train and test graph sets of a graphs dataset
// (every app: cells select theirs).
func (graphsKind) load(c *Cell) (*data, error) {
	tr, err := mappgraph.ReadProcessed(graphSetDir(c, "train"))
	if err != nil {
		return nil, fmt.Errorf("bench: %s: dataset: %w", c.file, err)
	}
	te, err := mappgraph.ReadProcessed(graphSetDir(c, "test"))
	if err != nil {
		return nil, fmt.Errorf("bench: %s: dataset: %w", c.file, err)
	}
	var have []string
	for app := range tr {
		if _, ok := te[app]; !ok {
			return nil, fmt.Errorf("bench: %s: app %q has training graphs but no test graphs in %s", c.file, app, graphSetDir(c, "test"))
		}
		have = append(have, app)
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("bench: %s: no app folders in %s", c.file, graphSetDir(c, "train"))
	}
	return &data{apps: uniqueSorted(have), trainG: tr, testG: te}, nil
}
