package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appbench/featcache"
)

// TestMain points the default feature cache at a temporary folder, so that
// tests never write into the user's cache.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "appbench-cache-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("APPBENCH_CACHE", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestCacheInfoAndClean(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fc")
	c, err := featcache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if err := c.Put(featcache.KeyOf(k), []byte("features")); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := executeErr(t, "cache", "info", "--cache", dir)
	if err != nil || !strings.Contains(out, dir+": 2 entries") {
		t.Fatalf("cache info: %q, %v", out, err)
	}
	out, _, err = executeErr(t, "cache", "clean", "--cache", dir)
	if err != nil || !strings.Contains(out, "removed 2 entries") {
		t.Fatalf("cache clean: %q, %v", out, err)
	}
	if s, _ := c.Info(); s.Entries != 0 {
		t.Fatalf("%d entries after clean", s.Entries)
	}
	if _, _, err := executeErr(t, "cache", "purge", "--cache", dir); err == nil || !strings.Contains(err.Error(), `unknown action "purge"`) {
		t.Fatalf("cache purge: %v", err)
	}
}

// TestRunPrintsLoadLine: run says what reading and featurising cost and
// its peak memory.
func TestRunPrintsLoadLine(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(cfg, []byte(tinyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := executeErr(t, "run", cfg, "-o", filepath.Join(dir, "res"), "--no-progress", "--no-cache")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "data: read ") || !strings.Contains(stderr, "peak RSS ") {
		t.Errorf("no load line in %q", stderr)
	}
}
