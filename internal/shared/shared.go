package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the environment variable holding the shared data folder.
const EnvVar = "APPBENCH_SHARED"

// Root returns the shared data folder named by APPBENCH_SHARED, or "" when
// the variable is unset. A relative folder is taken relative to the module
// root (the folder holding go.mod), not to the package under test, so that
// APPBENCH_SHARED=../shared means the same thing for every package.
func Root() string {
	root := os.Getenv(EnvVar)
	if root == "" || filepath.IsAbs(root) {
		return root
	}
	dir, err := os.Getwd()
	if err != nil {
		return root
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, root)
		}
		if filepath.Dir(d) == d {
			return root
		}
	}
}

// Path returns the path of rel inside the shared data folder. It skips the
// test when APPBENCH_SHARED is unset and fails it when the path does not
// exist.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	root := Root()
	if root == "" {
		tb.Skipf("%s is not set: skipping a test that needs the shared reference data (set it to the shared folder, e.g. %s=../shared)", EnvVar, EnvVar)
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared reference data: %v (%s=%s)", err, EnvVar, root)
	}
	return p
}

// Glob returns the paths inside the shared data folder that match pattern
// (filepath.Glob syntax, relative to the folder). It skips the test when
// APPBENCH_SHARED is unset and fails it when nothing matches.
func Glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	root := Path(tb, ".")
	m, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		tb.Fatalf("shared reference data: bad pattern %q: %v", pattern, err)
	}
	if len(m) == 0 {
		tb.Fatalf("shared reference data: nothing matches %q in %s", pattern, root)
	}
	return m
}
