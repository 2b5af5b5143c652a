package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"appbench/methods"
)

// newMethodsCmd builds the methods subcommand.
func newMethodsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "methods",
		Short: "List the registered methods and their abilities",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return listMethods(cmd.OutOrStdout())
		},
	}
}

func listMethods(w io.Writer) error {
	for _, name := range methods.Names() {
		f, err := methods.Lookup(name)
		if err != nil {
			return err
		}
		m, err := f(methods.Config{Workers: 1, Seed: 1, Log: io.Discard})
		if err != nil {
			fmt.Fprintf(w, "%-16s (cannot build with default parameters: %v)\n", name, err)
			continue
		}
		var abil []string
		if d, ok := m.(methods.Detector); ok && d.DetectsUnknown() {
			abil = append(abil, "open-world detection")
		}
		if _, ok := m.(methods.Saver); ok {
			abil = append(abil, "save")
		}
		if _, ok := m.(methods.Loader); ok {
			abil = append(abil, "load")
		}
		fmt.Fprintf(w, "%-16s input: %-15s %v\n", name, methods.InputsOf(m), abil)
	}
	return nil
}
