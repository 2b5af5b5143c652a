// Package mappgraph adapts MAppGraph (graph construction in
// appbench/mappgraph, DGCNN in appbench/mappgraph/dgcnn) to the harness as
// the method "mappgraph".
//
// Packet samples (traffic chunks) are turned into graphs with
// mappgraph.Build and standardised with statistics fitted on the training
// graphs (mappgraph.FitStandardizer, as the reference does). Processed-graph samples
// (Sample.Graph set) are used as they are when already standardised
// (Graph.Scaled, as the shipped processed files are) and standardised like
// packet graphs otherwise.
//
// Chunks that give no graph (empty, skipped by the reference's rules, or
// with at most two nodes) cannot be classified by the network: they are
// left out of training and predicted as the most frequent training label
// with score 0, or marked Unknown when the parameter degenerate is
// "unknown".
//
// The parameter ip_features (default true) keeps the four IP-octet node
// features; false drops them, so the network sees 59 features per node
// (the paper's Figure 9 variant). Graph building, standardisation and the
// fallback label are shared with the graph baselines through
// appbench/methods/internal/graphs.
//
// The method is two-stage (methods.Featurizer): a sample's features are its
// graph in the datasets graph encoding, under the key the graph baselines
// share (max_nodes and slice; the network parameters are not part of it).
package mappgraph
