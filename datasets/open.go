package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
)

// Format is the on-disk format of a packet file.
type Format uint8

// File formats that Open recognises.
const (
	// FormatUnknown is none of the formats below.
	FormatUnknown Format = iota
	// FormatPcap is a classic libpcap capture (any byte order and
	// timestamp precision).
	FormatPcap
	// FormatPcapng is a pcapng capture.
	FormatPcapng
	// FormatCSV is the MAppGraph packet CSV (see CSVReader).
	FormatCSV
)

// String returns "pcap", "pcapng", "csv" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatPcap:
		return "pcap"
	case FormatPcapng:
		return "pcapng"
	case FormatCSV:
		return "csv"
	}
	return "unknown"
}

// sniffLen is how many leading bytes format detection looks at.
const sniffLen = 4096

// SniffFormat tells the format of a file from its first bytes (up to a few
// kilobytes; fewer when the file is shorter), in the manner of
// image.RegisterFormat: a pcapng section header block, a pcap magic number
// (IsCaptureMagic), or a first line that is a packet CSV header with every
// required column. The file name plays no part. Compressed input must be
// decompressed first (Open does).
func SniffFormat(head []byte) Format {
	if len(head) >= 4 && bytes.Equal(head[:4], []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		return FormatPcapng
	}
	if IsCaptureMagic(head) {
		return FormatPcap
	}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	} else if len(head) >= sniffLen {
		return FormatUnknown // no header line in the first bytes
	}
	r := csv.NewReader(bytes.NewReader(line))
	header, err := r.Read()
	if err != nil {
		return FormatUnknown
	}
	var idx [numColumns]int
	if mapHeader(header, &idx) != "" || len(missingColumns(&idx)) > 0 {
		return FormatUnknown
	}
	return FormatCSV
}

// File is an open packet file of any supported format: a Source of its
// packet records that must be closed after use.
type File struct {
	Source
	name       string
	f          *os.File
	zr         *gzip.Reader
	format     Format
	compressed bool
}

// Open opens a pcap, pcapng or packet CSV file, each optionally
// gzip-compressed, telling the format from the content, not from the
// extension. Captures are read with the default CaptureOptions.
func Open(path string) (*File, error) {
	return OpenWith(path, CaptureOptions{})
}

// OpenWith is Open with options for the capture reader.
func OpenWith(path string, opts CaptureOptions) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	file, err := newFile(f, path, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return file, nil
}

func newFile(f *os.File, path string, opts CaptureOptions) (*File, error) {
	file := &File{name: path, f: f}
	h, err := readHead(bufio.NewReaderSize(f, 64<<10))
	var gh *gzipHeaderError
	switch {
	case errors.As(err, &gh):
		return nil, fmt.Errorf("datasets: %s: gzip header: %v: %w", path, gh.err, ErrMalformed)
	case err != nil:
		return nil, fmt.Errorf("datasets: %s: %w", path, err)
	case len(h.head) == 0:
		return nil, fmt.Errorf("datasets: %s: empty file: %w", path, ErrMalformed)
	}
	file.zr, file.compressed = h.zr, h.zr != nil
	head, br := h.head, h.content
	file.format = SniffFormat(head)
	switch file.format {
	case FormatPcap, FormatPcapng:
		cr, err := NewCaptureReader(br, path, opts)
		if err != nil {
			return nil, err
		}
		file.Source = cr
	case FormatCSV:
		cr, err := NewCSVReader(br, path)
		if err != nil {
			return nil, err
		}
		file.Source = cr
	default:
		return nil, fmt.Errorf("datasets: %s: unknown format: neither a pcap or pcapng capture nor a packet CSV with the columns %s (first bytes %q): %w",
			path, csvColumnList(), clip(head, 16), ErrMalformed)
	}
	return file, nil
}

// fileHead is the start of a packet file, as readHead finds it.
type fileHead struct {
	raw     []byte        // the first bytes as stored
	head    []byte        // the first bytes of the content: raw, or decompressed
	content *bufio.Reader // the content from its start
	zr      *gzip.Reader  // the gzip stream of compressed content, or nil
}

