package cpu

import "math"

// Row kernels: the softmax family and the losses built on it work along
// one axis. For an axis of shape, the elements split into outer·inner rows
// of n elements each: row (o, i) holds x[o·n·inner + k·inner + i], k < n.
// Within a row everything is accumulated in float64.

// rowShift returns the shift of the stable softmax family for the row
// starting at base: its maximum (NaN if it holds one), or 0 where that is
// infinite.
func rowShift[T Float](x []T, base, n, stride int) float64 {
	m := math.Inf(-1)
	for k := 0; k < n; k++ {
		v := float64(x[base+k*stride])
		if v > m || v != v {
			m = v
			if v != v {
				break
			}
		}
	}
	if math.IsInf(m, 0) {
		return 0
	}
	return m
}

// Softmax writes softmax (or, with log, log-softmax) of src's rows to
// dst. Softmax is e/s with e = exp(x − m) rounded to T and s = Σ e;
// log-softmax is (x − m) − ln s, rounded once.
func Softmax[T Float](dst, src []T, outer, n, inner int, log bool) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			m := rowShift(src, base, n, inner)
			s := 0.0
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				e := T(math.Exp(float64(src[p]) - m))
				s += float64(e)
				if !log {
					dst[p] = e
				}
			}
			if log {
				ls := math.Log(s)
				for k, p := 0, base; k < n; k, p = k+1, p+inner {
					dst[p] = T((float64(src[p]) - m) - ls)
				}
			} else {
				for k, p := 0, base; k < n; k, p = k+1, p+inner {
					dst[p] = T(float64(dst[p]) / s)
				}
			}
		}
	}
}

// SoftmaxGrad writes y·(g − Σ g·y) per row: softmax's vjp (and jvp,
// with the tangent for g), y being the softmax.
func SoftmaxGrad[T Float](dst, g, y []T, outer, n, inner int) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			dot := 0.0
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				dot += float64(g[p] * y[p])
			}
			d := T(dot)
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				dst[p] = y[p] * (g[p] - d)
			}
		}
	}
}

// LogSoftmaxGrad writes log-softmax's vjp g − exp(y)·Σ g per row, or
// with jvp its jvp t − Σ exp(y)·t, y being the log-softmax.
func LogSoftmaxGrad[T Float](dst, g, y []T, outer, n, inner int, jvp bool) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			acc := 0.0
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				if jvp {
					acc += float64(T(math.Exp(float64(y[p]))) * g[p])
				} else {
					acc += float64(g[p])
				}
			}
			a := T(acc)
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				if jvp {
					dst[p] = g[p] - a
				} else {
					dst[p] = g[p] - T(math.Exp(float64(y[p])))*a
				}
			}
		}
	}
}

// CrossEntropy returns Σ over rows of (log Σ exp x − x[label]) and
// writes each row's log Σ exp x to lse; labels[r], a whole number in
// [0, n) (see Classes), is row r's class.
func CrossEntropy[T Float](x []T, outer, n, inner int, labels []T, lse []float64) float64 {
	total := 0.0
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			m := rowShift(x, base, n, inner)
			s := 0.0
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				s += math.Exp(float64(x[p]) - m)
			}
			r := o*inner + i
			l := m + math.Log(s)
			lse[r] = l
			total += l - float64(x[base+int(labels[r])*inner])
		}
	}
	return total
}

// CrossEntropyGrad writes scale·(softmax(x) − onehot(label)) per row,
// the vjp of the summed cross-entropy times scale.
func CrossEntropyGrad[T Float](dst, x []T, outer, n, inner int, labels []T, lse []float64, scale float64) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			r := o*inner + i
			l, label := lse[r], int(labels[r])
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				d := math.Exp(float64(x[p]) - l)
				if k == label {
					d--
				}
				dst[p] = T(scale * d)
			}
		}
	}
}

// softplus returns log(1 + eᶻ) without overflow.
func softplus(z float64) float64 {
	return max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
}

// LogSumExp writes to dst [outer inner] each row's log Σ exp x, as
// m + ln Σ exp(x − m) with e = exp(x − m) rounded to T, as Softmax.
func LogSumExp[T Float](dst, src []T, outer, n, inner int) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			m := rowShift(src, base, n, inner)
			s := 0.0
			for k, p := 0, base; k < n; k, p = k+1, p+inner {
				s += float64(T(math.Exp(float64(src[p]) - m)))
			}
			dst[o*inner+i] = T(math.Log(s) + m)
		}
	}
}

// Classes reports whether every label is a class index: a whole number in
// [0, n).
func Classes[T Float](labels []T, n int) bool {
	for _, v := range labels {
		if !(v >= 0 && v < T(n)) || v != T(math.Trunc(float64(v))) {
			return false
		}
	}
	return true
}
