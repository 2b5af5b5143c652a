package bench

import (
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"

	"appbench/datasets/synth"
)

// synthConfig decodes the synth settings of a dataset onto
// synth.DefaultConfig and validates them.
func synthConfig(file string, n *yaml.Node) (synth.Config, error) {
	cfg := synth.DefaultConfig()
	if err := decodeStrict(file, n, &cfg, "dataset.synth"); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		if isNull(n) {
			n = nil
		}
		return cfg, posErr(file, n, "dataset.synth", "%w", err)
	}
	return cfg, nil
}

func checkSynth(file string, n *yaml.Node) error {
	_, err := synthConfig(file, n)
	return err
}

// synthKind is the synthetic corpus, generated in memory.
type synthKind struct{}

func (synthKind) apps(c *Cell) ([]string, error) {
	cfg, err := synthConfig(c.file, &c.Config.Dataset.Synth)
	if err != nil {
		return nil, err
	}
	return synth.AppNames(cfg.Apps), nil
}

// sources lists the captures of the synthetic corpus; their packets are
// generated when read.
func (synthKind) sources(ctx context.Context, c *Cell) ([]source, []string, error) {
	cfg, err := synthConfig(c.file, &c.Config.Dataset.Synth)
	if err != nil {
		return nil, nil, err
	}
	caps, err := synth.Captures(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %s: dataset.synth: %w", c.file, err)
	}
	out := make([]source, len(caps))
	for i, sc := range caps {
		out[i] = source{app: sc.App, name: sc.Path(), packets: sc.Packets}
	}
	return out, nil, ctx.Err()
}
