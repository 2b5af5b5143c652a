package datasets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"appbench/internal/workpool"
)

// CaptureRef is one labeled capture of a corpus.
type CaptureRef struct {
	// Path is the capture's file path (the corpus root or the manifest's
	// folder joined with the relative path).
	Path string
	// Label is the app the capture belongs to.
	Label string
	// Format is the file's format, sniffed when the corpus was loaded.
	Format Format
	// Extra holds the manifest's other columns for this capture (group,
	// time, device, ...), by header name; nil for a directory corpus.
	Extra map[string]string
}

// Corpus is a set of labeled captures.
type Corpus struct {
	// Root is the path LoadCorpus was given.
	Root string
	// Captures are the captures, sorted by label, then path.
	Captures []CaptureRef
	// Notes say which files a directory corpus skipped and why (hidden
	// files, unknown formats, files outside app folders).
	Notes []string
}

// LoadCorpus finds the labeled captures of a corpus, which is either
//
//   - a directory <root>/<app>/<files>: every folder under root is an app,
//     and every pcap, pcapng or packet CSV file in it (or in its
//     subfolders, at any depth) is a capture of that app. Formats are told
//     from the files' first bytes, not their names. Hidden files and
//     folders (name starting with "."), files of unknown format and files
//     directly in root are skipped with a note in Corpus.Notes saying why
//     (an empty file, a CSV header without the packet columns, a capture
//     outside an app folder). An app
//     folder without any capture is an error; or
//   - a manifest CSV file with a header naming the columns "path" and
//     "label", one capture a row; other columns (e.g. group, time, device)
//     are kept in CaptureRef.Extra, for splits that group captures. Relative
//     paths are resolved against the manifest's folder. A listed file that
//     is missing or of unknown format, an empty label or a path listed
//     twice is an error naming the manifest line.
//
// A corpus without captures is an error. Captures are sorted by label, then
// path, so the order never depends on the file system.
func LoadCorpus(path string) (*Corpus, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: corpus: %w", err)
	}
	var c *Corpus
	if st.IsDir() {
		c, err = loadCorpusDir(path)
	} else {
		c, err = loadManifest(path)
	}
	if err != nil {
		return nil, err
	}
	if len(c.Captures) == 0 {
		return nil, fmt.Errorf("datasets: corpus %s: empty corpus: no capture found", path)
	}
	sort.SliceStable(c.Captures, func(i, j int) bool {
		a, b := c.Captures[i], c.Captures[j]
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		return a.Path < b.Path
	})
	return c, nil
}

func loadCorpusDir(root string) (*Corpus, error) {
	c := &Corpus{Root: root}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("datasets: corpus: %w", err)
	}
	for _, e := range entries {
		p := filepath.Join(root, e.Name())
		if strings.HasPrefix(e.Name(), ".") {
			c.Notes = append(c.Notes, fmt.Sprintf("skipped hidden %s", p))
			continue
		}
		st, err := os.Stat(p) // follows a symbolic link to a folder
		if err != nil {
			return nil, fmt.Errorf("datasets: corpus: %w", err)
		}
		if !st.IsDir() {
			c.Notes = append(c.Notes, rootFileNote(root, p, e.Name()))
			continue
		}
		app := e.Name()
		n := len(c.Captures)
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("datasets: corpus: %w", err)
			}
			if fp == p {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") {
				c.Notes = append(c.Notes, fmt.Sprintf("skipped hidden %s", fp))
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if st, err := os.Stat(fp); err == nil && st.IsDir() {
					c.Notes = append(c.Notes, fmt.Sprintf("skipped %s: symbolic link to a folder, not followed", fp))
					return nil
				}
			}
			format, head, err := sniffHead(fp)
			if err != nil {
				return fmt.Errorf("datasets: %w", err)
			}
			if format == FormatUnknown {
				c.Notes = append(c.Notes, fmt.Sprintf("skipped %s: %s", fp, whyUnknown(head)))
				return nil
			}
			c.Captures = append(c.Captures, CaptureRef{Path: fp, Label: app, Format: format})
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(c.Captures) == n {
			return nil, fmt.Errorf("datasets: corpus %s: app folder %q has no pcap, pcapng or packet CSV file", root, app)
		}
	}
	return c, nil
}

