package reports

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// heavyPackages are the packages of captures, features, graphs and
// methods: reading a results folder must not compile them.
var heavyPackages = []string{
	"appbench/bench",
	"appbench/datasets",
	"appbench/featcache",
	"appbench/mappgraph",
	"appbench/methods",
	"appbench/flowprint",
	"appbench/appscanner",
	"appbench/forest",
}

// heavy reports whether the import path is one of heavyPackages or below
// one.
func heavy(path string) bool {
	return slices.ContainsFunc(heavyPackages, func(h string) bool {
		return path == h || strings.HasPrefix(path, h+"/")
	})
}

// moduleImports returns the appbench packages that pkg imports,
// transitively (pkg itself included), each with the package importing it
// first. Tests are left out.
func moduleImports(t *testing.T, pkg string) map[string]string {
	t.Helper()
	by := map[string]string{pkg: ""}
	queue := []string{pkg}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		p, err := build.Import(path, ".", 0)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		for _, imp := range p.Imports {
			if _, seen := by[imp]; seen || (imp != "appbench" && !strings.HasPrefix(imp, "appbench/")) {
				continue
			}
			by[imp] = path
			queue = append(queue, imp)
		}
	}
	return by
}

// TestImportBoundary checks that reports, and the results format it
// reads, compile none of the capture, feature, graph or method packages.
func TestImportBoundary(t *testing.T) {
	for _, pkg := range []string{"appbench/reports", "appbench/resultfmt"} {
		by := moduleImports(t, pkg)
		if len(by) < 2 {
			t.Fatalf("%s: found %d appbench packages, want it and its imports", pkg, len(by))
		}
		for path, importer := range by {
			if heavy(path) {
				t.Errorf("%s imports %s (through %s)", pkg, path, importer)
			}
		}
	}
}

// TestHeavy checks the package filter of TestImportBoundary.
func TestHeavy(t *testing.T) {
	for path, want := range map[string]bool{
		"appbench/bench": true, "appbench/methods/all": true, "appbench/mappgraph/dgcnn": true,
		"appbench/datasets/synth": true, "appbench/forest": true,
		"appbench/reports": false, "appbench/resultfmt": false, "appbench/internal/atomicfile": false,
		"appbench/benchmarks": false,
	} {
		if got := heavy(path); got != want {
			t.Errorf("heavy(%q) = %v, want %v", path, got, want)
		}
	}
}
