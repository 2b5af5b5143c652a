package flowprint

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteMatchReport prints recognition or detection results as the
// reference's command line does: test fingerprints grouped by their label
// set (groups in sorted order, fingerprints in file order within a group),
// each group introduced by a blank line and " <first label>", then one line
// "    Fingerprint [size=   N] --> <prediction>" per fingerprint.
func WriteMatchReport(w io.Writer, tests []Entry, predictions []string) error {
	if len(tests) != len(predictions) {
		return fmt.Errorf("flowprint: %d predictions for %d test fingerprints", len(predictions), len(tests))
	}
	order := make([]int, len(tests))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return slices.Compare(tests[a].Labels, tests[b].Labels)
	})
	bw := bufio.NewWriter(w)
	current, started := "", false
	for _, i := range order {
		label := tests[i].Label()
		if !started || label != current {
			fmt.Fprintf(bw, "\n %s\n", label)
			current, started = label, true
		}
		fmt.Fprintf(bw, "    %s --> %s\n", tests[i].Fingerprint, predictions[i])
	}
	return bw.Flush()
}

// WriteFingerprints prints a model's fingerprints grouped by label (labels
// sorted), one line per fingerprint sorted by (size, n_flows), as the
// reference's terminal output; each line is Fingerprint.Summary, a stable
// replacement for the object address the reference prints. kind is "",
// "train" or "test".
func WriteFingerprints(w io.Writer, m *Model, kind string) error {
	bw := bufio.NewWriter(w)
	if kind != "" {
		kind += " "
	}
	fmt.Fprintf(bw, "Output %sfingerprints:\n", kind)
	byLabel := make(map[string][]Fingerprint)
	for _, e := range m.Entries() {
		byLabel[e.Label()] = append(byLabel[e.Label()], e.Fingerprint)
	}
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	for _, l := range labels {
		fmt.Fprintf(bw, "%s:\n", l)
		fps := byLabel[l]
		slices.SortStableFunc(fps, func(a, b Fingerprint) int {
			if a.Len() != b.Len() {
				return a.Len() - b.Len()
			}
			return a.NFlows - b.NFlows
		})
		for _, f := range fps {
			fmt.Fprintf(bw, "    %s\n", strings.TrimSpace(f.Summary()))
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}
