//go:build openblas && cgo

package dgcnn

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int num_threads);
import "C"

// SetBLASThreads sets the number of threads OpenBLAS uses inside one GEMM
// call (n >= 1). On a machine shared with other work, 1 is often fastest:
// OpenBLAS' threads spin while waiting and compete with the Go workers.
// The environment variable OPENBLAS_NUM_THREADS sets the same at start-up.
func SetBLASThreads(n int) {
	if n >= 1 {
		C.openblas_set_num_threads(C.int(n))
	}
}
