package methodtest_test

import (
	"context"
	"errors"
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

// TestConformanceInChild runs Conformance on the method named by
// $METHODTEST_CHILD, in the child process of conformanceFails, where its
// failure is expected.
func TestConformanceInChild(t *testing.T) {
	name := os.Getenv("METHODTEST_CHILD")
	if name == "" {
		t.Skip("run by conformanceFails")
	}
	methodtest.Conformance(t, name, "")
}

// conformanceFails runs Conformance on the registered method name in a
// child process and checks that it fails with each of the messages wants.
func conformanceFails(t *testing.T, name string, wants ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestConformanceInChild$", "-test.v")
	cmd.Env = append(os.Environ(), "METHODTEST_CHILD="+name)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Conformance passed %s:\n%s", name, out)
	}
	for _, want := range wants {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestConformanceCatchesCareless(t *testing.T) {
	conformanceFails(t, "careless",
		"with 3 workers predicts differently",
		"predictions for 17 test samples",
		"Fit with a cancelled context: no error",
		"Predict with a cancelled context: no error",
		"does not implement methods.Saver",
		"goroutine(s) left running")
}

func TestConformanceOfMajority(t *testing.T) {
	methodtest.Conformance(t, "majority", "")
}

// predictOnce answers with the most frequent training label and, as the
// external method, predicts once per Fit.
type predictOnce struct{ label string }

func (p *predictOnce) Name() string { return "predict-once" }

func (p *predictOnce) Fit(ctx context.Context, train []methods.Sample) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n := map[string]int{}
	for _, s := range train {
		n[s.Label]++
	}
	p.label = ""
	for _, l := range methods.Labels(train) {
		if p.label == "" || n[l] > n[p.label] {
			p.label = l
		}
	}
	return nil
}

func (p *predictOnce) Predict(ctx context.Context, test []methods.Sample) ([]methods.Prediction, error) {
	if p.label == "" {
		return nil, errors.New("predict-once: Predict before Fit")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]methods.Prediction, len(test))
	for i := range out {
		out[i] = methods.Prediction{Label: p.label, Score: 1}
	}
	p.label = ""
	return out, nil
}

func init() {
	methods.Register("predict-once", func(methods.Config) (methods.Method, error) { return &predictOnce{}, nil })
}

// TestConformanceOnceOfPredictOnce checks that ConformanceOnce passes a
// method that predicts once per Fit, which Conformance refuses.
func TestConformanceOnceOfPredictOnce(t *testing.T) {
	methodtest.ConformanceOnce(t, "predict-once", "")
}

func TestConformanceRefusesPredictOnce(t *testing.T) {
	conformanceFails(t, "predict-once", `Predict with a cancelled context: error "predict-once: Predict before Fit"`)
}