func loadManifest(path string) (*Corpus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: corpus: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("datasets: manifest %s: empty file: %w", path, ErrMalformed)
	}
	if err != nil {
		return nil, manifestError(path, err)
	}
	ip, il := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) {
		case "path":
			ip = i
		case "label":
			il = i
		}
	}
	if ip < 0 || il < 0 {
		return nil, fmt.Errorf("datasets: manifest %s:1: not a corpus manifest: the header %q needs the columns \"path\" and \"label\" (a corpus is a folder <root>/<app>/<files> or such a manifest): %w",
			path, strings.Join(header, ","), ErrMalformed)
	}
	dir := filepath.Dir(path)
	c := &Corpus{Root: path}
	seen := make(map[string]int)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, manifestError(path, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		if ip >= len(rec) || il >= len(rec) {
			return nil, fmt.Errorf("datasets: manifest %s:%d: %d fields, the header has %d: %w", path, line, len(rec), len(header), ErrMalformed)
		}
		p, label := strings.TrimSpace(rec[ip]), strings.TrimSpace(rec[il])
		if p == "" {
			return nil, fmt.Errorf("datasets: manifest %s:%d: empty path: %w", path, line, ErrMalformed)
		}
		if label == "" {
			return nil, fmt.Errorf("datasets: manifest %s:%d: empty label for %q: %w", path, line, p, ErrMalformed)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if prev, dup := seen[p]; dup {
			return nil, fmt.Errorf("datasets: manifest %s:%d: %s is listed twice (first at line %d): %w", path, line, p, prev, ErrMalformed)
		}
		seen[p] = line
		format, err := sniffFile(p)
		if err != nil {
			return nil, fmt.Errorf("datasets: manifest %s:%d: %w", path, line, err)
		}
		if format == FormatUnknown {
			return nil, fmt.Errorf("datasets: manifest %s:%d: %s is not a pcap, pcapng or packet CSV file: %w", path, line, p, ErrMalformed)
		}
		c.Captures = append(c.Captures, CaptureRef{Path: p, Label: label, Format: format, Extra: extraColumns(header, rec, ip, il)})
	}
	return c, nil
}

// extraColumns returns the fields of rec other than the path and label
// columns, by header name (nil when there are none).
func extraColumns(header, rec []string, ip, il int) map[string]string {
	var out map[string]string
	for i, h := range header {
		if i == ip || i == il || i >= len(rec) {
			continue
		}
		if out == nil {
			out = make(map[string]string)
		}
		out[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = strings.TrimSpace(rec[i])
	}
	return out
}

func manifestError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("datasets: manifest %s:%d: %v: %w", path, pe.Line, pe.Err, ErrMalformed)
	}
	return fmt.Errorf("datasets: manifest %s: %w", path, err)
}

// SniffFile tells the format of the file at path from its first bytes
// (after gzip decompression); FormatUnknown for an empty or unrecognised
// file. Only failures to open or read the file are errors.
func SniffFile(path string) (Format, error) {
	f, err := sniffFile(path)
	if err != nil {
		return f, fmt.Errorf("datasets: %w", err)
	}
	return f, nil
}

// sniffFile is SniffFile with the bare error of the file system.
func sniffFile(path string) (Format, error) {
	f, _, err := sniffHead(path)
	return f, err
}

// rootFileNote says why a file directly in the corpus root was skipped.
func rootFileNote(root, path, name string) string {
	if f, _, err := sniffHead(path); err == nil && f != FormatUnknown {
		return fmt.Sprintf("skipped %s: a %s file directly in the corpus folder has no app: the app of a capture is the name of the folder it is in (move it to %s)",
			path, f, filepath.Join(root, "<app>", name))
	}
	return fmt.Sprintf("skipped %s: not inside an app folder", path)
}

