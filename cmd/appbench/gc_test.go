package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: without GOGC the collector runs at defaultGCPercent; with
// GOGC set, its value stays.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	if got := tuneGC(func(string) string { return "" }); got != defaultGCPercent || debug.SetGCPercent(77) != defaultGCPercent {
		t.Fatalf("GOGC unset: target %d, want %d", got, defaultGCPercent)
	}
	if got := tuneGC(func(k string) string { return map[string]string{"GOGC": "77"}[k] }); got != 77 || debug.SetGCPercent(77) != 77 {
		t.Fatalf("GOGC=77: target %d, want 77 kept", got)
	}
}
