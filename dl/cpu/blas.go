package cpu

import (
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BLAS is the seam through which every matrix product runs. Matrices are
// row-major; a transposed operand is read as its transpose. An optimized
// library or a GPU backend plugs in with SetBLAS.
type BLAS interface {
	// Sgemm computes C = alpha·op(A)·op(B) + beta·C for float32, where op(A)
	// is m×k, op(B) is k×n and C is m×n.
	Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	// Dgemm is Sgemm for float64.
	Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
	// Name says which implementation this is, e.g. "gonum".
	Name() string
}

// GonumBLAS is the pure-Go BLAS, gonum's; it is the default and always
// available.
type GonumBLAS struct{}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Sgemm implements BLAS.
func (GonumBLAS) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonum.Implementation{}.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm implements BLAS.
func (GonumBLAS) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	gonum.Implementation{}.Dgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Name implements BLAS.
func (GonumBLAS) Name() string { return "gonum" }

var currentBLAS atomic.Pointer[BLAS]

// SetBLAS makes b the implementation of every later matrix product and
// returns the previous one.
func SetBLAS(b BLAS) (previous BLAS) {
	prev := CurrentBLAS()
	currentBLAS.Store(&b)
	return prev
}

// CurrentBLAS returns the implementation matrix products use now: the one
// set with SetBLAS, else the default chosen on first use (see DefaultBLAS).
func CurrentBLAS() BLAS {
	if p := currentBLAS.Load(); p != nil {
		return *p
	}
	b := DefaultBLAS()
	currentBLAS.CompareAndSwap(nil, &b)
	return *currentBLAS.Load()
}
