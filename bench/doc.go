// Package bench is the experiment harness: it reads an experiment file
// (YAML), expands its sweep grid into cells, runs them with a bounded
// worker pool and stores one result file per cell.
//
// An experiment names a dataset (a synthetic corpus generated in memory, a
// labeled corpus of captures or packet CSVs on disk, or a processed
// MAppGraph graph set), how it is cut into chunks and split, the task
// (closed-world classification, or open world with apps held out of
// training), the methods with their parameters, sweep axes over any
// dataset, task or method parameter, and repetitions with seeds. Load
// validates everything before any work: unknown methods, unknown keys,
// sweeps over methods the experiment does not list, wrong types, bad ranges
// (an explicit 0 where 0 would mean the default included) and missing
// datasets are errors naming the file, the line and column of the offending
// value, and the key (*PosError); a dataset of a single app is a warning
// (Experiment.Warnings).
//
// Splits (Dataset.Split) act on chunk descriptors: random, by capture,
// stratified k-fold grouped by capture, leave-one-group-out (groups from a
// regular expression on the capture path or a manifest column), and
// time-ordered; dataset.train_fraction subsamples the training side for
// learning curves.
//
// A cell is one method with its parameters at one sweep point with one
// seed, and for k-fold and group splits one fold or held-out group (Cell.Fold,
// Cell.Group). Its result (metrics, times, peak heap, configuration hash, build,
// seed) is written atomically to <dir>/<cell id>.cell.json, after its test
// samples' predictions in <dir>/<cell id>.predictions.csv (resultfmt.Rescore
// recomputes the metrics from them); Run skips cells
// whose result exists with the same configuration hash, so an interrupted
// run resumes with nothing lost, and Shard splits the cells between
// machines whose results merge by simply sharing (or copying into) one
// folder. Runs sharing a folder split the cells through a lock file per
// cell (LockPath). Run keeps a copy of the experiment file in the folder; Select
// reads it back (LoadOptions.NoData: without touching the data) to tell the
// results of the current version of the experiment from stale ones and to
// list the cells expected.
package bench
