package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"appbench/bench"
	"appbench/internal/atomicfile"
	"appbench/reports"
)

// reportFlags shape a report: the format, the columns, the plots folder,
// the output file ("" for standard output) and the confidence level.
type reportFlags struct {
	format, metrics, plots, output string
	confidence                     float64
	compare                        compareWith
}

// checkOutput checks the --output flag before any work: a file name (not
// a folder) in a folder that exists.
func checkOutput(path string) error {
	if path == "" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("--output %s: a folder; give the name of the file to write", path)
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return fmt.Errorf("--output %s: no folder %s to write it in", path, filepath.Dir(path))
	}
	return nil
}

// writeOutput runs render on w, or on the file path when it is set,
// written whole or not at all (internal/atomicfile).
func writeOutput(w io.Writer, path string, render func(io.Writer) error) error {
	if path == "" {
		return render(w)
	}
	return atomicfile.Write(path, func(bw *bufio.Writer) error { return render(bw) })
}

// pageStamp gives the build and the command line a page records; tests
// replace it so that golden pages do not change from build to build.
var pageStamp = func() (version, command string) {
	return versionString(), commandLine(os.Args)
}

// commandLine joins args as a shell would read them, the program by its
// base name.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if i == 0 {
			a = filepath.Base(a)
		}
		out[i] = shellQuote(a)
	}
	return strings.Join(out, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// word characters.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:+@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// newPage gathers what the HTML page shows besides the table t: the
// results, the experiment copies of the results folder, build and command.
func newPage(tb table, t *reports.Table) *reports.Page {
	p := &reports.Page{Table: t, Results: tb.rs}
	p.Version, p.Command = pageStamp()
	var names []string
	for _, r := range tb.rs {
		if !slices.Contains(names, r.Experiment) {
			names = append(names, r.Experiment)
		}
	}
	for _, n := range names {
		path := bench.ExperimentPath(tb.dir, n)
		e := reports.ExperimentFile{Name: n, Path: filepath.Base(path)}
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			e.Err = fmt.Sprintf("no experiment copy %s in the results folder", e.Path)
		case err != nil:
			e.Err = fmt.Sprintf("cannot read the experiment copy: %v", err)
		default:
			e.Text = string(b)
		}
		p.Experiments = append(p.Experiments, e)
	}
	return p
}
