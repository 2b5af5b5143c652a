package mappgraph

import (
	"errors"
	"fmt"

	"appbench/datasets"
)

// BuildStats counts what happened to the chunks given to BuildGraphs.
type BuildStats struct {
	// Kept is the number of graphs produced.
	Kept int
	// Empty, Skipped and Degenerate count the chunks that failed with
	// ErrEmpty, ErrSkipped and ErrDegenerate.
	Empty, Skipped, Degenerate int
}

// BuildGraphs builds the graphs of one app's chunks, in the given order
// (the reference's file-list order), applying the keep rule of §5.12: a
// chunk that gives no graph is counted and skipped, and the kept graphs get
// graph_id 1, 2, 3, … in order, with App set to app. Any error other than
// the three sentinels stops the run.
func BuildGraphs(app string, chunks []datasets.Chunk, opts BuildOptions) ([]*Graph, BuildStats, error) {
	var b Builder
	var st BuildStats
	var out []*Graph
	for i := range chunks {
		g, err := b.Build(chunks[i].Packets, opts)
		switch {
		case err == nil:
			g.ID, g.App = len(out)+1, app
			out = append(out, g)
			st.Kept++
		case errors.Is(err, ErrEmpty):
			st.Empty++
		case errors.Is(err, ErrSkipped):
			st.Skipped++
		case errors.Is(err, ErrDegenerate):
			st.Degenerate++
		default:
			return nil, st, fmt.Errorf("mappgraph: app %s, chunk %d of %s: %w", app, chunks[i].Index, chunks[i].Capture, err)
		}
	}
	return out, st, nil
}
