package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"appbench/internal/atomicfile"
	"appbench/resultfmt"
)

// plotExts are the formats WritePlots writes every plot in.
var plotExts = []string{".png", ".svg"}

// sweptMetrics are the metrics WritePlots draws against swept parameters.
var sweptMetrics = []string{"accuracy", "macro_f1"}

// WritePlots writes the plots of the results rs, whose table is t (Build),
// into dir (made when missing), each as PNG and SVG:
//
//   - for every swept parameter, accuracy and macro F1 against it
//     (PlotSweep: sweep_<param>_<metric>), and against the training size
//     when dataset.train_fraction is swept (PlotLearningCurve:
//     learning_curve_<metric>);
//   - for every open-world row of t, unseen-app detection precision and
//     recall against a score threshold (PlotDetection:
//     detection_<row keys>), from the predictions files read returns (no
//     such plots when read is nil);
//   - for every row of t, its confusion matrix summed over its
//     repetitions (PlotConfusion: confusion_<row keys>).
//
// A full disk stops it at the first plot that does not fit; other
// failures are returned together after the other plots are written.
func WritePlots(dir string, rs []*resultfmt.Result, t *Table, read func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error), confidence float64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: plots: %w", err)
	}
	byID := make(map[string]*resultfmt.Result)
	for _, r := range rs {
		byID[r.ID] = r
	}
	plots := sweepPlots(dir, rs, confidence)
	if read != nil {
		plots = append(plots, detectionPlots(dir, t, byID, read)...)
	}
	plots = append(plots, confusionPlots(dir, t, byID)...)
	var errs []error
	for i, plot := range plots {
		err := plot()
		if atomicfile.IsDiskFull(err) {
			return errors.Join(append(errs, fmt.Errorf("%w (%d of %d plots not written)", err, len(plots)-i, len(plots)))...)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// sweepPlots returns the writers of the sweep and learning-curve plots of
// rs.
func sweepPlots(dir string, rs []*resultfmt.Result, confidence float64) []func() error {
	var params []string
	for _, r := range rs {
		for _, c := range r.Point {
			if !slices.Contains(params, c.Param) {
				params = append(params, c.Param)
			}
		}
	}
	var out []func() error
	for _, p := range params {
		for _, m := range sweptMetrics {
			for _, ext := range plotExts {
				name := filepath.Join(dir, "sweep_"+safeName(p)+"_"+m+ext)
				out = append(out, func() error { return PlotSweep(rs, p, m, name, confidence) })
			}
		}
	}
	if slices.Contains(params, LearningCurveParam) {
		for _, m := range sweptMetrics {
			for _, ext := range plotExts {
				name := filepath.Join(dir, "learning_curve_"+m+ext)
				out = append(out, func() error { return PlotLearningCurve(rs, m, name, confidence) })
			}
		}
	}
	return out
}

// detectionPlots returns the writers of the detection curves of the
// open-world rows of t.
func detectionPlots(dir string, t *Table, byID map[string]*resultfmt.Result, read func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error)) []func() error {
	var out []func() error
	for _, row := range t.Rows {
		var rs []*resultfmt.Result
		for _, id := range row.IDs {
			if r := byID[id]; r != nil && r.Task == resultfmt.TaskOpen {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 || len(rs) != len(row.IDs) {
			continue
		}
		title := strings.Join(nonEmpty(row.Keys), " ")
		name := safeName(strings.Join(nonEmpty(row.Keys), "_"))
		for _, ext := range plotExts {
			file := filepath.Join(dir, "detection_"+name+ext)
			out = append(out, func() error {
				pts, err := DetectionCurve(rs, read)
				if err != nil {
					return err
				}
				return PlotDetection(pts, title, file)
			})
		}
	}
	return out
}

// confusionPlots returns the writers of the confusion matrices of the rows
// of t, each summed over the row's repetitions.
func confusionPlots(dir string, t *Table, byID map[string]*resultfmt.Result) []func() error {
	var out []func() error
	for _, row := range t.Rows {
		cm := SumConfusion(row.IDs, byID)
		title, name, n := strings.Join(nonEmpty(row.Keys), " "), safeName(strings.Join(nonEmpty(row.Keys), "_")), len(row.IDs)
		for _, ext := range plotExts {
			file := filepath.Join(dir, "confusion_"+name+ext)
			out = append(out, func() error { return PlotConfusion(cm, title, n, file) })
		}
	}
	return out
}

// safeName turns text into a file-name part: letters, digits, '-' and
// '.' are kept, anything else becomes '_'.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}
