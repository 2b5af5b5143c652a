// Package methods is the plugin contract between the experiment harness and
// traffic-classification methods.
//
// A method is a package that implements Method and registers a Factory
// under its name from an init function, in the style of database/sql
// drivers:
//
//	func init() { methods.Register("mymethod", New) }
//
// A Factory gets a Config: the seed, a goroutine budget, a log writer and a
// Decode function that fills the method's own parameter struct from the
// experiment file, strictly (unknown keys and wrong types are errors naming
// the file and line). The factory Lookup returns completes the Config's
// zero fields (Config.Complete), so that a method never checks them. Fit
// learns from labeled samples; Predict answers a
// label, a score and an "unknown" flag for each test sample.
//
// Abilities beyond closed-world classification are small optional
// interfaces discovered by type assertion:
//
//   - InputKinds: which sample representation the method consumes
//     (Packets, the default, or prebuilt Graphs, or both);
//   - Detector: the method flags samples of apps absent from training
//     (open-world detection);
//   - Saver and Loader: the fitted model can be written and read back
//     (appbench run --save-models and appbench classify use them; Load
//     followed by PredictFeatures must predict as the fitted method);
//   - io.Closer: the harness calls Close at the end of each cell, whether
//     or not Predict ran, to release what Fit left for Predict (such as
//     temporary files);
//   - Featurizer: the method is two-stage, reducing each sample to compact
//     features on its own (Features, identified by FeatureKey) and fitting
//     and predicting from them (FitFeatures, PredictFeatures). Every shipped
//     method is, except external with input packets; FitVia and PredictVia give Fit and Predict in terms of them.
//
// A method's parameters are a struct with a Validate method, called once
// by its factory after Decode, that returns a *ParamError for the first bad
// value: messages read "<method>: <key>: <problem> (got <value>)" and the
// harness places them at the key's line of the experiment file. The
// method's other errors start with its name once; the harness adds the
// phase and the cell ("cell <id>: fit: <method>: ...").
//
// The harness binary imports appbench/methods/all, which blank-imports
// every method package.
package methods
