package cpu

// Gemm computes, batch times, C = op(A)·op(B) + beta·C for row-major
// m×k, k×n and m×n matrices with leading dimensions lda, ldb, ldc, op
// transposing when tA or tB is set. The matrices of batch element i start
// at the offsets plus i times the strides. It runs on the BLAS that
// CurrentBLAS returns.
func Gemm[T Float](tA, tB bool, m, n, k int, a []T, aOff, lda, strideA int, b []T, bOff, ldb, strideB int,
	beta float64, c []T, cOff, ldc, strideC int, batch int) {
	if m == 0 || n == 0 {
		return
	}
	gemm := gemmOf[T]()
	for i := 0; i < batch; i++ {
		ci := c[cOff+i*strideC:]
		if k == 0 {
			scaleMatrix(ci, m, n, ldc, T(beta))
			continue
		}
		gemm(tA, tB, m, n, k, 1, a[aOff+i*strideA:], lda, b[bOff+i*strideB:], ldb, T(beta), ci, ldc)
	}
}

// scaleMatrix multiplies the m×n matrix c (leading dimension ldc) by
// beta: a product with k = 0 is beta·C.
func scaleMatrix[T Float](c []T, m, n, ldc int, beta T) {
	for r := 0; r < m; r++ {
		row := c[r*ldc:][:n]
		for j := range row {
			if beta == 0 {
				row[j] = 0
			} else {
				row[j] *= beta
			}
		}
	}
}

// gemmFunc is a BLAS gemm of one dtype.
type gemmFunc[T Float] func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// gemmOf returns the current BLAS's gemm for T.
func gemmOf[T Float]() gemmFunc[T] {
	var f any
	switch any(T(0)).(type) {
	case float32:
		f = gemmFunc[float32](CurrentBLAS().Sgemm)
	default:
		f = gemmFunc[float64](CurrentBLAS().Dgemm)
	}
	return f.(gemmFunc[T])
}

// GemmBias computes C = op(A)·op(B) and adds the vector bias (n elements)
// to every row: a layer's x·wᵀ + b.
func GemmBias[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, bias, c []T, ldc int) {
	Gemm(tA, tB, m, n, k, a, 0, lda, 0, b, 0, ldb, 0, 0, c, 0, ldc, 0, 1)
	for r := 0; r < m; r++ {
		AddRows(c[r*ldc:][:n], bias)
	}
}
