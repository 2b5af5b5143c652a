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
