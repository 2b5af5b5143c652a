package resultfmt

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"appbench/internal/atomicfile"
)

// TempPrefix starts the names of the temporary files written in a results
// folder; ReadResults ignores them and bench.Run removes those that
// interrupted runs left.
const TempPrefix = ".tmp-"

// TempName returns the prefix of this process's temporary files:
// TempPrefix, then the host name (its dashes made underscores), the pid
// and a dash, as in .tmp-<host>-<pid>-.
func TempName() string {
	return fmt.Sprintf("%s%s-%d-", TempPrefix, hostTag(), os.Getpid())
}

// TempPID returns the pid of the process of this host that named the
// temporary file name (see TempName); ok is false for a name of another
// host or not made by TempName.
func TempPID(name string) (pid int, ok bool) {
	rest, found := strings.CutPrefix(name, TempPrefix)
	if !found {
		return 0, false
	}
	parts := strings.SplitN(rest, "-", 3)
	if len(parts) < 3 || parts[0] != hostTag() {
		return 0, false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, false
	}
	return pid, true
}

// hostTag is the host name with its dashes made underscores, so that it
// splits off a temporary file's name at the first dash.
func hostTag() string {
	host, _ := os.Hostname()
	return strings.ReplaceAll(host, "-", "_")
}

// WriteFile stores b at path atomically: it writes a temporary file named
// after TempName in the same folder, syncs it and renames it over path, so
// a crash leaves either no file or a complete one (and a temporary file
// that bench.Run removes).
func WriteFile(path string, b []byte) error {
	return writeTemp(path, func(w *bufio.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// writeTemp writes path atomically with fill, under a temporary name after
// TempName.
func writeTemp(path string, fill func(w *bufio.Writer) error) error {
	if err := atomicfile.WriteTemp(path, TempName()+filepath.Base(path)+"-*", fill); err != nil {
		return fmt.Errorf("resultfmt: %w", err)
	}
	return nil
}
