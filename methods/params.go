package methods

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ParamError is a parameter value that its method rejects. Every shipped
// method's Params.Validate returns one for the first bad value, so that
// messages have one shape, "<method>: <key>: <problem> (got <value>)",
// such as
//
//	appscanner: trees: must be at least 1 (got 0)
//
// and the harness places the error at the key's line of the experiment
// file.
type ParamError struct {
	// Method is the method's registered name.
	Method string
	// Key is the parameter's name in the experiment file (its YAML key).
	Key string
	// Problem says what the value must be, such as "must be at least 1".
	Problem string
	// Got is the value given.
	Got any
}

// NewParamError returns the ParamError of method for the value got of key.
func NewParamError(method, key, problem string, got any) *ParamError {
	return &ParamError{Method: method, Key: key, Problem: problem, Got: got}
}

// Error returns "<method>: <key>: <problem> (got <value>)"; a string value
// is quoted.
func (e *ParamError) Error() string {
	return fmt.Sprintf("%s: %s: %s (got %s)", e.Method, e.Key, e.Problem, gotText(e.Got))
}

// gotText formats a rejected value: strings quoted, durations as
// time.Duration prints them, the rest with %v.
func gotText(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case time.Duration:
		return x.String()
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%v", v)
}

// SavedParamsError is the error of a Loader whose saved parameters fail
// the method's Validate with err: for a *ParamError it reads
// "<method>: load: saved <key>: <problem> (got <value>)" and unwraps to
// it; other errors come back as they are.
func SavedParamsError(err error) error {
	var pe *ParamError
	if !errors.As(err, &pe) {
		return err
	}
	return &savedParamError{pe}
}

type savedParamError struct{ p *ParamError }

func (e *savedParamError) Error() string {
	return fmt.Sprintf("%s: load: saved %s: %s (got %s)", e.p.Method, e.p.Key, e.p.Problem, gotText(e.p.Got))
}

func (e *savedParamError) Unwrap() error { return e.p }
