package bench

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestFailingFitNamesMethodOnce checks that the error of a shipped method
// whose fit fails gives the cell, the phase and the method once each:
// "cell <id>: fit: appscanner: ...".
func TestFailingFitNamesMethodOnce(t *testing.T) {
	x := loadFixture(t, `dataset:
  kind: synth
  synth: {apps: 2, captures_per_app: 2, duration: 2m, seed: 1}
  window: 1m
methods:
  - name: appscanner
    params: {trees: 2, models: 1000}
`)
	_, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err == nil {
		t.Fatal("a fit with 1000 models of a few chunks succeeded")
	}
	msg := err.Error()
	shape := regexp.MustCompile(`^cell (appscanner-[0-9a-f]{12}): fit: appscanner: training slice \d+ of 1000 has no flow`)
	m := shape.FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("error %q does not match %s", msg, shape)
	}
	rest := strings.TrimPrefix(msg, "cell "+m[1])
	if n := strings.Count(rest, "appscanner"); n != 1 {
		t.Errorf("error %q names the method %d times after the cell", msg, n)
	}
	if n := strings.Count(msg, "fit:"); n != 1 {
		t.Errorf("error %q gives the phase %d times", msg, n)
	}
}
