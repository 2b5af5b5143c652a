package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"appbench/resultfmt"
)

// Label names the cell for people: its method, its swept values (the last
// element of each parameter path) and its repetition after "#", e.g.
// "mappgraph k=10 window=30s #2".
func (c *Cell) Label() string {
	parts := []string{c.Method}
	for _, p := range c.Point {
		parts = append(parts, shortPath(p.Param)+"="+shortValue(p.Value))
	}
	return strings.Join(parts, " ") + fmt.Sprintf(" #%d", c.Repeat)
}

// shortPath keeps the last element of each "+"-joined parameter path.
func shortPath(p string) string {
	parts := strings.Split(p, "+")
	for i, x := range parts {
		parts[i] = x[strings.LastIndexByte(x, '.')+1:]
	}
	return strings.Join(parts, "+")
}

// shortValue prints a swept value in at most 20 bytes.
func shortValue(v any) string {
	var s string
	switch v.(type) {
	case []any, map[string]any:
		b, _ := json.Marshal(v)
		s = string(b)
	default:
		s = fmt.Sprint(v)
	}
	if len(s) > 20 {
		s = s[:17] + "..."
	}
	return s
}

// syncWriter serialises the writes of several cells to one writer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// cellLog is the log of one cell: it passes its messages to a shared
// writer in whole lines, each starting with prefix, so that the lines of
// cells running at the same time never mix. A last line without a newline
// waits for Flush.
type cellLog struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

// newCellLog returns the log of cell c writing to w; the lines carry the
// cell's label when prefix is set.
func newCellLog(w io.Writer, c *Cell, prefix bool) *cellLog {
	l := &cellLog{w: w}
	if prefix {
		l.prefix = "[" + c.Label() + "] "
	}
	return l
}

// Write writes the complete lines of what was written so far.
func (l *cellLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	end := bytes.LastIndexByte(l.buf, '\n') + 1
	if end == 0 {
		return len(p), nil
	}
	out := l.prefixed(l.buf[:end])
	l.buf = append(l.buf[:0], l.buf[end:]...)
	if _, err := l.w.Write(out); err != nil {
		return len(p), err
	}
	return len(p), nil
}

// Flush writes a pending last line, ended with a newline.
func (l *cellLog) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) == 0 {
		return nil
	}
	out := l.prefixed(append(l.buf, '\n'))
	l.buf = l.buf[:0]
	_, err := l.w.Write(out)
	return err
}

// prefixed returns the lines of b (each ending with a newline) with the
// prefix before each.
func (l *cellLog) prefixed(b []byte) []byte {
	if l.prefix == "" {
		return slices.Clone(b)
	}
	var out []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n') + 1
		out = append(out, l.prefix...)
		out = append(out, b[:i]...)
		b = b[i:]
	}
	return out
}

// noteSet collects the distinct notes of one cell's method, in order.
type noteSet struct {
	mu    sync.Mutex
	notes []string
}

func (n *noteSet) add(s string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !slices.Contains(n.notes, s) {
		n.notes = append(n.notes, s)
	}
}

func (n *noteSet) list() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.notes)
}

// methodNotes returns the distinct method notes of rs in order, each
// followed by the number of cells that reported it when there are several.
func methodNotes(rs []*resultfmt.Result) []string {
	var order []string
	cells := make(map[string]int)
	for _, r := range rs {
		for _, n := range r.MethodNotes {
			if cells[n] == 0 {
				order = append(order, n)
			}
			cells[n]++
		}
	}
	for i, n := range order {
		if k := cells[n]; k > 1 {
			order[i] = fmt.Sprintf("%s (%d cells)", n, k)
		}
	}
	return order
}
