// Package graphbaseline provides two plain classifiers on MAppGraph graphs
// as harness methods, so that every MAppGraph experiment shows whether the
// graph neural network earns its cost:
//
//   - "graph-rf": a random forest (appbench/forest) on the flattened graph
//     vector;
//   - "graph-knn": k nearest neighbours on the same vector (euclidean,
//     manhattan or cosine distance), optionally with each component
//     standardised with the training vectors' mean and standard deviation.
//
// The vector of a graph (Vectorizer) is the node-feature rows of its first
// max_nodes nodes in stored order (63 features, or 59 without the IP octets
// when ip_features is false), zero-padded to max_nodes rows, followed by a
// few edge statistics (edge_stats: node and edge counts, density and
// summaries of the edge weights). The node order is the one the graph
// builder gives (mappgraph.Build) or the processed file stores.
//
// Both methods work on packet datasets, building graphs as MAppGraph does
// (mappgraph.Build with max_nodes and slice) and standardising them with
// statistics fitted on the training graphs, and on processed-graph datasets,
// whose graphs are used as they are when already standardised. Chunks that
// give no graph are left out of training and predicted as the most frequent
// training label with score 0, or marked Unknown when degenerate is
// "unknown", as the mappgraph method does; the graph building and
// standardising code is shared with it (appbench/methods/internal/graphs).
//
// Both are two-stage (methods.Featurizer): a sample's features are its
// graph in the datasets graph encoding (none for a chunk without a graph;
// a processed graph is encoded as given), under a key that depends on
// max_nodes and slice only and that the mappgraph method shares, so that
// the graphs of one chunking are built once for all graph methods.
//
// Both save and load their fitted state (methods.Saver, methods.Loader):
// graph-rf its forest, graph-knn its training vectors.
//
// On the authors' processed graphs of the 2-minute setting (22 apps, the
// train_graphs/test_graphs split), graph-rf with 100 trees reaches about
// 0.945 accuracy and 0.94 macro F1 in a few seconds of fitting (0.924 /
// 0.918 without the IP features); graph-knn with k = 5 reaches 0.68
// (euclidean) to 0.73 (manhattan).
package graphbaseline
