package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyConfig is a one-cell experiment that runs in well under a second.
const tinyConfig = `name: tiny
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 2, duration: 2m, seed: 3}
methods: [{name: majority}]
`

// executeErr runs the command line on a fresh command tree and returns
// its standard output and standard error.
func executeErr(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// TestRunFlagsCheckedFirst checks that a bad flag of run fails before any
// work: no results folder, no cell run.
func TestRunFlagsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	file := filepath.Join(dir, "a-file")
	for _, p := range []string{cfg, file} {
		if err := os.WriteFile(p, []byte(tinyConfig), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := filepath.Join(dir, "results")
	cases := []struct {
		flags []string
		want  string
	}{
		{[]string{"--format", "bogus"}, `--format "bogus": unknown format (one of text,`},
		{[]string{"--metrics", "bogus"}, `--metrics "bogus": unknown metric "bogus" (known: accuracy,`},
		{[]string{"--metrics", "accuracy,,macro_f1"}, "empty metric name"},
		{[]string{"--workers", "-1"}, "--workers -1: want at least 1"},
		{[]string{"--workers", "0"}, "--workers 0: want at least 1"},
		{[]string{"--shard", "3/3"}, `shard "3/3"`},
		{[]string{"--plots", file}, "--plots " + file + ": not a folder"},
		{[]string{"--out", file}, "--out " + file + ": not a folder"},
	}
	for _, c := range cases {
		args := append([]string{"run", cfg, "--no-progress"}, c.flags...)
		if !slices.Contains(c.flags, "--out") {
			args = append(args, "--out", res)
		}
		_, _, err := executeErr(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run %s: error %v, want one containing %q", strings.Join(c.flags, " "), err, c.want)
		}
		if _, err := os.Stat(res); err == nil {
			t.Fatalf("run %s created the results folder", strings.Join(c.flags, " "))
		}
	}
	if _, _, err := executeErr(t, "run", cfg, "--no-progress", "--out", res, "--workers", "1", "--metrics", "accuracy, macro_f1"); err != nil {
		t.Errorf("good flags: %v", err)
	}
}

// TestReportFlags checks report's flag checks and its message for an
// experiment the folder does not hold.
func TestReportFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(cfg, []byte(tinyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "results")
	if _, _, err := executeErr(t, "run", cfg, "--no-progress", "--out", res); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		flags []string
		want  string
	}{
		{[]string{"--confidence", "0"}, "--confidence 0: want a level in (0, 1)"},
		{[]string{"--confidence", "1"}, "--confidence 1: want a level in (0, 1)"},
		{[]string{"--confidence", "95"}, "--confidence 95: want a level in (0, 1)"},
		{[]string{"--confidence", "-0.5"}, "--confidence -0.5"},
		{[]string{"--format", "bogus"}, `--format "bogus"`},
		{[]string{"--metrics", "acuracy"}, `unknown metric "acuracy"`},
		{[]string{"--per-class", "--metrics", "accuracy"}, "--per-class"},
		{[]string{"--per-class", "--plots", filepath.Join(dir, "p")}, "--per-class"},
		{[]string{"--experiment", "nope"}, `no experiment named "nope" in ` + res + " (experiments there: tiny)"},
		{[]string{"--per-class", "--format", "html"}, "--per-class with --format html"},
		{[]string{"-o", dir}, "--output " + dir + ": a folder"},
		{[]string{"-o", filepath.Join(dir, "nope", "r.html")}, "no folder " + filepath.Join(dir, "nope")},
	}
	for _, c := range cases {
		_, _, err := executeErr(t, append([]string{"report", res}, c.flags...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("report %s: error %v, want one containing %q", strings.Join(c.flags, " "), err, c.want)
		}
	}
	out, _, err := executeErr(t, "report", res, "--experiment", "tiny", "--confidence", "0.9")
	if err != nil || !strings.Contains(out, "90% confidence interval") {
		t.Errorf("report --experiment tiny --confidence 0.9 (%v):\n%s", err, out)
	}
}

// TestRunPrintsWarningsOnce checks that a one-app dataset is warned about
// once on standard error, however many cells use it.
func TestRunPrintsWarningsOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "one.yaml")
	text := tinyConfig + "  - name: destination-set\nrepeats: 2\n"
	text = strings.Replace(text, "methods: [{name: majority}]\n", "methods:\n  - name: majority\n", 1)
	text = strings.Replace(text, "seed: 3}\n", "seed: 3}\n  apps: [mapsy]\n", 1)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := executeErr(t, "run", cfg, "--dry-run", "--out", filepath.Join(dir, "r"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stderr, "only one app"); n != 1 {
		t.Errorf("%d one-app warnings, want 1:\n%s", n, stderr)
	}
}

// TestRunNotesIgnoredFlags checks that flags a mode does not use are named
// in a note rather than silently dropped.
func TestRunNotesIgnoredFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(cfg, []byte(tinyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := executeErr(t, "run", cfg, "--dry-run", "--out", filepath.Join(dir, "r"), "--format", "csv", "--workers", "2")
	if err != nil || !strings.Contains(stderr, "note: --dry-run runs nothing: --workers, --format ignored") {
		t.Errorf("dry run (%v): stderr %q", err, stderr)
	}
	_, stderr, err = executeErr(t, "run", cfg, "--no-progress", "--shard", "0/2", "--out", filepath.Join(dir, "s"), "--metrics", "accuracy")
	if err != nil || !strings.Contains(stderr, "note: a shard prints no table: --metrics ignored") {
		t.Errorf("shard (%v): stderr %q", err, stderr)
	}
}

// TestRootCmdFresh checks that each command tree has flags of its own: a
// flag given to one tree leaves another tree's flag at its default.
func TestRootCmdFresh(t *testing.T) {
	a, b := newRootCmd(), newRootCmd()
	for _, c := range [][]string{{"run", "format"}, {"report", "format"}, {"convert", "output"}, {"inspect", "json"}, {"cache", "cache"}, {"synth", "apps"}, {"features", "kind"}, {"classify", "format"}} {
		ca, _, err := a.Find(c[:1])
		if err != nil {
			t.Fatal(err)
		}
		cb, _, err := b.Find(c[:1])
		if err != nil {
			t.Fatal(err)
		}
		fa, fb := ca.Flags().Lookup(c[1]), cb.Flags().Lookup(c[1])
		if fa == nil || fb == nil {
			t.Fatalf("%s: no flag --%s", c[0], c[1])
		}
		val := "7"
		if fa.Value.Type() == "bool" {
			val = "true"
		}
		if err := fa.Value.Set(val); err != nil {
			t.Fatal(err)
		}
		if fb.Value.String() != fb.DefValue {
			t.Errorf("%s --%s: setting it on one tree set it on another (%s, default %s)", c[0], c[1], fb.Value, fb.DefValue)
		}
	}
	var names []string
	for _, c := range a.Commands() {
		names = append(names, c.Name())
	}
	const want = "cache classify convert features flowprint inspect methods report run synth version"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("subcommands %q, want %q", got, want)
	}
}
