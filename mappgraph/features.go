package mappgraph

// Feature blocks of the node feature vector (spec §5.13).
const (
	// NumPacketStats is the number of statistics computed for each of the
	// three packet-length series (complete, out, in).
	NumPacketStats = 18
	// FeatureProtocol is the index of the fraction of TCP flows.
	FeatureProtocol = 54
	// FeatureFlowsNum is the index of the number of flows.
	FeatureFlowsNum = 55
	// FeatureIP1 is the index of the first IP octet; ip2..ip4 follow it.
	FeatureIP1 = 59
	// NumFeaturesWithoutIP is the length of the "without IP" feature vector
	// (paper Figure 9): the 63 features minus the four octets, which are the
	// last four, so the variant is the prefix Features[:NumFeaturesWithoutIP].
	NumFeaturesWithoutIP = FeatureIP1
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

var statNames = [NumPacketStats]string{
	"max", "min", "mean", "mad", "std", "var", "skew", "kurt", "pkt_num",
	"10per", "20per", "30per", "40per", "50per", "60per", "70per", "80per", "90per",
}

var featureNames = func() [NumFeatures]string {
	var n [NumFeatures]string
	for s, series := range []string{"complete", "out", "in"} {
		for i, st := range statNames {
			n[s*NumPacketStats+i] = series + "_" + st
		}
	}
	copy(n[FeatureProtocol:], []string{"protocol", "flows_num", "flow_length_mean", "flow_pkt_num_mean",
		"flow_duration_mean", "ip1", "ip2", "ip3", "ip4"})
	return n
}()

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
// order (complete_max ... complete_90per, out_*, in_*, protocol, flows_num,
// flow_length_mean, flow_pkt_num_mean, flow_duration_mean, ip1..ip4).
func FeatureNames() []string {
	n := featureNames
	return n[:]
}

// WithoutIP returns the "without IP" variant of a node feature vector (paper
// Figure 9, 59 features): the vector without the four IP octets. Because the
// octets are the last four features, the result shares memory with features.
func WithoutIP(features *[NumFeatures]float64) []float64 {
	return features[:NumFeaturesWithoutIP]
}
