// Package mappgraph implements MAppGraph (Pham et al., ACSAC 2021): a graph
// per traffic chunk with destinations as nodes, 63 statistical node
// features and co-activity edge weights, read and written in the processed
// graph format of the reference, and classified by a deep graph
// convolutional network (see the dgcnn sub-package).
package mappgraph
