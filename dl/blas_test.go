package dl

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Every BLAS available here computes the same products as the pure-Go
// one, for all transpose flags, sizes around the small-product threshold,
// and leading dimensions larger than the matrices.
func TestBLASImplementationsAgree(t *testing.T) {
	o, err := LoadOpenBLAS("")
	if err != nil {
		t.Fatalf("OpenBLAS must be installed for this test (Debian: libopenblas0): %v", err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, sz := range [][3]int{{2, 3, 4}, {16, 16, 16}, {33, 17, 65}, {128, 256, 100}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				ar, ac := m, k
				if tA {
					ar, ac = k, m
				}
				br, bc := k, n
				if tB {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+3, bc+1, n+2
				a64, b64 := randSlice(rng, ar*lda), randSlice(rng, br*ldb)
				c0 := randSlice(rng, m*ldc)
				want, got := append([]float64(nil), c0...), append([]float64(nil), c0...)
				GonumBLAS{}.Dgemm(tA, tB, m, n, k, 1.5, a64, lda, b64, ldb, 0.5, want, ldc)
				o.Dgemm(tA, tB, m, n, k, 1.5, a64, lda, b64, ldb, 0.5, got, ldc)
				if d := maxDiff(want, got); d > 1e-12*float64(k) {
					t.Errorf("Dgemm %v tA=%v tB=%v: max difference %g", sz, tA, tB, d)
				}
				a32, b32 := toF32(a64), toF32(b64)
				want32, got32 := toF32(c0), toF32(c0)
				GonumBLAS{}.Sgemm(tA, tB, m, n, k, 1.5, a32, lda, b32, ldb, 0.5, want32, ldc)
				o.Sgemm(tA, tB, m, n, k, 1.5, a32, lda, b32, ldb, 0.5, got32, ldc)
				if d := maxDiff(toF64(want32), toF64(got32)); d > 1e-5*float64(k) {
					t.Errorf("Sgemm %v tA=%v tB=%v: max difference %g", sz, tA, tB, d)
				}
			}
		}
	}
}

// The pure-Go path stays tested: the op-level tests run once more on it.
func TestMatMulAndConvOnGonum(t *testing.T) {
	prev := SetBLAS(GonumBLAS{})
	defer SetBLAS(prev)
	rng := rand.New(rand.NewPCG(2, 2))
	a, b := Float64.Randn(rng, 3, 20, 30), Float64.Randn(rng, 30, 25)
	if r := GradCheck(func(in ...*Tensor) *Tensor { return in[0].MatMul(in[1]) }, a, b); !r.OK() {
		t.Errorf("MatMul on gonum:\n%s", r)
	}
	x, w := Float64.Randn(rng, 2, 3, 9, 9), Float64.Randn(rng, 4, 3, 3, 3)
	if r := GradCheck(func(in ...*Tensor) *Tensor { return Conv2d(in[0], in[1], nil, 1, 1) }, x, w); !r.OK() {
		t.Errorf("Conv2d on gonum:\n%s", r)
	}
}

func TestLoadOpenBLASErrorNamesPath(t *testing.T) {
	_, err := LoadOpenBLAS("/nonexistent/libopenblas.so")
	if err == nil || !contains(err.Error(), "/nonexistent/libopenblas.so") {
		t.Errorf("error %v does not name the path", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

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
