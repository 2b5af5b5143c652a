package graphbaseline

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	t.Run("graph-rf", func(t *testing.T) { methodtest.Conformance(t, "graph-rf", "trees: 10\n") })
	t.Run("graph-knn", func(t *testing.T) { methodtest.Conformance(t, "graph-knn", "") })
}
