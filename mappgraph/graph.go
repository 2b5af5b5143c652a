package mappgraph

// NumFeatures is the number of node features of a MAppGraph graph.
const NumFeatures = 63

// Node is one destination (service IP and port) of a graph.
type Node struct {
	// IP is the service address as text, Port its port.
	IP   string
	Port int
	// Features are the 63 node features in the order of FeatureNames.
	Features [NumFeatures]float64
}

// Edge is an unordered pair of nodes with its co-activity weight.
type Edge struct {
	// Source and Target index Graph.Nodes.
	Source, Target int
	// Weight is the min-max normalised co-activity count; NaN when all
	// weights of the graph were equal (the reference's 0/0).
	Weight float64
}

// Graph is the graph of one traffic chunk: destinations as nodes and
// co-activity edges between them.
type Graph struct {
	// ID is the graph_id of the processed format (1-based per app).
	ID int
	// App is the label.
	App   string
	Nodes []Node
	Edges []Edge
	// Scaled reports that the node features were standardised
	// (Standardizer.Apply). It only affects how WriteGraphs prints the
	// integer-typed features: as integers for unscaled graphs, as floats
	// otherwise, like the reference before and after standardisation.
	Scaled bool
}
