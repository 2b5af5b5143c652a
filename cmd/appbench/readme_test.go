package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// notInRepo are folders the README names in backticks that a run makes or
// a dataset holds, not the repository.
var notInRepo = []string{"results/", "train_graphs/", "test_graphs/"}

var (
	codeSpan  = regexp.MustCompile("`([^`]+)`")
	pathShape = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.*-]*(/[A-Za-z0-9_.*-]+)*/?$`)
)

// readmePaths returns the repository paths that the Markdown text names in
// inline code, outside code blocks, without a leading "./": the spans that
// look like a path (a slash, no space, no placeholder such as <id> or
// $VAR, not absolute) and either start with a top-level entry of the
// repository (top) or end in ".go" or "/". Other spans with a slash, such
// as testing/fstest.TestFS or results/default, are not taken for paths.
func readmePaths(text string, top []string) []string {
	var prose strings.Builder
	fenced := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			prose.WriteString(line)
		}
	}
	var paths []string
	for _, m := range codeSpan.FindAllStringSubmatch(prose.String(), -1) {
		p := strings.TrimPrefix(m[1], "./")
		if !strings.Contains(p, "/") || !pathShape.MatchString(p) || slices.Contains(notInRepo, p) {
			continue
		}
		first, _, _ := strings.Cut(p, "/")
		if slices.Contains(top, first) || strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "/") {
			paths = append(paths, p)
		}
	}
	return paths
}

func TestReadmePaths(t *testing.T) {
	text := "See `configs/default.yaml`, `methods/all/all.go` and `./cmd/appbench`,\n" +
		"the folder `examples/`, `configs/mappgraph-*.yaml`, but not `results/default`,\n" +
		"`testing/fstest.TestFS`, `DIR/<name>.yaml`, `$APPBENCH_SHARED/golden/x`, `/usr/bin/time`,\n" +
		"`results/` or `go test ./...`; a span may `cross\nlines/x.go`.\n" +
		"```sh\ngo run `configs/in-a-block.yaml`\n```\n"
	got := readmePaths(text, []string{"cmd", "configs", "examples", "methods"})
	want := []string{"configs/default.yaml", "methods/all/all.go", "cmd/appbench", "examples/", "configs/mappgraph-*.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("readmePaths = %q, want %q", got, want)
	}
}

// TestReadmePathsExist checks that every repository path the README names
// exists (a pattern such as configs/mappgraph-*.yaml must match a file).
func TestReadmePathsExist(t *testing.T) {
	root := filepath.Join("..", "..")
	text, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var top []string
	for _, e := range entries {
		top = append(top, e.Name())
	}
	paths := readmePaths(string(text), top)
	if len(paths) < 10 {
		t.Fatalf("only %d repository paths found in README.md: %q", len(paths), paths)
	}
	for _, p := range paths {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil || len(matches) == 0 {
			t.Errorf("README.md names `%s`, which does not exist", p)
		}
	}
}
