package flowprint

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	methodtest.Conformance(t, "flowprint", "")
}
