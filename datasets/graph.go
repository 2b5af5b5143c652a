package datasets

// Node feature layout of a MAppGraph graph (spec §5.13): 18 statistics of
// each of the complete, outgoing and incoming packet-length series, five
// flow features and the four IP octets.
const (
	// NumNodeFeatures is the number of node features of a graph.
	NumNodeFeatures = 63
	// NumPacketStats is the number of statistics computed for each of the
	// three packet-length series (complete, out, in).
	NumPacketStats = 18
	// FeatureProtocol is the index of the fraction of TCP flows.
	FeatureProtocol = 54
	// FeatureFlowsNum is the index of the number of flows.
	FeatureFlowsNum = 55
	// FeatureIP1 is the index of the first IP octet; ip2..ip4 follow it.
	FeatureIP1 = 59
	// NumNodeFeaturesWithoutIP is the length of the "without IP" feature
	// vector (MAppGraph paper, Figure 9): the features minus the four
	// octets, which are the last four, so the variant is the prefix
	// Features[:NumNodeFeaturesWithoutIP].
	NumNodeFeaturesWithoutIP = FeatureIP1
)

var statNames = [NumPacketStats]string{
	"max", "min", "mean", "mad", "std", "var", "skew", "kurt", "pkt_num",
	"10per", "20per", "30per", "40per", "50per", "60per", "70per", "80per", "90per",
}

var nodeFeatureNames = func() [NumNodeFeatures]string {
	var n [NumNodeFeatures]string
	for s, series := range []string{"complete", "out", "in"} {
		for i, st := range statNames {
			n[s*NumPacketStats+i] = series + "_" + st
		}
	}
	copy(n[FeatureProtocol:], []string{"protocol", "flows_num", "flow_length_mean", "flow_pkt_num_mean",
		"flow_duration_mean", "ip1", "ip2", "ip3", "ip4"})
	return n
}()

// NodeFeatureNames returns the 63 node feature names in the reference's
// column order (complete_max ... complete_90per, out_*, in_*, protocol,
// flows_num, flow_length_mean, flow_pkt_num_mean, flow_duration_mean,
// ip1..ip4).
func NodeFeatureNames() []string {
	n := nodeFeatureNames
	return n[:]
}

// Node is one destination (service IP and port) of a graph.
type Node struct {
	// IP is the service address as text, Port its port.
	IP   string
	Port int
	// Features are the node features in the order of NodeFeatureNames.
	Features [NumNodeFeatures]float64
}

// Edge is an unordered pair of nodes with its co-activity weight.
type Edge struct {
	// Source and Target index Graph.Nodes.
	Source, Target int
	// Weight is the min-max normalised co-activity count; NaN when all
	// weights of the graph were equal (the reference's 0/0).
	Weight float64
}

// Graph is the MAppGraph graph of one traffic chunk: destinations as nodes
// and co-activity edges between them. Package mappgraph builds, reads and
// writes graphs; AppendGraph and DecodeGraph store them compactly.
type Graph struct {
	// ID is the graph_id of the processed format (1-based per app).
	ID int
	// App is the label.
	App   string
	Nodes []Node
	Edges []Edge
	// Scaled reports that the node features were standardised. It only
	// affects how the processed-format writer prints the integer-typed
	// features: as integers for unscaled graphs, as floats otherwise,
	// like the reference before and after standardisation.
	Scaled bool
}
