package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"appbench/bench"
)

// TestRunLeavesLockedCells locks one cell from another host: run leaves it,
// says so in its closing line and names the holder.
func TestRunLeavesLockedCells(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sel.yaml")
	if err := os.WriteFile(cfg, []byte(selectConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	x, err := bench.LoadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "results")
	if err := os.MkdirAll(res, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(bench.Holder{PID: 4242, Host: "node-7.example", Since: time.Now()})
	if err := os.WriteFile(bench.LockPath(res, x.Cells[0].ID), b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, got, err := executeErr(t, "run", cfg, "--out", res, "--no-progress")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5 run, 0 failed, 1 left to other processes", "pid 4242 on host node-7.example", x.Cells[0].ID} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got)
		}
	}
}
