package appscanner

import (
	"context"
	"fmt"
	"slices"

	"appbench/forest"
)

// UnknownLabel is the label R1 gives a flow whose confidence is below the
// threshold (its -1 sentinel written as a string).
const UnknownLabel = "-1"

// Classifier is one forest over flow features with its class names.
type Classifier struct {
	// Labels are the class names, sorted (scikit-learn's classes_ order);
	// class i of the forest is Labels[i].
	Labels []string
	// Forest is the fitted random forest.
	Forest *forest.Forest
}

// Train fits a classifier on the rows × NumFeatures matrix X with one
// label per row.
func Train(ctx context.Context, X []float64, labels []string, opt forest.Options) (*Classifier, error) {
	if len(X) != len(labels)*NumFeatures {
		return nil, fmt.Errorf("appscanner: train: %d feature values for %d labelled flows", len(X), len(labels))
	}
	return train(labels, func(y []int, classes int) (*forest.Forest, error) {
		return forest.Fit(ctx, X, len(labels), NumFeatures, y, classes, opt)
	})
}

// TrainMatrix is Train on the flows' features given as a forest.Matrix
// (one row per flow, NumFeatures columns): the same classifier in half
// the memory.
func TrainMatrix(ctx context.Context, m *forest.Matrix, labels []string, opt forest.Options) (*Classifier, error) {
	if m.Rows() != len(labels) || m.Cols() != NumFeatures {
		return nil, fmt.Errorf("appscanner: train: %d × %d feature matrix for %d labelled flows", m.Rows(), m.Cols(), len(labels))
	}
	return train(labels, func(y []int, classes int) (*forest.Forest, error) {
		return forest.FitMatrix(ctx, m, y, classes, opt)
	})
}

// train numbers the sorted distinct labels and fits the forest on them.
func train(labels []string, fit func(y []int, classes int) (*forest.Forest, error)) (*Classifier, error) {
	if len(labels) == 0 {
		return nil, fmt.Errorf("appscanner: train: no flows")
	}
	names := distinctSorted(labels)
	y := make([]int, len(labels))
	for i, l := range labels {
		y[i], _ = slices.BinarySearch(names, l)
	}
	f, err := fit(y, len(names))
	if err != nil {
		return nil, fmt.Errorf("appscanner: train: %w", err)
	}
	return &Classifier{Labels: names, Forest: f}, nil
}

// distinctSorted returns the distinct labels in increasing order, in a
// slice of their number (a classifier keeps it: it must not hold one
// entry per training flow).
func distinctSorted(labels []string) []string {
	seen := make(map[string]struct{})
	var names []string
	for _, l := range labels {
		if _, ok := seen[l]; !ok {
			seen[l] = struct{}{}
			names = append(names, l)
		}
	}
	slices.Sort(names)
	return slices.Clip(names)
}

// FlowPrediction is a classifier's answer for one flow.
type FlowPrediction struct {
	// Label is the most probable class (the first in Labels on ties), or
	// UnknownLabel when Unknown.
	Label string
	// Confidence is the probability of the most probable class.
	Confidence float64
	// Unknown reports Confidence < threshold (strictly).
	Unknown bool
}

// PredictFlows classifies the rows of X (rows × NumFeatures). A flow whose
// top probability is below threshold is Unknown (R1: threshold 0.9 by
// default; R2 and threshold 0 keep every prediction).
func (c *Classifier) PredictFlows(X []float64, threshold float64, workers int) ([]FlowPrediction, error) {
	rows := len(X) / NumFeatures
	if len(X) != rows*NumFeatures {
		return nil, fmt.Errorf("appscanner: predict: %d feature values is not a whole number of flows", len(X))
	}
	cls, conf, err := c.Forest.Predict(X, rows, workers)
	if err != nil {
		return nil, fmt.Errorf("appscanner: predict: %w", err)
	}
	out := make([]FlowPrediction, rows)
	for i := range out {
		out[i] = FlowPrediction{Label: c.Labels[cls[i]], Confidence: conf[i]}
		if conf[i] < threshold {
			out[i] = FlowPrediction{Label: UnknownLabel, Confidence: conf[i], Unknown: true}
		}
	}
	return out, nil
}

