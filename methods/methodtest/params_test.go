package methodtest_test

import (
	"context"
	"fmt"
	"testing"

	"appbench/methods"
	"appbench/methods/methodtest"
)

// paramStub rejects a negative n with a well-formed error and a negative
// m with a loose one.
type paramStub struct{}

func (paramStub) Name() string                                { return "methodtest-params" }
func (paramStub) Fit(context.Context, []methods.Sample) error { return nil }
func (paramStub) Predict(context.Context, []methods.Sample) ([]methods.Prediction, error) {
	return nil, nil
}

func init() {
	methods.Register("methodtest-params", func(cfg methods.Config) (methods.Method, error) {
		var p struct {
			N int `yaml:"n"`
			M int `yaml:"m"`
		}
		if err := cfg.Decode(&p); err != nil {
			return nil, err
		}
		if p.N < 0 {
			return nil, methods.NewParamError("methodtest-params", "n", "must not be negative", p.N)
		}
		if p.M < 0 {
			return nil, fmt.Errorf("methodtest-params: m = %d is negative", p.M)
		}
		return paramStub{}, nil
	})
}

// recorder is a testing.TB that records its errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckParamErrors(t *testing.T) {
	methodtest.CheckParamErrors(t, "methodtest-params", []methodtest.BadParam{{Key: "n", Params: "n: -1\n"}})
	for _, c := range []methodtest.BadParam{
		{Key: "n", Params: "n: 1\n"},  // accepted
		{Key: "m", Params: "m: -1\n"}, // wrong shape
		{Key: "m", Params: "n: -1\n"}, // wrong key
	} {
		r := &recorder{TB: t}
		methodtest.CheckParamErrors(r, "methodtest-params", []methodtest.BadParam{c})
		if len(r.errs) == 0 {
			t.Errorf("case %+v passed", c)
		}
		t.Log(r.errs)
	}
}
