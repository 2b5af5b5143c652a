// Package all blank-imports every method package so that importing it
// registers all methods with appbench/methods. Add a new method's package
// here.
package all

import (
	_ "appbench/methods/appscanner"    // appscanner
	_ "appbench/methods/baseline"      // majority, destination-set
	_ "appbench/methods/external"      // external
	_ "appbench/methods/flowprint"     // flowprint
	_ "appbench/methods/graphbaseline" // graph-rf, graph-knn
	_ "appbench/methods/mappgraph"     // mappgraph
)
