// Package external implements the method "external": a method in any
// language, run as a program that follows appbench's external-method
// protocol (the README's section "External methods" is the contract).
//
// For each cell the harness writes the training samples to a fresh
// temporary folder (samples.csv and the chosen input: per-sample packet
// CSV files, AppScanner flow rows, or MAppGraph graphs), runs
//
//	<command> fit <train-folder> <model-folder>
//
// then writes the test samples to another folder and runs
//
//	<command> predict <model-folder> <test-folder> <predictions.csv>
//
// and reads predictions.csv strictly: one row per test id.
//
// Parameters (key: default):
//
//	command: (required) the program and its fixed arguments; a relative
//	         program path is relative to the experiment file's folder,
//	         which is also the working directory of the calls
//	input: packets       packets, appscanner or graph
//	timeout: 1h          limit of each call
//	env: {}              extra environment variables
//	detects_unknown: false  whether the plugin's unknown column counts
//	keep_files: false    keep the temporary folders (their path is noted)
//
// With input appscanner or graph the method has a feature stage
// (methods.Featurizer) that shares its features with the Go appscanner
// method (default burst gap and extraction) or the graph methods (default
// max_nodes 20 and slice 10 s): the harness keeps only flows or graphs in
// memory. With input packets it has none, so the packets of the whole
// dataset stay in memory while its cells run.
//
// A fitted method predicts once: Predict removes the cell's temporary
// folder, the plugin's model with it, and a second Predict is an error.
// This is the method's exemption from methodtest.Conformance: its
// conformance test calls methodtest.ConformanceOnce, with a small plugin
// that keeps the harness's rules (testdata/majority.sh), and so checks the
// adapter (processes, cancellation, reading the predictions), not the
// programs users plug in.
package external
