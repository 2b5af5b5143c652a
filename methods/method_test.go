package methods

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type stub struct{}

func (stub) Name() string                        { return "stub" }
func (stub) Fit(context.Context, []Sample) error { return nil }
func (stub) Predict(context.Context, []Sample) ([]Prediction, error) {
	return nil, nil
}

type graphStub struct{ stub }

func (graphStub) Inputs() Input { return Graphs }

func TestRegistry(t *testing.T) {
	Register("test-stub", func(Config) (Method, error) { return stub{}, nil })
	f, err := Lookup("test-stub")
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := f(Config{}); m.Name() != "stub" {
		t.Errorf("factory built %v", m)
	}
	found := false
	for _, n := range Names() {
		found = found || n == "test-stub"
	}
	if !found {
		t.Errorf("Names() = %v lacks test-stub", Names())
	}
	if _, err := Lookup("nosuch"); err == nil || !strings.Contains(err.Error(), "forgotten import") {
		t.Errorf("Lookup(nosuch) = %v", err)
	}
	for _, bad := range []func(){
		func() { Register("test-stub", func(Config) (Method, error) { return stub{}, nil }) },
		func() { Register("test-nil", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("bad registration did not panic")
				}
			}()
			bad()
		}()
	}
}

func TestInputs(t *testing.T) {
	if InputsOf(stub{}) != Packets || InputsOf(graphStub{}) != Graphs {
		t.Errorf("InputsOf: %v %v", InputsOf(stub{}), InputsOf(graphStub{}))
	}
	if s := (Packets | Graphs).String(); s != "packets+graphs" {
		t.Errorf("String = %q", s)
	}
}

func TestLabels(t *testing.T) {
	got := Labels([]Sample{{Label: "b"}, {Label: "a"}, {Label: "b"}, {Label: "c"}})
	if !reflect.DeepEqual(got, []string{"b", "a", "c"}) {
		t.Errorf("Labels = %v", got)
	}
}

func TestNoParams(t *testing.T) {
	if err := NoParams(Config{}); err != nil {
		t.Errorf("no decoder: %v", err)
	}
	bad := errors.New("unknown key")
	if err := NoParams(Config{Decode: func(any) error { return bad }}); !errors.Is(err, bad) {
		t.Errorf("NoParams = %v, want the decoder's error", err)
	}
}
