package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gradbook/gradbook/dl/cpu"
)

// BenchmarkGEMM times float32 matrix products at the MLP's shapes (the
// forward product and the two of its gradient) through each BLAS dl can
// use, and reports GFLOP/s.
func BenchmarkGEMM(b *testing.B) {
	impls := []cpu.BLAS{cpu.GonumBLAS{}}
	if o, err := cpu.LoadOpenBLAS(""); err == nil {
		impls = append(impls, o)
	}
	for _, s := range []struct {
		name       string
		tA, tB     bool
		m, n, k    int
		rows, cols [2]int
	}{
		{"forward-128x256x784", false, true, 128, 256, 784, [2]int{128, 784}, [2]int{256, 784}},
		{"grad-input-128x784x256", false, false, 128, 784, 256, [2]int{128, 256}, [2]int{256, 784}},
		{"grad-weight-256x784x128", true, false, 256, 784, 128, [2]int{128, 256}, [2]int{128, 784}},
		{"square-1024", false, false, 1024, 1024, 1024, [2]int{1024, 1024}, [2]int{1024, 1024}},
	} {
		rng := rand.New(rand.NewPCG(1, 1))
		a := randFloat32s(rng, s.rows[0]*s.rows[1])
		bm := randFloat32s(rng, s.cols[0]*s.cols[1])
		c := make([]float32, s.m*s.n)
		for _, impl := range impls {
			name := impl.Name()
			if len(name) > 8 {
				name = name[:8]
			}
			b.Run(fmt.Sprintf("%s/%s", s.name, name), func(b *testing.B) {
				for b.Loop() {
					impl.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, s.rows[1], bm, s.cols[1], 0, c, s.n)
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func randFloat32s(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}
