package appscanner

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	methodtest.Conformance(t, "appscanner", "trees: 10\n")
	t.Run("threshold", func(t *testing.T) {
		methodtest.Conformance(t, "appscanner", "trees: 6\nmodels: 2\nvoting: soft\nthreshold: 0.9\n")
	})
}
