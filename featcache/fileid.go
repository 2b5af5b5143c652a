package featcache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// sampleLen is how much of a file's head and tail FileID hashes.
const sampleLen = 1 << 20

// FileID identifies the content of the file at path cheaply, for cache
// keys: its absolute path, size, modification time and a hash of its first
// and last MiB. Rewriting a file changes its modification time, and so its
// identity; a copy of a file has another identity.
func FileID(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("featcache: %w", err)
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", fmt.Errorf("featcache: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("featcache: %w", err)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, f, sampleLen); err != nil && err != io.EOF {
		return "", fmt.Errorf("featcache: %s: %w", path, err)
	}
	if tail := fi.Size() - sampleLen; tail > sampleLen {
		if _, err := io.Copy(h, io.NewSectionReader(f, tail, sampleLen)); err != nil {
			return "", fmt.Errorf("featcache: %s: %w", path, err)
		}
	} else if tail > 0 {
		if _, err := io.Copy(h, io.NewSectionReader(f, sampleLen, tail)); err != nil {
			return "", fmt.Errorf("featcache: %s: %w", path, err)
		}
	}
	return abs + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" +
		strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "\x00" + hex.EncodeToString(h.Sum(nil)), nil
}
