package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// CSVError is an error about the content of a packet CSV file. It names the
// file, the 1-based line and, when known, the column. It wraps ErrMalformed
// and the underlying cause.
type CSVError struct {
	// File is the name the reader was given.
	File string
	// Line is the 1-based line number in the file (0 when unknown).
	Line int
	// Column is the column name, or "" when the error is about the row.
	Column string
	// Err is the cause.
	Err error
}

// Error returns a message like
// `datasets: x.csv:1042: column "time": invalid number "abc"`.
func (e *CSVError) Error() string {
	var b strings.Builder
	b.WriteString("datasets: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Column != "" {
		b.WriteString(": column ")
		b.WriteString(strconv.Quote(e.Column))
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns ErrMalformed and the cause, for errors.Is and errors.As.
func (e *CSVError) Unwrap() []error { return []error{ErrMalformed, e.Err} }

// CSVReader reads packet records from a packet CSV file, one row at a time.
// It implements Source. The record returned by Packet, and its Cert bytes,
// are overwritten by the next call to Scan.
//
// The packet CSV format is MAppGraph's raw packet file (mappgraph.md §2), one
// row per packet in capture order:
//
//	,protocol,stream_id,time,length,source_address,destination_address,source_port,destination_port,certificate
//	0,tcp,0,1516186786.703072,66,192.168.235.1,192.168.235.136,53649,8089,
//
// Columns are found by their header name, in any order; the first column is
// an unnamed row index (0, 1, 2, ...) that readers ignore and may be absent.
// Columns with other names are ignored by the reader.
//
// Value conventions of this package (the reference leaves them open):
//   - protocol: "tcp", "udp" or "unknown" (ParseProtocol).
//   - stream_id: tshark's tcp.stream/udp.stream; an empty field (or -1)
//     means unknown (Packet.Stream = -1).
//   - time: seconds since the epoch as a decimal number, read exactly into
//     nanoseconds (no float64 round trip; digits beyond the ninth decimal are
//     rounded half away from zero); written as the shortest decimal text of
//     the nanosecond value with at least one decimal ("1516186786.703072",
//     "1600896590.0"), so that every written file reads back to the same
//     nanoseconds.
//   - length: the IP total length (ip.len). The reader sets both
//     Packet.IPLen and Packet.FrameLen to it (the format has no frame
//     length) unless a "frame_len" column is present; the writer writes
//     Packet.IPLen, or Packet.FrameLen when CSVWriter.FrameLength is set
//     (the "real" chunks of the MAppGraph reference data were made so).
//   - source_address, destination_address: IPv4 or IPv6 text. IPv6 is
//     written as text too, but MAppGraph's own code cannot parse it (its IP
//     octet features split dotted quads and skip the chunk, mappgraph.md
//     §5.11). An empty field is the zero netip.Addr. A comma list of
//     addresses (tunnelled packets in tshark output) is an error.
//   - source_port, destination_port: integers 0-65535, required.
//   - certificate: the writer writes Packet.Cert as lowercase hex of the DER
//     bytes (empty when nil). The reader decodes a field of an even number of
//     hex digits (either case, optionally colon-separated as tshark prints
//     them) into bytes; any other non-empty value is kept as opaque bytes
//     (the field's text), since MAppGraph never interprets the column. The
//     column itself is optional on input.
//
// Integer columns also accept an integral value with a zero fraction
// ("443.0"), the form pandas writes for an integer column that holds a
// missing value.
//
// Three optional columns that the MAppGraph files do not have carry the
// rest of a Packet: "frame" (Packet.Frame; 0 when absent), "frame_len"
// (Packet.FrameLen) and "sni" (Packet.SNI). CSVWriter writes them when its
// Extended field is set.
type CSVReader struct {
	name string
	s    *csvSplitter
	// idx[k] is the field index of column k, -1 when absent.
	idx  [numColumns]int
	pkt  Packet
	cert []byte
	err  error
	done bool
	rows int64
	sni  string // the last server name read, shared by equal ones
}

// NewCSVReader reads the header of a packet CSV from r and returns a reader
// for its rows. name is used in error messages (usually the file path). A
// missing required column is an error wrapping ErrMalformed; a file with a
// header and no rows is a valid empty capture.
func NewCSVReader(r io.Reader, name string) (*CSVReader, error) {
	sp := newCSVSplitter(r)
	err := sp.next()
	if err == io.EOF {
		return nil, &CSVError{File: name, Line: 1, Err: errors.New("empty file: no header row")}
	}
	if err != nil {
		return nil, csvReadError(name, err)
	}
	header := make([]string, len(sp.fields))
	for i, f := range sp.fields {
		header[i] = string(f)
	}
	c := &CSVReader{name: name, s: sp}
	if col := mapHeader(header, &c.idx); col != "" {
		return nil, &CSVError{File: name, Line: 1, Column: col, Err: errors.New("column appears twice in the header")}
	}
	if missing := missingColumns(&c.idx); len(missing) > 0 {
		return nil, &CSVError{File: name, Line: 1, Err: fmt.Errorf("not a packet CSV: missing column %s in header %q", strings.Join(missing, ", "), strings.Join(header, ","))}
	}
	return c, nil
}

// csvReadError converts an error of encoding/csv into a positioned error.
func csvReadError(name string, err error) error {
	var se *syntaxError
	if errors.As(err, &se) {
		if se.err == csv.ErrFieldCount {
			return &CSVError{File: name, Line: se.line, Err: se.err}
		}
		return &CSVError{File: name, Line: se.line, Err: fmt.Errorf("byte %d of the line: %w", se.col, se.err)}
	}
	return fmt.Errorf("datasets: %s: %w", name, err)
}

// Scan reads the next row. It returns false at the end of the file or at
// the first error, which Err then reports.
func (c *CSVReader) Scan() bool {
	if c.done {
		return false
	}
	err := c.s.next()
	if err != nil {
		c.done = true
		if err != io.EOF {
			c.err = csvReadError(c.name, err)
		}
		return false
	}
	if err := c.parse(c.s.fields); err != nil {
		c.done = true
		c.err = err
		return false
	}
	c.rows++
	return true
}

// Packet returns the record read by the last successful Scan.
func (c *CSVReader) Packet() *Packet { return &c.pkt }

// Err returns the first error met, or nil at a clean end of file.
func (c *CSVReader) Err() error { return c.err }

// Rows returns the number of rows read so far.
func (c *CSVReader) Rows() int64 { return c.rows }

// fail builds the positioned error of column slot k of the current row.
func (c *CSVReader) fail(k int, format string, args ...any) error {
	line := c.s.fieldLine(c.idx[k])
	return &CSVError{File: c.name, Line: line, Column: slotNames[k], Err: fmt.Errorf(format, args...)}
}

// parse sets the current record from the fields of a row, column by
// column in the order of requiredColumns, then the optional columns; the
// first bad field is the error. The fields are viewed as strings without
// copying (bstr) by parsers that keep no part of them; what the record
// keeps (a zoned IPv6 address, the SNI) is copied.
func (c *CSVReader) parse(rec [][]byte) error {
	p := &c.pkt
	*p = Packet{Stream: -1}
	p.Proto = ParseProtocol(c.field(rec, slotProtocol))
	if err := c.parseCore(rec, p); err != nil {
		return err
	}
	if err := c.parseEndpoints(rec, p); err != nil {
		return err
	}
	return c.parseOptional(rec, p)
}

// field returns the field of column slot k, which must be present.
func (c *CSVReader) field(rec [][]byte, k int) string { return bstr(rec[c.idx[k]]) }

// parseCore reads the stream index, the time and the length.
func (c *CSVReader) parseCore(rec [][]byte, p *Packet) error {
	if s := c.field(rec, slotStream); s != "" {
		v, ok := parseInteger(s, -1, math.MaxInt64)
		if !ok {
			return c.fail(slotStream, "invalid stream index %q", s)
		}
		p.Stream = v
	}
	s := c.field(rec, slotTime)
	ns, err := ParseSecondsNS(s)
	if err != nil {
		return c.fail(slotTime, "invalid number %q: %v", s, err)
	}
	p.Time = ns
	s = c.field(rec, slotLength)
	n, ok := parseInteger(s, 0, math.MaxInt32)
	if !ok {
		return c.fail(slotLength, "invalid number %q", s)
	}
	p.IPLen = int(n)
	p.FrameLen = int(n)
	return nil
}

// parseEndpoints reads the addresses and the ports.
func (c *CSVReader) parseEndpoints(rec [][]byte, p *Packet) error {
	for _, k := range [2]int{slotSrc, slotDst} {
		s := c.field(rec, k)
		if s == "" {
			continue
		}
		if strings.IndexByte(s, '%') >= 0 {
			s = strings.Clone(s) // the zone is kept in the netip.Addr
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return c.fail(k, "invalid address %q", s)
		}
		if k == slotSrc {
			p.Src = a
		} else {
			p.Dst = a
		}
	}
	for _, k := range [2]int{slotSrcPort, slotDstPort} {
		s := c.field(rec, k)
		v, ok := parseInteger(s, 0, math.MaxUint16)
		if !ok {
			return c.fail(k, "invalid port %q", s)
		}
		if k == slotSrcPort {
			p.SrcPort = uint16(v)
		} else {
			p.DstPort = uint16(v)
		}
	}
	return nil
}

// parseOptional reads the columns a packet CSV may lack: certificate,
// frame, frame_len and sni.
func (c *CSVReader) parseOptional(rec [][]byte, p *Packet) error {
	if c.idx[slotCert] >= 0 {
		if s := c.field(rec, slotCert); s != "" {
			c.cert = decodeCert(c.cert[:0], s)
			p.Cert = c.cert
		}
	}
	if c.idx[slotFrame] >= 0 {
		if s := c.field(rec, slotFrame); s != "" {
			v, ok := parseInteger(s, 0, math.MaxInt64)
			if !ok {
				return c.fail(slotFrame, "invalid frame number %q", s)
			}
			p.Frame = v
		}
	}
	if c.idx[slotFrameLen] >= 0 {
		s := c.field(rec, slotFrameLen)
		v, ok := parseInteger(s, 0, math.MaxInt32)
		if !ok {
			return c.fail(slotFrameLen, "invalid number %q", s)
		}
		p.FrameLen = int(v)
	}
	if c.idx[slotSNI] >= 0 {
		if s := c.field(rec, slotSNI); s != "" {
			if s != c.sni {
				c.sni = strings.Clone(s)
			}
			p.SNI = c.sni
		}
	}
	return nil
}

// decodeCert appends the bytes of a certificate field to dst: hex (either
// case, optionally colon-separated) when the whole field is hex of an even
// length, else the field's text as opaque bytes.
func decodeCert(dst []byte, s string) []byte {
	colons := strings.IndexByte(s, ':') >= 0
	if !colons && len(s)%2 == 0 {
		start := len(dst)
		for i := 0; i < len(s); i += 2 {
			hi, ok1 := unhex(s[i])
			lo, ok2 := unhex(s[i+1])
			if !ok1 || !ok2 {
				return append(dst[:start], s...)
			}
			dst = append(dst, hi<<4|lo)
		}
		return dst
	}
	if colons && len(s)%3 == 2 {
		// tshark style "30:82:01:0a".
		start := len(dst)
		for i := 0; i < len(s); i += 3 {
			hi, ok1 := unhex(s[i])
			lo, ok2 := unhex(s[i+1])
			if !ok1 || !ok2 || (i+2 < len(s) && s[i+2] != ':') {
				return append(dst[:start], s...)
			}
			dst = append(dst, hi<<4|lo)
		}
		return dst
	}
	return append(dst, s...)
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseInteger parses a decimal integer in [lo, hi], also accepting an
// integral value with a zero fraction such as "443.0".
func parseInteger(s string, lo, hi int64) (int64, bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if i == 0 || i == len(s)-1 {
			return 0, false
		}
		for j := i + 1; j < len(s); j++ {
			if s[j] != '0' {
				return 0, false
			}
		}
		s = s[:i]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, false
	}
	return v, true
}
