package external

import (
	"fmt"
	"path/filepath"
	"testing"

	"appbench/methods/methodtest"
)

// TestConformance runs the harness's checks on the external method with
// testdata/majority.sh, a plugin that keeps the harness's rules: they test
// the adapter (its processes, their cancellation, the reading of the
// predictions), not the programs users plug in. The method predicts once
// per Fit, hence ConformanceOnce.
func TestConformance(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	cmd, err := filepath.Abs("testdata/majority.sh")
	if err != nil {
		t.Fatal(err)
	}
	methodtest.ConformanceOnce(t, "external", fmt.Sprintf("command: [%q]\n", cmd))
}
