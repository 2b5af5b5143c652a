package baseline

import (
	"testing"

	"appbench/methods/methodtest"
)

func TestConformance(t *testing.T) {
	for _, c := range []struct{ name, params string }{
		{"majority", ""},
		{"destination-set", ""},
		{"destination-set", "k: 1\nservice_only: true\nunknown_threshold: 0.5\n"},
	} {
		t.Run(c.name, func(t *testing.T) { methodtest.Conformance(t, c.name, c.params) })
	}
}
