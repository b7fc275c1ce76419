package cpu

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveGemm computes C = alpha·op(A)·op(B) + beta·C directly.
func naiveGemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for l := 0; l < k; l++ {
				ai, bi := i*lda+l, l*ldb+j
				if tA {
					ai = l*lda + i
				}
				if tB {
					bi = j*ldb + l
				}
				av, bv := a[ai], b[bi]
				s += av * bv
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

// gemmCase is one product of TestBLASImplementationsAgree: operands with
// leading dimensions larger than the matrices.
type gemmCase struct {
	tA, tB        bool
	m, n, k       int
	lda, ldb, ldc int
	a, b, c       []float64
}

func gemmCases(rng *rand.Rand) []gemmCase {
	var cs []gemmCase
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
				cs = append(cs, gemmCase{tA, tB, m, n, k, lda, ldb, ldc,
					randn(rng, ar*lda), randn(rng, br*ldb), randn(rng, m*ldc)})
			}
		}
	}
	return cs
}

// checkBLAS compares impl's products with ref's, in both dtypes, for all
// transpose flags and sizes around the small-product threshold.
func checkBLAS(t *testing.T, impl, ref BLAS) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range gemmCases(rng) {
		sz := [3]int{c.m, c.n, c.k}
		want, got := append([]float64(nil), c.c...), append([]float64(nil), c.c...)
		ref.Dgemm(c.tA, c.tB, c.m, c.n, c.k, 1.5, c.a, c.lda, c.b, c.ldb, 0.5, want, c.ldc)
		impl.Dgemm(c.tA, c.tB, c.m, c.n, c.k, 1.5, c.a, c.lda, c.b, c.ldb, 0.5, got, c.ldc)
		if d := maxDiff(want, got); d > 1e-12*float64(c.k) {
			t.Errorf("Dgemm %v tA=%v tB=%v: max difference %g", sz, c.tA, c.tB, d)
		}
		a32, b32 := toF32(c.a), toF32(c.b)
		want32, got32 := toF32(c.c), toF32(c.c)
		ref.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1.5, a32, c.lda, b32, c.ldb, 0.5, want32, c.ldc)
		impl.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1.5, a32, c.lda, b32, c.ldb, 0.5, got32, c.ldc)
		if d := maxDiff(toF64(want32), toF64(got32)); d > 1e-5*float64(c.k) {
			t.Errorf("Sgemm %v tA=%v tB=%v: max difference %g", sz, c.tA, c.tB, d)
		}
	}
}

// naiveBLAS is the reference the pure-Go BLAS is checked against: the
// float32 product is the float64 one of the float32 operands, rounded.
type naiveBLAS struct{}

func (naiveBLAS) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	c64 := toF64(c)
	naiveGemm(tA, tB, m, n, k, float64(alpha), toF64(a), lda, toF64(b), ldb, float64(beta), c64, ldc)
	copy(c, toF32(c64))
}

func (naiveBLAS) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func (naiveBLAS) Name() string { return "naive" }

// Every BLAS available here computes the same products: the pure-Go one
// as the direct sums, OpenBLAS (where installed) as the pure-Go one.
func TestBLASImplementationsAgree(t *testing.T) {
	t.Run("gonum", func(t *testing.T) { checkBLAS(t, GonumBLAS{}, naiveBLAS{}) })
	t.Run("openblas", func(t *testing.T) {
		o, err := LoadOpenBLAS("")
		if err != nil {
			t.Skipf("OpenBLAS (libopenblas.so.0, Debian: libopenblas0) is not installed here: %v", err)
		}
		checkBLAS(t, o, GonumBLAS{})
	})
}

// Gemm runs batches at offsets and strides, and a product with k = 0
// scales C by beta.
func TestGemmBatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const m, n, k, batch = 3, 4, 5, 3
	a, b := randn(rng, 2+batch*m*k), randn(rng, 1+batch*k*n)
	c := randn(rng, batch*m*n)
	want := append([]float64(nil), c...)
	for i := range batch {
		naiveGemm(false, false, m, n, k, 1, a[2+i*m*k:], k, b[1+i*k*n:], n, 0.5, want[i*m*n:], n)
	}
	Gemm(false, false, m, n, k, a, 2, k, m*k, b, 1, n, k*n, 0.5, c, 0, n, m*n, batch)
	if d := maxDiff(want, c); d > 1e-12*k {
		t.Errorf("batched Gemm: max difference %g", d)
	}
	before := append([]float64(nil), c...)
	Gemm(false, false, m, n, 0, a, 0, 1, 0, b, 0, n, 0, 2, c, 0, n, 0, 1)
	for i := range m * n {
		if c[i] != 2*before[i] {
			t.Fatalf("k = 0: C[%d] = %v, want %v", i, c[i], 2*before[i])
		}
	}
}

func TestLoadOpenBLASErrorNamesPath(t *testing.T) {
	_, err := LoadOpenBLAS("/nonexistent/libopenblas.so")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/libopenblas.so") {
		t.Errorf("error %v does not name the path", err)
	}
}
