// Package graphs holds what the graph-based methods (appbench/methods/
// mappgraph, appbench/methods/graphbaseline) share: turning a sample into a
// MAppGraph graph (built from its packets or taken as it is from a
// processed-graph dataset), recognising chunks that give no graph, fitting
// and applying the training standardiser, the training classes with their
// most frequent label, and the node-feature layout with or without the four
// IP-octet features (the paper's Figure 9).
package graphs
