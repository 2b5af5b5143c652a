package dgcnn_test

import (
	"context"
	"fmt"

	"appbench/mappgraph"
	"appbench/mappgraph/dgcnn"
)

// A model with the reference architecture for 101 apps, and the class
// probabilities of one three-node graph.
func Example() {
	classes := make([]string, 101)
	for i := range classes {
		classes[i] = fmt.Sprintf("app%03d", i)
	}
	m, err := dgcnn.New(dgcnn.DefaultConfig(), mappgraph.NumFeatures, classes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("parameters:", m.NumParams())

	g := &mappgraph.Graph{Nodes: make([]mappgraph.Node, 3), Edges: []mappgraph.Edge{
		{Source: 0, Target: 1, Weight: 1}, {Source: 0, Target: 2, Weight: 0}, {Source: 1, Target: 2, Weight: 0.5}}}
	for i := range g.Nodes {
		g.Nodes[i].Features[0] = float64(i)
	}
	in, err := dgcnn.FromGraph(g, m.Config.Adjacency)
	if err != nil {
		fmt.Println(err)
		return
	}
	probs, err := m.Predict(context.Background(), []*dgcnn.Input{in})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("outputs:", len(probs))
	// Output:
	// parameters: 4888421
	// outputs: 101
}
