package flowprint

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	methodtest.Conformance(t, "flowprint", "")
	t.Run("fingerprint", func(t *testing.T) {
		methodtest.Conformance(t, "flowprint", "mode: fingerprint\ninput: full\ndetect: true\n")
	})
}
