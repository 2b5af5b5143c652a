package atomicfile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Write creates or replaces path with what fill writes. The temporary file
// is named "." + base name + ".tmp" + a random suffix. On any error the
// temporary file is removed and path is left as it was.
func Write(path string, fill func(w *bufio.Writer) error) error {
	return WriteTemp(path, "."+filepath.Base(path)+".tmp*", fill)
}

// WriteTemp is Write with the temporary file's name pattern given, in
// os.CreateTemp's syntax (the last "*" becomes a random string), so that
// callers can recognise and clean up files left by a killed process.
// Files are created with mode 0644.
func WriteTemp(path, pattern string, fill func(w *bufio.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	w := bufio.NewWriterSize(f, 1<<16)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
