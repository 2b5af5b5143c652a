package methodtest

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
	"time"

	"appbench/methods"
)

// cancelLimit is how soon after its context is cancelled Fit or Predict
// must return.
const cancelLimit = 2 * time.Second

// Conformance checks that the registered method name, built from the YAML
// parameter text params (as Build), behaves as the harness expects of every
// method, in the manner of testing/fstest.TestFS. On the samples of
// GraphChunks it checks that:
//
//   - the method is deterministic for a seed, and the same with 1 and 3
//     workers;
//   - Predict returns one prediction per test sample, whose label is a
//     training label, or empty when the prediction is Unknown;
//   - Fit and Predict return their context's error soon after it is
//     cancelled (before the call or during it);
//   - a model written by Save and read by Load into a new method predicts
//     the same (through PredictFeatures too, for a Featurizer), when the
//     method implements methods.Saver and methods.Loader;
//   - no goroutine is left running at the end.
//
// Plugin authors call it from their package's tests with small parameters,
// so that it stays fast:
//
//	func TestConformance(t *testing.T) {
//		methodtest.Conformance(t, "mymethod", "trees: 5\n")
//	}
func Conformance(t *testing.T, name, params string) {
	t.Helper()
	conformance(t, name, params, false)
}

// ConformanceOnce is Conformance for a method that predicts once per Fit,
// as the external method does (its Predict removes the plugin's model
// folder): the check of Predict with a cancelled context runs on a method
// fitted for it instead of on one that has predicted already. Every other
// check is the same. It is the one exemption from Conformance, and only the
// methods that package methods/all's tests list may use it.
func ConformanceOnce(t *testing.T, name, params string) {
	t.Helper()
	conformance(t, name, params, true)
}

func conformance(t *testing.T, name, params string, once bool) {
	t.Helper()
	before := runtime.NumGoroutine()
	train, test := GraphChunks(rand.New(rand.NewPCG(14, 1)))
	var want []methods.Prediction
	t.Run("Deterministic", func(t *testing.T) {
		want = checkDeterministic(t, name, params, train, test)
	})
	t.Run("Predictions", func(t *testing.T) {
		checkPredictions(t, want, train, test)
	})
	t.Run("Cancel", func(t *testing.T) {
		checkCancel(t, name, params, train, test, once)
	})
	t.Run("SaveLoad", func(t *testing.T) {
		checkSaveLoad(t, name, params, train, test)
	})
	checkGoroutines(t, before)
}

// fitPredict builds name, fits it on train and predicts test, failing t on
// an error.
func fitPredict(t *testing.T, name, params string, workers int, train, test []methods.Sample) (methods.Method, []methods.Prediction) {
	t.Helper()
	m := New(t, name, params, 7, workers)
	ctx := context.Background()
	if err := m.Fit(ctx, train); err != nil {
		t.Fatalf("%s: Fit (%d workers): %v", name, workers, err)
	}
	got, err := m.Predict(ctx, test)
	if err != nil {
		t.Fatalf("%s: Predict (%d workers): %v", name, workers, err)
	}
	return m, got
}

func checkDeterministic(t *testing.T, name, params string, train, test []methods.Sample) []methods.Prediction {
	_, want := fitPredict(t, name, params, 1, train, test)
	for _, workers := range []int{1, 3} {
		if _, got := fitPredict(t, name, params, workers, train, test); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: seed 7 with %d workers predicts differently from a first run with 1 worker:\n got %v\nwant %v", name, workers, got, want)
		}
	}
	return want
}

func checkPredictions(t *testing.T, got []methods.Prediction, train, test []methods.Sample) {
	if got == nil && len(test) > 0 {
		t.Skip("no predictions (Deterministic failed)")
	}
	if len(got) != len(test) {
		t.Fatalf("%d predictions for %d test samples", len(got), len(test))
	}
	known := make(map[string]bool)
	for _, l := range methods.Labels(train) {
		known[l] = true
	}
	for i, p := range got {
		switch {
		case p.Label == "" && !p.Unknown:
			t.Errorf("prediction %d (%s): empty label without Unknown", i, test[i].Capture)
		case p.Label != "" && !known[p.Label]:
			t.Errorf("prediction %d (%s): label %q is no training label", i, test[i].Capture, p.Label)
		}
	}
}

