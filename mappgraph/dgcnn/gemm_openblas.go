//go:build openblas && cgo

package dgcnn

import (
	"gonum.org/v1/netlib/blas/netlib"
)

// OpenBLAS is the GEMM of the system OpenBLAS library, called through
// gonum.org/v1/netlib's cgo binding. It exists only in builds with the
// openblas tag and cgo; the library is linked by openblas_cgo.go.
type OpenBLAS struct{}

// Sgemm implements GEMM.
func (OpenBLAS) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	netlib.Implementation{}.Sgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func init() { defaultGEMM = OpenBLAS{} }
