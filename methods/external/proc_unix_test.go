//go:build unix

package external

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"appbench/internal/proctest"
)

// TestTimeoutAndCancel checks that a call past its timeout, and a call
// whose context is cancelled, end with the plugin's whole process group
// killed.
func TestTimeoutAndCancel(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		t.Run(fmt.Sprintf("cancel=%v", cancel), func(t *testing.T) {
			pids := filepath.Join(t.TempDir(), "pids")
			timeout := "300ms"
			if cancel {
				timeout = "1m"
			}
			m, _, _ := plugin(t, fmt.Sprintf("command: [./sleep.sh]\ntimeout: %s\nenv: {PIDS: %s}\n", timeout, pids))
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			if cancel {
				go func() {
					for range 100 {
						if _, err := os.Stat(pids); err == nil {
							break
						}
						time.Sleep(20 * time.Millisecond)
					}
					stop()
				}()
			}
			train, _ := fixture()
			t0 := time.Now()
			err := m.Fit(ctx, train)
			switch {
			case err == nil:
				t.Fatal("no error")
			case cancel && !errors.Is(err, context.Canceled):
				t.Errorf("error %v, want context.Canceled", err)
			case !cancel && !strings.Contains(err.Error(), "external ./sleep.sh: fit: timed out after 300ms (timeout); last 1 lines of its standard error:\n  | sleeping"):
				t.Errorf("error %v", err)
			}
			if d := time.Since(t0); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			proctest.CheckGone(t, pids)
		})
	}
}
