package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// externalConfig runs the external method's correct test plugin, named by
// a path relative to the experiment file, on each of its inputs.
const externalConfig = `name: external
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 2, duration: 4m, seed: 1, ipv6_fraction: 0}
  window: 1m
methods:
  - name: external
    as: ext-packets
    params: {command: [plugins/ok.sh], env: {INPUT: packets}}
  - name: external
    as: ext-appscanner
    params: {command: [plugins/ok.sh], input: appscanner, env: {INPUT: appscanner}}
  - name: external
    as: ext-graph
    params: {command: [plugins/ok.sh], input: graph, env: {INPUT: graph}}
workers: 2
`

// TestExternalRelativeToExperiment checks that the harness runs an
// external plugin named relative to the experiment file, in that folder,
// on each input, and that samples.csv carries the chunks' numbers (the
// plugin answers each test chunk with its capture's label).
func TestExternalRelativeToExperiment(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../methods/external/testdata/ok.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plugins", "ok.sh"), src, 0o755); err != nil {
		t.Fatal(err)
	}
	x, err := LoadFile(writeConfig(t, dir, "x.yaml", externalConfig))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), x, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Results) != 3 {
		t.Fatalf("%d results", len(sum.Results))
	}
	for _, r := range sum.Results {
		if r.Metrics.Accuracy != 1 {
			t.Errorf("%s: accuracy %v", r.Method, r.Metrics.Accuracy)
		}
	}
}

// TestExternalMissingPlugin checks that a plugin path that does not exist
// relative to the experiment file is an error at its params.
func TestExternalMissingPlugin(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadFile(writeConfig(t, dir, "x.yaml", strings.Replace(externalConfig, "plugins/ok.sh", "plugins/nosuch.sh", 1)))
	if err == nil || !strings.Contains(err.Error(), "x.yaml:9:") || !strings.Contains(err.Error(), filepath.Join(dir, "plugins/nosuch.sh")) {
		t.Fatalf("error %v", err)
	}
}
