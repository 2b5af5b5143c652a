package dgcnn

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// GEMM computes C = alpha·op(A)·op(B) + beta·C on row-major float32
// matrices, where op(X) is X or its transpose; op(A) is m×k, op(B) is k×n
// and C is m×n, with leading dimensions lda, ldb and ldc (the row strides
// of the matrices as stored). For training to be deterministic, an
// implementation must sum in an order that depends only on the sizes (both
// gonum and OpenBLAS split work over rows and columns, never over k).
type GEMM interface {
	Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// Gonum is the pure-Go GEMM of gonum.org/v1/gonum/blas/gonum.
type Gonum struct{}

// Sgemm implements GEMM.
func (Gonum) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	gonum.Implementation{}.Sgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// defaultGEMM is replaced by the OpenBLAS implementation when the package
// is built with the openblas tag and cgo.
var defaultGEMM GEMM = Gonum{}

// DefaultGEMM returns the GEMM this build uses by default: OpenBLAS when
// built with -tags openblas (and cgo), gonum's pure Go otherwise.
func DefaultGEMM() GEMM { return defaultGEMM }

// DefaultGEMMName names DefaultGEMM's implementation ("gonum" or
// "openblas"), for reports.
func DefaultGEMMName() string {
	if _, ok := defaultGEMM.(Gonum); ok {
		return "gonum"
	}
	return "openblas"
}
