package all_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	"appbench/methods"
	_ "appbench/methods/all"
)

// predictsOnce lists the methods whose conformance test may call
// methodtest.ConformanceOnce, the one exemption from
// methodtest.Conformance, with the reason.
var predictsOnce = map[string]string{
	"external": "its Predict removes the plugin's model folder, so it predicts once per Fit",
}

// TestEveryMethodHasConformanceTest fails when a registered method is named
// in no call of methodtest.Conformance (or, for the methods of
// predictsOnce, methodtest.ConformanceOnce) in the conformance_test.go of a
// method package, so that a method added without one fails.
func TestEveryMethodHasConformanceTest(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "*", "conformance_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	covered := make(map[string]map[string]bool) // method -> the checks calling it
	for _, file := range files {
		if filepath.Base(filepath.Dir(file)) == "methodtest" {
			continue // the tests of the checks themselves
		}
		if err := conformanceCalls(file, covered); err != nil {
			t.Fatal(err)
		}
	}
	names := methods.Names()
	if len(names) < 2 {
		t.Fatalf("registered methods %v: package all imports too few", names)
	}
	for _, name := range names {
		checks := covered[name]
		switch {
		case len(checks) == 0:
			t.Errorf("method %q has no conformance test: call methodtest.Conformance from a TestConformance in its package's conformance_test.go", name)
		case checks["ConformanceOnce"] && predictsOnce[name] == "":
			t.Errorf("method %q calls methodtest.ConformanceOnce but is no documented exemption (predictsOnce): call methodtest.Conformance", name)
		}
	}
	for name := range predictsOnce {
		if !covered[name]["ConformanceOnce"] {
			t.Errorf("predictsOnce lists %q, whose tests do not call methodtest.ConformanceOnce: remove it from the list", name)
		}
	}
}

// conformanceCalls adds to covered, for each function of the Go file that
// calls methodtest.Conformance or methodtest.ConformanceOnce, every string
// literal of that function (the method names among them, whether passed
// directly or from a table) with the name of the check it calls.
func conformanceCalls(file string, covered map[string]map[string]bool) error {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return err
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		checks := map[string]bool{}
		var literals []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "methodtest" && (n.Sel.Name == "Conformance" || n.Sel.Name == "ConformanceOnce") {
					checks[n.Sel.Name] = true
				}
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING {
					literals = append(literals, s)
				}
			}
			return true
		})
		for _, s := range literals {
			for c := range checks {
				if covered[s] == nil {
					covered[s] = map[string]bool{}
				}
				covered[s][c] = true
			}
		}
	}
	return nil
}
