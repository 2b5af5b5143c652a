// Package resultfmt is the format of a results folder, shared by the
// harness that writes it (appbench/bench) and the readers that report on
// it (appbench/reports, the appbench command), as x/perf's benchfmt is
// shared by the benchmarks and benchstat.
//
// A results folder holds, per finished cell:
//
//   - <cell id>.cell.json, its Result (WriteResult, ReadResult,
//     ReadResults): configuration hash, method, sweep point (Coord),
//     repetition, dataset (DatasetKey), task, Metrics, times and build
//     (Version);
//   - <cell id>.predictions.csv, what the method answered for each test
//     sample (SamplePrediction: WritePredictions, ReadPredictions), from
//     which Rescore recomputes the metrics and CaptureAccuracy the share of
//     captures whose majority vote is right.
//
// Metrics are computed by Score (scikit-learn's definitions),
// ScoreDetection (unseen-app detection) and ScoreCell, which applies the
// open-world rule (Scored): the samples of apps held out of training are
// truly UnknownLabel, and those a detecting method flags are predicted so.
//
// Files are written atomically (WriteFile) under temporary names that
// start with TempPrefix and name the writing process (TempName, TempPID),
// so readers never see half a file and the harness can remove what an
// interrupted run left.
//
// The package depends on no capture, feature or method package: reading a
// results folder compiles only this format.
package resultfmt
