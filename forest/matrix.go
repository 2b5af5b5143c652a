package forest

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Matrix is a training matrix in the form the tree builder reads: each
// column holds the rank of every row's value among the column's distinct
// values, and those values once, in increasing order. A split depends
// only on the order of the values and on the two values it falls between,
// so a forest grown from a Matrix is the forest grown from the values
// themselves; a rank takes 1 to 4 bytes (see rankColumn) where a value
// takes 8, and ranks sort faster.
// RankRows builds one.
type Matrix struct {
	rows, cols int
	ranks      []rankColumn // per column
	values     [][]float64
}

// rank returns the rank of row i's value in column j.
func (m *Matrix) rank(j, i int) uint32 { return m.ranks[j].at(i) }

// setRank sets the rank of row i's value in column j.
func (m *Matrix) setRank(j, i int, r uint32) { m.ranks[j].set(i, r) }

// newMatrix returns an empty rows × cols matrix.
func newMatrix(rows, cols int) (*Matrix, error) {
	if err := checkShape(rows*cols, rows, cols); err != nil {
		return nil, err
	}
	return &Matrix{rows: rows, cols: cols, ranks: make([]rankColumn, cols)}, nil
}

// Rows returns the number of rows of m.
func (m *Matrix) Rows() int { return m.rows }

// Cols returns the number of columns of m.
func (m *Matrix) Cols() int { return m.cols }

// RankRows builds the rows × cols Matrix of the rows that each produces,
// one add call per row in order. It calls each twice, and each must give
// the same rows in the same order both times: the first pass collects
// every column's distinct values, the second ranks the rows. No column of
// values is ever held, only the distinct values and the ranks, so a
// caller that can produce its rows twice (from compact features, say)
// needs no float64 copy of its matrix at all.
func RankRows(rows, cols int, each func(add func(row []float64) error) error) (*Matrix, error) {
	m, err := newMatrix(rows, cols)
	if err != nil {
		return nil, err
	}
	d := newDistinct(cols)
	n := 0
	if err := each(func(row []float64) error {
		if err := m.checkRow(n, row); err != nil {
			return err
		}
		d.add(row)
		n++
		return nil
	}); err != nil {
		return nil, err
	}
	if n != rows {
		return nil, fmt.Errorf("forest: %d rows given, want %d: %w", n, rows, ErrInput)
	}
	m.values = d.sorted()
	for j, v := range m.values {
		m.ranks[j] = newRankColumn(rows, len(v))
	}
	n = 0
	if err := each(func(row []float64) error {
		if n >= rows || len(row) != cols {
			return fmt.Errorf("forest: row %d differs from the first pass: %w", n, ErrInput)
		}
		for j, v := range row {
			r := sort.SearchFloat64s(m.values[j], v)
			if r == len(m.values[j]) || m.values[j][r] != v {
				return fmt.Errorf("forest: row %d, column %d: value %v differs from the first pass: %w", n, j, v, ErrInput)
			}
			m.setRank(j, n, uint32(r))
		}
		n++
		return nil
	}); err != nil {
		return nil, err
	}
	if n != rows {
		return nil, fmt.Errorf("forest: second pass gave %d rows, the first %d: %w", n, rows, ErrInput)
	}
	return m, nil
}

// checkRow checks row n (of a pass of RankRows): its length and that
// every value is finite.
func (m *Matrix) checkRow(n int, row []float64) error {
	if n >= m.rows {
		return fmt.Errorf("forest: row %d of a %d-row matrix: %w", n, m.rows, ErrInput)
	}
	if len(row) != m.cols {
		return fmt.Errorf("forest: row %d has %d values, want %d columns: %w", n, len(row), m.cols, ErrInput)
	}
	for j, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("forest: row %d, column %d: value %v is not finite: %w", n, j, v, ErrInput)
		}
	}
	return nil
}

// distinct collects the distinct values of each column. A column's buffer
// holds a sorted, compacted prefix and then the values added since; when
// it is full, the new values are sorted and merged into the prefix
// (repeats dropped) and the buffer gets room for a quarter more. A buffer
// so holds at most 1.25 times its column's distinct values plus 1024: a
// column of mostly distinct values (a mean, a deviation) costs about 10
// bytes a row while the rows are collected, not the 16 to 20 of a buffer
// left to double.
type distinct struct {
	col     [][]float64
	done    []int     // length of each column's sorted, compacted prefix
	scratch []float64 // merge's copy of the new values
}

func newDistinct(cols int) *distinct {
	return &distinct{col: make([][]float64, cols), done: make([]int, cols)}
}

func (d *distinct) add(row []float64) {
	for j, v := range row {
		c := d.col[j]
		if len(c) == cap(c) {
			c = d.merge(j)
			if room := len(c)/4 + 1024; cap(c)-len(c) < room {
				c = append(make([]float64, 0, len(c)+room), c...)
			}
		}
		d.col[j] = append(c, v)
	}
}

// merge sorts the values added to column j since the last merge into its
// prefix, drops repeats (-0 and +0 are one) and returns the buffer, all of
// it now the prefix.
func (d *distinct) merge(j int) []float64 {
	c, done := d.col[j], d.done[j]
	d.scratch = append(d.scratch[:0], compactSorted(c[done:])...)
	t := d.scratch
	// Merge from the back: the prefix stays where it is until passed.
	c = c[:done+len(t)]
	for i, k, w := done-1, len(t)-1, len(c)-1; k >= 0; w-- {
		if i >= 0 && c[i] > t[k] {
			c[w] = c[i]
			i--
		} else {
			c[w] = t[k]
			k--
		}
	}
	c = slices.Compact(c)
	d.col[j], d.done[j] = c, len(c)
	return c
}

// sorted returns each column's distinct values in increasing order, at
// their exact size.
func (d *distinct) sorted() [][]float64 {
	out := make([][]float64, len(d.col))
	for j := range d.col {
		out[j] = slices.Clone(d.merge(j))
		d.col[j] = nil
	}
	return out
}

// compactSorted sorts c and removes repeated values (-0 and +0 are one).
func compactSorted(c []float64) []float64 {
	slices.Sort(c)
	return slices.Compact(c)
}
