package dgcnn

import (
	"math"
	"sort"

	"appbench/internal/workpool"
)

// This file holds the building blocks of the network as plain functions on
// row-major float32 buffers, each with its explicit backward pass. Work that
// is split across goroutines is split by independent output rows only, and
// every sum runs in a fixed order, so results do not depend on the number of
// workers.

// parallelRows calls fn(lo, hi) over [0, n) in blocks of about 64 rows.
func parallelRows(workers, n int, fn func(lo, hi int)) {
	const block = 64
	nb := (n + block - 1) / block
	workpool.For(workers, nb, func(b int) {
		lo := b * block
		hi := min(lo+block, n)
		fn(lo, hi)
	})
}

// dense computes y = x·w + b for rows×in x, in×out w, out b (nil: no bias),
// writing rows×out y with row stride ldy.
func dense(g GEMM, rows, in, out int, x []float32, ldx int, w, b []float32, y []float32, ldy int) {
	if rows == 0 {
		return
	}
	g.Sgemm(false, false, rows, out, in, 1, x, ldx, w, out, 0, y, ldy)
	if b != nil {
		for r := 0; r < rows; r++ {
			yr := y[r*ldy : r*ldy+out]
			for j := range yr {
				yr[j] += b[j]
			}
		}
	}
}

// denseBack is the backward pass of dense: given dy it sets dw = xᵀ·dy,
// db = column sums of dy (if db != nil) and dx = dy·wᵀ (if dx != nil).
func denseBack(g GEMM, rows, in, out int, x []float32, ldx int, w, dy []float32, ldy int, dx []float32, ldx2 int, dw, db []float32) {
	if rows == 0 {
		clear(dw)
		clear(db)
		return
	}
	g.Sgemm(true, false, in, out, rows, 1, x, ldx, dy, ldy, 0, dw, out)
	if db != nil {
		clear(db[:out])
		for r := 0; r < rows; r++ {
			dr := dy[r*ldy : r*ldy+out]
			for j, v := range dr {
				db[j] += v
			}
		}
	}
	if dx != nil {
		g.Sgemm(false, true, rows, in, out, 1, dy, ldy, w, out, 0, dx, ldx2)
	}
}

// propagate computes z = Â·h for one graph: Â is n×n, h is n×d with row
// stride ldh, z is n×d with row stride ldz. With transpose set it adds
// Âᵀ·h to z instead (the backward pass).
func propagate(n, d int, a []float32, h []float32, ldh int, z []float32, ldz int, transpose bool) {
	if !transpose {
		for i := 0; i < n; i++ {
			zi := z[i*ldz : i*ldz+d]
			clear(zi)
			for j := 0; j < n; j++ {
				aij := a[i*n+j]
				if aij == 0 {
					continue
				}
				hj := h[j*ldh : j*ldh+d]
				for c, v := range hj {
					zi[c] += aij * v
				}
			}
		}
		return
	}
	// z += Âᵀ·h: z[i] += Σ_j Â[j,i]·h[j].
	for i := 0; i < n; i++ {
		zi := z[i*ldz : i*ldz+d]
		for j := 0; j < n; j++ {
			aji := a[j*n+i]
			if aji == 0 {
				continue
			}
			hj := h[j*ldh : j*ldh+d]
			for c, v := range hj {
				zi[c] += aji * v
			}
		}
	}
}

// tanhRows applies tanh in place to the rows×d block of x with row stride ld.
func tanhRows(workers, rows, d int, x []float32, ld int) {
	parallelRows(workers, rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr := x[r*ld : r*ld+d]
			for j, v := range xr {
				xr[j] = float32(math.Tanh(float64(v)))
			}
		}
	})
}

// tanhBack sets dx = dy ⊙ (1 − y²) in place in dy, for the rows×d blocks
// of y (the tanh outputs) and dy with row stride ld.
func tanhBack(workers, rows, d int, y, dy []float32, ld int) {
	parallelRows(workers, rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			yr := y[r*ld : r*ld+d]
			dr := dy[r*ld : r*ld+d]
			for j, v := range yr {
				dr[j] *= 1 - v*v
			}
		}
	})
}

// sortOrder returns the first min(n, k) node rows of one graph sorted by
// their last channel (column s−1 of h, n×s) descending, ties by lower node
// index first, as TensorFlow's top-k does.
func sortOrder(n, s, k int, h []float32, order []int) []int {
	order = order[:0]
	for i := 0; i < n; i++ {
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool {
		return h[order[a]*s+s-1] > h[order[b]*s+s-1]
	})
	if len(order) > k {
		order = order[:k]
	}
	return order
}

