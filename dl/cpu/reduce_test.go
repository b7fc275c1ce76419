package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// keepOf is shape with the axes in mask set to 1.
func keepOf(shape []int, mask []bool) []int {
	keep := append([]int(nil), shape...)
	for i, m := range mask {
		if m {
			keep[i] = 1
		}
	}
	return keep
}

// naiveSum sums x (of shape) over mask, in keep-dim shape, in float64.
func naiveSum(x []float64, shape []int, mask []bool) []float64 {
	keep := keepOf(shape, mask)
	out := make([]float64, Numel(keep))
	ks := Strides(keep)
	forEachIndex(shape, func(i int, idx []int) {
		o := 0
		for d, v := range idx {
			if !mask[d] {
				o += v * ks[d]
			}
		}
		out[o] += x[i]
	})
	return out
}

// TestSumMatchesNaive sums over every subset of the axes, in both dtypes,
// into a destination of arbitrary contents.
func TestSumMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	shapes := [][]int{{7}, {3, 5}, {4, 1, 6}, {2, 3, 4, 5}, {1, 1}, {3, 1, 1, 4}, {2, 0, 3}}
	for _, f32 := range []bool{false, true} {
		for _, shape := range shapes {
			x := randn(rng, Numel(shape))
			if f32 {
				x = toF64(toF32(x))
			}
			for m := 0; m < 1<<len(shape); m++ {
				mask := make([]bool, len(shape))
				for i := range mask {
					mask[i] = m&(1<<i) != 0
				}
				keep := keepOf(shape, mask)
				want := naiveSum(x, shape, mask)
				var got []float64
				if f32 {
					dst := filled(Numel(keep), float32(math.NaN()))
					Sum(dst, toF32(x), shape, keep)
					got = toF64(dst)
				} else {
					got = filled(Numel(keep), math.NaN())
					Sum(got, x, shape, keep)
				}
				for i, w := range want {
					tol := 1e-12
					if f32 {
						tol = 1e-5 * (1 + math.Abs(w))
					}
					if g := got[i]; !(math.Abs(g-w) <= tol) {
						t.Fatalf("float32 %v: %v mask %v: [%d] = %v, want %v", f32, shape, mask, i, g, w)
					}
				}
			}
		}
	}
}
