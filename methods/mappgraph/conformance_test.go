package mappgraph

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	methodtest.Conformance(t, "mappgraph", epochs(3))
	t.Run("unknown", func(t *testing.T) {
		methodtest.Conformance(t, "mappgraph", epochs(2)+"degenerate: unknown\nweighted: true\n")
	})
}
