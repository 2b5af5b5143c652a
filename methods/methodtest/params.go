package methodtest

import (
	"errors"
	"regexp"
	"testing"

	"appbench/methods"
)

// BadParam is a parameter setting that its method must reject: Params is
// YAML text (with whatever other parameters the method needs to get as
// far as Key) and Key is the parameter it gets wrong.
type BadParam struct {
	Key, Params string
}

// CheckParamErrors builds the registered method name with the parameters
// of each case and checks that the factory fails with a
// *methods.ParamError of name and the case's key, whose message has the
// shape every method's Params.Validate documents,
// "<method>: <key>: <problem> (got <value>)", and nothing around it.
func CheckParamErrors(t testing.TB, name string, cases []BadParam) {
	t.Helper()
	for _, c := range cases {
		shape := regexp.MustCompile(`^` + regexp.QuoteMeta(name+": "+c.Key+": ") + `.+ \(got .+\)$`)
		_, err := Build(name, c.Params, 1, 1)
		if err == nil {
			t.Errorf("%s: parameters %q accepted", name, c.Params)
			continue
		}
		if !shape.MatchString(err.Error()) {
			t.Errorf("%s: parameters %q: error %q does not match %s", name, c.Params, err, shape)
		}
		var pe *methods.ParamError
		if !errors.As(err, &pe) || pe.Method != name || pe.Key != c.Key {
			t.Errorf("%s: parameters %q: error %q is not a ParamError of key %q", name, c.Params, err, c.Key)
		}
	}
}
