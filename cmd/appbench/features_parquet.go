package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// featureTable receives the header, then the rows, of one exported file.
type featureTable interface {
	Write(fields []string) error
}

// isParquet reports whether out names a Parquet file.
func isParquet(out string) bool { return strings.EqualFold(filepath.Ext(out), ".parquet") }

// parquetTable keeps the rows of one file as typed Parquet rows and
// writes them as one Parquet file on flush.
type parquetTable struct {
	name   string // the file, for errors
	schema *parquet.Schema
	cols   []parquetColumn
	rows   []parquet.Row
}

// parquetColumn is how one column's CSV field becomes a Parquet value.
type parquetColumn struct {
	name     string
	kind     parquet.Kind
	nullable bool // an empty field is null (window bounds and times that are 0)
}

// intColumns and stringColumns name the INT64 and BYTE_ARRAY (UTF8)
// columns of the exports; every other column is a DOUBLE.
var (
	intColumns    = setOf("chunk", "local_port", "remote_port", "destination_port", "stream", "packets", "node", "source", "target")
	stringColumns = setOf("id", "label", "capture", "local_ip", "remote_ip", "destination_ip", "protocol", "certificate")
	nullColumns   = setOf("start", "stop", "first_time", "last_time")
)

func setOf(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Write takes the header on the first call, a row on the others.
func (t *parquetTable) Write(fields []string) error {
	if t.schema == nil {
		t.header(fields)
		return nil
	}
	if len(fields) != len(t.cols) {
		return fmt.Errorf("%s: row %d has %d fields, want %d", t.name, len(t.rows)+1, len(fields), len(t.cols))
	}
	row := make(parquet.Row, len(fields))
	for i, f := range fields {
		v, err := t.cols[i].value(f, i)
		if err != nil {
			return fmt.Errorf("%s: row %d: %w", t.name, len(t.rows)+1, err)
		}
		row[i] = v
	}
	t.rows = append(t.rows, row)
	return nil
}

// header builds the schema of the columns, in their order.
func (t *parquetTable) header(names []string) {
	g := orderedGroup{Group: parquet.Group{}}
	for _, n := range names {
		c := parquetColumn{name: n, kind: parquet.Double, nullable: nullColumns[n]}
		var node parquet.Node = parquet.Leaf(parquet.DoubleType)
		switch {
		case intColumns[n]:
			c.kind, node = parquet.Int64, parquet.Int(64)
		case stringColumns[n]:
			c.kind, node = parquet.ByteArray, parquet.String()
		}
		if c.nullable {
			node = parquet.Optional(node)
		}
		g.Group[n] = parquet.Compressed(node, &parquet.Snappy)
		g.order = append(g.order, n)
		t.cols = append(t.cols, c)
	}
	t.schema = parquet.NewSchema("features", g)
}

// value converts field, the CSV text of column i, to its Parquet value.
func (c parquetColumn) value(field string, i int) (parquet.Value, error) {
	var def int
	if c.nullable {
		if field == "" {
			return parquet.NullValue().Level(0, 0, i), nil
		}
		def = 1
	}
	var v parquet.Value
	switch c.kind {
	case parquet.ByteArray:
		v = parquet.ByteArrayValue([]byte(field))
	case parquet.Int64:
		n, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return v, fmt.Errorf("column %s: %q is not an integer", c.name, field)
		}
		v = parquet.Int64Value(n)
	default:
		x, err := strconv.ParseFloat(field, 64)
		if err != nil {
			return v, fmt.Errorf("column %s: %q is not a number", c.name, field)
		}
		v = parquet.DoubleValue(x)
	}
	return v.Level(0, def, i), nil
}

// flush writes the table as a Parquet file to w.
func (t *parquetTable) flush(w io.Writer) error {
	pw := parquet.NewWriter(w, t.schema)
	if _, err := pw.WriteRows(t.rows); err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	return nil
}

// orderedGroup is a Parquet group whose fields keep the order of the
// export's header (parquet.Group sorts them by name).
type orderedGroup struct {
	parquet.Group
	order []string
}

// Fields returns the group's fields in header order.
func (g orderedGroup) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	fields := make([]parquet.Field, len(g.order))
	for i, n := range g.order {
		fields[i] = byName[n]
	}
	return fields
}
