package mappgraph

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"appbench/datasets"
	"appbench/internal/atomicfile"
)

// File names of the processed graph format (§7).
const (
	FeaturesFile = "features.csv"
	WeightsFile  = "weights.csv"
)

var weightsHeader = []string{"", "source", "target", "weight", "graph_id"}

func featuresHeader() []string {
	h := make([]string, 0, NumFeatures+3)
	h = append(h, "", "IP_port")
	h = append(h, featureNames[:]...)
	return append(h, "graph_id")
}

// FormatError reports a problem in a processed graph file, with its place.
// It unwraps to datasets.ErrMalformed and to the underlying cause.
type FormatError struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based field number; 0 when not about one field
	Err    error
}

// Error formats the error as "mappgraph: file:line:column: problem".
func (e *FormatError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("mappgraph: %s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("mappgraph: %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("mappgraph: %s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

// Unwrap returns datasets.ErrMalformed and the cause.
func (e *FormatError) Unwrap() []error { return []error{datasets.ErrMalformed, e.Err} }

// recordReader reads one processed CSV file record by record.
type recordReader struct {
	name string
	f    *os.File
	r    *csv.Reader
	rec  []string
}

func openRecords(path string, header []string) (*recordReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mappgraph: %w", err)
	}
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	rr := &recordReader{name: path, f: f, r: r}
	rec, err := rr.next()
	if err == io.EOF {
		err = &FormatError{File: path, Err: errors.New("empty file, want a header row")}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(rec) != len(header) {
		f.Close()
		return nil, &FormatError{File: path, Line: 1, Err: fmt.Errorf("header has %d columns, want %d", len(rec), len(header))}
	}
	r.FieldsPerRecord = len(header)
	for i, h := range header {
		if rec[i] != h {
			f.Close()
			return nil, rr.fieldErr(i, fmt.Errorf("header %q, want %q", rec[i], h))
		}
	}
	return rr, nil
}

// next returns the next record, io.EOF at the end, or a positioned error.
func (rr *recordReader) next() ([]string, error) {
	rec, err := rr.r.Read()
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &FormatError{File: rr.name, Line: pe.Line, Column: pe.Column, Err: pe.Err}
		}
		return nil, &FormatError{File: rr.name, Err: err}
	}
	rr.rec = rec
	return rec, nil
}

func (rr *recordReader) fieldErr(i int, err error) error {
	line, _ := rr.r.FieldPos(i)
	return &FormatError{File: rr.name, Line: line, Column: i + 1, Err: err}
}

// parseNodeKey parses the Python tuple text "('1.2.3.4', 443)".
func parseNodeKey(s string) (ip string, port int, err error) {
	rest, ok := strings.CutPrefix(s, "('")
	if !ok {
		return "", 0, fmt.Errorf("node %q: want the form ('IP', port)", s)
	}
	ip, rest, ok = strings.Cut(rest, "', ")
	if !ok {
		return "", 0, fmt.Errorf("node %q: want the form ('IP', port)", s)
	}
	ps, ok := strings.CutSuffix(rest, ")")
	if !ok {
		return "", 0, fmt.Errorf("node %q: want the form ('IP', port)", s)
	}
	port, err = strconv.Atoi(ps)
	if err != nil {
		return "", 0, fmt.Errorf("node %q: invalid port: %w", s, err)
	}
	return ip, port, nil
}

func appendNodeKey(b []byte, ip string, port int) []byte {
	b = append(b, `"('`...)
	b = append(b, ip...)
	b = append(b, "', "...)
	b = strconv.AppendInt(b, int64(port), 10)
	return append(b, `)"`...)
}

// parseValue parses a pandas float field (empty is NaN).
func parseValue(s string) (float64, error) {
	if s == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

func isIntegerText(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ReadGraphs reads the graphs of one app from a processed features.csv and
// weights.csv pair (§7), streaming both files record by record. Graphs are
// returned in ascending graph_id with App set to app; nodes keep the file's
// row order and edges the weights file's row order. A graph_id with no
// features row gives no graph. When any integer-typed column (maxima,
// minima, counts, octets) holds a non-integer text, the graphs are marked
// Scaled (standardised files), so that WriteGraphs writes them back in the
// same form. Errors name the file, line and column.
func ReadGraphs(featuresPath, weightsPath, app string) ([]*Graph, error) {
	byID := map[int]*Graph{}
	var order []*Graph
	keys := map[int]map[string]int{}
	scaled := false

	fr, err := openRecords(featuresPath, featuresHeader())
	if err != nil {
		return nil, err
	}
	defer fr.f.Close()
	for {
		rec, err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		id, err := strconv.Atoi(rec[NumFeatures+2])
		if err != nil {
			return nil, fr.fieldErr(NumFeatures+2, fmt.Errorf("graph_id: %w", err))
		}
		var node Node
		node.IP, node.Port, err = parseNodeKey(rec[1])
		if err != nil {
			return nil, fr.fieldErr(1, err)
		}
		for i := 0; i < NumFeatures; i++ {
			s := rec[i+2]
			v, err := parseValue(s)
			if err != nil {
				return nil, fr.fieldErr(i+2, fmt.Errorf("column %q: %w", featureNames[i], err))
			}
			if integerFeature[i] && !scaled && !isIntegerText(s) {
				scaled = true
			}
			node.Features[i] = v
		}
		g := byID[id]
		if g == nil {
			g = &Graph{ID: id, App: app}
			byID[id] = g
			order = append(order, g)
			keys[id] = map[string]int{}
		}
		k := rec[1]
		if _, dup := keys[id][k]; dup {
			return nil, fr.fieldErr(1, fmt.Errorf("node %s listed twice in graph %d", k, id))
		}
		keys[id][strings.Clone(k)] = len(g.Nodes)
		g.Nodes = append(g.Nodes, node)
	}

	wr, err := openRecords(weightsPath, weightsHeader)
	if err != nil {
		return nil, err
	}
	defer wr.f.Close()
	for {
		rec, err := wr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		id, err := strconv.Atoi(rec[4])
		if err != nil {
			return nil, wr.fieldErr(4, fmt.Errorf("graph_id: %w", err))
		}
		g := byID[id]
		if g == nil {
			return nil, wr.fieldErr(4, fmt.Errorf("graph %d has no node in %s", id, featuresPath))
		}
		var ends [2]int
		for c := 1; c <= 2; c++ {
			n, ok := keys[id][rec[c]]
			if !ok {
				if _, _, err := parseNodeKey(rec[c]); err != nil {
					return nil, wr.fieldErr(c, err)
				}
				return nil, wr.fieldErr(c, fmt.Errorf("node %s is not a node of graph %d", rec[c], id))
			}
			ends[c-1] = n
		}
		w, err := parseValue(rec[3])
		if err != nil {
			return nil, wr.fieldErr(3, fmt.Errorf("weight: %w", err))
		}
		g.Edges = append(g.Edges, Edge{Source: ends[0], Target: ends[1], Weight: w})
	}
	slices.SortStableFunc(order, func(a, b *Graph) int { return a.ID - b.ID })
	for _, g := range order {
		g.Scaled = scaled
	}
	return order, nil
}

// ReadProcessed reads a processed graph folder such as
// .../train_graphs/N20/t10: one sub-folder per app holding features.csv and
// weights.csv. The map is keyed by app (folder name).
func ReadProcessed(dir string) (map[string][]*Graph, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("mappgraph: %w", err)
	}
	out := map[string][]*Graph{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		app := e.Name()
		d := filepath.Join(dir, app)
		gs, err := ReadGraphs(filepath.Join(d, FeaturesFile), filepath.Join(d, WeightsFile), app)
		if err != nil {
			return nil, err
		}
		out[app] = gs
	}
	return out, nil
}

// WriteGraphs writes graphs as dir/app/features.csv and weights.csv in the
// reference's format, byte for byte as pandas to_csv writes them: a leading
// row-number column, the node key as the quoted tuple text
// "('1.2.3.4', 443)", floats in Python's shortest round-trip repr, NaN as an
// empty field, graphs in the given order with their ID as graph_id. For
// graphs that are not Scaled, the integer-typed features (maxima, minima,
// counts, flows_num, octets) are written as integers, as the reference
// writes graphs before standardisation. Each file is written to a temporary
// file and renamed into place.
func WriteGraphs(dir, app string, graphs []*Graph) error {
	d := filepath.Join(dir, app)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	err := writeAtomic(filepath.Join(d, FeaturesFile), func(w *bufio.Writer) error {
		b := []byte(strings.Join(featuresHeader(), ","))
		b = append(b, '\n')
		row := 0
		for _, g := range graphs {
			for i := range g.Nodes {
				n := &g.Nodes[i]
				b = strconv.AppendInt(b, int64(row), 10)
				row++
				b = append(b, ',')
				b = appendNodeKey(b, n.IP, n.Port)
				for f, v := range n.Features {
					b = append(b, ',')
					if integerFeature[f] && !g.Scaled && v == math.Trunc(v) && math.Abs(v) < 1<<53 {
						b = strconv.AppendInt(b, int64(v), 10)
					} else {
						b = appendPyFloat(b, v)
					}
				}
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(g.ID), 10)
				b = append(b, '\n')
				if len(b) > 1<<15 {
					if _, err := w.Write(b); err != nil {
						return err
					}
					b = b[:0]
				}
			}
		}
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(d, WeightsFile), func(w *bufio.Writer) error {
		b := []byte(strings.Join(weightsHeader, ",") + "\n")
		row := 0
		for _, g := range graphs {
			for _, e := range g.Edges {
				if e.Source < 0 || e.Source >= len(g.Nodes) || e.Target < 0 || e.Target >= len(g.Nodes) {
					return fmt.Errorf("graph %d: edge (%d, %d) out of range of %d nodes", g.ID, e.Source, e.Target, len(g.Nodes))
				}
				b = strconv.AppendInt(b, int64(row), 10)
				row++
				b = append(b, ',')
				s, t := &g.Nodes[e.Source], &g.Nodes[e.Target]
				b = appendNodeKey(b, s.IP, s.Port)
				b = append(b, ',')
				b = appendNodeKey(b, t.IP, t.Port)
				b = append(b, ',')
				b = appendPyFloat(b, e.Weight)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(g.ID), 10)
				b = append(b, '\n')
				if len(b) > 1<<15 {
					if _, err := w.Write(b); err != nil {
						return err
					}
					b = b[:0]
				}
			}
		}
		_, err := w.Write(b)
		return err
	})
}

// writeAtomic writes path through a temporary file in the same folder and
// renames it into place.
func writeAtomic(path string, fill func(*bufio.Writer) error) error {
	if err := atomicfile.Write(path, fill); err != nil {
		return fmt.Errorf("mappgraph: %w", err)
	}
	return nil
}
