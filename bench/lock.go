package bench

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"appbench/resultfmt"
)

// LockSuffix ends the name of a cell's lock file, <cell id>.lock, which a
// process running the cell holds so that other processes on the same
// results folder leave the cell to it.
const LockSuffix = ".lock"

// LockPath returns the lock file of cell id in dir.
func LockPath(dir, id string) string { return filepath.Join(dir, id+LockSuffix) }

// Holder is the content of a lock file: the process holding the lock.
type Holder struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

// String describes the holder, or "another process" for the zero Holder
// (a lock file not written yet, or a cell finished by another process).
func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d on host %s", h.PID, h.Host)
}

// lockFile is the content of a lock file: its holder, and a token unique
// to the lock.
type lockFile struct {
	Holder
	Token string `json:"token"`
}

// ownTokens holds the tokens of the locks this process holds or is
// creating, to tell them from those of an earlier process that had the
// same pid on this host (a restarted container); ownPaths maps the lock
// files held to their tokens.
var ownTokens, ownPaths sync.Map

// unreadableGrace is how long a lock file without a readable content
// counts as being written; after it, its creator is taken for dead.
const unreadableGrace = time.Minute

// tryLock takes the lock of cell id in dir. It returns true when the lock
// is taken, or false and the holder when another live process holds it. A
// lock of a dead process of this host is taken over; a lock of another
// host is respected, as its process cannot be checked from here.
func tryLock(dir, id string) (bool, Holder, error) {
	path := LockPath(dir, id)
	for attempt := 0; attempt < 100; attempt++ {
		taken, err := createLock(path)
		if taken || err != nil {
			return taken, Holder{}, err
		}
		content, h, stale, err := inspectLock(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released meanwhile
		}
		if err != nil {
			return false, Holder{}, err
		}
		if !stale {
			return false, h, nil
		}
		err = takeOver(path, content)
		if errors.Is(err, errTakeoverBusy) {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		if err != nil {
			return false, Holder{}, err
		}
	}
	// Others keep taking the lock over or releasing it: leave the cell.
	return false, Holder{}, nil
}

// createLock creates the lock file at path (linkLock) holding this
// process into it. It returns false when the file exists.
func createLock(path string) (bool, error) {
	host, _ := os.Hostname()
	lf := lockFile{Holder: Holder{PID: os.Getpid(), Host: host, Since: time.Now().UTC()}, Token: rand.Text()}
	// The token is known before the file exists, so that no other run of
	// this process takes the new lock for a stale one.
	ownTokens.Store(lf.Token, true)
	b, _ := json.Marshal(lf)
	ok, err := linkLock(path, append(b, '\n'))
	if err != nil || !ok {
		ownTokens.Delete(lf.Token)
		return false, err
	}
	ownPaths.Store(path, lf.Token)
	return true, nil
}

// linkLock creates the lock file at path with content b, complete or not
// at all: b goes to a temporary file that is hard-linked to path (which
// fails when path exists), so that a process killed meanwhile leaves no
// empty lock. Where the file system has no hard links, the file is created
// with O_EXCL and written.
func linkLock(path string, b []byte) (bool, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), resultfmt.TempPrefix+"lock-*")
	if err != nil {
		return false, fmt.Errorf("bench: lock: %w", err)
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	os.Remove(tmp.Name())
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	case errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EXDEV):
		return exclLock(path, b)
	}
	return false, fmt.Errorf("bench: lock: %w", err)
}

// exclLock creates the lock file at path with O_EXCL and writes b.
func exclLock(path string, b []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("bench: lock: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return false, fmt.Errorf("bench: lock: %w", err)
	}
	return true, nil
}

// inspectLock reads the lock file at path and tells whether its holder is
// gone: a process of this host that no longer runs (or an earlier process
// with this process's pid), or a creator that never wrote the file.
func inspectLock(path string) ([]byte, Holder, bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, Holder{}, false, err
		}
		return nil, Holder{}, false, fmt.Errorf("bench: lock: %w", err)
	}
	var lf lockFile
	if err := json.Unmarshal(b, &lf); err != nil || lf.PID <= 0 {
		st, serr := os.Stat(path)
		old := serr == nil && time.Since(st.ModTime()) > unreadableGrace
		return b, Holder{}, old, nil
	}
	h := lf.Holder
	host, _ := os.Hostname()
	if h.Host != host {
		return b, h, false, nil
	}
	if h.PID == os.Getpid() {
		_, mine := ownTokens.Load(lf.Token)
		return b, h, !mine, nil
	}
	return b, h, !processAlive(h.PID), nil
}

// takeoverSuffix ends the name of the file that one process at a time
// creates (with O_EXCL) next to a stale lock file to remove it.
const takeoverSuffix = ".takeover"

// errTakeoverBusy says that another process is taking a stale lock over.
var errTakeoverBusy = errors.New("bench: lock: another process is taking the lock over")

// takeOver removes the stale lock file at path whose content was seen to
// be content. Only the process holding the takeover file may remove a
// stale lock, and only while it still has that content, so that of
// several processes taking over at once one wins and no fresh lock is
// removed.
func takeOver(path string, content []byte) error {
	t := path + takeoverSuffix
	f, err := os.OpenFile(t, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// A takeover takes milliseconds: an old file is left by a
		// process that died during one.
		if st, err := os.Stat(t); err == nil && time.Since(st.ModTime()) > unreadableGrace {
			os.Remove(t)
		}
		return errTakeoverBusy
	}
	if err != nil {
		return fmt.Errorf("bench: lock: take over: %w", err)
	}
	f.Close()
	defer os.Remove(t)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bench: lock: take over: %w", err)
	}
	if bytes.Equal(b, content) {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("bench: lock: take over: %w", err)
		}
	}
	return nil
}

// unlock removes a lock this process holds.
func unlock(dir, id string) {
	path := LockPath(dir, id)
	if token, mine := ownPaths.LoadAndDelete(path); mine {
		os.Remove(path)
		ownTokens.Delete(token)
	}
}

// remoteLocks gathers the cells left to processes of other hosts.
type remoteLocks struct {
	cells map[string][]string  // by holder (pid and host)
	since map[string]time.Time // the holder's earliest lock
}

func (rl *remoteLocks) add(h Holder, id string) {
	if rl.cells == nil {
		rl.cells, rl.since = make(map[string][]string), make(map[string]time.Time)
	}
	k := h.String()
	rl.cells[k] = append(rl.cells[k], id)
	if t, ok := rl.since[k]; !ok || h.Since.Before(t) {
		rl.since[k] = h.Since
	}
}

// notes describes the cells left to processes of other hosts, one note
// per holder.
func (rl *remoteLocks) notes(dir string) []string {
	ks := make([]string, 0, len(rl.cells))
	for k := range rl.cells {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var notes []string
	for _, k := range ks {
		ids := rl.cells[k]
		sort.Strings(ids)
		notes = append(notes, fmt.Sprintf("%s locked by %s since %s, left to it (a process of another host cannot be checked from here; if it is gone, delete %s): %s",
			plural(len(ids), "cell"), k, rl.since[k].Format(time.RFC3339), filepath.Join(dir, "<cell id>"+LockSuffix), listSome(ids)))
	}
	return notes
}
