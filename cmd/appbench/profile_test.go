package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRunProfiles: --cpuprofile and --memprofile write pprof files.
func TestRunProfiles(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(cfg, []byte(tinyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	if _, _, err := executeErr(t, "run", cfg, "-o", filepath.Join(dir, "res"), "--no-progress", "--no-cache", "--cpuprofile", cpu, "--memprofile", mem); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{cpu, mem} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, _, err := executeErr(t, "run", cfg, "-o", filepath.Join(dir, "res2"), "--cpuprofile", filepath.Join(dir, "no", "such", "cpu")); err == nil {
		t.Error("a CPU profile in a missing folder: no error")
	}
}
