package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSynthCommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "synth.yaml")
	if err := os.WriteFile(cfgPath, []byte("apps: 5\nduration: 20s\nnoise: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "corpus")
	cmd := newSynthCmd()
	var buf bytes.Buffer
	cmd.SetOut(&buf)
	cmd.SetArgs([]string{"-o", out, "--config", cfgPath, "--apps", "2", "--captures", "3", "--seed", "5"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^wrote .*: 2 apps, 6 captures, [1-9][0-9]* packets \([0-9]+ frames\), [0-9.]+ MB in [0-9.]+s`).MatchString(buf.String()) {
		t.Errorf("summary: %q", buf.String())
	}
	m, err := os.ReadFile(filepath.Join(out, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(m), "\n"); n != 7 {
		t.Errorf("manifest has %d lines, want a header and 6 captures:\n%s", n, m)
	}

	for _, args := range [][]string{
		{"--apps", "2"},                      // no output folder
		{"-o", out, "--apps", "0"},           // out of range
		{"-o", out, "--config", "nope.yaml"}, // missing file
	} {
		cmd := newSynthCmd()
		cmd.SetOut(&buf)
		cmd.SetErr(&buf)
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(context.Background()); err == nil {
			t.Errorf("synth %v: no error", args)
		}
	}
}
