// Package forest is a random forest of CART classification trees in the
// manner of scikit-learn's RandomForestClassifier, written for speed and
// reproducibility.
//
// Each tree is grown on a bootstrap sample of the training rows (n draws
// with replacement; a row drawn k times weighs k in the Gini impurity, as
// sklearn's sample_weight does), choosing at every node the best split
// (largest weighted Gini decrease) among a random subset of the features:
// floor(sqrt(p)) by default. Like sklearn, a node keeps drawing features
// while the drawn ones are constant in the node, until it has examined the
// requested number of non-constant features or run out of features.
// Thresholds are midpoints between consecutive distinct values (values
// closer than 1e-7 count as equal). Trees are grown to purity unless a
// depth or minimum-size option stops them. A leaf stores the class
// distribution of its training rows; PredictProba averages these
// distributions over trees (soft voting) and Predict takes the most
// probable class, the first one on ties.
//
// Determinism: tree t draws all its random choices from its own PCG stream,
// seeded with (Options.Seed, a mix of t), and predictions sum tree outputs
// in tree order, so a fitted forest and its predictions depend only on the
// data and the seed, never on Options.Workers.
//
// The feature matrix is a flat row-major []float64 of rows × cols values;
// labels are class indices 0..classes-1. Models are saved and loaded with
// encoding/gob in a versioned envelope.
package forest
