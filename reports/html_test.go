package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"appbench/resultfmt"
)

const hostile = `<script>alert(1)</script>`

// hostileFixture returns fixture results whose every user-given string
// (experiment, method, app labels, swept values, dataset path and notes,
// method notes) holds a script element.
func hostileFixture() []*resultfmt.Result {
	rs := fixture()
	for _, r := range rs {
		r.Experiment = "exp" + hostile
		r.Method += hostile
		r.Dataset = resultfmt.DatasetKey{Kind: "corpus", Path: "data/" + hostile}
		r.Task = "closed"
		r.DatasetNotes = []string{"skipped capture " + hostile + ".pcap"}
		r.MethodNotes = []string{"note " + hostile}
		r.Metrics.Confusion.Labels = []string{"a", hostile}
		r.Metrics.PerClass = []resultfmt.ClassMetrics{{Label: hostile, Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 3}}
		for i := range r.Point {
			r.Point[i].Value = hostile
		}
	}
	return rs
}

func renderPage(t *testing.T, p *Page) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHTMLEscapesUserStrings checks that every string from result files,
// experiment files and the command line appears as text: no element but
// the page's own script, and the hostile text escaped in every place it
// is shown.
func TestHTMLEscapesUserStrings(t *testing.T) {
	rs := hostileFixture()
	tb, err := Build(rs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb.Notes = append(tb.Notes, "stale "+hostile)
	tb.Rows[0].Marks = []string{hostile}
	tb.MarkLegend = "legend " + hostile
	page := renderPage(t, &Page{
		Table: tb, Results: rs, Version: "v" + hostile, Command: "appbench report " + hostile,
		Experiments: []ExperimentFile{{Name: hostile, Path: hostile + ".yaml", Text: "name: " + hostile},
			{Name: "other", Err: "unreadable " + hostile}},
	})
	if n := strings.Count(strings.ToLower(page), "<script"); n != 1 {
		t.Errorf("%d script elements, want the page's own one", n)
	}
	if strings.Contains(page, "alert(1)</") {
		t.Errorf("raw hostile text in the page")
	}
	esc := "&lt;script&gt;alert(1)&lt;/script&gt;"
	for _, where := range []string{
		"<h1>exp" + esc,                         // title
		"data/" + esc,                           // dataset path
		"<td class=\"k\">destination-set" + esc, // method key
		"<td class=\"k\">" + esc + "</td>",      // swept value, per-app label
		"<th scope=\"row\">" + esc,              // confusion label
		"skipped capture " + esc,                // dataset note
		"note " + esc,                           // method note
		"stale " + esc,                          // table note
		"<span class=\"mark\">" + esc,           // paired-comparison mark
		"legend " + esc,
		"name: " + esc, // experiment YAML
		"unreadable " + esc,
		"v" + esc,                // build
		"appbench report " + esc, // command
		">" + esc + "</text>",    // sweep plot tick label (SVG)
	} {
		if !strings.Contains(page, where) {
			t.Errorf("page lacks %q", where)
		}
	}
}

// TestHTMLSelfContained checks that the page loads nothing: no external
// scripts, styles, fonts or images, and a policy forbidding them.
func TestHTMLSelfContained(t *testing.T) {
	rs := fixture()
	tb, err := Build(rs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := renderPage(t, &Page{Table: tb, Results: rs})
	for _, re := range []string{`(?i)<link\b`, `(?i)\bsrc\s*=`, `(?i)@import`, `(?i)url\(`, `(?i)<iframe`, `(?i)<img\b`} {
		if m := regexp.MustCompile(re).FindString(page); m != "" {
			t.Errorf("page has %q", m)
		}
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Errorf("no content security policy")
	}
	if !strings.Contains(page, "<svg") || strings.Contains(page, "<?xml") {
		t.Errorf("sweep plots not inlined as SVG elements")
	}
}

// TestHTMLSections checks what the page shows: main table rows with sort
// values and intervals, per-app tables per method, confusion matrices
// summed over repetitions, the dataset summary and notes.
func TestHTMLSections(t *testing.T) {
	rs := fixture()
	for _, r := range rs {
		r.Metrics.PerClass = []resultfmt.ClassMetrics{{Label: "a", F1: 0.5, Support: 12}, {Label: "b", F1: 0.4, Support: 13}}
		r.Apps, r.Captures = 2, 6
		r.DatasetNotes = []string{"corpus: 1 file skipped"}
	}
	rs[0].Train = 90
	tb, err := Build(rs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := renderPage(t, &Page{Table: tb, Results: rs})
	for _, want := range []string{
		`<td data-sort="3">3</td><td data-sort="0.21666666666666667" title="n=3, sd 0.02887, 95% CI [0.14496, 0.28838]">0.2167 ± 0.0717</td>`,
		"<h3>majority</h3>", "<h3>destination-set</h3>",
		"summed over 3 repetitions",
		// 10+11+12 of the 39 samples of a classified as a over the
		// repetitions.
		`<td class="h8 d" title="a as a: 84.6%">33</td><td class="h2" title="a as b: 15.4%">6</td><td class="tot">39</td>`,
		"<td>2</td><td>6</td><td>90–100</td><td>25</td>",
		"fixture: corpus: 1 file skipped",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<figure>"); n != 3+2 {
		t.Errorf("%d figures, want 3 confusion matrices and 2 sweep plots", n)
	}
}
