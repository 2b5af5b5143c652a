package appscanner

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	methodtest.Conformance(t, "appscanner", "trees: 10\n")
}
