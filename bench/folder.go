package bench

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"appbench/resultfmt"
)

// done reports whether dir holds a complete result for c with the same
// configuration hash.
func done(dir string, c *Cell) bool {
	r, err := resultfmt.ReadResult(resultfmt.ResultPath(dir, c.ID))
	return err == nil && r.ConfigHash == c.Hash
}

// staleTemp reports whether a temporary file was left by a process that is
// gone: one of this host whose pid no longer runs, or any older than ten
// minutes (a result is written in milliseconds).
func staleTemp(e fs.DirEntry) bool {
	if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 10*time.Minute {
		return true
	}
	pid, ok := resultfmt.TempPID(e.Name())
	return ok && pid != os.Getpid() && !processAlive(pid)
}

// removeTemps deletes temporary files left in dir by interrupted runs.
func removeTemps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("bench: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), resultfmt.TempPrefix) && staleTemp(e) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
		}
	}
	return nil
}
