package resultfmt

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// PredictionsSuffix ends the name of the predictions file of a cell,
// written beside its result file.
const PredictionsSuffix = ".predictions.csv"

// predictionsHeader is the header of a predictions file.
var predictionsHeader = []string{"capture", "chunk", "start", "stop", "true", "predicted", "score", "unknown"}

// SamplePrediction is what a cell's method answered for one test sample.
// The capture and chunk index identify the sample across cells.
type SamplePrediction struct {
	// Capture is the sample's capture (its path within the corpus, or
	// <app>/<side>/<graph id> for a graphs dataset); Chunk is its 1-based
	// chunk index (the graph id for a graphs dataset).
	Capture string
	Chunk   int
	// Start and Stop bound the chunk's window in seconds since the epoch
	// (NaN for graphs, which carry no times).
	Start, Stop float64
	// Truth is the sample's app and Predicted the method's label, Score
	// its confidence (methods.Prediction.Score).
	Truth, Predicted string
	Score            float64
	// Unknown is the method's unknown flag (methods.Prediction.Unknown).
	Unknown bool
}

// PredictionsPath returns the predictions file of cell id in dir.
func PredictionsPath(dir, id string) string { return filepath.Join(dir, id+PredictionsSuffix) }

// WritePredictions stores the predictions of cell id in dir atomically,
// as CSV with the header capture, chunk, start, stop, true, predicted,
// score, unknown (numbers at full precision, empty times for graphs).
func WritePredictions(dir, id string, ps []SamplePrediction) error {
	return writeTemp(PredictionsPath(dir, id), func(w *bufio.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(predictionsHeader); err != nil {
			return err
		}
		for _, p := range ps {
			rec := []string{p.Capture, strconv.Itoa(p.Chunk), formatTime(p.Start), formatTime(p.Stop), p.Truth, p.Predicted,
				strconv.FormatFloat(p.Score, 'g', -1, 64), strconv.FormatBool(p.Unknown)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
}

func formatTime(t float64) string {
	if math.IsNaN(t) {
		return ""
	}
	return strconv.FormatFloat(t, 'g', -1, 64)
}

// ReadPredictions reads a predictions file; errors name the file and line.
func ReadPredictions(path string) ([]SamplePrediction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("resultfmt: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	h, err := r.Read()
	if err != nil || !slices.Equal(h, predictionsHeader) {
		return nil, fmt.Errorf("resultfmt: %s:1: not a predictions file: want the header %v", path, predictionsHeader)
	}
	var out []SamplePrediction
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("resultfmt: %s: %w", path, err)
		}
		p, err := parsePrediction(rec)
		if err != nil {
			return nil, fmt.Errorf("resultfmt: %s:%d: %w", path, line, err)
		}
		out = append(out, p)
	}
}

// parsePrediction parses one record of a predictions file.
func parsePrediction(rec []string) (SamplePrediction, error) {
	p := SamplePrediction{Capture: rec[0], Truth: rec[4], Predicted: rec[5]}
	var err error
	if p.Chunk, err = strconv.Atoi(rec[1]); err != nil {
		return p, fmt.Errorf("chunk %q: not an integer", rec[1])
	}
	for i, t := range []*float64{&p.Start, &p.Stop} {
		*t = math.NaN()
		if s := rec[2+i]; s != "" {
			if *t, err = strconv.ParseFloat(s, 64); err != nil {
				return p, fmt.Errorf("%s %q: not a number", predictionsHeader[2+i], s)
			}
		}
	}
	if p.Score, err = strconv.ParseFloat(rec[6], 64); err != nil {
		return p, fmt.Errorf("score %q: not a number", rec[6])
	}
	if p.Unknown, err = strconv.ParseBool(rec[7]); err != nil {
		return p, fmt.Errorf("unknown %q: not true or false", rec[7])
	}
	return p, nil
}

// Rescore recomputes the metrics of result r from its predictions, as the
// run scored them (ScoreCell): in the open world the samples of r.Unseen
// are unknown and, when the method detects (r.Detects), so are those it
// flagged. CaptureAccuracy, which only predictions give, is set too.
func Rescore(r *Result, ps []SamplePrediction) (Metrics, error) {
	truth := make([]string, len(ps))
	pred := make([]string, len(ps))
	flagged := make([]bool, len(ps))
	for i, p := range ps {
		truth[i], pred[i], flagged[i] = p.Truth, p.Predicted, p.Unknown
	}
	m, err := ScoreCell(r.Task == TaskOpen, r.Detects, r.Unseen, truth, pred, flagged)
	if err != nil {
		return m, err
	}
	ca := CaptureAccuracy(r, ps)
	m.CaptureAccuracy = &ca
	return m, nil
}

// CaptureAccuracy is the share of test captures whose majority vote is
// right: each capture's samples vote with their predicted labels (as
// scored: unknown in the open world when flagged by a detecting method),
// ties going to the smallest label, against the capture's true label
// (unknown for an unseen app). 0 without samples.
func CaptureAccuracy(r *Result, ps []SamplePrediction) float64 {
	votes := make(map[string]map[string]int)
	truth := make(map[string]string)
	var order []string
	for _, p := range ps {
		t, l := Scored(r, p)
		if votes[p.Capture] == nil {
			votes[p.Capture] = make(map[string]int)
			order = append(order, p.Capture)
		}
		votes[p.Capture][l]++
		truth[p.Capture] = t
	}
	right := 0
	for _, c := range order {
		best, n := "", -1
		for _, l := range sortedVotes(votes[c]) {
			if votes[c][l] > n {
				best, n = l, votes[c][l]
			}
		}
		if best == truth[c] {
			right++
		}
	}
	return ratio(right, len(order))
}

func sortedVotes(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Scored returns the true and predicted labels of sample p of result r as
// its metrics count them: in the open world an unseen app's sample is
// truly UnknownLabel, and a sample flagged by a detecting method is
// predicted UnknownLabel.
func Scored(r *Result, p SamplePrediction) (truth, pred string) {
	truth, pred, _, _ = scored(r.Task == TaskOpen, r.Detects, r.Unseen, p.Truth, p.Predicted, p.Unknown)
	return truth, pred
}
