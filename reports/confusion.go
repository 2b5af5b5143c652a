package reports

import (
	"slices"
	"sort"

	"appbench/resultfmt"
)

// SumConfusion adds up the confusion matrices of the results of byID named
// by ids (a table row's IDs) over the union of their labels, sorted.
func SumConfusion(ids []string, byID map[string]*resultfmt.Result) resultfmt.Confusion {
	var labels []string
	for _, id := range ids {
		for _, l := range byID[id].Metrics.Confusion.Labels {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
	}
	sort.Strings(labels)
	idx := make(map[string]int)
	for i, l := range labels {
		idx[l] = i
	}
	m := make([][]int, len(labels))
	for i := range m {
		m[i] = make([]int, len(labels))
	}
	for _, id := range ids {
		c := byID[id].Metrics.Confusion
		for i, row := range c.Matrix {
			for j, v := range row {
				m[idx[c.Labels[i]]][idx[c.Labels[j]]] += v
			}
		}
	}
	return resultfmt.Confusion{Labels: labels, Matrix: m}
}
