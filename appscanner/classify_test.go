package appscanner

import (
	"context"
	"math/rand/v2"
	"testing"

	"appbench/forest"
)

func TestVoteFlowsTiesAndUnknown(t *testing.T) {
	fp := func(labels ...string) []FlowPrediction {
		out := make([]FlowPrediction, len(labels))
		for i, l := range labels {
			out[i] = FlowPrediction{Label: l, Unknown: l == UnknownLabel}
		}
		return out
	}
	for _, tc := range []struct {
		preds []FlowPrediction
		want  Vote
	}{
		{fp("b", "a", "a", "b"), Vote{Label: "b", Votes: 2, Ballots: 4}},      // tie: first seen
		{fp("b", "a", "a"), Vote{Label: "a", Votes: 2, Ballots: 3}},           // majority
		{fp("-1", "-1", "c"), Vote{Label: "c", Votes: 1, Ballots: 1}},         // unknown flows do not vote
		{fp("-1", "-1"), Vote{Unknown: true}},                                 // nothing left
		{nil, Vote{Unknown: true}},                                            // empty chunk
		{fp("x", "y", "z", "y", "x"), Vote{Label: "x", Votes: 2, Ballots: 5}}, // x and y tie, x first
		{fp("", "", "q"), Vote{Label: "", Votes: 2, Ballots: 3}},              // an empty label is a label
	} {
		if got := VoteFlows(tc.preds); got != tc.want {
			t.Errorf("VoteFlows(%v) = %+v, want %+v", tc.preds, got, tc.want)
		}
	}
	if s := (Vote{Label: "a", Votes: 3, Ballots: 4}).Share(); s != 0.75 {
		t.Errorf("Share = %v", s)
	}
}

func TestVoteModelsLowestIndexWins(t *testing.T) {
	v := VoteModels([]Vote{{Unknown: true}, {Label: "b"}, {Label: "a"}, {Label: "a"}, {Label: "b"}})
	if v != (Vote{Label: "b", Votes: 2, Ballots: 4}) {
		t.Errorf("VoteModels = %+v, want b with 2 of 4 (tie: lowest model index)", v)
	}
}

// Two classes of flows with clearly different sizes: the classifier
// separates them, and a threshold above every confidence makes all flows
// unknown.
func TestClassifierThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var X []float64
	var y []string
	for i := 0; i < 200; i++ {
		base, label := 100.0, "small"
		if i%2 == 1 {
			base, label = 1400.0, "large"
		}
		l := []float64{base + rng.Float64()*20, -(base + rng.Float64()*20), base}
		X = append(X, FlowFeatures(l, nil)...)
		y = append(y, label)
	}
	c, err := Train(context.Background(), X, y, forest.Options{Trees: 10, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Labels) != 2 || c.Labels[0] != "large" || c.Labels[1] != "small" {
		t.Errorf("labels %v, want sorted", c.Labels)
	}
	if cap(c.Labels) != len(c.Labels) {
		t.Errorf("labels hold room for %d, want %d: the classifier must not keep a slot per training flow", cap(c.Labels), len(c.Labels))
	}
	preds, err := c.PredictFlows(X, 0.9, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range preds {
		if p.Unknown || p.Label != y[i] {
			t.Fatalf("flow %d: %+v, want %s", i, p, y[i])
		}
	}
	preds, _ = c.PredictFlows(X[:NumFeatures], 1.01, 1)
	if !preds[0].Unknown || preds[0].Label != UnknownLabel {
		t.Errorf("threshold above 1: %+v, want unknown", preds[0])
	}
	v, err := c.SoftVoteFlows(X[:3*NumFeatures], 0, 1)
	if err != nil || v.Label != "small" || v.Votes != 2 || v.Ballots != 3 {
		t.Errorf("soft vote over flows small, large, small = %+v, %v; want small with 2 of 3", v, err)
	}
	v, err = c.SoftVoteFlows(X[:3*NumFeatures], 1.01, 1)
	if err != nil || !v.Unknown {
		t.Errorf("soft vote with every flow below the threshold = %+v, %v; want unknown", v, err)
	}
}
