package featcache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"appbench/internal/atomicfile"
)

// magic starts every entry; its number is the entry layout's version.
const magic = "appbench-featcache 1\n"

const headerLen = len(magic) + sha256.Size + 8

// Key addresses an entry.
type Key [sha256.Size]byte

// KeyOf hashes parts, each length-prefixed so that no two lists of parts
// give the same key.
func KeyOf(parts ...string) Key {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		io.WriteString(h, p)
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// String returns the key in hexadecimal.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ErrDamaged is wrapped by Get's error for an entry whose checksum, length
// or header is wrong.
var ErrDamaged = errors.New("damaged cache entry")

// Cache is a cache folder.
type Cache struct {
	dir string
}

// DefaultDir returns the default cache folder: appbench under the user's
// cache directory (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("featcache: no default folder: %w", err)
	}
	return filepath.Join(d, "appbench"), nil
}

// Open opens the cache folder dir, creating it if needed.
func Open(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("featcache: %w", err)
	}
	return &Cache{dir: dir}, nil
}

// Dir returns the cache's folder.
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) path(k Key) string {
	s := k.String()
	return filepath.Join(c.dir, s[:2], s)
}

// Get returns the payload stored under k. A missing entry gives ok false
// and no error; a damaged one gives ok false and an error wrapping
// ErrDamaged that names the file (the caller rebuilds it and Puts it
// again).
func (c *Cache) Get(k Key) (payload []byte, ok bool, err error) {
	p := c.path(k)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("featcache: %w", err)
	}
	payload, err = check(b)
	if err != nil {
		return nil, false, fmt.Errorf("featcache: %s: %w", p, err)
	}
	return payload, true, nil
}

// check verifies an entry's header and checksum and returns its payload.
func check(b []byte) ([]byte, error) {
	if len(b) < headerLen || !bytes.HasPrefix(b, []byte(magic)) {
		return nil, fmt.Errorf("%w: bad header", ErrDamaged)
	}
	sum := b[len(magic) : len(magic)+sha256.Size]
	n := binary.LittleEndian.Uint64(b[headerLen-8 : headerLen])
	payload := b[headerLen:]
	if uint64(len(payload)) != n {
		return nil, fmt.Errorf("%w: %d payload bytes, header says %d", ErrDamaged, len(payload), n)
	}
	if got := sha256.Sum256(payload); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	}
	return payload, nil
}

// Put stores payload under k atomically.
func (c *Cache) Put(k Key, payload []byte) error {
	p := c.path(k)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("featcache: %w", err)
	}
	sum := sha256.Sum256(payload)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(payload)))
	err := atomicfile.Write(p, func(w *bufio.Writer) error {
		w.WriteString(magic)
		w.Write(sum[:])
		w.Write(n[:])
		_, err := w.Write(payload)
		return err
	})
	if err != nil {
		return fmt.Errorf("featcache: %w", err)
	}
	return nil
}

// Stats describes a cache folder.
type Stats struct {
	// Entries and Bytes count the entries and their total size.
	Entries int
	Bytes   int64
}

// Info counts the cache's entries.
func (c *Cache) Info() (Stats, error) {
	var s Stats
	err := c.walk(func(path string, fi fs.FileInfo) error {
		s.Entries++
		s.Bytes += fi.Size()
		return nil
	})
	return s, err
}

// Clean removes every entry (and leftover temporary file) and returns what
// it removed. Files that are not the cache's are left alone.
func (c *Cache) Clean() (Stats, error) {
	var s Stats
	err := c.walk(func(path string, fi fs.FileInfo) error {
		if err := os.Remove(path); err != nil {
			return err
		}
		s.Entries++
		s.Bytes += fi.Size()
		return nil
	})
	return s, err
}

// walk calls fn for every entry or temporary file in the cache's
// two-hex-digit sub-folders.
func (c *Cache) walk(fn func(path string, fi fs.FileInfo) error) error {
	subs, err := os.ReadDir(c.dir)
	if err != nil {
		return fmt.Errorf("featcache: %w", err)
	}
	for _, sub := range subs {
		if !sub.IsDir() || !isHex(sub.Name(), 2) {
			continue
		}
		d := filepath.Join(c.dir, sub.Name())
		ents, err := os.ReadDir(d)
		if err != nil {
			return fmt.Errorf("featcache: %w", err)
		}
		for _, e := range ents {
			name := e.Name()
			if !isHex(name, 2*sha256.Size) && !(strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")) {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				return fmt.Errorf("featcache: %w", err)
			}
			if err := fn(filepath.Join(d, name), fi); err != nil {
				return fmt.Errorf("featcache: %w", err)
			}
		}
	}
	return nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
