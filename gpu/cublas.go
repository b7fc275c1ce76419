package gpu

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/ebitengine/purego"
)

// blasAPI holds the addresses of the cuBLAS functions, resolved once by
// loadCUBLAS.
type blasAPI struct {
	create, setStream, setMathMode uintptr
	sgemm, dgemm                   uintptr
	sgemmBatched, dgemmBatched     uintptr
}

var blas blasAPI

func (b *blasAPI) symbols() []symbol {
	s := func(p *uintptr, name string) symbol { return symbol{p: p, names: []string{name}} }
	return []symbol{
		s(&b.create, "cublasCreate_v2"),
		s(&b.setStream, "cublasSetStream_v2"),
		s(&b.setMathMode, "cublasSetMathMode"),
		s(&b.sgemm, "cublasSgemm_v2"),
		s(&b.dgemm, "cublasDgemm_v2"),
		s(&b.sgemmBatched, "cublasSgemmStridedBatched"),
		s(&b.dgemmBatched, "cublasDgemmStridedBatched"),
	}
}

// cublasMath_t values.
const (
	cublasDefaultMath = 0
	cublasTF32Math    = 3
)

// blasHandle is a cuBLAS handle bound to a context's stream, so that its
// products are ordered with the context's kernels and copies. Like the
// context, it needs the context bound on the calling thread and is not
// safe for concurrent use.
type blasHandle struct {
	h uintptr
	c *context
}

// blas returns c's cuBLAS handle, created on first use with TF32 off.
func (c *context) blas() (*blasHandle, error) {
	c.blasMu.Lock()
	defer c.blasMu.Unlock()
	if c.blasH != nil {
		return c.blasH, nil
	}
	if err := loadCUBLAS(); err != nil {
		return nil, err
	}
	h := &blasHandle{c: c}
	r, _, _ := purego.SyscallN(blas.create, uintptr(unsafe.Pointer(&h.h)))
	if uint32(r) != cublasStatusSuccess {
		return nil, cublasError("cublasCreate_v2", r)
	}
	r, _, _ = purego.SyscallN(blas.setStream, h.h, c.stream)
	if uint32(r) != cublasStatusSuccess {
		return nil, cublasError("cublasSetStream_v2", r)
	}
	if err := h.setTF32(false); err != nil {
		return nil, err
	}
	c.blasH = h
	return h, nil
}

// setTF32 lets float32 products use TF32 tensor cores (inputs rounded to
// 10 mantissa bits: about 1e-3 relative error, several times faster) or
// makes them exact float32 again. float64 products are unaffected.
func (h *blasHandle) setTF32(on bool) error {
	mode := uintptr(cublasDefaultMath)
	if on {
		mode = cublasTF32Math
	}
	r, _, _ := purego.SyscallN(blas.setMathMode, h.h, mode)
	if uint32(r) != cublasStatusSuccess {
		return cublasError("cublasSetMathMode", r)
	}
	return nil
}

// gemm computes, on row-major float32 (f64 false) or float64 matrices in
// device memory, C[m×n] = alpha·op(A)·op(B) + beta·C, where op transposes
// A when tA and B when tB. lda, ldb and ldc are the row strides in
// elements of A, B and C as stored (A is m×k, or k×m when tA). cuBLAS is
// column-major, and a row-major matrix is its transpose in column-major,
// so the call computes Cᵀ = op(B)ᵀ·op(A)ᵀ: the operands swap, their
// transpose flags do not.
func (h *blasHandle) gemm(f64 bool, tA, tB bool, m, n, k int, alpha float64, a uintptr, lda int, b uintptr, ldb int, beta float64, cm uintptr, ldc int) error {
	if err := checkGemm("gemm", tA, tB, m, n, k, lda, ldb, ldc, 1); err != nil {
		return err
	}
	if m == 0 || n == 0 {
		return nil
	}
	opB, opA := blasOp(tB), blasOp(tA)
	var r uintptr
	if f64 {
		r, _, _ = purego.SyscallN(blas.dgemm, h.h, opB, opA, uintptr(n), uintptr(m), uintptr(k),
			uintptr(unsafe.Pointer(&alpha)), b, uintptr(ldb), a, uintptr(lda),
			uintptr(unsafe.Pointer(&beta)), cm, uintptr(ldc))
		if uint32(r) != cublasStatusSuccess {
			return cublasError("cublasDgemm_v2", r)
		}
		return nil
	}
	alpha32, beta32 := float32(alpha), float32(beta)
	r, _, _ = purego.SyscallN(blas.sgemm, h.h, opB, opA, uintptr(n), uintptr(m), uintptr(k),
		uintptr(unsafe.Pointer(&alpha32)), b, uintptr(ldb), a, uintptr(lda),
		uintptr(unsafe.Pointer(&beta32)), cm, uintptr(ldc))
	if uint32(r) != cublasStatusSuccess {
		return cublasError("cublasSgemm_v2", r)
	}
	return nil
}

