package methods

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
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
	if err := NoParams(Config{}.Complete()); err != nil {
		t.Errorf("no decoder: %v", err)
	}
	bad := errors.New("unknown key")
	if err := NoParams(Config{Decode: func(any) error { return bad }}); !errors.Is(err, bad) {
		t.Errorf("NoParams = %v, want the decoder's error", err)
	}
}

func TestLookupCompletesConfig(t *testing.T) {
	var got Config
	Register("test-config", func(cfg Config) (Method, error) { got = cfg; return stub{}, nil })
	f, err := Lookup("test-config")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f(Config{Workers: -3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if got.Decode == nil || got.Log == nil || got.Workers != 1 || got.Seed != 7 {
		t.Fatalf("factory got %+v", got)
	}
	v := struct{ K int }{K: 3}
	if err := got.Decode(&v); err != nil || v.K != 3 {
		t.Errorf("default Decode: %v, %+v", err, v)
	}
	var b strings.Builder
	if _, err := f(Config{Workers: 4, Log: &b}); err != nil || got.Workers != 4 || got.Log != &b {
		t.Errorf("set fields changed: %+v, %v", got, err)
	}
}

func TestParamError(t *testing.T) {
	cases := []struct {
		err  *ParamError
		want string
	}{
		{NewParamError("appscanner", "trees", "must be at least 1", 0), "appscanner: trees: must be at least 1 (got 0)"},
		{NewParamError("flowprint", "mode", "must be enhanced or fingerprint", "x"), `flowprint: mode: must be enhanced or fingerprint (got "x")`},
		{NewParamError("external", "timeout", "must be positive", -time.Second), "external: timeout: must be positive (got -1s)"},
		{NewParamError("external", "command", "is required", nil), "external: command: is required (got nothing)"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
	saved := SavedParamsError(fmt.Errorf("wrapped: %w", cases[0].err))
	if want := "appscanner: load: saved trees: must be at least 1 (got 0)"; saved.Error() != want {
		t.Errorf("SavedParamsError = %q, want %q", saved, want)
	}
	var pe *ParamError
	if !errors.As(saved, &pe) || pe.Key != "trees" {
		t.Errorf("SavedParamsError does not unwrap to the ParamError: %v", pe)
	}
	other := errors.New("other")
	if SavedParamsError(other) != other {
		t.Error("SavedParamsError changed an error that is no ParamError")
	}
}
