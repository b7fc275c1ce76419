package cpu

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
)

// TestParallelForCoversOnce: the ranges cover [0, n) once each, split or
// not.
func TestParallelForCoversOnce(t *testing.T) {
	prev := runtime.GOMAXPROCS(4)
	defer runtime.GOMAXPROCS(prev)
	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000} {
		for _, work := range []int{1, parallelMin, 64 * parallelMin} {
			seen := make([]atomic.Int32, n)
			parallelFor(n, work, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					seen[i].Add(1)
				}
			})
			for i := range seen {
				if c := seen[i].Load(); c != 1 {
					t.Fatalf("n %d work %d: index %d visited %d times", n, work, i, c)
				}
			}
		}
	}
}

// TestBlocksOf: near-equal blocks that cover the items in order, a number
// that depends on the sizes only.
func TestBlocksOf(t *testing.T) {
	for _, c := range []struct{ n, max int }{{0, 8}, {1, 8}, {5, 8}, {8, 8}, {20, 8}, {19, 3}} {
		b := blocksOf(c.n, c.max)
		if want := min(c.n, c.max) + 1; len(b) != want || b[0] != 0 || b[len(b)-1] != c.n {
			t.Fatalf("%+v: boundaries %v", c, b)
		}
		for i := 1; i < len(b); i++ {
			if size := b[i] - b[i-1]; size < c.n/c.max || size > c.n/c.max+1 {
				t.Fatalf("%+v: block %d of %d items in %v", c, i-1, size, b)
			}
		}
	}
}

// TestConvSameOnAnyCPUs runs a convolution and its adjoints on one CPU
// and on several: the results agree to the bit.
func TestConvSameOnAnyCPUs(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	xs, ws := []int{16, 2, 34, 34}, []int{6, 2, 3, 3}
	x, w, b := randn32(rng, Numel(xs)), randn32(rng, Numel(ws)), randn32(rng, ws[0])
	g := convShapeOf(xs, 3, 3, 1, 0)
	o := ws[0]
	gy := randn32(rng, g.N*o*g.OH*g.OW)
	run := func() [][]float32 {
		y := make([]float32, len(gy))
		Conv2d(g, x, w, b, y, o)
		gx, gw := make([]float32, len(x)), make([]float32, len(w))
		Conv2dGrad(g, x, w, gy, gx, gw, o)
		return [][]float32{y, gx, gw}
	}
	prev := runtime.GOMAXPROCS(1)
	one := run()
	runtime.GOMAXPROCS(max(prev, 4))
	many := run()
	runtime.GOMAXPROCS(prev)
	for i := range one {
		if !slices.Equal(one[i], many[i]) {
			t.Errorf("result %d differs between one CPU and several", i)
		}
	}
}
