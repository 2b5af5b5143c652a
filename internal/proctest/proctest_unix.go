//go:build unix

package proctest

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Running reports whether process pid runs (a zombie does not), waiting
// up to a second for it to end.
func Running(pid int) bool {
	for range 50 {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		if f := strings.Fields(string(b)); len(f) > 2 && f[2] == "Z" {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// CheckGone reads the process ids in file pids (separated by white
// space, as a shell script writes "$$ $!") and fails tb for each process
// that still runs, killing it so that the test leaves none behind. It
// fails tb at once when the file cannot be read.
func CheckGone(tb testing.TB, pids string) {
	tb.Helper()
	b, err := os.ReadFile(pids)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			tb.Errorf("%s: process id %q is no number", pids, f)
			continue
		}
		if Running(pid) {
			tb.Errorf("process %d (listed in %s) still runs", pid, pids)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
