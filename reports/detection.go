package reports

import (
	"fmt"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"appbench/resultfmt"
)

// DetectionPoint is unseen-app detection at one threshold: the samples
// whose score is at most Threshold are flagged unknown.
type DetectionPoint struct {
	Threshold float64 `json:"threshold"`
	// Flagged counts the samples flagged; Precision and Recall treat
	// unseen as the positive class (0 when their denominator is 0).
	Flagged   int     `json:"flagged"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// DetectionCurve pools the test samples of open-world results (their
// predictions files, read with read) and gives detection precision and
// recall when a sample is flagged unknown because its score is at most a
// threshold, for each distinct score, ascending: the confidence-threshold
// rule (AppScanner's confidence threshold, destination-set's
// unknown_threshold), applied to any method's stored scores. A sample is
// positive when its app was held out of training.
func DetectionCurve(rs []*resultfmt.Result, read func(*resultfmt.Result) ([]resultfmt.SamplePrediction, error)) ([]DetectionPoint, error) {
	type sample struct {
		score  float64
		unseen bool
	}
	var ss []sample
	pos := 0
	for _, r := range rs {
		if r.Task != resultfmt.TaskOpen {
			return nil, fmt.Errorf("reports: cell %s is not an open-world cell: no detection curve", r.ID)
		}
		ps, err := read(r)
		if err != nil {
			return nil, fmt.Errorf("reports: detection curve: %w", err)
		}
		for _, p := range ps {
			truth, _ := resultfmt.Scored(r, p)
			s := sample{score: p.Score, unseen: truth == resultfmt.UnknownLabel}
			if s.unseen {
				pos++
			}
			ss = append(ss, s)
		}
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].score < ss[j].score })
	var out []DetectionPoint
	tp := 0
	for i, s := range ss {
		if s.unseen {
			tp++
		}
		if i+1 < len(ss) && ss[i+1].score == s.score {
			continue
		}
		out = append(out, DetectionPoint{Threshold: s.score, Flagged: i + 1,
			Precision: float64(tp) / float64(i+1), Recall: ratioOr0(tp, pos)})
	}
	return out, nil
}

func ratioOr0(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// PlotDetection draws detection precision and recall against the
// threshold (DetectionCurve) as step lines, titled title.
func PlotDetection(pts []DetectionPoint, title, path string) error {
	if err := checkExt(path); err != nil {
		return err
	}
	if len(pts) == 0 {
		return fmt.Errorf("reports: %s: no test sample for a detection curve", title)
	}
	p := plot.New()
	p.Title.Text = title + "\nflagged unknown: score at most the threshold"
	p.X.Label.Text = "threshold (the method's score)"
	p.Y.Label.Text = "unseen-app detection"
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	var segs [][2]plotter.XY
	for i, line := range []struct {
		name string
		y    func(DetectionPoint) float64
	}{{"precision", func(d DetectionPoint) float64 { return d.Precision }}, {"recall", func(d DetectionPoint) float64 { return d.Recall }}} {
		xy := make(plotter.XYs, len(pts))
		for j, d := range pts {
			xy[j] = plotter.XY{X: d.Threshold, Y: line.y(d)}
			if j > 0 {
				segs = append(segs, [2]plotter.XY{xy[j-1], xy[j]})
			}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("reports: %w", err)
		}
		l.StepStyle = plotter.PostStep
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		p.Add(l)
		leg.Add(line.name, l)
	}
	return savePlot(path, 16*vg.Centimeter, 10*vg.Centimeter, func(c draw.Canvas) {
		drawWithLegend(c, p, leg, segs)
	})
}
