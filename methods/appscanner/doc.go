// Package appscanner is the harness adapter of AppScanner (package
// appbench/appscanner): it registers the method "appscanner".
//
// Fit extracts the flows of every training chunk, labels each flow with
// its chunk's app and fits one random forest, or with models: K > 1 one
// forest per disjoint slice of the training chunks (each app's chunks dealt
// round-robin over the K slices), as the MAppGraph authors' enhanced
// AppScanner trains 16 forests on 16 training sets. Predict extracts the
// flows of a test chunk, classifies each flow (flows whose top probability
// is below threshold are left out), and labels the chunk by the majority of
// its flow labels (ties: the label met first in flow order); with several
// models, the models' chunk labels are voted on again (ties: lowest model
// index). The score is the winning label's share of the ballots of the
// last vote (flows, or models). A chunk with no flow left (no usable
// packet, or every flow below the threshold, or every model undecided) is
// reported Unknown with an empty label and score 0; R2 calls such a chunk
// "empty" and drops it from its evaluation.
//
// The method is two-stage (methods.Featurizer): a chunk's features are its
// flows' keys (burst time and endpoints) and signed packet lengths, about
// 40 bytes per flow; fitting and predicting compute the 54 statistics of
// each flow from them, bit for bit as from the packets. The feature key
// depends on burst_gap and extraction only. Storing float32 rows instead
// would not be exact: it would move the forests' split thresholds and so
// could change predictions.
//
// Parameters (yaml keys; defaults in brackets):
//
//	trees: forest size [150, the references' n_estimators]
//	max_features: features tried per split [0 = floor(sqrt(54)) = 7]
//	max_depth: [0 = unlimited]
//	min_samples_leaf: [1]
//	threshold: per-flow confidence threshold [0 = keep every flow, as R2;
//	  R1's default is 0.9]
//	burst_gap: burst threshold in seconds [1]
//	extraction: "csv" (R2: port filter, all protocols, file order),
//	  "pcap" (R1: IPv4 TCP only, time-sorted) or "auto" [auto: pcap when
//	  the chunk's packets carry frame numbers, i.e. came from a capture,
//	  csv otherwise]
//	models: number of forests on disjoint training slices [1]
//	voting: "majority" (flow labels, R2) or "soft" (summed flow class
//	  probabilities) [majority]
package appscanner
