package mappgraph

import "appbench/datasets"

// Feature blocks of the node feature vector (spec §5.13); see datasets.
const (
	// NumPacketStats is the number of statistics computed for each of the
	// three packet-length series (complete, out, in).
	NumPacketStats = datasets.NumPacketStats
	// FeatureProtocol is the index of the fraction of TCP flows.
	FeatureProtocol = datasets.FeatureProtocol
	// FeatureFlowsNum is the index of the number of flows.
	FeatureFlowsNum = datasets.FeatureFlowsNum
	// FeatureIP1 is the index of the first IP octet; ip2..ip4 follow it.
	FeatureIP1 = datasets.FeatureIP1
	// NumFeaturesWithoutIP is the length of the "without IP" feature vector
	// (paper Figure 9): the 63 features minus the four octets, which are the
	// last four, so the variant is the prefix Features[:NumFeaturesWithoutIP].
	NumFeaturesWithoutIP = datasets.NumNodeFeaturesWithoutIP
)

// Offsets of the three packet series inside the feature vector, and of the
// statistics inside a series block.
const (
	offComplete = 0
	offOut      = NumPacketStats
	offIn       = 2 * NumPacketStats
	statMax     = 0
	statMin     = 1
	statPktNum  = 8
)

// integerFeature marks the features whose column has an integer dtype in the
// reference before standardisation: maxima, minima and counts of the packet
// series, the number of flows and the IP octets. The processed-format writer
// prints them without a decimal point for graphs that are not Scaled.
var integerFeature = func() [NumFeatures]bool {
	var b [NumFeatures]bool
	for _, off := range []int{offComplete, offOut, offIn} {
		b[off+statMax], b[off+statMin], b[off+statPktNum] = true, true, true
	}
	b[FeatureFlowsNum] = true
	for i := FeatureIP1; i < NumFeatures; i++ {
		b[i] = true
	}
	return b
}()

// FeatureNames returns the 63 node feature names in the reference's column
// order (datasets.NodeFeatureNames).
func FeatureNames() []string { return datasets.NodeFeatureNames() }

// WithoutIP returns the "without IP" variant of a node feature vector (paper
// Figure 9, 59 features): the vector without the four IP octets. Because the
// octets are the last four features, the result shares memory with features.
func WithoutIP(features *[NumFeatures]float64) []float64 {
	return features[:NumFeaturesWithoutIP]
}

// featureNames are the node feature names (datasets.NodeFeatureNames).
var featureNames = datasets.NodeFeatureNames()
