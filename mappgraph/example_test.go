package mappgraph_test

import (
	"fmt"

	"appbench/mappgraph"
)

func ExampleFeatureNames() {
	names := mappgraph.FeatureNames()
	fmt.Println(len(names), names[0], names[8], names[18], names[54], names[58], names[62])
	var n mappgraph.Node
	fmt.Println(len(mappgraph.WithoutIP(&n.Features)))
	// Output:
	// 63 complete_max complete_pkt_num out_max protocol flow_duration_mean ip4
	// 59
}
