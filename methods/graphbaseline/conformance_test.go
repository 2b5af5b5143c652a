package graphbaseline

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	for _, c := range []struct{ name, params string }{
		{"graph-rf", "trees: 10\n"},
		{"graph-rf", "trees: 5\ndegenerate: unknown\n"},
		{"graph-knn", ""},
		{"graph-knn", "k: 3\nscale: true\ndegenerate: unknown\n"},
	} {
		t.Run(c.name, func(t *testing.T) { methodtest.Conformance(t, c.name, c.params) })
	}
}
