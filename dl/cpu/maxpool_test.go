package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sameFloat reports whether v and w are the same number (−0 and 0 told
// apart) or both NaN.
func sameFloat(v, w float64) bool {
	return v == w && math.Signbit(v) == math.Signbit(w) || v != v && w != w
}

// TestMaxPoolFastPathMatchesGeneric compares the branch-free 2×2 float32
// kernel with the exact comparisons of the generic one, on ties, signed
// zeros, infinities and NaNs.
func TestMaxPoolFastPathMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	special := []float32{0, negZero, 1, -1, nan, inf, -inf, 2, 2,
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32}
	for _, stride := range []int{1, 2, 3} {
		for trial := 0; trial < 20; trial++ {
			v := make([]float32, 2*3*7*8)
			for i := range v {
				if rng.IntN(4) == 0 {
					v[i] = special[rng.IntN(len(special))]
				} else {
					v[i] = float32(rng.IntN(5) - 2) // many ties
				}
			}
			g := convShapeOf([]int{2, 3, 7, 8}, 2, 2, stride, 0)
			fast, fastArg := make([]float32, g.N*g.C*g.OH*g.OW), make([]int32, g.N*g.C*g.OH*g.OW)
			maxPool2x2F32(g, v, fast, fastArg, 0, g.N*g.C)
			// The generic kernel on float64 values takes the exact comparisons.
			slow, slowArg := make([]float64, len(fast)), make([]int32, len(fast))
			MaxPool(g, toF64(v), slow, slowArg)
			for i := range fast {
				if !sameFloat(float64(fast[i]), slow[i]) || fastArg[i] != slowArg[i] {
					t.Fatalf("stride %d: window %d: fast %v at %d, exact %v at %d", stride, i, fast[i], fastArg[i], slow[i], slowArg[i])
				}
			}
		}
	}
}

// TestMaxPoolSpreadMatchesScatter compares the one-pass adjoint of 2×2
// windows of stride 2, into a destination of arbitrary contents, with
// adding each element into zeros, in both dtypes.
func TestMaxPoolSpreadMatchesScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	special := []float64{0, negZero, 1, -1, nan, inf, -inf, 2}
	for _, hw := range [][2]int{{7, 8}, {8, 7}, {7, 7}, {6, 6}, {2, 2}, {3, 3}, {130, 129}} { // the last in parallel
		for trial := 0; trial < 10; trial++ {
			xs := []int{2, 3, hw[0], hw[1]}
			x := toF64(randn32(rng, Numel(xs)))
			g := convShapeOf(xs, 2, 2, 2, 0)
			arg := make([]int32, g.N*g.C*g.OH*g.OW)
			MaxPool(g, x, make([]float64, len(arg)), arg)
			gy := make([]float64, len(arg))
			for i := range gy {
				if rng.IntN(3) == 0 {
					gy[i] = special[rng.IntN(len(special))]
				} else {
					gy[i] = rng.NormFloat64()
				}
			}
			want := make([]float64, len(x))
			poolScatter(g, want, gy, arg)
			got := filled(len(x), 7.0) // arbitrary contents
			poolSpread2x2(g, got, gy, arg)
			got32 := filled(len(x), float32(math.NaN()))
			poolSpread2x2(g, got32, toF32(gy), arg)
			viaGrad := filled(len(x), 7.0)
			MaxPoolGrad(g, viaGrad, gy, arg)
			for i := range want {
				if !sameFloat(got[i], want[i]) || !sameFloat(float64(got32[i]), float64(float32(want[i]))) || !sameFloat(viaGrad[i], want[i]) {
					t.Fatalf("%v: element %d: spread %v (float32 %v, MaxPoolGrad %v), scatter %v", hw, i, got[i], got32[i], viaGrad[i], want[i])
				}
			}
		}
	}
}

// TestMaxPoolGradOverlapping checks the adjoint of overlapping windows
// (stride 1), into a destination of arbitrary contents: each element of gy
// added at its window's maximum.
func TestMaxPoolGradOverlapping(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 16))
	xs := []int{2, 2, 6, 5}
	g := convShapeOf(xs, 3, 3, 1, 0)
	x := randn(rng, Numel(xs))
	out, arg := make([]float64, g.N*g.C*g.OH*g.OW), make([]int32, g.N*g.C*g.OH*g.OW)
	MaxPool(g, x, out, arg)
	gy := randn(rng, len(out))
	want := make([]float64, len(x))
	plane, oplane := g.H*g.W, g.OH*g.OW
	for p := 0; p < g.N*g.C; p++ {
		for oi := 0; oi < g.OH; oi++ {
			for oj := 0; oj < g.OW; oj++ {
				best := -1
				for ki := 0; ki < 3; ki++ {
					for kj := 0; kj < 3; kj++ {
						i := (oi+ki)*g.W + oj + kj
						if best < 0 || x[p*plane+i] > x[p*plane+best] {
							best = i
						}
					}
				}
				k := p*oplane + oi*g.OW + oj
				if out[k] != x[p*plane+best] || int(arg[k]) != best {
					t.Fatalf("window %d: max %v at %d, want %v at %d", k, out[k], arg[k], x[p*plane+best], best)
				}
				want[p*plane+best] += gy[k]
			}
		}
	}
	got := filled(len(x), math.NaN())
	MaxPoolGrad(g, got, gy, arg)
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("element %d: %v, want %v", i, got[i], w)
		}
	}
}
