package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"appbench/reports"
)

// checkTableFlags checks the flags that shape a comparison table and its
// plots, so that a typo fails before any work: the format, the metric keys,
// the confidence level (in (0, 1)) and the plots folder (absent, or a
// folder).
func checkTableFlags(format, metrics, plots string, confidence float64) error {
	if !slices.Contains(formatNames(), format) {
		return fmt.Errorf("--format %q: unknown format (one of %s)", format, strings.Join(formatNames(), ", "))
	}
	if _, err := metricList(metrics); err != nil {
		return err
	}
	if !(confidence > 0 && confidence < 1) {
		return fmt.Errorf("--confidence %g: want a level in (0, 1), e.g. 0.95", confidence)
	}
	if plots != "" {
		if st, err := os.Stat(plots); err == nil && !st.IsDir() {
			return fmt.Errorf("--plots %s: not a folder", plots)
		}
	}
	return nil
}

// htmlFormat is the --format of the HTML results page.
const htmlFormat = "html"

// formatNames lists the values of --format: the table formats and html.
func formatNames() []string { return append(slices.Clone(reports.Formats), htmlFormat) }

// metricList splits the --metrics flag into metric keys, each known (nil
// for an empty flag: the default columns).
func metricList(metrics string) ([]string, error) {
	if metrics == "" {
		return nil, nil
	}
	var keys []string
	for _, k := range strings.Split(metrics, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, fmt.Errorf("--metrics %q: empty metric name (known: %s)", metrics, metricKeys())
		}
		if _, err := reports.MetricByKey(k); err != nil {
			return nil, fmt.Errorf("--metrics %q: unknown metric %q (known: %s)", metrics, k, metricKeys())
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// checkWorkers checks the --workers flag: left out (0, the experiment's
// workers) or at least 1.
func checkWorkers(workers int, given bool) error {
	if workers < 0 || (given && workers == 0) {
		return fmt.Errorf("--workers %d: want at least 1 (leave it out for the experiment's workers)", workers)
	}
	return nil
}
