package main

import "runtime/debug"

// defaultGCPercent is the garbage collector's target when the environment
// does not set GOGC. An experiment's memory is mostly a few large,
// long-lived, pointer-free arrays (feature matrices, rank columns, tree
// nodes) that are cheap to mark; Go's default of 100 lets the heap grow to
// twice that live data before collecting, 25 to 1.25 times, for about the
// same run time.
const defaultGCPercent = 25

// tuneGC applies defaultGCPercent unless getenv("GOGC") is set (GOGC and
// GOMEMLIMIT keep their usual meaning). It returns the target in force.
func tuneGC(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		pct := debug.SetGCPercent(-1)
		debug.SetGCPercent(pct)
		return pct
	}
	debug.SetGCPercent(defaultGCPercent)
	return defaultGCPercent
}
