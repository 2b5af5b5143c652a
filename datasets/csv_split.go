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
	lineNo, col := s.numLine, 1
	var err error
parseField:
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if j := bytes.IndexByte(field, '"'); j >= 0 {
				err = &syntaxError{line: s.numLine, col: col + j, err: csv.ErrBareQuote}
				break parseField
			}
			s.buf = append(s.buf, field...)
			s.ends = append(s.ends, len(s.buf))
			s.starts = append(s.starts, lineNo)
			if i >= 0 {
				line = line[i+1:]
				col += i + 1
				continue parseField
			}
			break parseField
		}
		// Quoted field.
		fieldLine := lineNo
		line = line[1:]
		col++
		for {
			i := bytes.IndexByte(line, '"')
			if i >= 0 {
				s.buf = append(s.buf, line[:i]...)
				line = line[i+1:]
				col += i + 1
				switch {
				case len(line) > 0 && line[0] == '"':
					s.buf = append(s.buf, '"')
					line = line[1:]
					col++
				case len(line) > 0 && line[0] == ',':
					line = line[1:]
					col++
					s.ends = append(s.ends, len(s.buf))
					s.starts = append(s.starts, fieldLine)
					continue parseField
				case lengthNL(line) == len(line):
					s.ends = append(s.ends, len(s.buf))
					s.starts = append(s.starts, fieldLine)
					break parseField
				default:
					err = &syntaxError{line: s.numLine, col: col - 1, err: csv.ErrQuote}
					break parseField
				}
			} else if len(line) > 0 {
				s.buf = append(s.buf, line...)
				if errRead != nil {
					break parseField
				}
				col += len(line)
				line, errRead = s.readLine()
				if len(line) > 0 {
					lineNo++
					col = 1
					s.multiLine = true
				}
				if errRead == io.EOF {
					errRead = nil
				}
			} else {
				if errRead == nil {
					err = &syntaxError{line: lineNo, col: col, err: csv.ErrQuote}
					break parseField
				}
				s.ends = append(s.ends, len(s.buf))
				s.starts = append(s.starts, fieldLine)
				break parseField
			}
		}
	}
	if err == nil {
		err = errRead
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