// whyUnknown tells why the first bytes of a file are none of the formats.
func whyUnknown(head []byte) string {
	const what = "not a pcap, pcapng or packet CSV file"
	if len(head) == 0 {
		return "empty file"
	}
	if isGzip(head) {
		return what + ": damaged gzip data"
	}
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if r, err := csv.NewReader(bytes.NewReader(line)).Read(); err == nil && len(r) > 1 {
		var idx [numColumns]int
		dup := mapHeader(r, &idx)
		missing := missingColumns(&idx)
		switch {
		case dup != "":
			return fmt.Sprintf("%s: its CSV header names the column %q twice", what, dup)
		case len(missing) < len(requiredColumns): // some packet column: a packet CSV meant
			return fmt.Sprintf("%s: its CSV header lacks the columns %s", what, strings.Join(missing, ", "))
		}
	}
	return fmt.Sprintf("%s (first bytes %q)", what, clip(head, 16))
}

// sniffHead is sniffFile that also returns the first bytes it looked at
// (decompressed; as stored when the compressed data is damaged).
func sniffHead(path string) (Format, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return FormatUnknown, nil, err
	}
	defer f.Close()
	h, err := readHead(bufio.NewReaderSize(f, sniffLen))
	var gh *gzipHeaderError
	switch {
	case errors.As(err, &gh):
		return FormatUnknown, h.raw, nil // damaged compressed data: not a usable file
	case err != nil && h.zr == nil:
		return FormatUnknown, nil, fmt.Errorf("%s: %w", path, err)
	case err != nil && err != io.ErrUnexpectedEOF:
		return FormatUnknown, h.raw, nil
	}
	return SniffFormat(h.head), h.head, nil
}

// Apps returns the distinct labels of the corpus, sorted.
func (c *Corpus) Apps() []string {
	var apps []string
	for i, ref := range c.Captures {
		if i == 0 || ref.Label != c.Captures[i-1].Label {
			apps = append(apps, ref.Label)
		}
	}
	if !sort.StringsAreSorted(apps) { // a Corpus built by hand
		seen := make(map[string]bool)
		apps = apps[:0]
		for _, ref := range c.Captures {
			if !seen[ref.Label] {
				seen[ref.Label] = true
				apps = append(apps, ref.Label)
			}
		}
		sort.Strings(apps)
	}
	return apps
}

// EachCapture reads the captures one after another, each once and whole,
// and calls fn with its records (copies that fn may keep). It stops at the
// first error, of reading or of fn, and when ctx is done.
func (c *Corpus) EachCapture(ctx context.Context, fn func(ref CaptureRef, pkts []Packet) error) error {
	for _, ref := range c.Captures {
		if err := ctx.Err(); err != nil {
			return err
		}
		pkts, err := ReadCapture(ref.Path)
		if err != nil {
			return err
		}
		if err := fn(ref, pkts); err != nil {
			return err
		}
	}
	return nil
}

// EachCaptureParallel is EachCapture with up to workers captures read at
// the same time (workers < 1 means runtime.GOMAXPROCS(0)). fn is still
// called from the calling goroutine, one capture at a time, in corpus
// order, so the result of a run does not depend on the number of workers.
// At most workers captures are held in memory besides the one fn is given.
func (c *Corpus) EachCaptureParallel(ctx context.Context, workers int, fn func(ref CaptureRef, pkts []Packet) error) error {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 || len(c.Captures) <= 1 {
		return c.EachCapture(ctx, fn)
	}
	return workpool.Ordered(ctx, workers, len(c.Captures),
		func(_ context.Context, i int) ([]Packet, error) { return ReadCapture(c.Captures[i].Path) },
		func(i int, pkts []Packet) error { return fn(c.Captures[i], pkts) })
}

// Chunks reads every capture once (several at a time, see
// EachCaptureParallel) and cuts it with ChunkPackets; a chunk's App is the
// capture's label and its Capture the capture's path. Chunks are in corpus
// order, then by index, windows without packets left out (see ChunkPackets). The chunks of a capture
// share one array of its packets.
func (c *Corpus) Chunks(ctx context.Context, window, overlap time.Duration) ([]Chunk, error) {
	if err := CheckWindow(window, overlap); err != nil {
		return nil, err
	}
	var chunks []Chunk
	err := c.EachCaptureParallel(ctx, 0, func(ref CaptureRef, pkts []Packet) error {
		chunks = append(chunks, ChunkPackets(ref.Label, ref.Path, pkts, window, overlap)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return chunks, nil
}
