package mappgraph

import "appbench/datasets"

// NumFeatures is the number of node features of a MAppGraph graph.
const NumFeatures = datasets.NumNodeFeatures

// Node is one destination (service IP and port) of a graph; see
// datasets.Node.
type Node = datasets.Node

// Edge is an unordered pair of nodes with its co-activity weight; see
// datasets.Edge.
type Edge = datasets.Edge

// Graph is the graph of one traffic chunk; see datasets.Graph. Its Scaled
// flag tells WriteGraphs whether to print the integer-typed features as
// integers (graphs before Standardizer.Apply) or as floats.
type Graph = datasets.Graph
