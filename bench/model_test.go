package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"appbench/resultfmt"
)

// TestSaveModels checks that Options.SaveModels writes the model of a
// method that can save it, which ReadModel restores with its header, and a
// note instead of a file for a method that cannot.
func TestSaveModels(t *testing.T) {
	x := loadFixture(t, fmt.Sprintf(`dataset: {kind: graphs, path: %s}
methods: [{name: majority}, {name: test-chatty}]
`, graphFixture(t)))
	dir := t.TempDir()
	sum, err := Run(context.Background(), x, Options{Dir: dir, SaveModels: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sum.Results {
		_, statErr := os.Stat(ModelPath(dir, r.ID))
		switch r.MethodName {
		case "majority":
			m, err := ReadModel(ModelPath(dir, r.ID), 1)
			if err != nil {
				t.Fatal(err)
			}
			if m.ModelHeader.Method != "majority" || m.Cell != r.ID || m.Format != ModelFormat || m.Version != resultfmt.Version() || len(m.Labels) != r.Apps {
				t.Errorf("header %+v", m.ModelHeader)
			}
		case "test-chatty":
			if statErr == nil {
				t.Errorf("%s: model file written for a method without methods.Saver", r.ID)
			}
			if !strings.Contains(strings.Join(r.MethodNotes, "\n"), "cannot save its model") {
				t.Errorf("%s: notes %q say nothing of the model", r.ID, r.MethodNotes)
			}
		}
	}
	// A second run skips the finished cells and notes those without a
	// model file.
	os.Remove(ModelPath(dir, sum.Results[0].ID))
	again, err := Run(context.Background(), x, Options{Dir: dir, SaveModels: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Join(again.Notes, "\n"); !strings.Contains(n, "2 cell(s) finished by an earlier run have no model file") {
		t.Errorf("notes of a second run: %q", again.Notes)
	}
	// Without the option no model is written.
	dir2 := t.TempDir()
	if _, err := Run(context.Background(), x, Options{Dir: dir2}); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(dir2); strings.Contains(fmt.Sprint(left), ModelSuffix) {
		t.Errorf("model files without SaveModels: %v", left)
	}
}
