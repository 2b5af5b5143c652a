package featcache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFileIDChangesWithContentAndPath(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.pcap")
	big := make([]byte, 3*sampleLen+17)
	if err := os.WriteFile(a, big, 0o644); err != nil {
		t.Fatal(err)
	}
	id1, err := FileID(a)
	if err != nil {
		t.Fatal(err)
	}
	if id2, _ := FileID(a); id2 != id1 {
		t.Fatal("FileID is not stable")
	}
	b := filepath.Join(dir, "b.pcap")
	if err := os.WriteFile(b, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if idb, _ := FileID(b); idb == id1 {
		t.Fatal("a copy under another path has the same identity")
	}
	// A change in the tail, with the modification time put back, still
	// changes the identity.
	fi, _ := os.Stat(a)
	big[len(big)-1] = 1
	if err := os.WriteFile(a, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(a, time.Now(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if id3, _ := FileID(a); id3 == id1 {
		t.Fatal("a changed tail kept the identity")
	}
	if _, err := FileID(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing file: no error")
	}
}
