// Package baseline registers two simple, honest reference methods with the
// harness:
//
//   - "majority" predicts the most frequent training label for every sample.
//     It is the chance floor every real method must beat.
//   - "destination-set" is a k-nearest-neighbours classifier on the set of
//     network destinations, (IP, port) pairs, that a chunk talks to, compared
//     with the Jaccard index: the simplest destination fingerprint, in the
//     spirit of FlowPrint without clustering or temporal correlation.
//
// Both accept packet chunks and prebuilt MAppGraph graphs (a graph's nodes
// are its service destinations), and both can save and load their fitted
// model as JSON. Both are two-stage (methods.Featurizer): majority's
// features are empty, destination-set's are its sorted destination set
// (key: service_only). Blank-import the package (or appbench/methods/all) to make
// them available:
//
//	import _ "appbench/methods/baseline"
package baseline
