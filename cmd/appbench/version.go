package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// newVersionCmd builds the version subcommand.
func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version and VCS revision of this build",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return nil
		},
	}
}

// versionString describes the build: module version, VCS revision and
// whether the working tree was modified.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "appbench (unknown build)"
	}
	s := "appbench " + info.Main.Version
	var rev, modified, when string
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				modified = "+dirty"
			}
		case "vcs.time":
			when = kv.Value
		}
	}
	if rev != "" {
		s += fmt.Sprintf(" (%s%s %s)", rev, modified, when)
	}
	return s + " " + info.GoVersion
}
