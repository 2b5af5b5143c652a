package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"appbench/datasets/synth"
)

// newSynthCmd builds the synth subcommand (a fresh one per call, so tests
// get fresh flags).
func newSynthCmd() *cobra.Command {
	var (
		out        string
		configPath string
		apps       int
		captures   int
		duration   time.Duration
		seed       uint64
		workers    int
	)
	cmd := &cobra.Command{
		Use:   "synth -o DIR",
		Short: "Generate the deterministic synthetic capture corpus",
		Long: `synth writes a labeled corpus of synthetic mobile-app captures:
DIR/<app>/<app>_<k>.pcap (classic pcap, Ethernet) and DIR/manifest.csv (path,label).

The traffic is deterministic: the same configuration and seed give byte-identical
files. Flags override the configuration file, which overrides the defaults.`,
		Example: `  appbench synth -o corpus
  appbench synth -o big --apps 20 --captures 10 --duration 30m --seed 7
  appbench synth -o corpus --config synth.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("synth: the output folder is required (-o DIR)")
			}
			cfg := synth.DefaultConfig()
			if configPath != "" {
				var err error
				if cfg, err = synth.LoadConfig(configPath); err != nil {
					return err
				}
			}
			f := cmd.Flags()
			if f.Changed("apps") {
				cfg.Apps = apps
			}
			if f.Changed("captures") {
				cfg.CapturesPerApp = captures
			}
			if f.Changed("duration") {
				cfg.Duration = duration
			}
			if f.Changed("seed") {
				cfg.Seed = seed
			}
			if f.Changed("workers") {
				cfg.Workers = workers
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			began := time.Now()
			m, err := synth.Generate(ctx, cfg, out)
			if err != nil {
				return err
			}
			took := time.Since(began)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s: %d apps, %d captures, %d packets (%d frames), %.1f MB in %.2fs (%.0f packets/s)\n",
				out, cfg.Apps, len(m.Files), m.Packets, m.Frames, float64(m.Bytes)/1e6, took.Seconds(),
				float64(m.Packets)/took.Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "", "output folder (created if missing)")
	f.StringVar(&configPath, "config", "", "YAML configuration file (keys as in synth.Config)")
	def := synth.DefaultConfig()
	f.IntVar(&apps, "apps", def.Apps, "number of apps")
	f.IntVar(&captures, "captures", def.CapturesPerApp, "captures per app")
	f.DurationVar(&duration, "duration", def.Duration, "length of each capture")
	f.Uint64Var(&seed, "seed", def.Seed, "seed of every random choice")
	f.IntVar(&workers, "workers", 0, "captures generated in parallel (0: all CPUs)")
	return cmd
}
