package resultfmt

import (
	"fmt"
	"slices"
	"sort"
)

// UnknownLabel is the label of samples from apps held out of training in
// the open world, and of predictions flagged Unknown by a detector.
const UnknownLabel = "(unknown)"

// ClassMetrics are the one-vs-rest scores of one label.
type ClassMetrics struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Support is the number of samples whose true label is Label.
	Support int `json:"support"`
}

// Confusion is a confusion matrix: Matrix[i][j] counts samples of true
// label Labels[i] predicted as Labels[j].
type Confusion struct {
	Labels []string `json:"labels"`
	Matrix [][]int  `json:"matrix"`
}

// Detection scores unseen-app detection, with "unseen" as the positive
// class.
type Detection struct {
	// TP counts unseen samples flagged unknown, FP known samples flagged,
	// FN unseen samples not flagged, TN known samples not flagged.
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	TN        int     `json:"tn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Metrics are the scores of one cell.
type Metrics struct {
	// N is the number of test samples.
	N        int     `json:"n"`
	Accuracy float64 `json:"accuracy"`
	// Macro averages give each label the same weight; weighted averages
	// weight labels by their support.
	MacroPrecision    float64        `json:"macro_precision"`
	MacroRecall       float64        `json:"macro_recall"`
	MacroF1           float64        `json:"macro_f1"`
	WeightedPrecision float64        `json:"weighted_precision"`
	WeightedRecall    float64        `json:"weighted_recall"`
	WeightedF1        float64        `json:"weighted_f1"`
	PerClass          []ClassMetrics `json:"per_class"`
	Confusion         Confusion      `json:"confusion"`
	// Detection is set in the open world for methods that detect unknown
	// apps.
	Detection *Detection `json:"detection,omitempty"`
	// CaptureAccuracy is the share of test captures whose samples' majority
	// vote is right (see CaptureAccuracy). Cell files do not store it:
	// Rescore computes it from the predictions file.
	CaptureAccuracy *float64 `json:"capture_accuracy,omitempty"`
}

// Score computes classification metrics the way scikit-learn's
// accuracy_score, precision_recall_fscore_support and confusion_matrix do
// with their defaults: the labels are the sorted union of true and
// predicted labels, a precision, recall or F1 whose denominator is zero is
// 0 (zero_division="warn"), and macro and weighted averages run over all
// those labels.
func Score(truth, pred []string) (Metrics, error) {
	if len(truth) != len(pred) {
		return Metrics{}, fmt.Errorf("resultfmt: %d true labels but %d predictions", len(truth), len(pred))
	}
	m := Metrics{N: len(truth)}
	if len(truth) == 0 {
		return m, nil
	}
	idx := make(map[string]int)
	for _, s := range [][]string{truth, pred} {
		for _, l := range s {
			idx[l] = 0
		}
	}
	labels := make([]string, 0, len(idx))
	for l := range idx {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for i, l := range labels {
		idx[l] = i
	}
	k := len(labels)
	mat := make([][]int, k)
	for i := range mat {
		mat[i] = make([]int, k)
	}
	correct := 0
	for i := range truth {
		a, b := idx[truth[i]], idx[pred[i]]
		mat[a][b]++
		if a == b {
			correct++
		}
	}
	m.Accuracy = float64(correct) / float64(len(truth))
	m.Confusion = Confusion{Labels: labels, Matrix: mat}
	m.PerClass = make([]ClassMetrics, k)
	for j, l := range labels {
		tp, predicted, support := mat[j][j], 0, 0
		for i := 0; i < k; i++ {
			predicted += mat[i][j]
			support += mat[j][i]
		}
		p, r := ratio(tp, predicted), ratio(tp, support)
		f := 0.0
		if p+r > 0 {
			f = 2 * p * r / (p + r)
		}
		m.PerClass[j] = ClassMetrics{Label: l, Precision: p, Recall: r, F1: f, Support: support}
		m.MacroPrecision += p
		m.MacroRecall += r
		m.MacroF1 += f
		w := float64(support)
		m.WeightedPrecision += w * p
		m.WeightedRecall += w * r
		m.WeightedF1 += w * f
	}
	n := float64(len(truth))
	m.MacroPrecision /= float64(k)
	m.MacroRecall /= float64(k)
	m.MacroF1 /= float64(k)
	m.WeightedPrecision /= n
	m.WeightedRecall /= n
	m.WeightedF1 /= n
	return m, nil
}

// ScoreDetection scores unseen-app detection: unseen[i] says whether test
// sample i comes from an app held out of training, flagged[i] whether the
// method reported it unknown.
func ScoreDetection(unseen, flagged []bool) (Detection, error) {
	if len(unseen) != len(flagged) {
		return Detection{}, fmt.Errorf("resultfmt: %d truths but %d detections", len(unseen), len(flagged))
	}
	var d Detection
	for i := range unseen {
		switch {
		case unseen[i] && flagged[i]:
			d.TP++
		case !unseen[i] && flagged[i]:
			d.FP++
		case unseen[i]:
			d.FN++
		default:
			d.TN++
		}
	}
	d.Precision = ratio(d.TP, d.TP+d.FP)
	d.Recall = ratio(d.TP, d.TP+d.FN)
	if d.Precision+d.Recall > 0 {
		d.F1 = 2 * d.Precision * d.Recall / (d.Precision + d.Recall)
	}
	return d, nil
}

// ScoreCell scores the test samples of a cell as a run does: truth holds
// their apps, pred the labels the method predicted and flagged its unknown
// flags. In the open world (open) the samples of the unseen apps are truly
// UnknownLabel and, when the method detects unknown samples (detects),
// those it flagged are predicted UnknownLabel and unseen-app detection is
// scored (Metrics.Detection).
func ScoreCell(open, detects bool, unseen, truth, pred []string, flagged []bool) (Metrics, error) {
	if len(truth) != len(pred) || len(truth) != len(flagged) {
		return Metrics{}, fmt.Errorf("resultfmt: %d true labels but %d predictions and %d unknown flags", len(truth), len(pred), len(flagged))
	}
	t := make([]string, len(truth))
	p := make([]string, len(truth))
	isUnseen := make([]bool, len(truth))
	isFlagged := make([]bool, len(truth))
	for i := range truth {
		t[i], p[i], isUnseen[i], isFlagged[i] = scored(open, detects, unseen, truth[i], pred[i], flagged[i])
	}
	met, err := Score(t, p)
	if err != nil {
		return met, err
	}
	if open && detects {
		det, err := ScoreDetection(isUnseen, isFlagged)
		if err != nil {
			return met, err
		}
		met.Detection = &det
	}
	return met, nil
}

// scored returns the true and predicted labels of one sample as the
// metrics count them, and whether it is of an unseen app and flagged
// unknown (both false in the closed world).
func scored(open, detects bool, unseen []string, truth, pred string, unknown bool) (t, p string, isUnseen, isFlagged bool) {
	if !open {
		return truth, pred, false, false
	}
	isUnseen, isFlagged = slices.Contains(unseen, truth), detects && unknown
	t, p = truth, pred
	if isUnseen {
		t = UnknownLabel
	}
	if isFlagged {
		p = UnknownLabel
	}
	return t, p, isUnseen, isFlagged
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
