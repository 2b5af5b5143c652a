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

// synthSources lists the captures of the synthetic corpus; their packets
// are generated when read.
func synthSources(ctx context.Context, file string, n *yaml.Node) ([]source, error) {
	cfg, err := synthConfig(file, n)
	if err != nil {
		return nil, err
	}
	caps, err := synth.Captures(cfg)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: dataset.synth: %w", file, err)
	}
	out := make([]source, len(caps))
	for i, c := range caps {
		out[i] = source{app: c.App, name: c.Path(), packets: c.Packets}
	}
	return out, ctx.Err()
}
