//go:build openblas && cgo

package dgcnn

// #cgo LDFLAGS: -lopenblas
import "C"
