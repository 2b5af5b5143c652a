//go:build unix

package proctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that keeps the failures instead of reporting
// them.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.errors++ }

func TestCheckGone(t *testing.T) {
	ended := exec.Command("true")
	if err := ended.Run(); err != nil {
		t.Fatal(err)
	}
	sleeping := exec.Command("sleep", "60")
	if err := sleeping.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- sleeping.Wait() }()
	pids := filepath.Join(t.TempDir(), "pids")
	if err := os.WriteFile(pids, []byte(fmt.Sprintf("%d %d\n", ended.Process.Pid, sleeping.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	CheckGone(r, pids)
	if r.errors != 1 {
		t.Fatalf("%d failures, want 1 (for the sleeping process only)", r.errors)
	}
	if err := <-waited; err == nil {
		t.Fatal("the sleeping process was not killed")
	}
	if Running(sleeping.Process.Pid) {
		t.Fatal("Running: the killed process still runs")
	}
}
