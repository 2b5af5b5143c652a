package datasets

import (
	"bufio"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// CSV column names of the packet CSV format.
const (
	colProtocol = "protocol"
	colStream   = "stream_id"
	colTime     = "time"
	colLength   = "length"
	colSrc      = "source_address"
	colDst      = "destination_address"
	colSrcPort  = "source_port"
	colDstPort  = "destination_port"
	colCert     = "certificate"
	colFrame    = "frame"
	colFrameLen = "frame_len"
	colSNI      = "sni"
)

// requiredColumns are the columns a packet CSV must have, in the order the
// writer emits them.
var requiredColumns = [...]string{colProtocol, colStream, colTime, colLength, colSrc, colDst, colSrcPort, colDstPort}

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

// Column slots of CSVReader.idx.
const (
	slotProtocol = iota
	slotStream
	slotTime
	slotLength
	slotSrc
	slotDst
	slotSrcPort
	slotDstPort
	slotCert
	slotFrame
	slotFrameLen
	slotSNI
	numColumns
)

var slotNames = [numColumns]string{colProtocol, colStream, colTime, colLength, colSrc, colDst, colSrcPort, colDstPort, colCert, colFrame, colFrameLen, colSNI}

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

// mapHeader sets idx to the field index of each known column of header
// (-1 when absent). It returns the name of a column that appears twice, or "".
func mapHeader(header []string, idx *[numColumns]int) (dup string) {
	for k := range idx {
		idx[k] = -1
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // UTF-8 byte order mark
		}
		h = strings.TrimSpace(h)
		for k, n := range slotNames {
			if h == n {
				if idx[k] >= 0 {
					return n
				}
				idx[k] = i
			}
		}
	}
	return ""
}

