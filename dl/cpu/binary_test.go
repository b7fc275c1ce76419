package cpu

import (
	"math/rand/v2"
	"testing"
)

// broadcast returns the shape a and b broadcast to (they must be
// compatible).
func broadcast(a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range out {
		da, db := 1, 1
		if j := i - n + len(a); j >= 0 {
			da = a[j]
		}
		if j := i - n + len(b); j >= 0 {
			db = b[j]
		}
		out[i] = max(da, db)
	}
	return out
}

// TestBinaryFloat32MatchesFloat64 runs the four arithmetic ops over
// broadcast shapes: the float32 result is the float64 one of the float32
// inputs, rounded.
func TestBinaryFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	pairs := [][2][]int{
		{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 4}, {3, 1}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {3, 1}},
		{{2, 1, 4}, {3, 1}}, {{5}, {}}, {{}, {5}}, {{2, 3, 4, 5}, {1, 3, 1, 5}}, {{4, 1, 1, 2}, {3, 1}},
	}
	for _, p := range pairs {
		a32 := randn32(rng, Numel(p[0]))
		b32 := randn(rng, Numel(p[1]))
		for i := range b32 {
			b32[i] += 3
		}
		b := toF32(b32)
		shape := broadcast(p[0], p[1])
		as, bs := BroadcastStrides(p[0], shape), BroadcastStrides(p[1], shape)
		for _, op := range []BinaryOp{Add, Sub, Mul, Div} {
			got := filled(Numel(shape), float32(-7))
			Binary(op, got, a32, b, shape, as, bs)
			want := make([]float64, Numel(shape))
			Binary(op, want, toF64(a32), toF64(b), shape, as, bs)
			for i := range got {
				if g, w := got[i], float32(want[i]); g != w {
					t.Fatalf("%v %v %v: [%d] = %v, want %v", op, p[0], p[1], i, g, w)
				}
			}
		}
	}
}
