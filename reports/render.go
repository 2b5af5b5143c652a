package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Formats lists the table formats of Write.
var Formats = []string{"text", "markdown", "latex", "csv", "json"}

// Write renders t in format (one of Formats).
func Write(w io.Writer, t *Table, format string) error {
	switch format {
	case "text", "":
		return WriteText(w, t)
	case "markdown", "md":
		return WriteMarkdown(w, t)
	case "latex", "tex":
		return WriteLaTeX(w, t)
	case "csv":
		return WriteCSV(w, t)
	case "json":
		return WriteJSON(w, t)
	}
	return fmt.Errorf("reports: unknown format %q (one of %s)", format, strings.Join(Formats, ", "))
}

// Cell formats a Stat as "mean ± half-width" with the metric's digits, the
// mean alone for one value, and "-" when absent. pm is the plus-minus
// sign to use.
func Cell(s Stat, digits int, pm string) string {
	switch s.N {
	case 0:
		return "-"
	case 1:
		return strconv.FormatFloat(s.Mean, 'f', digits, 64)
	}
	return strconv.FormatFloat(s.Mean, 'f', digits, 64) + pm + strconv.FormatFloat(s.Hi-s.Mean, 'f', digits, 64)
}

func header(t *Table) []string {
	h := append([]string{}, t.Keys...)
	h = append(h, "n")
	for _, c := range t.Columns {
		h = append(h, c.Name)
	}
	return append(h, pairedHeader(t)...)
}

func cells(t *Table, r *Row, pm string) []string {
	out := append([]string{}, r.Keys...)
	out = append(out, strconv.Itoa(r.Repeats))
	for i, c := range t.Columns {
		out = append(out, Cell(r.Cells[i], c.Digits, pm))
	}
	return append(out, pairedCells(t, r, plainMarks(pm))...)
}

func caption(t *Table) string {
	s := fmt.Sprintf("%s: mean ± %g%% confidence interval over n repetitions", t.Title, t.Confidence*100)
	if t.Baseline != "" {
		s += fmt.Sprintf("; Δ: difference with %s over matched cells (same seed, fold, group), p: Wilcoxon signed-rank, McNemar p: exact McNemar on the pooled test samples, both Holm-adjusted across rows; ~: not significant at %g", t.Baseline, t.Alpha)
	}
	return s
}

// marks are how a rendering writes the parts of a comparison cell.
type marks struct {
	pm, notSig string              // the ± sign and the not-significant mark
	num, p     func(string) string // wrap a number, a p-value
}

func plainMarks(pm string) marks {
	id := func(s string) string { return s }
	return marks{pm: pm, notSig: "~", num: id, p: func(s string) string { return "p=" + s }}
}

var latexMarks = marks{pm: ` \pm `, notSig: `$\sim$`,
	num: func(s string) string { return "$" + s + "$" },
	p:   func(s string) string { return "$p=" + s + "$" }}

// pairedHeader returns the titles of the comparison columns (none without
// a baseline).
func pairedHeader(t *Table) []string {
	if t.Baseline == "" {
		return nil
	}
	var h []string
	for _, c := range t.Columns {
		h = append(h, "Δ "+c.Name)
	}
	return append(h, "McNemar p")
}

// pairedCells formats a row's comparison with the baseline.
func pairedCells(t *Table, r *Row, mk marks) []string {
	if t.Baseline == "" {
		return nil
	}
	out := make([]string, 0, len(t.Columns)+1)
	switch {
	case r.Paired == nil:
		for range len(t.Columns) + 1 {
			out = append(out, "-")
		}
		return out
	case r.Paired.Baseline:
		for range len(t.Columns) + 1 {
			out = append(out, "baseline")
		}
		return out
	}
	for i, c := range t.Columns {
		out = append(out, deltaCell(r.Paired.Cells[i], c.Digits, mk))
	}
	mc := "-"
	if m := r.Paired.McNemar; m != nil {
		mc = mk.num(formatP(m.PHolm))
		if !m.Significant {
			mc += " " + mk.notSig
		}
	}
	return append(out, mc)
}

// deltaCell formats a paired difference: signed mean ± half-width, the
// not-significant mark, and the adjusted p-value.
func deltaCell(s PairedStat, digits int, mk marks) string {
	if s.N == 0 {
		return "-"
	}
	v := strconv.FormatFloat(s.Mean, 'f', digits, 64)
	if s.Mean >= 0 {
		v = "+" + v
	}
	if s.N > 1 {
		v += mk.pm + strconv.FormatFloat(s.Hi-s.Mean, 'f', digits, 64)
	}
	v = mk.num(v)
	if !s.Significant {
		v += " " + mk.notSig
	}
	return v + " (" + mk.p(formatP(s.PHolm)) + ")"
}

// formatP prints a p-value with three significant digits.
func formatP(p float64) string {
	return strconv.FormatFloat(p, 'g', 3, 64)
}

