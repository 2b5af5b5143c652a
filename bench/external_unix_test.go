//go:build unix

package bench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"appbench/internal/proctest"
)

// TestExternalCancelledRun checks that cancelling a run (Ctrl-C, a killed
// shard job) while a plugin runs kills the plugin's process group and
// leaves no temporary folder.
func TestExternalCancelledRun(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	src, err := os.ReadFile("../methods/external/testdata/sleep.sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sleep.sh"), src, 0o755); err != nil {
		t.Fatal(err)
	}
	pids := filepath.Join(dir, "pids")
	cfg := `name: cancel
dataset:
  kind: synth
  synth: {apps: 3, captures_per_app: 2, duration: 4m, seed: 1}
  window: 1m
methods:
  - name: external
    params: {command: [./sleep.sh], env: {PIDS: ` + pids + `}}
`
	x, err := LoadFile(writeConfig(t, dir, "x.yaml", cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for range 500 {
			if b, err := os.ReadFile(pids); err == nil && len(strings.Fields(string(b))) == 2 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	if _, err := Run(ctx, x, Options{Dir: filepath.Join(dir, "results")}); err == nil {
		t.Fatal("cancelled run succeeded")
	}
	proctest.CheckGone(t, pids)
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary folder %s left", left[0].Name())
	}
}
