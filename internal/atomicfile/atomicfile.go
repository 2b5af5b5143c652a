package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// Kind is what an output path names, which decides how it is written.
type Kind int

const (
	// New is a path that does not exist yet: it is created atomically.
	New Kind = iota
	// Regular is an existing regular file: it is replaced atomically,
	// keeping its permission bits.
	Regular
	// Stream is a character or block device, a FIFO or a socket: it is
	// opened and written directly, as the content is produced.
	Stream
	// Stdout is "-": the content goes to standard output.
	Stdout
)

// String names the kind as the error messages do.
func (k Kind) String() string {
	switch k {
	case New:
		return "new file"
	case Regular:
		return "regular file"
	case Stream:
		return "device or pipe"
	case Stdout:
		return "standard output"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Target is an output path resolved: symbolic links followed to the path
// that is written.
type Target struct {
	// Path is what is written: the path given, or the final target of a
	// symbolic link (which may not exist yet, for a dangling link).
	Path string
	Kind Kind
	// Perm is the permission bits of an existing regular file.
	Perm fs.FileMode
}

// maxLinks bounds the symbolic links followed, as the kernel does.
const maxLinks = 40

// Resolve tells how path is to be written. "-" is standard output; a
// symbolic link is followed (a dangling one to the path it names, which
// is then created); a directory is an error.
func Resolve(path string) (Target, error) {
	if path == "-" {
		return Target{Path: path, Kind: Stdout}, nil
	}
	p := path
	for range maxLinks {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return Target{Path: p, Kind: New}, nil
		}
		if err != nil {
			return Target{}, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return target(p, fi)
		}
		if p, err = linkTarget(p); err != nil {
			return Target{}, err
		}
	}
	return Target{}, &fs.PathError{Op: "resolve", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// target classifies an existing file that is not a symbolic link.
func target(p string, fi fs.FileInfo) (Target, error) {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return Target{Path: p, Kind: Regular, Perm: m.Perm()}, nil
	case m.IsDir():
		return Target{}, &fs.PathError{Op: "write", Path: p, Err: errors.New("is a directory")}
	default:
		return Target{Path: p, Kind: Stream}, nil
	}
}

// linkTarget returns the path the symbolic link p names. A relative
// target is taken from p's folder with that folder's own links resolved,
// so that ".." steps out of the real folder, as the kernel does.
func linkTarget(p string) (string, error) {
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real, nil
	}
	t, err := os.Readlink(p)
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(t) {
		return t, nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, t), nil
}

// Options change how Write treats some paths. The zero value is the
// default.
type Options struct {
	// Pattern names the temporary file, in os.CreateTemp's syntax (the
	// last "*" becomes a random string), so that callers can recognise
	// and clean up files left by a killed process. Default: "." + the base
	// name + ".tmp*".
	Pattern string
	// Stdout receives the content when the path is "-" (default
	// os.Stdout).
	Stdout io.Writer
}

// Write writes path with what fill writes, deciding how from what path
// is (see Resolve):
//
//   - a new path or a regular file is written atomically: the content
//     goes to a temporary file in the same folder, which is flushed, synced
//     and renamed over path, so readers and a crash see the old file or
//     the whole new one; on any error the temporary file is removed and
//     path is left as it was. A new file gets mode 0644, a replaced one
//     keeps its permission bits;
//   - a symbolic link is followed and its target written atomically, the
//     link kept;
//   - a device or a FIFO (and "-", standard output) is written directly as
//     the content is produced: these cannot be replaced, and what was
//     written before an error has been delivered.
func Write(path string, fill func(w *bufio.Writer) error) error {
	return Options{}.Write(path, fill)
}

// WriteTemp is Write with the temporary file's name pattern given (see
// Options.Pattern).
func WriteTemp(path, pattern string, fill func(w *bufio.Writer) error) error {
	return Options{Pattern: pattern}.Write(path, fill)
}

// Write is the package's Write with these options.
func (o Options) Write(path string, fill func(w *bufio.Writer) error) error {
	t, err := Resolve(path)
	if err == nil {
		switch t.Kind {
		case Stdout:
			err = o.writeStdout(fill)
		case Stream:
			err = writeStream(t.Path, fill)
		default:
			err = o.writeAtomic(t, fill)
		}
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func (o Options) writeStdout(fill func(w *bufio.Writer) error) error {
	out := o.Stdout
	if out == nil {
		out = os.Stdout
	}
	w := bufio.NewWriterSize(faulty("-", out), 1<<16)
	if err := fill(w); err != nil {
		return err
	}
	return w.Flush()
}

// writeStream opens an existing device or FIFO for writing (a FIFO waits
// for a reader) and writes to it.
func writeStream(path string, fill func(w *bufio.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(faulty(path, f), 1<<16)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAtomic writes a temporary file beside t.Path and renames it there.
func (o Options) writeAtomic(t Target, fill func(w *bufio.Writer) error) error {
	pattern := o.Pattern
	if pattern == "" {
		pattern = "." + filepath.Base(t.Path) + ".tmp*"
	}
	perm := fs.FileMode(0o644)
	if t.Kind == Regular {
		perm = t.Perm
	}
	f, err := os.CreateTemp(filepath.Dir(t.Path), pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	w := bufio.NewWriterSize(faulty(t.Path, f), 1<<16)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, t.Path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// fault, when set, can fail the writes of some paths (see SetFault).
var fault atomic.Pointer[func(path string) error]

// SetFault makes Write fail, for the paths where check returns an error,
// as a full disk does: the destination is opened, then every write to it
// fails with that error. It is meant for tests of the callers (for
// example that a full disk leaves no half-written file, or stops a run);
// it applies to the whole process until the returned function restores
// normal writing.
func SetFault(check func(path string) error) (restore func()) {
	fault.Store(&check)
	return func() { fault.Store(nil) }
}

// faulty returns w, or a writer failing as SetFault asked for path.
func faulty(path string, w io.Writer) io.Writer {
	check := fault.Load()
	if check == nil {
		return w
	}
	if err := (*check)(path); err != nil {
		return failWriter{&fs.PathError{Op: "write", Path: path, Err: err}}
	}
	return w
}

// failWriter fails every write with its error.
type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }
