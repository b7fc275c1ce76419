package cpu

import (
	"math"
	"math/rand/v2"
)

// randn returns n standard normal values.
func randn(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// randn32 returns n standard normal values rounded to float32.
func randn32(rng *rand.Rand, n int) []float32 { return toF32(randn(rng, n)) }

func toF32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

func toF64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// filled returns n copies of v: a destination whose every element a
// kernel must write. Filled with NaN, an element left unwritten fails the
// comparisons, which are written !(|got − want| ≤ tol) for that reason.
func filled[T Float](n int, v T) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// convShapeOf returns the geometry of a kh×kw window over an input of
// shape [n c h w].
func convShapeOf(x []int, kh, kw, stride, pad int) ConvShape {
	return ConvShape{N: x[0], C: x[1], H: x[2], W: x[3], KH: kh, KW: kw, Stride: stride, Pad: pad,
		OH: ConvOut(x[2], kh, stride, pad), OW: ConvOut(x[3], kw, stride, pad)}
}

// forEachIndex calls f with the flat position and the multi-index of
// every element of shape, in row-major order; idx is reused.
func forEachIndex(shape []int, f func(i int, idx []int)) {
	idx := make([]int, len(shape))
	for i := range Numel(shape) {
		f(i, idx)
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}
