package methodtest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"appbench/methods"
	"appbench/methods/methodtest"
)

// careless is a method that breaks every rule Conformance checks: it
// predicts a label it never saw, one prediction short, ignores its context,
// depends on its worker count and leaves a goroutine behind.
type careless struct{ workers int }

func (c *careless) Name() string { return "careless" }

func (c *careless) Fit(context.Context, []methods.Sample) error {
	go time.Sleep(time.Hour)
	return nil
}

func (c *careless) Predict(_ context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	out := make([]methods.Prediction, len(test)-1)
	for i := range out {
		out[i] = methods.Prediction{Label: "never-seen", Score: float64(c.workers)}
	}
	return out, nil
}

func init() {
	methods.Register("careless", func(cfg methods.Config) (methods.Method, error) {
		return &careless{workers: cfg.Workers}, nil
	})
}

// TestConformanceOfCareless is run by TestConformanceCatchesCareless in a
// child process, where its failure is expected.
func TestConformanceOfCareless(t *testing.T) {
	if os.Getenv("METHODTEST_CARELESS") != "1" {
		t.Skip("run by TestConformanceCatchesCareless")
	}
	methodtest.Conformance(t, "careless", "")
}

func TestConformanceCatchesCareless(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestConformanceOfCareless$", "-test.v")
	cmd.Env = append(os.Environ(), "METHODTEST_CARELESS=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Conformance passed a careless method:\n%s", out)
	}
	for _, want := range []string{
		"with 3 workers predicts differently",
		"predictions for 17 test samples",
		"Fit with a cancelled context: no error",
		"Predict with a cancelled context: no error",
		"does not implement methods.Saver",
		"goroutine(s) left running",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestConformanceOfMajority(t *testing.T) {
	methodtest.Conformance(t, "majority", "")
}
