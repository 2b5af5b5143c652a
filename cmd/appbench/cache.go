package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"appbench/featcache"
)

// cacheFlags are the feature-cache flags of run.
type cacheFlags struct {
	dir     string
	disable bool
}

func (f *cacheFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "cache", "", "feature cache folder (default: appbench in the user cache folder, $APPBENCH_CACHE when set)")
	cmd.Flags().BoolVar(&f.disable, "no-cache", false, "compute every feature in this run, reading and writing no feature cache")
}

// open opens the cache the flags name, or returns nil with --no-cache.
func (f *cacheFlags) open() (*featcache.Cache, error) {
	if f.disable {
		return nil, nil
	}
	dir, err := cacheDir(f.dir)
	if err != nil {
		return nil, err
	}
	return featcache.Open(dir)
}

// cacheDir is dir, else $APPBENCH_CACHE, else the default folder.
func cacheDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := os.Getenv("APPBENCH_CACHE"); d != "" {
		return d, nil
	}
	return featcache.DefaultDir()
}

// newCacheCmd builds the cache subcommand.
func newCacheCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "cache info|clean",
		Short: "Show or empty the feature cache",
		Long: `The feature cache keeps the features that run computes from corpus captures
(per capture, chunking and method feature parameters), so that later runs and
other experiments over the same captures skip reading and featurising them.
Entries are checked against a checksum when read; a damaged one is rebuilt.
Features computed by another build of appbench are not reused.

"cache info" prints the folder, the number of entries and their size;
"cache clean" removes every entry.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"info", "clean"},
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := cacheDir(dir)
			if err != nil {
				return err
			}
			if args[0] != "info" && args[0] != "clean" {
				return fmt.Errorf("cache: unknown action %q (info or clean)", args[0])
			}
			c, err := featcache.Open(d)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if args[0] == "clean" {
				s, err := c.Clean()
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "%s: removed %d entries (%s)\n", d, s.Entries, sizeText(s.Bytes))
				return nil
			}
			s, err := c.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s: %d entries (%s)\n", d, s.Entries, sizeText(s.Bytes))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "cache", "", "feature cache folder (default as for run)")
	return cmd
}

// sizeText prints a byte count in binary units.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
