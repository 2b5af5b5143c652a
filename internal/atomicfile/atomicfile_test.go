package atomicfile

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	for _, content := range []string{"first\n", "second, longer\n"} {
		if err := Write(path, func(w *bufio.Writer) error {
			_, err := w.WriteString(content)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("content %q, %v; want %q", got, err, content)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v; want 0644", fi.Mode().Perm(), err)
	}
	assertOnly(t, dir, "out.txt")
}

func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteTemp(path, ".tmp-x-*", func(w *bufio.Writer) error {
		w.WriteString("partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want one wrapping %v", err, boom)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "old\n" {
		t.Errorf("destination changed to %q", got)
	}
	assertOnly(t, dir, "out.txt")
}

func TestWriteMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "out.txt")
	if err := Write(path, func(*bufio.Writer) error { return nil }); err == nil {
		t.Fatal("no error for a missing folder")
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Fatalf("folder holds %v, want %v", got, names)
	}
}
