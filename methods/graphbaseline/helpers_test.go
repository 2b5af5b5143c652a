package graphbaseline

import (
	"bytes"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"appbench/methods"
)

// newFromYAML builds the registered method name with parameters src (YAML,
// decoded strictly), seed and workers.
func newFromYAML(t *testing.T, name, src string, seed uint64, workers int) methods.Method {
	t.Helper()
	m, err := build(name, src, seed, workers)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func build(name, src string, seed uint64, workers int) (methods.Method, error) {
	f, err := methods.Lookup(name)
	if err != nil {
		return nil, err
	}
	return f(methods.Config{
		Decode: func(v any) error {
			if src == "" {
				return nil
			}
			dec := yaml.NewDecoder(strings.NewReader(src))
			dec.KnownFields(true)
			return dec.Decode(v)
		},
		Seed: seed, Workers: workers, Log: &bytes.Buffer{},
	})
}
