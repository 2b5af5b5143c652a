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
// themselves; a rank takes 4 bytes where a value takes 8, and ranks sort
// faster.
//
// Build a Matrix with NewMatrix and one SetColumn per column; the caller
// may drop or reuse each column's values once SetColumn returns, so a
// matrix can be built without ever holding all its values at once.
type Matrix struct {
	rows, cols int
	rank       [][]uint32
	values     [][]float64
	scratch    []float64
}

// NewMatrix returns an empty rows × cols matrix.
func NewMatrix(rows, cols int) (*Matrix, error) {
	if err := checkShape(rows*cols, rows, cols); err != nil {
		return nil, err
	}
	return &Matrix{rows: rows, cols: cols, rank: make([][]uint32, cols), values: make([][]float64, cols)}, nil
}

// Rows returns the number of rows of m.
func (m *Matrix) Rows() int { return m.rows }

// Cols returns the number of columns of m.
func (m *Matrix) Cols() int { return m.cols }

// SetColumn sets column j to col (one value per row). Every value must be
// finite. col is not retained.
func (m *Matrix) SetColumn(j int, col []float64) error {
	if j < 0 || j >= m.cols {
		return fmt.Errorf("forest: column %d of %d: %w", j, m.cols, ErrInput)
	}
	if len(col) != m.rows {
		return fmt.Errorf("forest: column %d has %d values, want %d rows: %w", j, len(col), m.rows, ErrInput)
	}
	for i, v := range col {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("forest: row %d, column %d: value %v is not finite: %w", i, j, v, ErrInput)
		}
	}
	if cap(m.scratch) < m.rows {
		m.scratch = make([]float64, m.rows)
	}
	sorted := append(m.scratch[:0], col...)
	slices.Sort(sorted)
	distinct := slices.Compact(sorted) // -0 and +0 are one value
	values := slices.Clone(distinct)
	rank := make([]uint32, m.rows)
	for i, v := range col {
		rank[i] = uint32(sort.SearchFloat64s(values, v))
	}
	m.rank[j], m.values[j] = rank, values
	return nil
}

// complete reports the first column not set, if any, and drops the
// scratch buffer SetColumn sorts in.
func (m *Matrix) complete() error {
	m.scratch = nil
	for j, r := range m.rank {
		if r == nil {
			return fmt.Errorf("forest: column %d of %d not set: %w", j, m.cols, ErrInput)
		}
	}
	return nil
}

// A MatrixBuilder collects the rows of a matrix one at a time, as float64
// columns, and ranks each column when the matrix is built, dropping the
// column's values: at no point does it hold the values twice.
type MatrixBuilder struct {
	rows, cols, n int
	col           [][]float64
}

// NewMatrixBuilder returns a builder for a rows × cols matrix.
func NewMatrixBuilder(rows, cols int) (*MatrixBuilder, error) {
	if err := checkShape(rows*cols, rows, cols); err != nil {
		return nil, err
	}
	b := &MatrixBuilder{rows: rows, cols: cols, col: make([][]float64, cols)}
	for j := range b.col {
		b.col[j] = make([]float64, rows)
	}
	return b, nil
}

// Add appends row (cols values, not retained) as the next row.
func (b *MatrixBuilder) Add(row []float64) error {
	if len(row) != b.cols {
		return fmt.Errorf("forest: row %d has %d values, want %d columns: %w", b.n, len(row), b.cols, ErrInput)
	}
	if b.n == b.rows {
		return fmt.Errorf("forest: row %d of a %d-row matrix: %w", b.n, b.rows, ErrInput)
	}
	for j, v := range row {
		b.col[j][b.n] = v
	}
	b.n++
	return nil
}

// Matrix returns the matrix of the rows added, which must be all of them;
// the builder is empty afterwards.
func (b *MatrixBuilder) Matrix() (*Matrix, error) {
	if b.n != b.rows {
		return nil, fmt.Errorf("forest: %d of %d rows added: %w", b.n, b.rows, ErrInput)
	}
	m, err := NewMatrix(b.rows, b.cols)
	if err != nil {
		return nil, err
	}
	for j := range b.col {
		if err := m.SetColumn(j, b.col[j]); err != nil {
			return nil, err
		}
		b.col[j] = nil
	}
	b.n = 0
	return m, nil
}
