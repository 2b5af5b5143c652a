package external

import (
	_ "appbench/methods/graphbaseline" // graph-rf, for TestSharedFeatureKeys
)
