package bench

import (
	"math"

	"appbench/methods"
	"appbench/resultfmt"
)

// predictionRows pairs the test samples of cd with the predictions.
func predictionRows(cd *cellData, preds []methods.Prediction) []resultfmt.SamplePrediction {
	out := make([]resultfmt.SamplePrediction, len(preds))
	for i, p := range preds {
		sp := resultfmt.SamplePrediction{Predicted: p.Label, Score: p.Score, Unknown: p.Unknown, Start: math.NaN(), Stop: math.NaN()}
		if cd.trainC != nil {
			ch := &cd.testC[i]
			sp.Capture, sp.Chunk, sp.Start, sp.Stop, sp.Truth = ch.Capture, ch.Index, ch.Start, ch.Stop, ch.App
		} else {
			s := &cd.testG[i]
			sp.Capture, sp.Truth = s.Capture, s.Label
			if s.Graph != nil {
				sp.Chunk = s.Graph.ID
			}
		}
		out[i] = sp
	}
	return out
}
