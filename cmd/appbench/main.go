package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// newRootCmd builds the appbench command with every subcommand, each
// from its constructor with flags of its own, so that every call returns a
// fresh command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "appbench",
		Short: "Benchmark mobile-app classification from encrypted network traffic",
		Long: `appbench reads network captures, cuts them into labeled chunks and compares
traffic-classification methods (FlowPrint, AppScanner, MAppGraph and baselines)
in reproducible experiments.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newCacheCmd(),
		newClassifyCmd(),
		newConvertCmd(),
		newFeaturesCmd(),
		newFlowprintCmd(),
		newInspectCmd(),
		newMethodsCmd(),
		newReportCmd(),
		newRunCmd(),
		newSynthCmd(),
		newVersionCmd(),
	)
	return root
}

func main() {
	tuneGC(os.Getenv)
	os.Exit(exitStatus(os.Stderr, newRootCmd().Execute()))
}

// usageError is a command-line argument error that its command has
// already printed with a usage line; the process exits with status 2, as
// argparse does.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitStatus prints err on stderr, unless its command printed it already,
// and returns the process's exit status: 0 without an error, 2 for an
// argument error, 1 otherwise.
func exitStatus(stderr io.Writer, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	}
	fmt.Fprintln(stderr, "appbench:", err)
	return 1
}