// Vote is the outcome of a majority vote.
type Vote struct {
	// Label is the winner; "" when Unknown.
	Label string
	// Votes is the number of ballots for Label, out of Ballots counted.
	Votes, Ballots int
	// Unknown reports that no ballot was counted (no flow, or every flow
	// below the threshold).
	Unknown bool
}

// Share is Votes/Ballots, 0 for an Unknown vote.
func (v Vote) Share() float64 {
	if v.Ballots == 0 {
		return 0
	}
	return float64(v.Votes) / float64(v.Ballots)
}

// majority returns the most frequent of labels; among equally frequent
// labels the one that appears first wins (Python's
// Counter.most_common(1), which R2 uses).
func majority(labels []string) Vote {
	if len(labels) == 0 {
		return Vote{Unknown: true}
	}
	counts := make(map[string]int, len(labels))
	for _, l := range labels {
		counts[l]++
	}
	best := labels[0]
	for _, l := range labels[1:] { // first occurrence order wins ties
		if counts[l] > counts[best] {
			best = l
		}
	}
	return Vote{Label: best, Votes: counts[best], Ballots: len(labels)}
}

// VoteFlows labels a chunk from its flows' predictions: the most frequent
// label among the flows that are not Unknown, ties going to the label that
// appears first in flow order (R2's chunk vote). The vote is Unknown when
// no flow is left (R2 calls such a chunk "empty" and leaves it out of the
// evaluation).
func VoteFlows(preds []FlowPrediction) Vote {
	labels := make([]string, 0, len(preds))
	for _, p := range preds {
		if !p.Unknown {
			labels = append(labels, p.Label)
		}
	}
	return majority(labels)
}

// VoteModels combines the chunk votes of several models: the most frequent
// label among the models whose vote is not Unknown, ties going to the
// lowest model index (R2's "model 17"). Ballots counts those models.
func VoteModels(votes []Vote) Vote {
	labels := make([]string, 0, len(votes))
	for _, v := range votes {
		if !v.Unknown {
			labels = append(labels, v.Label)
		}
	}
	return majority(labels)
}

// Proba returns the rows × len(Labels) class probabilities of the flows
// in X (rows × NumFeatures).
func (c *Classifier) Proba(X []float64, workers int) ([]float64, error) {
	rows := len(X) / NumFeatures
	if len(X) != rows*NumFeatures {
		return nil, fmt.Errorf("appscanner: predict: %d feature values is not a whole number of flows", len(X))
	}
	p, err := c.Forest.PredictProba(X, rows, workers)
	if err != nil {
		return nil, fmt.Errorf("appscanner: predict: %w", err)
	}
	return p, nil
}

// SoftVoteFlows is an alternative chunk vote: the class with the largest
// summed probability over the chunk's flows that are not Unknown, with the
// forest's class order breaking ties. Ballots is the number of flows
// counted and Votes the number of them whose own prediction is the
// winner.
func (c *Classifier) SoftVoteFlows(X []float64, threshold float64, workers int) (Vote, error) {
	p, err := c.Proba(X, workers)
	if err != nil {
		return Vote{}, err
	}
	return c.SoftVote(p, threshold), nil
}

// SoftVote is SoftVoteFlows on probabilities already computed by Proba.
func (c *Classifier) SoftVote(proba []float64, threshold float64) Vote {
	k := len(c.Labels)
	rows := len(proba) / k
	sum := make([]float64, k)
	var own []int
	for i := 0; i < rows; i++ {
		pi := proba[i*k : (i+1)*k]
		cls, conf := forest.Argmax(pi)
		if conf < threshold {
			continue
		}
		own = append(own, cls)
		for j, v := range pi {
			sum[j] += v
		}
	}
	if len(own) == 0 {
		return Vote{Unknown: true}
	}
	best, _ := forest.Argmax(sum)
	n := 0
	for _, o := range own {
		if o == best {
			n++
		}
	}
	return Vote{Label: c.Labels[best], Votes: n, Ballots: len(own)}
}