// gemmStridedBatched is gemm on batch matrices at once: the i-th product
// reads A at a + i·strideA elements, B at b + i·strideB and writes C at
// cm + i·strideC. A stride of 0 reuses one matrix for every product.
func (h *blasHandle) gemmStridedBatched(f64 bool, tA, tB bool, m, n, k int, alpha float64, a uintptr, lda int, strideA int64, b uintptr, ldb int, strideB int64, beta float64, cm uintptr, ldc int, strideC int64, batch int) error {
	if err := checkGemm("gemmStridedBatched", tA, tB, m, n, k, lda, ldb, ldc, batch); err != nil {
		return err
	}
	if m == 0 || n == 0 || batch == 0 {
		return nil
	}
	opB, opA := blasOp(tB), blasOp(tA)
	var r uintptr
	if f64 {
		r, _, _ = purego.SyscallN(blas.dgemmBatched, h.h, opB, opA, uintptr(n), uintptr(m), uintptr(k),
			uintptr(unsafe.Pointer(&alpha)), b, uintptr(ldb), uintptr(strideB), a, uintptr(lda), uintptr(strideA),
			uintptr(unsafe.Pointer(&beta)), cm, uintptr(ldc), uintptr(strideC), uintptr(batch))
		if uint32(r) != cublasStatusSuccess {
			return cublasError("cublasDgemmStridedBatched", r)
		}
		return nil
	}
	alpha32, beta32 := float32(alpha), float32(beta)
	r, _, _ = purego.SyscallN(blas.sgemmBatched, h.h, opB, opA, uintptr(n), uintptr(m), uintptr(k),
		uintptr(unsafe.Pointer(&alpha32)), b, uintptr(ldb), uintptr(strideB), a, uintptr(lda), uintptr(strideA),
		uintptr(unsafe.Pointer(&beta32)), cm, uintptr(ldc), uintptr(strideC), uintptr(batch))
	if uint32(r) != cublasStatusSuccess {
		return cublasError("cublasSgemmStridedBatched", r)
	}
	return nil
}

// blasOp is cublasOperation_t: CUBLAS_OP_N or CUBLAS_OP_T.
func blasOp(t bool) uintptr {
	if t {
		return 1
	}
	return 0
}

// checkGemm rejects sizes and row strides that cannot describe the
// matrices, with a message that names them; cuBLAS would only say
// CUBLAS_STATUS_INVALID_VALUE.
func checkGemm(op string, tA, tB bool, m, n, k, lda, ldb, ldc, batch int) error {
	colsA, colsB := k, n
	if tA {
		colsA = m
	}
	if tB {
		colsB = k
	}
	switch {
	case m < 0 || n < 0 || k < 0 || batch < 0:
		return fmt.Errorf("gpu: %s: negative size m=%d n=%d k=%d batch=%d", op, m, n, k, batch)
	case m > math.MaxInt32 || n > math.MaxInt32 || k > math.MaxInt32 || batch > math.MaxInt32:
		return fmt.Errorf("gpu: %s: size m=%d n=%d k=%d batch=%d beyond cuBLAS's 32-bit sizes", op, m, n, k, batch)
	case lda < max(1, colsA) || lda > math.MaxInt32:
		return fmt.Errorf("gpu: %s: lda=%d, A's rows hold %d elements (tA=%v)", op, lda, colsA, tA)
	case ldb < max(1, colsB) || ldb > math.MaxInt32:
		return fmt.Errorf("gpu: %s: ldb=%d, B's rows hold %d elements (tB=%v)", op, ldb, colsB, tB)
	case ldc < max(1, n) || ldc > math.MaxInt32:
		return fmt.Errorf("gpu: %s: ldc=%d, C's rows hold %d elements", op, ldc, n)
	}
	return nil
}
