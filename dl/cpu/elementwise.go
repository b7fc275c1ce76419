package cpu

// Fill sets every element of dst to v.
func Fill[T Float](dst []T, v float64) {
	t := T(v)
	for i := range dst {
		dst[i] = t
	}
}

// Convert copies src into dst, converting the element type.
func Convert[T, U Float](dst []T, src []U) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = T(v)
	}
}

// AddScaled computes dst += alpha·x in float64, rounded to T.
func AddScaled[T, U Float](dst []T, alpha float64, x []U) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(float64(dst[i]) + alpha*float64(v))
	}
}

// DivScalar computes dst /= c in float64, rounded to T.
func DivScalar[T Float](dst []T, c float64) {
	for i, v := range dst {
		dst[i] = T(float64(v) / c)
	}
}

// Clamp writes min(max(x, lo), hi) to dst.
func Clamp[T Float](dst, x []T, lo, hi float64) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(min(max(float64(v), lo), hi))
	}
}

// ClampGrad writes g·[lo ≤ x ≤ hi] to dst, Clamp's derivative rule.
func ClampGrad[T Float](dst, g, x []T, lo, hi float64) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i, v := range x {
		dst[i] = g[i] * T(step(float64(v) >= lo && float64(v) <= hi))
	}
}

// Select writes a where cond is non-zero and b elsewhere, the three read
// at their strides over shape (0 along broadcast axes).
func Select[T Float](dst, cond, a, b []T, shape, cs, as, bs []int) {
	if len(dst) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for i := range dst {
		pc, pa, pb := 0, 0, 0
		for d, v := range idx {
			pc += v * cs[d]
			pa += v * as[d]
			pb += v * bs[d]
		}
		if cond[pc] != 0 {
			dst[i] = a[pa]
		} else {
			dst[i] = b[pb]
		}
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// AddRows adds the vector b to every row of the row-major matrix y.
func AddRows[T Float](y, b []T) {
	for r := 0; r+len(b) <= len(y) && len(b) > 0; r += len(b) {
		row := y[r : r+len(b)]
		for i, v := range b {
			row[i] += v
		}
	}
}