// sortPool fills the k×s pooled block of one graph from its n×s node rows
// h: the selected rows in order, then zero rows. sel receives the selected
// node indices (−1 for padding rows).
func sortPool(n, s, k int, h []float32, pooled []float32, sel []int) {
	order := sortOrder(n, s, k, h, make([]int, 0, n))
	for r := 0; r < k; r++ {
		dst := pooled[r*s : (r+1)*s]
		if r < len(order) {
			copy(dst, h[order[r]*s:(order[r]+1)*s])
			sel[r] = order[r]
		} else {
			clear(dst)
			sel[r] = -1
		}
	}
}

// sortPoolBack scatters the gradient of the pooled block of one graph back
// to its node rows: dh (n×s) is overwritten.
func sortPoolBack(n, s, k int, dpooled []float32, sel []int, dh []float32) {
	clear(dh[:n*s])
	for r := 0; r < k; r++ {
		if sel[r] >= 0 {
			copy(dh[sel[r]*s:(sel[r]+1)*s], dpooled[r*s:(r+1)*s])
		}
	}
}

// maxPool pools one sequence of length rows with c channels (rows×c) by
// windows of size pool, stride pool, giving rows/pool output rows (valid
// padding). arg records the winning offset in each window (the first
// maximum on ties).
func maxPool(rows, c, pool int, x, y []float32, arg []int8) {
	p := rows / pool
	for o := 0; o < p; o++ {
		yo := y[o*c : (o+1)*c]
		ao := arg[o*c : (o+1)*c]
		copy(yo, x[o*pool*c:(o*pool+1)*c])
		clear(ao)
		for j := 1; j < pool; j++ {
			xr := x[(o*pool+j)*c : (o*pool+j+1)*c]
			for ch, v := range xr {
				if v > yo[ch] {
					yo[ch] = v
					ao[ch] = int8(j)
				}
			}
		}
	}
}

// maxPoolBack routes dy to the winning positions; dx (rows×c) is
// overwritten.
func maxPoolBack(rows, c, pool int, dy []float32, arg []int8, dx []float32) {
	clear(dx[:rows*c])
	p := rows / pool
	for o := 0; o < p; o++ {
		for ch := 0; ch < c; ch++ {
			dx[(o*pool+int(arg[o*c+ch]))*c+ch] = dy[o*c+ch]
		}
	}
}

// im2col copies the windows of a 1-D convolution (kernel kern, stride 1,
// valid) over one sequence x (rows×c) into out: out rows = rows−kern+1,
// each of kern·c values (position-major, channel-minor, Keras' kernel
// layout).
func im2col(rows, c, kern int, x, out []float32) {
	l := rows - kern + 1
	w := kern * c
	for j := 0; j < l; j++ {
		copy(out[j*w:(j+1)*w], x[j*c:j*c+w])
	}
}

// col2im adds the window gradients back onto the sequence gradient dx
// (rows×c), which is overwritten.
func col2im(rows, c, kern int, dcol, dx []float32) {
	clear(dx[:rows*c])
	l := rows - kern + 1
	w := kern * c
	for j := 0; j < l; j++ {
		d := dx[j*c : j*c+w]
		for i, v := range dcol[j*w : (j+1)*w] {
			d[i] += v
		}
	}
}

// softmaxCE turns rows×c logits into probabilities (in probs) and returns
// the summed cross-entropy of the true classes y and the number of rows
// whose arg-max equals y. When dlogits is not nil it receives the gradient
// of the mean loss over scale rows: (p − onehot)/scale.
func softmaxCE(rows, c int, logits []float32, y []int, probs []float32, dlogits []float32, scale int) (loss float64, correct int) {
	for r := 0; r < rows; r++ {
		lr := logits[r*c : (r+1)*c]
		pr := probs[r*c : (r+1)*c]
		mx := lr[0]
		best := 0
		for j, v := range lr {
			if v > mx {
				mx, best = v, j
			}
		}
		sum := 0.0
		for j, v := range lr {
			e := math.Exp(float64(v - mx))
			pr[j] = float32(e)
			sum += e
		}
		for j := range pr {
			pr[j] = float32(float64(pr[j]) / sum)
		}
		if y == nil {
			continue
		}
		// log p_y = (l_y − max) − log Σ exp, computed without the rounding
		// of the float32 probability.
		loss -= float64(lr[y[r]]-mx) - math.Log(sum)
		if best == y[r] {
			correct++
		}
		if dlogits != nil {
			dr := dlogits[r*c : (r+1)*c]
			inv := 1 / float32(scale)
			for j, p := range pr {
				dr[j] = p * inv
			}
			dr[y[r]] -= inv
		}
	}
	return loss, correct
}