// gzipHeaderError is the error of a gzip stream whose header cannot be
// read.
type gzipHeaderError struct{ err error }

func (e *gzipHeaderError) Error() string { return "gzip header: " + e.err.Error() }

// readHead is the one place that looks at the start of a packet file. It
// peeks at the first sniffLen bytes that br reads and, when they start a
// gzip stream, opens the stream and peeks at the first decompressed bytes.
// It returns what it found as far as it got, with the error of the step
// that failed: an error of reading the stored bytes, a *gzipHeaderError,
// or an error of the decompressed bytes (h.zr is then set). The end of the
// input is no error: an empty file has an empty head. The head bytes are
// valid until the content is read.
func readHead(br *bufio.Reader) (fileHead, error) {
	var h fileHead
	var err error
	if h.raw, err = peek(br); err != nil {
		return h, err
	}
	h.head, h.content = h.raw, br
	if !isGzip(h.raw) {
		return h, nil
	}
	h.raw = bytes.Clone(h.raw) // reading the stream overwrites br's buffer
	zr, err := gzip.NewReader(br)
	if err != nil {
		return h, &gzipHeaderError{err}
	}
	h.zr, h.content = zr, bufio.NewReaderSize(zr, br.Size())
	h.head, err = peek(h.content)
	return h, err
}

// peek returns up to sniffLen first bytes of br without consuming them,
// and the error that cut them short unless it is the end of the input.
func peek(br *bufio.Reader) ([]byte, error) {
	b, err := br.Peek(sniffLen)
	if err == io.EOF || errors.Is(err, bufio.ErrBufferFull) {
		err = nil
	}
	return b, err
}

// isGzip reports whether head starts with the gzip magic number.
func isGzip(head []byte) bool { return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b }

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

func csvColumnList() string {
	s := ""
	for i, c := range requiredColumns {
		if i > 0 {
			s += ","
		}
		s += c
	}
	return s
}

// Name returns the path the file was opened with.
func (f *File) Name() string { return f.name }

// Format returns the file's format.
func (f *File) Format() Format { return f.format }

// Compressed reports whether the file is gzip-compressed.
func (f *File) Compressed() bool { return f.compressed }

// CaptureStats returns the capture reader's counts for pcap and pcapng
// files, and false for CSV files.
func (f *File) CaptureStats() (CaptureStats, bool) {
	if cr, ok := f.Source.(*CaptureReader); ok {
		return cr.Stats(), true
	}
	return CaptureStats{}, false
}

// Close closes the file.
func (f *File) Close() error {
	var err error
	if f.zr != nil {
		err = f.zr.Close()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReadCapture reads every packet record of a pcap, pcapng or packet CSV file
// (see Open). The records are copies: they, and their Cert bytes, are the
// caller's to keep.
func ReadCapture(path string) ([]Packet, error) {
	pkts, err := ReadCapturePartial(path)
	if err != nil {
		return nil, err
	}
	return pkts, nil
}

// ReadCapturePartial is ReadCapture that, when reading fails part way (a
// damaged or cut capture, a bad CSV row), returns the records read before
// the failure along with the error, so that a caller may keep them.
func ReadCapturePartial(path string) ([]Packet, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var pkts []Packet
	if st, err := f.f.Stat(); err == nil && f.format == FormatCSV && !f.compressed {
		pkts = make([]Packet, 0, st.Size()/70+1) // rows are about 70-90 bytes
	}
	var certs []byte // certificates share chunked backing arrays
	for f.Scan() {
		p := *f.Packet()
		if p.Cert != nil {
			if len(certs)+len(p.Cert) > cap(certs) {
				certs = make([]byte, 0, max(64<<10, len(p.Cert)))
			}
			start := len(certs)
			certs = append(certs, p.Cert...)
			p.Cert = certs[start:len(certs):len(certs)]
		}
		pkts = append(pkts, p)
	}
	return pkts, f.Err()
}
