package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"

	"appbench/resultfmt"
)

// Page is what the HTML results page reports. WriteHTML renders it as one
// self-contained file.
type Page struct {
	// Table is the main comparison table (Build), with its notes and, when
	// a paired comparison filled them, its rows' Marks.
	Table *Table
	// Results are the results the table was built from.
	Results []*resultfmt.Result
	// Experiments are the experiment files kept in the results folder.
	Experiments []ExperimentFile
	// Version describes the build that wrote the page, Command the command
	// line that made it.
	Version, Command string
}

// ExperimentFile is an experiment as its results folder keeps it.
type ExperimentFile struct {
	// Name is the experiment's name, Path the file's, Text its YAML ("" when
	// it could not be read; Err then says why).
	Name, Path, Text, Err string
}

//go:embed html.tmpl
var pageTemplate string

var pageTmpl = template.Must(template.New("page").Parse(pageTemplate))

// WriteHTML renders p as one self-contained HTML page: the experiments and
// their datasets, the main table (sortable, with confidence intervals and
// any paired-comparison marks), per-app tables of each method, confusion
// matrices summed over repetitions, sweep plots as inline SVG, notes, and
// the build and command. Every string from the results is escaped by
// html/template.
func WriteHTML(w io.Writer, p *Page) error {
	if p.Table == nil {
		return fmt.Errorf("reports: HTML page without a table")
	}
	v, err := newPageView(p)
	if err != nil {
		return err
	}
	if err := pageTmpl.Execute(w, v); err != nil {
		return fmt.Errorf("reports: HTML page: %w", err)
	}
	return nil
}

// pageView is the page as the template reads it.
type pageView struct {
	Title, Confidence string
	Experiments       []ExperimentFile
	Datasets          []datasetView
	Main              tableView
	PerClass          []tableView
	Confusions        []confusionView
	Sweeps            []plotView
	Notes             []noteGroup
	Version, Command  string
}

// tableView is a table as the template reads it.
type tableView struct {
	Heading, Caption, MarkLegend string
	Keys, Columns                []string
	Rows                         []rowView
}

type rowView struct {
	Keys  []string
	N     int
	Cells []cellView
}

// cellView is one metric cell: its text, the value it sorts by ("" when
// absent), a tooltip with the interval, and a paired-comparison mark.
type cellView struct {
	Text, Sort, Tip, Mark string
}

type plotView struct {
	Title string
	SVG   template.HTML
}

type noteGroup struct {
	Heading string
	Items   []string
}

func newPageView(p *Page) (*pageView, error) {
	t := p.Table
	v := &pageView{
		Title:       t.Title,
		Confidence:  strconv.FormatFloat(t.Confidence*100, 'g', -1, 64) + "%",
		Experiments: p.Experiments,
		Datasets:    datasetViews(p.Results),
		Main:        newTableView(t, nil),
		Version:     p.Version,
		Command:     p.Command,
	}
	v.Main.Heading = "Results"
	var err error
	if v.PerClass, err = perClassViews(p.Results, t.Confidence); err != nil {
		return nil, err
	}
	v.Confusions = confusionViews(t, p.Results)
	var plotNotes []string
	v.Sweeps, plotNotes = sweepViews(p.Results, t.Confidence)
	v.Notes = noteGroups(t, p.Results, plotNotes)
	return v, nil
}

// newTableView converts t, leaving out the key columns named in skip.
func newTableView(t *Table, skip []string) tableView {
	tv := tableView{Caption: caption(t), MarkLegend: t.MarkLegend}
	var keep []int
	for i, k := range t.Keys {
		if !slices.Contains(skip, k) {
			keep = append(keep, i)
			tv.Keys = append(tv.Keys, k)
		}
	}
	for _, c := range t.Columns {
		tv.Columns = append(tv.Columns, c.Name)
	}
	for _, r := range t.Rows {
		rv := rowView{N: r.Repeats}
		for _, i := range keep {
			rv.Keys = append(rv.Keys, r.Keys[i])
		}
		for j, c := range t.Columns {
			cv := newCellView(r.Cells[j], c.Digits, t.Confidence)
			if j < len(r.Marks) {
				cv.Mark = r.Marks[j]
			}
			rv.Cells = append(rv.Cells, cv)
		}
		tv.Rows = append(tv.Rows, rv)
	}
	return tv
}

func newCellView(s Stat, digits int, level float64) cellView {
	cv := cellView{Text: Cell(s, digits, " ± ")}
	if s.N == 0 {
		return cv
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', digits+1, 64) }
	cv.Sort = strconv.FormatFloat(s.Mean, 'g', -1, 64)
	if s.N > 1 {
		cv.Tip = fmt.Sprintf("n=%d, sd %s, %g%% CI [%s, %s]", s.N, f(s.Std), level*100, f(s.Lo), f(s.Hi))
	}
	return cv
}

// perClassViews builds the per-app table of each method, in result order.
func perClassViews(rs []*resultfmt.Result, level float64) ([]tableView, error) {
	var order []string
	by := make(map[string][]*resultfmt.Result)
	for _, r := range rs {
		if by[r.Method] == nil {
			order = append(order, r.Method)
		}
		by[r.Method] = append(by[r.Method], r)
	}
	var out []tableView
	for _, m := range order {
		t, err := BuildPerClass(by[m], Options{Confidence: level})
		if err != nil {
			return nil, err
		}
		if len(t.Rows) == 0 {
			continue
		}
		tv := newTableView(t, []string{"method", "experiment"})
		tv.Heading, tv.Caption = m, ""
		out = append(out, tv)
	}
	return out, nil
}

// sweepViews draws accuracy and macro F1 against every swept parameter;
// the notes say which plots could not be drawn.
func sweepViews(rs []*resultfmt.Result, level float64) ([]plotView, []string) {
	var params []string
	for _, r := range rs {
		for _, c := range r.Point {
			if !slices.Contains(params, c.Param) {
				params = append(params, c.Param)
			}
		}
	}
	var out []plotView
	var notes []string
	for _, p := range params {
		for _, m := range []string{"accuracy", "macro_f1"} {
			svg, err := SweepSVG(rs, p, m, level)
			if err != nil {
				notes = append(notes, fmt.Sprintf("plot of %s against %s not drawn: %v", m, p, err))
				continue
			}
			mt, _ := MetricByKey(m)
			out = append(out, plotView{Title: mt.Name + " against " + shortParam(p), SVG: template.HTML(svg)})
		}
	}
	return out, notes
}

// noteGroups gathers the table's notes, the datasets' and the methods'
// notes of the results (each once), and the plot notes.
func noteGroups(t *Table, rs []*resultfmt.Result, plotNotes []string) []noteGroup {
	var data, meth []string
	for _, r := range rs {
		for _, n := range r.DatasetNotes {
			n = r.Experiment + ": " + n
			if !slices.Contains(data, n) {
				data = append(data, n)
			}
		}
		for _, n := range r.MethodNotes {
			n = r.Method + ": " + n
			if !slices.Contains(meth, n) {
				meth = append(meth, n)
			}
		}
	}
	var out []noteGroup
	for _, g := range []noteGroup{
		{"Results", t.Notes}, {"Datasets", data}, {"Methods", meth}, {"Plots", plotNotes},
	} {
		if len(g.Items) > 0 {
			out = append(out, g)
		}
	}
	return out
}
