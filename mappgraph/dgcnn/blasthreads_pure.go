//go:build !(openblas && cgo)

package dgcnn

// SetBLASThreads sets the number of threads of the OpenBLAS GEMM; in this
// pure-Go build it does nothing (gonum's GEMM uses up to GOMAXPROCS
// goroutines).
func SetBLASThreads(n int) {}
