package featcache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPutGetRoundTrip(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "cache"))
	if err != nil {
		t.Fatal(err)
	}
	k := KeyOf("capture", "window=5m")
	if _, ok, err := c.Get(k); ok || err != nil {
		t.Fatalf("empty cache: ok=%v err=%v", ok, err)
	}
	want := []byte("features of one capture")
	if err := c.Put(k, want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Get(k)
	if !ok || err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Get = %q, %v, %v", got, ok, err)
	}
	if _, ok, _ := c.Get(KeyOf("capture", "window=6m")); ok {
		t.Fatal("another key found the entry")
	}
}

func TestKeyOfSeparatesParts(t *testing.T) {
	if KeyOf("ab", "c") == KeyOf("a", "bc") {
		t.Fatal(`KeyOf("ab", "c") == KeyOf("a", "bc")`)
	}
}

func TestDamagedEntryReported(t *testing.T) {
	c, _ := Open(t.TempDir())
	k := KeyOf("x")
	if err := c.Put(k, []byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	p := c.path(k)
	b, _ := os.ReadFile(p)
	for name, damaged := range map[string][]byte{
		"flipped byte": append(bytes.Clone(b[:len(b)-1]), b[len(b)-1]^1),
		"cut":          b[:len(b)-3],
		"not an entry": []byte("hello"),
	} {
		if err := os.WriteFile(p, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		_, ok, err := c.Get(k)
		if ok || !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: ok=%v err=%v, want ErrDamaged", name, ok, err)
		}
	}
}

func TestInfoAndClean(t *testing.T) {
	dir := t.TempDir()
	c, _ := Open(dir)
	for _, s := range []string{"a", "b", "c"} {
		if err := c.Put(KeyOf(s), []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "README")
	if err := os.WriteFile(other, []byte("not mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := c.Info()
	if err != nil || s.Entries != 3 || s.Bytes != 3*int64(headerLen+1) {
		t.Fatalf("Info = %+v, %v", s, err)
	}
	if s, err := c.Clean(); err != nil || s.Entries != 3 {
		t.Fatalf("Clean = %+v, %v", s, err)
	}
	if s, _ := c.Info(); s.Entries != 0 {
		t.Fatalf("after Clean: %d entries", s.Entries)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("Clean removed a file that is not the cache's: %v", err)
	}
}