func writeTW(w io.Writer, t *Table, opts ...tablewriter.Option) error {
	align := make([]tw.Align, 0, len(t.Keys)+1+len(t.Columns))
	for range t.Keys {
		align = append(align, tw.AlignLeft)
	}
	for i := 0; i <= len(t.Columns)+len(pairedHeader(t)); i++ {
		align = append(align, tw.AlignRight)
	}
	opts = append([]tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	}, opts...)
	tb := tablewriter.NewTable(w, opts...)
	tb.Header(header(t))
	rows := make([][]string, len(t.Rows))
	for i := range t.Rows {
		rows[i] = cells(t, &t.Rows[i], " ± ")
	}
	if err := tb.Bulk(rows); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	if err := tb.Render(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// WriteText renders t as a terminal table with its caption and notes.
func WriteText(w io.Writer, t *Table) error {
	if _, err := fmt.Fprintln(w, caption(t)); err != nil {
		return err
	}
	if err := writeTW(w, t); err != nil {
		return err
	}
	for _, n := range t.Notes {
		if _, err := fmt.Fprintln(w, "note:", n); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown renders t as a GitHub-flavoured Markdown table.
func WriteMarkdown(w io.Writer, t *Table) error {
	if _, err := fmt.Fprintf(w, "**%s**\n\n", caption(t)); err != nil {
		return err
	}
	if err := writeTW(w, t, tablewriter.WithRenderer(renderer.NewMarkdown())); err != nil {
		return err
	}
	for _, n := range t.Notes {
		if _, err := fmt.Fprintf(w, "\n> note: %s\n", n); err != nil {
			return err
		}
	}
	return nil
}

var latexEscaper = strings.NewReplacer(`\`, `\textbackslash{}`, "&", `\&`, "%", `\%`, "$", `\$`, "#", `\#`,
	"_", `\_`, "{", `\{`, "}", `\}`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`)

// WriteLaTeX renders t as a booktabs tabular environment.
func WriteLaTeX(w io.Writer, t *Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%% %s\n", caption(t))
	b.WriteString(`\begin{tabular}{` + strings.Repeat("l", len(t.Keys)) + strings.Repeat("r", len(t.Columns)+1+len(pairedHeader(t))) + "}\n\\toprule\n")
	h := header(t)
	for i := range h {
		h[i] = strings.ReplaceAll(latexEscaper.Replace(h[i]), "Δ", `$\Delta$`)
	}
	b.WriteString(strings.Join(h, " & ") + ` \\` + "\n\\midrule\n")
	for i := range t.Rows {
		r := &t.Rows[i]
		var cs []string
		for _, k := range r.Keys {
			cs = append(cs, latexEscaper.Replace(k))
		}
		cs = append(cs, strconv.Itoa(r.Repeats))
		for j, c := range t.Columns {
			s := Cell(r.Cells[j], c.Digits, ` \pm `)
			if r.Cells[j].N > 0 {
				s = "$" + s + "$"
			}
			cs = append(cs, s)
		}
		cs = append(cs, pairedCells(t, r, latexMarks)...)
		b.WriteString(strings.Join(cs, " & ") + ` \\` + "\n")
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n")
	for _, n := range t.Notes {
		fmt.Fprintf(&b, "%% note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV renders t as CSV with full precision: the key columns, n, then
// mean, std, ci_lo and ci_hi of each metric (empty when absent).
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	h := append([]string{}, t.Keys...)
	h = append(h, "n")
	for _, c := range t.Columns {
		h = append(h, c.Key+"_mean", c.Key+"_std", c.Key+"_ci_lo", c.Key+"_ci_hi")
	}
	if t.Baseline != "" {
		for _, c := range t.Columns {
			h = append(h, c.Key+"_delta_n", c.Key+"_delta_mean", c.Key+"_delta_ci_lo", c.Key+"_delta_ci_hi", c.Key+"_wilcoxon_p", c.Key+"_wilcoxon_p_holm")
		}
		h = append(h, "mcnemar_b", "mcnemar_c", "mcnemar_p", "mcnemar_p_holm")
	}
	if err := cw.Write(h); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range t.Rows {
		rec := append([]string{}, r.Keys...)
		rec = append(rec, strconv.Itoa(r.Repeats))
		for _, s := range r.Cells {
			if s.N == 0 {
				rec = append(rec, "", "", "", "")
				continue
			}
			rec = append(rec, f(s.Mean), f(s.Std), f(s.Lo), f(s.Hi))
		}
		if t.Baseline != "" {
			rec = append(rec, pairedCSV(t, &r, f)...)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// pairedCSV gives the comparison fields of a CSV record: empty for the
// baseline's rows and rows without a baseline.
func pairedCSV(t *Table, r *Row, f func(float64) string) []string {
	out := make([]string, 6*len(t.Columns)+4)
	if r.Paired == nil || r.Paired.Baseline {
		return out
	}
	for i, s := range r.Paired.Cells {
		if s.N > 0 {
			copy(out[6*i:], []string{strconv.Itoa(s.N), f(s.Mean), f(s.Lo), f(s.Hi), f(s.P), f(s.PHolm)})
		}
	}
	if m := r.Paired.McNemar; m != nil {
		copy(out[6*len(t.Columns):], []string{strconv.Itoa(m.B), strconv.Itoa(m.C), f(m.P), f(m.PHolm)})
	}
	return out
}

// WriteJSON renders t as indented JSON.
func WriteJSON(w io.Writer, t *Table) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}
