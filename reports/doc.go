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
//
// PlotLearningCurve draws a metric against the training size of a
// dataset.train_fraction sweep, and PlotDetection unseen-app detection
// precision and recall against a score threshold (DetectionCurve).
//
// With Options.Baseline, Build compares every row with the baseline
// method's row at its sweep point over matched cells (same seed, fold and
// group): mean paired difference with its interval, Wilcoxon signed-rank
// (Wilcoxon), McNemar's exact test on the pooled predictions (McNemar),
// Holm-adjusted across rows (Holm), and benchstat's "~" for differences
// not significant at Options.Alpha.
package reports
