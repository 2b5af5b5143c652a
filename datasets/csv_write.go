package datasets

import (
	"bufio"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
)

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
