package mappgraph

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	methodtest.Conformance(t, "mappgraph", epochs(3))
}
