package cpu

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// OpenBLAS runs matrix products in an OpenBLAS shared library loaded at
// run time, without cgo. Products too small to pay for the call go to the
// pure-Go BLAS instead.
type OpenBLAS struct {
	path         string
	sgemm, dgemm uintptr
	small        GonumBLAS
}

// openBLASMinWork is the smallest m·n·k sent to OpenBLAS: below it the
// call and OpenBLAS's thread hand-off cost more than gonum's loops.
const openBLASMinWork = 16 * 16 * 16

// openBLASNames are the libraries tried, in order, when no path is given:
// Debian's libopenblas0 (pthread and OpenMP variants) and the generic names.
var openBLASNames = []string{
	"libopenblas.so.0",
	"libopenblas.so",
	"/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
	"/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
	"/usr/local/lib/libopenblas.so",
	"/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
	"/usr/local/opt/openblas/lib/libopenblas.dylib",
}

// LoadOpenBLAS loads OpenBLAS from path, or from the usual places when
// path is "". The error names every place tried.
func LoadOpenBLAS(path string) (*OpenBLAS, error) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		return nil, fmt.Errorf("cpu: OpenBLAS: loading libraries is not supported on %s", runtime.GOOS)
	}
	names := openBLASNames
	if path != "" {
		names = []string{path}
	}
	setCoreType()
	var errs []string
	for _, name := range names {
		syms, err := loadSymbols(name, "sgemm_", "dgemm_")
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		return &OpenBLAS{path: name, sgemm: syms[0], dgemm: syms[1]}, nil
	}
	return nil, fmt.Errorf("cpu: OpenBLAS not found (tried %s): %s", strings.Join(names, ", "), strings.Join(errs, "; "))
}

// setCoreType picks OpenBLAS's AVX-512 kernels on CPUs that have AVX-512
// but that OpenBLAS 0.3.21 does not recognise (AMD Zen 4 and 5), unless
// OPENBLAS_CORETYPE is set already. GRADBOOK_OPENBLAS_CORETYPE overrides
// both. OpenBLAS reads the variable when it loads.
func setCoreType() {
	if v := os.Getenv("GRADBOOK_OPENBLAS_CORETYPE"); v != "" {
		os.Setenv("OPENBLAS_CORETYPE", v)
		return
	}
	if os.Getenv("OPENBLAS_CORETYPE") == "" && hasAVX512() {
		os.Setenv("OPENBLAS_CORETYPE", "SKYLAKEX")
	}
}

// hasAVX512 reads the CPU flags SkylakeX kernels need from /proc/cpuinfo.
func hasAVX512() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "flags") {
			continue
		}
		flags := " " + line + " "
		for _, f := range []string{"avx512f", "avx512bw", "avx512dq", "avx512vl"} {
			if !strings.Contains(flags, " "+f+" ") {
				return false
			}
		}
		return true
	}
	return false
}

// Name implements BLAS.
func (o *OpenBLAS) Name() string { return "openblas (" + o.path + ")" }

// gemmArgs holds the by-reference arguments of the Fortran gemm and the
// argument list of the call: a heap object, so the library sees stable
// addresses, reused through a pool so that a product allocates nothing.
type gemmArgs[T Float] struct {
	ta, tb        byte
	m, n, k       int32
	lda, ldb, ldc int32
	alpha, beta   T
	call          [15]uintptr
}

var gemmArgs32, gemmArgs64 sync.Pool

func getGemmArgs[T Float]() *gemmArgs[T] {
	p := &gemmArgs64
	var zero T
	if _, ok := any(zero).(float32); ok {
		p = &gemmArgs32
	}
	if g, ok := p.Get().(*gemmArgs[T]); ok {
		return g
	}
	return new(gemmArgs[T])
}

func putGemmArgs[T Float](g *gemmArgs[T]) {
	var zero T
	if _, ok := any(zero).(float32); ok {
		gemmArgs32.Put(g)
	} else {
		gemmArgs64.Put(g)
	}
}

// Sgemm implements BLAS. The row-major product C = op(A)·op(B) is the
// column-major product Cᵀ = op(B)ᵀ·op(A)ᵀ, which is what is asked of the
// Fortran interface: the operands swap, their transpose flags do not.
func (o *OpenBLAS) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m*n*k < openBLASMinWork || m == 0 || n == 0 || k == 0 {
		o.small.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	callGemm(o.sgemm, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm implements BLAS.
func (o *OpenBLAS) Dgemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m*n*k < openBLASMinWork || m == 0 || n == 0 || k == 0 {
		o.small.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	callGemm(o.dgemm, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func callGemm[T Float](fn uintptr, tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	g := getGemmArgs[T]()
	g.ta, g.tb = transFlag(tA), transFlag(tB)
	g.m, g.n, g.k = int32(m), int32(n), int32(k)
	g.lda, g.ldb, g.ldc = int32(lda), int32(ldb), int32(ldc)
	g.alpha, g.beta = alpha, beta
	g.call = [15]uintptr{
		uintptr(unsafe.Pointer(&g.tb)), uintptr(unsafe.Pointer(&g.ta)),
		uintptr(unsafe.Pointer(&g.n)), uintptr(unsafe.Pointer(&g.m)), uintptr(unsafe.Pointer(&g.k)),
		uintptr(unsafe.Pointer(&g.alpha)),
		uintptr(unsafe.Pointer(&b[0])), uintptr(unsafe.Pointer(&g.ldb)),
		uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&g.lda)),
		uintptr(unsafe.Pointer(&g.beta)),
		uintptr(unsafe.Pointer(&c[0])), uintptr(unsafe.Pointer(&g.ldc)),
		1, 1, // the hidden lengths of the two character arguments
	}
	purego.SyscallN(fn, g.call[:]...)
	// The heap does not move: what the addresses point at stays put while
	// it is kept alive.
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	runtime.KeepAlive(c)
	runtime.KeepAlive(g)
	g.call = [15]uintptr{}
	putGemmArgs(g)
}

func transFlag(t bool) byte {
	if t {
		return 'T'
	}
	return 'N'
}

var (
	defaultBLASOnce sync.Once
	defaultBLAS     BLAS
	defaultBLASErr  error
)

// DefaultBLAS returns the BLAS matrix products use unless SetBLAS chose
// another: OpenBLAS when it can be loaded, else the pure-Go GonumBLAS. The
// environment variable GRADBOOK_BLAS picks: "gonum" for the pure-Go one,
// "openblas" for the search (the default), or the path of a library.
func DefaultBLAS() BLAS {
	defaultBLASOnce.Do(func() {
		choice := os.Getenv("GRADBOOK_BLAS")
		if choice == "gonum" {
			defaultBLAS = GonumBLAS{}
			return
		}
		path := choice
		if choice == "openblas" {
			path = ""
		}
		o, err := LoadOpenBLAS(path)
		if err != nil {
			defaultBLAS, defaultBLASErr = GonumBLAS{}, err
			return
		}
		defaultBLAS = o
	})
	return defaultBLAS
}

// DefaultBLASError says why DefaultBLAS fell back to the pure-Go BLAS, or
// is nil.
func DefaultBLASError() error {
	DefaultBLAS()
	if defaultBLASErr != nil {
		return errors.Unwrap(fmt.Errorf("%w", defaultBLASErr))
	}
	return nil
}