// missingColumns returns the quoted names of the required columns absent
// from idx.
func missingColumns(idx *[numColumns]int) []string {
	var missing []string
	for k := slotProtocol; k <= slotDstPort; k++ {
		if idx[k] < 0 {
			missing = append(missing, strconv.Quote(slotNames[k]))
		}
	}
	return missing
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

// parse sets the current record from the fields of a row. The fields are
// viewed as strings without copying (bstr) by parsers that keep no part
// of them; what the record keeps (a zoned IPv6 address, the SNI) is copied.
func (c *CSVReader) parse(rec [][]byte) error {
	p := &c.pkt
	*p = Packet{Stream: -1}
	field := func(k int) string { return bstr(rec[c.idx[k]]) }

	p.Proto = ParseProtocol(field(slotProtocol))

	if s := field(slotStream); s != "" {
		v, ok := parseInteger(s, -1, math.MaxInt64)
		if !ok {
			return c.fail(slotStream, "invalid stream index %q", s)
		}
		p.Stream = v
	}

	s := field(slotTime)
	ns, err := ParseSecondsNS(s)
	if err != nil {
		return c.fail(slotTime, "invalid number %q: %v", s, err)
	}
	p.Time = ns

	s = field(slotLength)
	n, ok := parseInteger(s, 0, math.MaxInt32)
	if !ok {
		return c.fail(slotLength, "invalid number %q", s)
	}
	p.IPLen = int(n)
	p.FrameLen = int(n)

	for _, k := range [2]int{slotSrc, slotDst} {
		s := field(k)
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
		s := field(k)
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

	if c.idx[slotCert] >= 0 {
		if s := field(slotCert); s != "" {
			c.cert = decodeCert(c.cert[:0], s)
			p.Cert = c.cert
		}
	}
	if c.idx[slotFrame] >= 0 {
		if s := field(slotFrame); s != "" {
			v, ok := parseInteger(s, 0, math.MaxInt64)
			if !ok {
				return c.fail(slotFrame, "invalid frame number %q", s)
			}
			p.Frame = v
		}
	}
	if c.idx[slotFrameLen] >= 0 {
		s := field(slotFrameLen)
		v, ok := parseInteger(s, 0, math.MaxInt32)
		if !ok {
			return c.fail(slotFrameLen, "invalid number %q", s)
		}
		p.FrameLen = int(v)
	}
	if c.idx[slotSNI] >= 0 {
		if s := field(slotSNI); s != "" {
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

// ParseSecondsNS parses a decimal number of seconds (such as
// "1516186786.703072", "-0.5" or "1.5e9") into nanoseconds, exactly: the
// text is never converted to a float. Digits beyond nanoseconds are rounded
// half away from zero. NaN, infinities, hexadecimal floats and values
// outside the int64 nanosecond range are errors.
func ParseSecondsNS(s string) (int64, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	intStart := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		fracEnd = i
	}
	if intEnd == intStart && fracEnd == fracStart {
		return 0, errors.New("no digits")
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return 0, errors.New("empty exponent")
		}
		for ; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, fmt.Errorf("unexpected %q", s[i])
			}
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return 0, fmt.Errorf("unexpected %q", s[i])
	}
	nInt := intEnd - intStart
	nDig := nInt + (fracEnd - fracStart)
	digit := func(k int) byte { // k-th significant digit of int+frac digits
		if k < nInt {
			return s[intStart+k] - '0'
		}
		return s[fracStart+k-nInt] - '0'
	}
	// Skip leading zeros.
	first := 0
	for first < nDig && digit(first) == 0 {
		first++
	}
	if first == nDig {
		return 0, nil
	}
	// point is the number of digits (counted from digit 0) before the
	// decimal point of the value in nanoseconds.
	point := nInt + exp + 9
	if point-first > 19 {
		return 0, errors.New("out of range")
	}
	var v uint64
	for k := first; k < point; k++ {
		d := uint64(0)
		if k < nDig {
			d = uint64(digit(k))
		}
		if v > (math.MaxUint64-d)/10 {
			return 0, errors.New("out of range")
		}
		v = v*10 + d
	}
	if point >= first && point < nDig && digit(point) >= 5 {
		v++
	}
	if neg {
		if v > 1<<63 {
			return 0, errors.New("out of range")
		}
		return -int64(v), nil
	}
	if v > math.MaxInt64 {
		return 0, errors.New("out of range")
	}
	return int64(v), nil
}

// AppendSeconds appends ns nanoseconds as decimal seconds in the form the
// packet CSV writer uses: the shortest exact text with at least one decimal
// ("1516186786.703072", "12.0", "-0.5").
func AppendSeconds(dst []byte, ns int64) []byte {
	u := uint64(ns)
	if ns < 0 {
		dst = append(dst, '-')
		u = -u
	}
	dst = strconv.AppendUint(dst, u/1e9, 10)
	dst = append(dst, '.')
	frac := u % 1e9
	if frac == 0 {
		return append(dst, '0')
	}
	var d [9]byte
	for k := 8; k >= 0; k-- {
		d[k] = byte('0' + frac%10)
		frac /= 10
	}
	n := 9
	for d[n-1] == '0' {
		n--
	}
	return append(dst, d[:n]...)
}

// CSVWriter writes packet records in the packet CSV format, header first.
// It buffers its output: call Flush at the end.
type CSVWriter struct {
	// Extended adds the columns "frame", "frame_len" and "sni" after
	// "certificate", so that every field of a Packet survives a write and
	// read. Set it before the first Write. MAppGraph's code ignores the
	// extra columns.
	Extended bool
	// FrameLength writes Packet.FrameLen in the "length" column instead of
	// the IP total length of the specification.
	FrameLength bool

	w      *bufio.Writer
	buf    []byte
	row    int64
	header bool
	err    error
}

// NewCSVWriter returns a writer of packet CSV to w.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 512)}
}

// WriteHeader writes the header row. Write calls it before the first row;
// call it directly to write a file with no packets.
func (w *CSVWriter) WriteHeader() error {
	if w.err != nil || w.header {
		return w.err
	}
	w.header = true
	b := append(w.buf[:0], ',')
	for _, c := range requiredColumns {
		b = append(b, c...)
		b = append(b, ',')
	}
	b = append(b, colCert...)
	if w.Extended {
		b = append(b, ","+colFrame+","+colFrameLen+","+colSNI...)
	}
	b = append(b, '\n')
	w.buf = b
	_, w.err = w.w.Write(b)
	return w.err
}

// Write writes one packet as a row. The row index column counts rows from 0.
func (w *CSVWriter) Write(p *Packet) error {
	if !w.header {
		if err := w.WriteHeader(); err != nil {
			return err
		}
	}
	if w.err != nil {
		return w.err
	}
	b := strconv.AppendInt(w.buf[:0], w.row, 10)
	b = append(b, ',')
	b = append(b, p.Proto.String()...)
	b = append(b, ',')
	if p.Stream >= 0 {
		b = strconv.AppendInt(b, p.Stream, 10)
	}
	b = append(b, ',')
	b = AppendSeconds(b, p.Time)
	b = append(b, ',')
	if w.FrameLength {
		b = strconv.AppendInt(b, int64(p.FrameLen), 10)
	} else {
		b = strconv.AppendInt(b, int64(p.IPLen), 10)
	}
	b = append(b, ',')
	if p.Src.IsValid() {
		b = p.Src.AppendTo(b)
	}
	b = append(b, ',')
	if p.Dst.IsValid() {
		b = p.Dst.AppendTo(b)
	}
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(p.SrcPort), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(p.DstPort), 10)
	b = append(b, ',')
	b = hex.AppendEncode(b, p.Cert)
	if w.Extended {
		b = append(b, ',')
		if p.Frame != 0 {
			b = strconv.AppendInt(b, p.Frame, 10)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(p.FrameLen), 10)
		b = append(b, ',')
		b = appendCSVField(b, p.SNI)
	}
	b = append(b, '\n')
	w.buf = b
	w.row++
	_, w.err = w.w.Write(b)
	return w.err
}

// appendCSVField appends s as one CSV field, quoted when needed.
func appendCSVField(b []byte, s string) []byte {
	if s == "" || !strings.ContainsAny(s, ",\"\r\n") && s[0] != ' ' {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// Flush writes any buffered data and returns the first error met by the
// writer.
func (w *CSVWriter) Flush() error {
	if w.err != nil {
		return w.err
	}
	if !w.header {
		if err := w.WriteHeader(); err != nil {
			return err
		}
	}
	w.err = w.w.Flush()
	return w.err
}
