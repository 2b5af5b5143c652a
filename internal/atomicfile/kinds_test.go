package atomicfile

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// put returns a fill function writing s.
func put(s string) func(w *bufio.Writer) error {
	return func(w *bufio.Writer) error {
		_, err := w.WriteString(s)
		return err
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteNewPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.txt")
	if k := mustResolve(t, path).Kind; k != New {
		t.Fatalf("kind %v, want %v", k, New)
	}
	if err := Write(path, put("new\n")); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, path); got != "new\n" {
		t.Errorf("content %q", got)
	}
	assertOnly(t, dir, "new.txt")
}

func TestWriteRegularKeepsPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if k := mustResolve(t, path).Kind; k != Regular {
		t.Fatalf("kind %v, want %v", k, Regular)
	}
	if err := Write(path, put("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600 kept", fi.Mode().Perm(), err)
	}
	if got := readString(t, path); got != "new" {
		t.Errorf("content %q", got)
	}
	assertOnly(t, dir, "script.sh")
}

// TestWriteSymlink writes through a link to a file in another folder,
// with a relative target: the target changes, the link stays a link, and
// no temporary file is left in either folder.
func TestWriteSymlink(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	real := filepath.Join(other, "real.txt")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, real)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(rel, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, put("through the link")); err != nil {
		t.Fatal(err)
	}
	assertLink(t, link, rel)
	if got := readString(t, real); got != "through the link" {
		t.Errorf("target holds %q", got)
	}
	assertOnly(t, dir, "link.txt")
	assertOnly(t, other, "real.txt")
}

// TestWriteDanglingSymlink creates the file a dangling link names, through
// a chain of two links.
func TestWriteDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink("middle.txt", link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub/target.txt", filepath.Join(dir, "middle.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := mustResolve(t, link); got.Kind != New || got.Path != filepath.Join(dir, "sub", "target.txt") {
		t.Fatalf("resolved to %+v", got)
	}
	if err := Write(link, put("created")); err != nil {
		t.Fatal(err)
	}
	assertLink(t, link, "middle.txt")
	if got := readString(t, filepath.Join(dir, "sub", "target.txt")); got != "created" {
		t.Errorf("target holds %q", got)
	}
	assertOnly(t, filepath.Join(dir, "sub"), "target.txt")
}

func TestWriteSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink("b", a)
	os.Symlink("a", b)
	if err := Write(a, put("x")); err == nil || !strings.Contains(err.Error(), a) {
		t.Fatalf("error %v, want one naming %s", err, a)
	}
	assertLink(t, a, "b")
}

// TestWriteFIFO streams into a FIFO read by another goroutine: the FIFO is
// not replaced by a regular file.
func TestWriteFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if k := mustResolve(t, fifo).Kind; k != Stream {
		t.Fatalf("kind %v, want %v", k, Stream)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	want := strings.Repeat("line of a stream\n", 10000) // beyond the pipe's buffer
	if err := Write(fifo, put(want)); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != want {
			t.Errorf("reader got %d bytes, want %d", len(s), len(want))
		}
	case <-time.After(10 * time.Second):
		t.Error("the FIFO's reader got no end of file")
	}
	fi, err := os.Lstat(fifo)
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a FIFO: %v, %v", fifo, fi.Mode(), err)
	}
	assertOnly(t, dir, "pipe")
}

// TestWriteDevNull writes to /dev/null, directly and through a link: it
// stays a character device (as root, a rename would have replaced it).
func TestWriteDevNull(t *testing.T) {
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Skip("no character device", os.DevNull)
	}
	link := filepath.Join(t.TempDir(), "null")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{os.DevNull, link} {
		if k := mustResolve(t, p).Kind; k != Stream {
			t.Fatalf("%s: kind %v, want %v", p, k, Stream)
		}
		if err := Write(p, put("discarded")); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Errorf("%s is no longer a device: %v", os.DevNull, err)
	}
}

// TestWriteDevFull reports the device's error, ENOSPC, to the caller.
func TestWriteDevFull(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	err := Write("/dev/full", put("x"))
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "/dev/full") {
		t.Fatalf("error %v, want ENOSPC naming /dev/full", err)
	}
}

func TestWriteStdout(t *testing.T) {
	var buf bytes.Buffer
	if err := (Options{Stdout: &buf}).Write("-", put("to stdout")); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "to stdout" {
		t.Errorf("standard output got %q", buf.String())
	}
	if _, err := os.Lstat("-"); err == nil {
		t.Error(`a file named "-" was created`)
	}
}

func TestWriteDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, put("x")); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("error %v, want one saying it is a directory", err)
	}
	assertOnly(t, dir)
}

// TestFaultLeavesOriginal simulates a full disk on an existing file, on a
// new one and through a link: the error is ENOSPC, the original is intact
// and no temporary file is left.
func TestFaultLeavesOriginal(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.txt")
	os.WriteFile(old, []byte("original"), 0o644)
	link := filepath.Join(dir, "link.txt")
	os.Symlink("old.txt", link)
	restore := SetFault(func(string) error { return syscall.ENOSPC })
	defer restore()
	for _, p := range []string{old, link, filepath.Join(dir, "new.txt")} {
		if err := Write(p, put(strings.Repeat("x", 1<<20))); !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("%s: error %v, want ENOSPC", p, err)
		}
	}
	restore()
	if got := readString(t, old); got != "original" {
		t.Errorf("original changed to %.20q", got)
	}
	assertLink(t, link, "old.txt")
	assertOnly(t, dir, "link.txt", "old.txt")
}

func mustResolve(t *testing.T, path string) Target {
	t.Helper()
	tg, err := Resolve(path)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func assertLink(t *testing.T, link, target string) {
	t.Helper()
	got, err := os.Readlink(link)
	if err != nil || got != target {
		t.Errorf("%s: link to %q, %v; want a link to %q", link, got, err, target)
	}
}
