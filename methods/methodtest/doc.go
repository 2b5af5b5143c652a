// Package methodtest helps test method plugins, as net/http/httptest helps
// test handlers: it builds registered methods from YAML parameter text the
// way the harness does, and makes small labeled packet chunks whose right
// answer is known. CheckParamErrors checks that bad parameter values are
// refused with the documented message shape (methods.ParamError).
//
// Conformance checks what the harness expects of every method. Each
// registered method's package calls it from its conformance_test.go, and
// the tests of package methods/all fail when a method imported there has
// none. There is one documented exemption: the external method predicts
// once per Fit (its Predict removes the plugin's model folder), so its test
// calls ConformanceOnce, which runs the check of Predict with a cancelled
// context on a method fitted for it. It runs with a small plugin that keeps
// the rules (methods/external/testdata/majority.sh), so it tests the
// adapter, not the programs users plug in.
package methodtest