// checkCancel checks that Fit and Predict return soon with their
// context's error when it is cancelled; with once, the method that
// predicts with a cancelled context has only been fitted.
func checkCancel(t *testing.T, name, params string, train, test []methods.Sample, once bool) {
	pre, cancel := context.WithCancel(context.Background())
	cancel()
	checkCancelled(t, "Fit with a cancelled context", func() error {
		return New(t, name, params, 7, 3).Fit(pre, train)
	}, true)
	var fitted methods.Method
	if once {
		fitted = New(t, name, params, 7, 3)
		if err := fitted.Fit(context.Background(), train); err != nil {
			t.Fatalf("%s: Fit (3 workers): %v", name, err)
		}
	} else {
		fitted, _ = fitPredict(t, name, params, 3, train, test)
	}
	checkCancelled(t, "Predict with a cancelled context", func() error {
		_, err := fitted.Predict(pre, test)
		return err
	}, true)
	during, cancel := context.WithCancel(context.Background())
	time.AfterFunc(time.Millisecond, cancel)
	checkCancelled(t, "Fit cancelled during the call", func() error {
		return New(t, name, params, 7, 3).Fit(during, train)
	}, false)
}

// checkCancelled calls fn and checks that it returns within cancelLimit
// with an error that is context.Canceled (or nil, when it may have finished
// before the cancellation and mustFail is false).
func checkCancelled(t *testing.T, what string, fn func() error, mustFail bool) {
	t.Helper()
	start := time.Now()
	err := fn()
	if d := time.Since(start); d > cancelLimit {
		t.Errorf("%s: returned after %v, more than %v", what, d.Round(time.Millisecond), cancelLimit)
	}
	switch {
	case err == nil && mustFail:
		t.Errorf("%s: no error", what)
	case err != nil && !errors.Is(err, context.Canceled):
		t.Errorf("%s: error %q is not the context's (context.Canceled)", what, err)
	}
}

func checkSaveLoad(t *testing.T, name, params string, train, test []methods.Sample) {
	m, want := fitPredict(t, name, params, 2, train, test)
	s, ok := m.(methods.Saver)
	if !ok {
		t.Skipf("%s does not implement methods.Saver", name)
	}
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatalf("%s: Save: %v", name, err)
	}
	got := loadPredict(t, name, params, buf.Bytes(), func(l methods.Method) ([]methods.Prediction, error) {
		return l.Predict(context.Background(), test)
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: loaded model predicts differently:\n got %v\nwant %v", name, got, want)
	}
	f, ok := m.(methods.Featurizer)
	if !ok {
		return
	}
	enc, err := methods.EncodeAll(context.Background(), f, test, 2)
	if err != nil {
		t.Fatalf("%s: Features: %v", name, err)
	}
	got = loadPredict(t, name, params, buf.Bytes(), func(l methods.Method) ([]methods.Prediction, error) {
		return l.(methods.Featurizer).PredictFeatures(context.Background(), enc)
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: loaded model predicts differently through PredictFeatures:\n got %v\nwant %v", name, got, want)
	}
}

// loadPredict builds a new method, loads model into it and predicts with
// predict.
func loadPredict(t *testing.T, name, params string, model []byte, predict func(methods.Method) ([]methods.Prediction, error)) []methods.Prediction {
	t.Helper()
	m := New(t, name, params, 7, 2)
	l, ok := m.(methods.Loader)
	if !ok {
		t.Fatalf("%s implements methods.Saver but not methods.Loader", name)
	}
	if err := l.Load(bytes.NewReader(model)); err != nil {
		t.Fatalf("%s: Load of a saved model: %v", name, err)
	}
	got, err := predict(m)
	if err != nil {
		t.Fatalf("%s: Predict after Load: %v", name, err)
	}
	return got
}

// checkGoroutines waits up to a second for the goroutine count to fall back
// to before.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutine(s) left running (%d before the checks, %d after)", n-before, before, n)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
