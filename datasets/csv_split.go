package datasets

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"unsafe"
)

// csvSplitter splits CSV text into records of byte fields with the rules
// of encoding/csv (RFC 4180; comma separator, no lazy quotes, no leading
// space trimming, no comments): empty lines are skipped, "\r\n" is read as
// "\n", quoted fields may hold commas, doubled quotes and newlines, a quote
// inside an unquoted field or after a closing quote is an error, and every
// record must have as many fields as the first.
//
// Unlike encoding/csv it does not allocate per record: a line without
// quotes is split in place in the bufio.Reader's buffer, and the fields of
// other records are unescaped into a reused buffer. The fields are valid
// until the next call to next.
type csvSplitter struct {
	br      *bufio.Reader
	numLine int // lines read so far
	recLine int // line on which the current record starts
	nfields int // fields per record, set by the first record

	fields    [][]byte
	ends      []int // field ends in buf (slow path)
	starts    []int // line on which each field starts (slow path)
	multiLine bool  // the current record spans lines
	buf       []byte
	raw       []byte
}

func newCSVSplitter(r io.Reader) *csvSplitter {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &csvSplitter{br: br}
}

// readLine is encoding/csv's readLine.
func (s *csvSplitter) readLine() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.raw = append(s.raw[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = s.br.ReadSlice('\n')
			s.raw = append(s.raw, line...)
		}
		line = s.raw
	}
	n := len(line)
	if n > 0 && err == io.EOF {
		err = nil
		if line[n-1] == '\r' { // encoding/csv drops a trailing \r before EOF
			line = line[:n-1]
		}
	}
	s.numLine++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, err
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// syntaxError is a CSV syntax error at a line and byte column.
type syntaxError struct {
	line, col int
	err       error
}

func (e *syntaxError) Error() string {
	if e.err == csv.ErrFieldCount {
		return fmt.Sprintf("line %d: %v", e.line, e.err)
	}
	return fmt.Sprintf("line %d, byte %d of the line: %v", e.line, e.col, e.err)
}

// next reads the next record into s.fields. It returns io.EOF at the end
// of the input, a *syntaxError for bad CSV, or an error of the reader.
func (s *csvSplitter) next() error {
	var line []byte
	var errRead error
	for errRead == nil {
		line, errRead = s.readLine()
		if errRead == nil && len(line) == lengthNL(line) {
			line = nil
			continue // skip empty lines
		}
		break
	}
	if errRead == io.EOF {
		return io.EOF
	}
	s.recLine = s.numLine
	s.multiLine = false
	s.fields = s.fields[:0]
	if errRead == nil && bytes.IndexByte(line, '"') < 0 {
		// Fast path: no quotes, split in place.
		line = line[:len(line)-lengthNL(line)]
		for {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				s.fields = append(s.fields, line)
				break
			}
			s.fields = append(s.fields, line[:i])
			line = line[i+1:]
		}
	} else if err := s.slowRecord(line, errRead); err != nil {
		return err
	}
	if s.nfields == 0 {
		s.nfields = len(s.fields)
	} else if len(s.fields) != s.nfields {
		return &syntaxError{line: s.recLine, col: 1, err: csv.ErrFieldCount}
	}
	return nil
}

// slowRecord is encoding/csv's readRecord for a record with quotes.
func (s *csvSplitter) slowRecord(line []byte, errRead error) error {
	s.buf = s.buf[:0]
	s.ends = s.ends[:0]
	s.starts = s.starts[:0]
	r := recordScan{line: line, errRead: errRead, lineNo: s.numLine, col: 1}
	more := true
	var err error
	for more && err == nil {
		if len(r.line) == 0 || r.line[0] != '"' {
			more, err = s.unquotedField(&r)
		} else {
			more, err = s.quotedField(&r)
		}
	}
	if err == nil {
		err = r.errRead
	}
	if err != nil {
		return err
	}
	prev := 0
	for _, end := range s.ends {
		s.fields = append(s.fields, s.buf[prev:end:end])
		prev = end
	}
	return nil
}

// recordScan is the position of slowRecord in the record: the rest of the
// current line, the error that came with it, the line number and the byte
// column.
type recordScan struct {
	line    []byte
	errRead error
	lineNo  int
	col     int
}

// endField ends the field unescaped into s.buf, which started on line.
func (s *csvSplitter) endField(line int) {
	s.ends = append(s.ends, len(s.buf))
	s.starts = append(s.starts, line)
}

// unquotedField reads a field that does not start with a quote. It
// reports whether another field follows on the line.
func (s *csvSplitter) unquotedField(r *recordScan) (more bool, err error) {
	i := bytes.IndexByte(r.line, ',')
	field := r.line
	if i >= 0 {
		field = field[:i]
	} else {
		field = field[:len(field)-lengthNL(field)]
	}
	if j := bytes.IndexByte(field, '"'); j >= 0 {
		return false, &syntaxError{line: s.numLine, col: r.col + j, err: csv.ErrBareQuote}
	}
	s.buf = append(s.buf, field...)
	s.endField(r.lineNo)
	if i < 0 {
		return false, nil
	}
	r.line = r.line[i+1:]
	r.col += i + 1
	return true, nil
}

// quotedField reads a quoted field, which may span lines. It reports
// whether another field follows.
func (s *csvSplitter) quotedField(r *recordScan) (more bool, err error) {
	fieldLine := r.lineNo
	r.line = r.line[1:]
	r.col++
	for {
		i := bytes.IndexByte(r.line, '"')
		switch {
		case i >= 0:
			s.buf = append(s.buf, r.line[:i]...)
			r.line = r.line[i+1:]
			r.col += i + 1
			if len(r.line) > 0 && r.line[0] == '"' { // a doubled quote
				s.buf = append(s.buf, '"')
				r.line = r.line[1:]
				r.col++
				continue
			}
			return s.afterQuote(r, fieldLine)
		case len(r.line) > 0:
			// The field goes on on the next line.
			s.buf = append(s.buf, r.line...)
			if r.errRead != nil {
				return false, nil
			}
			r.col += len(r.line)
			r.line, r.errRead = s.readLine()
			if len(r.line) > 0 {
				r.lineNo++
				r.col = 1
				s.multiLine = true
			}
			if r.errRead == io.EOF {
				r.errRead = nil
			}
		case r.errRead == nil:
			return false, &syntaxError{line: r.lineNo, col: r.col, err: csv.ErrQuote}
		default:
			s.endField(fieldLine)
			return false, nil
		}
	}
}

// afterQuote ends a quoted field at its closing quote, which must be
// followed by a comma or the end of the line.
func (s *csvSplitter) afterQuote(r *recordScan, fieldLine int) (more bool, err error) {
	switch {
	case len(r.line) > 0 && r.line[0] == ',':
		r.line = r.line[1:]
		r.col++
		s.endField(fieldLine)
		return true, nil
	case lengthNL(r.line) == len(r.line):
		s.endField(fieldLine)
		return false, nil
	}
	return false, &syntaxError{line: s.numLine, col: r.col - 1, err: csv.ErrQuote}
}

// fieldLine returns the line on which field i of the current record
// starts.
func (s *csvSplitter) fieldLine(i int) int {
	if s.multiLine && i < len(s.starts) {
		return s.starts[i]
	}
	return s.recLine
}

// bstr views b as a string without copying, for calls that do not keep
// their argument (parsers whose results and errors hold no part of it).
func bstr(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
