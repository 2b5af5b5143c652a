package methodtest

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"appbench/methods"
)

// CheckFeaturizer checks the two-stage contract of the registered method
// name with parameters src: it implements methods.Featurizer, Features is
// deterministic, and fitting and predicting from features (encoded, then
// copied, so that nothing can alias the samples) gives exactly the
// predictions of Fit and Predict on the samples, for the same seed.
func CheckFeaturizer(t *testing.T, name, src string, seed uint64, train, test []methods.Sample) {
	t.Helper()
	ctx := context.Background()
	direct := New(t, name, src, seed, 2)
	if err := direct.Fit(ctx, train); err != nil {
		t.Fatalf("%s: Fit: %v", name, err)
	}
	want, err := direct.Predict(ctx, test)
	if err != nil {
		t.Fatalf("%s: Predict: %v", name, err)
	}
	staged, ok := New(t, name, src, seed, 2).(methods.Featurizer)
	if !ok {
		t.Fatalf("%s does not implement methods.Featurizer", name)
	}
	if k := staged.FeatureKey(); k == "" {
		t.Fatalf("%s: empty FeatureKey", name)
	}
	encTrain := encodeCopy(t, staged, train)
	encTest := encodeCopy(t, staged, test)
	if err := staged.FitFeatures(ctx, encTrain); err != nil {
		t.Fatalf("%s: FitFeatures: %v", name, err)
	}
	got, err := staged.PredictFeatures(ctx, encTest)
	if err != nil {
		t.Fatalf("%s: PredictFeatures: %v", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: predictions from features differ from Predict:\n got %v\nwant %v", name, got, want)
	}
}

// encodeCopy encodes samples twice, checks that both encodings are equal,
// and returns copies of the features.
func encodeCopy(t *testing.T, f methods.Featurizer, samples []methods.Sample) []methods.Encoded {
	t.Helper()
	a, err := methods.EncodeAll(context.Background(), f, samples, 2)
	if err != nil {
		t.Fatalf("%s: Features: %v", f.Name(), err)
	}
	b, err := methods.EncodeAll(context.Background(), f, samples, 1)
	if err != nil {
		t.Fatalf("%s: Features: %v", f.Name(), err)
	}
	for i := range a {
		if !bytes.Equal(a[i].Features, b[i].Features) {
			t.Fatalf("%s: sample %d: Features is not deterministic", f.Name(), i)
		}
		a[i].Features = bytes.Clone(a[i].Features)
	}
	return a
}

// CheckFeatureKey checks the FeatureKey of the registered method name: it
// differs from the key of the defaults for each parameter text of feature
// (parameters that Features depends on) and equals it for each of model
// (parameters of fitting and prediction only).
func CheckFeatureKey(t *testing.T, name string, feature, model []string) {
	t.Helper()
	key := func(src string) string {
		t.Helper()
		f, ok := New(t, name, src, 1, 1).(methods.Featurizer)
		if !ok {
			t.Fatalf("%s does not implement methods.Featurizer", name)
		}
		return f.FeatureKey()
	}
	def := key("")
	if !strings.Contains(def, "/v") {
		t.Errorf("%s: key %q has no version", name, def)
	}
	for _, src := range feature {
		if k := key(src); k == def {
			t.Errorf("%s: feature parameters %q keep the key %q", name, src, def)
		}
	}
	for _, src := range model {
		if k := key(src); k != def {
			t.Errorf("%s: model parameters %q change the key %q to %q", name, src, def, k)
		}
	}
}

// Mutations calls fn with copies of b in which one of its first 1024 bytes
// is replaced by each of a few values, so that feature decoders meet
// damaged input in every field.
func Mutations(b []byte, fn func([]byte)) {
	for i := range min(len(b), 1024) {
		for _, v := range []byte{0, 1, 0x7f, 0x80, 0xff, b[i] ^ 0x55} {
			c := bytes.Clone(b)
			c[i] = v
			fn(c)
		}
	}
}
