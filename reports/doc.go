// Package reports turns experiment results into paper-style tables and
// plots.
//
// It follows benchstat: Build computes a table model once (one row per
// method and sweep point, one column per metric, mean and 95% confidence
// interval over the repetitions, with Student's t quantiles), and thin
// renderers print it as a terminal table, Markdown, LaTeX, CSV or JSON.
// PlotSweep draws a metric against a swept parameter with error bars
// (clipped to [0, 1] for bounded metrics) and the legend where no data is,
// and PlotConfusion a confusion-matrix heat map summed over repetitions
// with its colour scale, as PNG or SVG (by the file extension).
//
// WriteHTML renders a Page (the table, its results and the experiment
// files) as one self-contained HTML file with html/template: sortable
// tables, per-app tables, confusion heat maps with counts, the sweep plots
// as inline SVG (SweepSVG), notes, build and command. A row's Marks, set by
// a paired comparison, are shown beside its cells.
package reports
