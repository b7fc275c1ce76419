package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftmaxMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	shape := []int{3, 4, 5}
	x := randn(rng, Numel(shape))
	for axis := 0; axis < 3; axis++ {
		outer, n, inner := Rows(shape, axis)
		sm, lsm := filled(len(x), math.NaN()), filled(len(x), math.NaN())
		Softmax(sm, x, outer, n, inner, false)
		Softmax(lsm, x, outer, n, inner, true)
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				s := 0.0
				for k := 0; k < n; k++ {
					s += math.Exp(x[(o*n+k)*inner+i])
				}
				for k := 0; k < n; k++ {
					p := (o*n+k)*inner + i
					if w := math.Exp(x[p]) / s; !(math.Abs(sm[p]-w) <= 1e-14) {
						t.Fatalf("axis %d: softmax %v, want %v", axis, sm[p], w)
					}
					if w := x[p] - math.Log(s); !(math.Abs(lsm[p]-w) <= 1e-13) {
						t.Fatalf("axis %d: log-softmax %v, want %v", axis, lsm[p], w)
					}
				}
			}
		}
	}
}
