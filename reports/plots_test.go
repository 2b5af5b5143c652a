package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"appbench/internal/atomicfile"
	"appbench/resultfmt"
)

// TestWritePlotsDiskFull writes the plots of a small sweep on a simulated
// full disk: the first failure stops the plotting, is reported once, and
// no file (empty image or temporary) is left.
func TestWritePlotsDiskFull(t *testing.T) {
	var rs []*resultfmt.Result
	for i, k := range []int{1, 3} {
		for rep := range 2 {
			rs = append(rs, &resultfmt.Result{
				Schema: resultfmt.ResultSchema, ID: fmt.Sprintf("m-%d-%d", i, rep), Experiment: "x",
				Method: "m", MethodName: "m", PointIndex: i, Repeat: rep,
				Point: []resultfmt.Coord{{Param: "methods.m.k", Value: k}},
				Metrics: resultfmt.Metrics{N: 4, Accuracy: 0.5,
					Confusion: resultfmt.Confusion{Labels: []string{"a", "b"}, Matrix: [][]int{{1, 1}, {1, 1}}}},
			})
		}
	}
	tbl, err := Build(rs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "plots")
	restore := atomicfile.SetFault(func(string) error { return syscall.ENOSPC })
	err = WritePlots(dir, rs, tbl, nil, 0.95)
	restore()
	if n := strings.Count(fmt.Sprint(err), "no space left"); n != 1 {
		t.Errorf("error reports the full disk %d times, want once:\n%v", n, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a full disk left %d files in the plots folder", len(ents))
	}
	if err := WritePlots(dir, rs, tbl, nil, 0.95); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 8 {
		t.Errorf("%d plots written, want 4 sweep and 4 confusion plots", len(ents))
	}
}
