package baseline

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	t.Run("majority", func(t *testing.T) { methodtest.Conformance(t, "majority", "") })
	t.Run("destination-set", func(t *testing.T) { methodtest.Conformance(t, "destination-set", "") })
}
