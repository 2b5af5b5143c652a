// Command appbench classifies mobile apps from their network traffic and
// benchmarks classification methods against each other.
//
// Each subcommand lives in its own file and adds itself to the root command
// from an init function.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:   "appbench",
	Short: "Benchmark mobile-app classification from encrypted network traffic",
	Long: `appbench reads network captures, cuts them into labeled chunks and compares
traffic-classification methods (FlowPrint, AppScanner, MAppGraph and baselines)
in reproducible experiments.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "appbench:", err)
		os.Exit(1)
	}
}
