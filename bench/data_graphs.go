package bench

import (
	"fmt"
	"path/filepath"
	"time"

	"appbench/mappgraph"
)

// graphSetDir returns the folder of one side of a graphs dataset:
// <path>/<side>_graphs/N<nodes>/t<slice seconds>.
func graphSetDir(c *Cell, side string) string {
	d := &c.Config.Dataset
	return filepath.Join(c.DataPath, side+"_graphs", fmt.Sprintf("N%d", d.Nodes), fmt.Sprintf("t%d", d.Slice/time.Second))
}

// loadGraphs reads the given train and test graph sets of a graphs
// dataset (every app: cells select theirs).
func loadGraphs(c *Cell) (*data, error) {
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
