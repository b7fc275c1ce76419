package cpu

import "math"

// ReduceOp names a reduction over axes.
type ReduceOp uint8

// The reductions.
const (
	ReduceSum ReduceOp = iota // Σ, accumulated in float64
	ReduceMax                 // maximum; NaN wins
	ReduceMin                 // minimum; NaN wins
)

var reduceNames = [...]string{ReduceSum: "sum", ReduceMax: "max", ReduceMin: "min"}

// String names op, e.g. "sum".
func (op ReduceOp) String() string { return reduceNames[op] }

// Sum writes to dst (of keep-dim shape keep) the sums of src (of shape)
// over the axes where keep is 1 and shape is not, accumulated in float64;
// each output's elements are visited in row-major order, so float64 sums
// are the plain left-to-right sums. Sums over no elements are 0.
func Sum[T Float](dst, src []T, shape, keep []int) {
	if len(src) == 0 {
		clear(dst)
		return
	}
	if len(dst) == 1 {
		dst[0] = T(sumRun(src))
		return
	}
	var w walk1
	w.initReduce(shape, keep)
	n, id := w.inner()
	if id == 0 { // the innermost run folds into one output element
		if len(src) == n*len(dst) && w.rank == 2 { // rows: one output each
			for o := range dst {
				dst[o] = T(sumRun(src[o*n : (o+1)*n]))
			}
			return
		}
		acc, owned := accumulator(dst)
		for i := 0; i < len(src); i += n {
			acc[w.pos()] += sumRun(src[i : i+n])
			w.next()
		}
		if !owned {
			for o, v := range acc {
				dst[o] = T(v)
			}
		}
		return
	}
	// The innermost run maps onto a run of outputs (id is 1).
	acc, owned := accumulator(dst)
	for i := 0; i < len(src); i += n {
		p := w.pos()
		a := acc[p : p+n]
		for j, v := range src[i : i+n] {
			a[j] += float64(v)
		}
		w.next()
	}
	if !owned {
		for o, v := range acc {
			dst[o] = T(v)
		}
	}
}

// accumulator returns a zeroed float64 buffer for dst's sums: dst itself
// when T is float64 (owned reports that), else a new one.
func accumulator[T Float](dst []T) (acc []float64, owned bool) {
	if d, ok := any(dst).([]float64); ok {
		clear(d)
		return d, true
	}
	return make([]float64, len(dst)), false
}

// sumRun returns the float64 sum of s: left to right for float64 values
// (the plain sum, as it always was), and with four accumulators for
// float32 ones, whose sum float64 holds exactly enough for the order not
// to matter in practice, while one accumulator's chain of dependent adds
// would set the pace.
func sumRun[T Float](s []T) float64 {
	if f, ok := any(s).([]float32); ok {
		return sumRun32(f)
	}
	acc := 0.0
	for _, v := range s {
		acc += float64(v)
	}
	return acc
}

func sumRun32(s []float32) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a0 += float64(s[i])
		a1 += float64(s[i+1])
		a2 += float64(s[i+2])
		a3 += float64(s[i+3])
	}
	for ; i < len(s); i++ {
		a0 += float64(s[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// Extreme writes to dst (of keep-dim shape keep) the maximum (op ReduceMax)
// or minimum (ReduceMin) of src over the reduced axes; a NaN wins.
func Extreme[T Float](op ReduceOp, dst, src []T, shape, keep []int) {
	sign := 1.0
	if op == ReduceMin {
		sign = -1
	}
	init := T(math.Inf(-int(sign)))
	for i := range dst {
		dst[i] = init
	}
	if len(dst) == 1 {
		acc := float64(dst[0])
		for _, v := range src {
			acc = extremeOf(acc, float64(v), sign)
		}
		dst[0] = T(acc)
		return
	}
	// Walk src in order; the output position moves with the kept axes.
	var w walk1
	if !w.initReduce(shape, keep) {
		return
	}
	n, id := w.inner()
	for i := 0; i < len(src); i += n {
		o := w.pos()
		for j, v := range src[i : i+n] {
			p := o + j*id
			dst[p] = T(extremeOf(float64(dst[p]), float64(v), sign))
		}
		w.next()
	}
}

// extremeOf folds v into acc: the new extreme, or a NaN.
func extremeOf(acc, v, sign float64) float64 {
	if (v-acc)*sign > 0 || math.IsNaN(v) {
		return v
	}
	return acc
}

// ArgExtreme writes to dst [outer inner] the index along the middle axis
// of x [outer n inner] of the largest (op ReduceMax) or smallest (ReduceMin) element:
// the first one on ties, the first NaN if any.
func ArgExtreme[T Float](op ReduceOp, dst, x []T, outer, n, inner int) {
	sign := 1.0
	if op == ReduceMin {
		sign = -1
	}
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			best, bestV := 0, float64(x[o*n*inner+in])
			for k := 1; k < n; k++ {
				if v := float64(x[(o*n+k)*inner+in]); !math.IsNaN(bestV) && ((v-bestV)*sign > 0 || math.IsNaN(v)) {
					best, bestV = k, v
				}
			}
			dst[o*inner+in] = T(best)
		}
	}
}

// SumAll returns the float64 sum of s (see Sum).
func SumAll[T Float](s []T) float64 { return sumRun(s) }
