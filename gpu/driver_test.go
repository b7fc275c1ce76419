package gpu

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// The tests below that need a GPU skip where there is none. Set
// GRADBOOK_REQUIRE_GPU=1 on a GPU machine to make a missing driver, device
// or library a failure instead, so that a broken loader cannot pass as a
// skip.
const requireGPUEnv = "GRADBOOK_REQUIRE_GPU"

func failOrSkip(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv(requireGPUEnv) != "" {
		t.Fatalf(format+" (and "+requireGPUEnv+" is set)", args...)
	}
	t.Skipf(format, args...)
}

// gpuContext returns device 0's context, bound on the test's OS thread,
// which stays locked to the test for its duration; or skips.
func gpuContext(t *testing.T) *context {
	t.Helper()
	if err := loadDriver(); err != nil {
		failOrSkip(t, "no CUDA driver: %v", err)
	}
	n, err := deviceCount()
	if err != nil {
		t.Fatalf("deviceCount: %v", err)
	}
	if n < 1 {
		failOrSkip(t, "no CUDA device: the driver reports %d", n)
	}
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	c, err := newContext(0)
	if err != nil {
		t.Fatalf("newContext(0): %v", err)
	}
	if err := c.bind(); err != nil {
		t.Fatalf("bind: %v", err)
	}
	return c
}

// upload copies data to a new device buffer, freed when the test ends.
func upload[T float32 | float64 | byte](t *testing.T, c *context, data []T) uintptr {
	t.Helper()
	size := int(unsafe.Sizeof(data[0])) * len(data)
	p, err := c.memAlloc(size)
	if err != nil {
		t.Fatalf("memAlloc(%d): %v", size, err)
	}
	t.Cleanup(func() { c.memFree(p) })
	if err := c.copyHtoD(p, unsafe.Pointer(&data[0]), size); err != nil {
		t.Fatalf("copyHtoD of %d bytes: %v", size, err)
	}
	return p
}

// download copies n elements of device buffer p back.
func download[T float32 | float64 | byte](t *testing.T, c *context, p uintptr, n int) []T {
	t.Helper()
	out := make([]T, n)
	size := int(unsafe.Sizeof(out[0])) * n
	if err := c.copyDtoH(unsafe.Pointer(&out[0]), p, size); err != nil {
		t.Fatalf("copyDtoH of %d bytes: %v", size, err)
	}
	return out
}

func TestDeviceQuery(t *testing.T) {
	c := gpuContext(t)
	n, _ := deviceCount()
	t.Logf("%d device(s); libraries %v", n, libraryPaths())
	var info0 deviceInfo
	for i := range n {
		info, err := queryDevice(i)
		if err != nil {
			t.Fatalf("queryDevice(%d): %v", i, err)
		}
		t.Logf("device %d: %q, %.1f GiB, compute %d.%d, %d SMs", i, info.Name, float64(info.TotalMem)/(1<<30), info.Major, info.Minor, info.SMs)
		if info.Ordinal != i || info.Name == "" || info.TotalMem < 1<<30 || info.Major < 5 || info.Minor < 0 || info.Minor > 9 || info.SMs < 1 {
			t.Errorf("device %d: implausible %+v", i, info)
		}
		if i == 0 {
			info0 = info
		}
	}
	if _, err := queryDevice(n); err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_INVALID_DEVICE") {
		t.Errorf("queryDevice(%d), one past the last: %v, want CUDA_ERROR_INVALID_DEVICE", n, err)
	}
	free, total, err := c.memInfo()
	if err != nil {
		t.Fatalf("memInfo: %v", err)
	}
	t.Logf("device 0 memory: %d MiB free of %d MiB", free>>20, total>>20)
	if total == 0 || free > total || total > info0.TotalMem {
		t.Errorf("memInfo: free %d, total %d; the device has %d", free, total, info0.TotalMem)
	}
	if again, err := newContext(0); err != nil || again != c {
		t.Errorf("newContext(0) again = %p, %v; want the same context %p", again, err, c)
	}
}

func TestDriverErrorNames(t *testing.T) {
	gpuContext(t)
	got := driverError("cuMemAlloc_v2", cudaErrorOutOfMemory).Error()
	if want := "gpu: cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"; got != want {
		t.Errorf("driverError = %q, want %q", got, want)
	}
}

func TestMemRoundTrip(t *testing.T) {
	c := gpuContext(t)
	const n = 1 << 20
	host := make([]float32, n)
	for i := range host {
		host[i] = float32(i)*0.5 - 3
	}
	p := upload(t, c, host)
	back := download[float32](t, c, p, n)
	checkEqual(t, "HtoD then DtoH of 1M floats", back, host)

	q, err := c.memAlloc(4 * n)
	if err != nil {
		t.Fatal(err)
	}
	defer c.memFree(q)
	if err := c.copyDtoD(q, p, 4*n); err != nil {
		t.Fatalf("copyDtoD: %v", err)
	}
	checkEqual(t, "DtoD copy", download[float32](t, c, q, n), host)

	// Offsets address elements inside a buffer.
	part := download[float32](t, c, p+4*1000, 10)
	checkEqual(t, "DtoH of elements 1000..1009", part, host[1000:1010])
	if err := c.copyHtoD(q+4*5, unsafe.Pointer(&host[0]), 4*3); err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]float32{}, host[:5]...), host[:3]...), host[8:12]...)
	checkEqual(t, "HtoD into elements 5..7", download[float32](t, c, q, 12), want)
}

func TestMemset(t *testing.T) {
	c := gpuContext(t)
	p := upload(t, c, make([]float32, 1000))
	if err := c.memsetD32(p, math.Float32bits(2.5), 1000); err != nil {
		t.Fatalf("memsetD32: %v", err)
	}
	if err := c.memsetD32(p+4*10, math.Float32bits(-1), 5); err != nil {
		t.Fatalf("memsetD32 at an offset: %v", err)
	}
	want := make([]float32, 1000)
	for i := range want {
		want[i] = 2.5
		if i >= 10 && i < 15 {
			want[i] = -1
		}
	}
	checkEqual(t, "memsetD32", download[float32](t, c, p, 1000), want)

	b := upload(t, c, make([]byte, 100))
	if err := c.memsetD8(b, 0xab, 100); err != nil {
		t.Fatalf("memsetD8: %v", err)
	}
	if err := c.memsetD8(b+3, 0, 2); err != nil {
		t.Fatalf("memsetD8 at an offset: %v", err)
	}
	wantB := make([]byte, 100)
	for i := range wantB {
		if i < 3 || i >= 5 {
			wantB[i] = 0xab
		}
	}
	checkEqual(t, "memsetD8", download[byte](t, c, b, 100), wantB)
	if err := c.synchronize(); err != nil {
		t.Fatalf("synchronize: %v", err)
	}
}

func checkEqual[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if got[i] != want[i] {
			if bad < 5 {
				t.Errorf("%s: element %d = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d of %d elements differ", what, bad, len(got))
	}
}

// kernel compiles src for device 0 and returns its function name.
func kernel(t *testing.T, c *context, src, name string) uintptr {
	t.Helper()
	info, err := queryDevice(c.dev)
	if err != nil {
		t.Fatal(err)
	}
	ptx, log, err := compilePTX(src, name+".cu", info.Major, info.Minor)
	if err != nil {
		t.Fatalf("compiling %s for compute %d.%d: %v", name, info.Major, info.Minor, err)
	}
	if log != "" {
		t.Logf("%s compile log: %s", name, log)
	}
	mod, err := c.loadModule(ptx)
	if err != nil {
		t.Fatalf("loading %s's PTX (%s): %v", name, libraryPaths()["libnvrtc"], err)
	}
	fn, err := c.function(mod, name)
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

func TestLaunchSaxpy(t *testing.T) {
	c := gpuContext(t)
	needNVRTC(t)
	const n = 100003 // not a multiple of the block
	grid := [3]uint32{(n + 255) / 256, 1, 1}
	block := [3]uint32{256, 1, 1}
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = float64(i%17) * 0.25 // exact in float32: the result is too
		y[i] = float64(1 - i%5)
	}
	const a = 1.5
	want := make([]float64, n)
	for i := range want {
		want[i] = a*x[i] + y[i]
	}

	fn := kernel(t, c, saxpySource("float"), "saxpy")
	x32, y32, want32 := toF32(x), toF32(y), toF32(want)
	px, py := upload(t, c, x32), upload(t, c, y32)
	if err := c.launch(fn, grid, block, 0, argI32(n), argF32(a), argPtr(px), argPtr(py)); err != nil {
		t.Fatalf("launch float saxpy: %v", err)
	}
	checkEqual(t, "float saxpy", download[float32](t, c, py, n), want32)

	fn = kernel(t, c, saxpySource("double"), "saxpy")
	px, py = upload(t, c, x), upload(t, c, y)
	if err := c.launch(fn, grid, block, 0, argI32(n), argF64(a), argPtr(px), argPtr(py)); err != nil {
		t.Fatalf("launch double saxpy: %v", err)
	}
	checkEqual(t, "double saxpy", download[float64](t, c, py, n), want)
}

func toF32(s []float64) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(v)
	}
	return out
}

// TestLaunchParameterSlots passes parameters of every size and alignment
// a kernel takes, to check the one-slot-per-argument convention.
func TestLaunchParameterSlots(t *testing.T) {
	c := gpuContext(t)
	needNVRTC(t)
	const src = `extern "C" __global__ void slots(int n, double d, float f, long long ll, unsigned char b, float g, double* out) {
	out[0] = n; out[1] = d; out[2] = f; out[3] = (double)ll; out[4] = b; out[5] = g;
}
`
	fn := kernel(t, c, src, "slots")
	out := upload(t, c, make([]float64, 6))
	one := [3]uint32{1, 1, 1}
	if err := c.launch(fn, one, one, 0, argI32(-7), argF64(3.25), argF32(-0.5), argI64(1<<40+3), 200, argF32(1e-3), argPtr(out)); err != nil {
		t.Fatalf("launch: %v", err)
	}
	want := []float64{-7, 3.25, -0.5, 1<<40 + 3, 200, float64(float32(1e-3))}
	checkEqual(t, "parameters read back (n, d, f, ll, b, g)", download[float64](t, c, out, 6), want)
}

func TestLaunchSharedMemory(t *testing.T) {
	c := gpuContext(t)
	needNVRTC(t)
	const src = `extern "C" __global__ void reverse(float* y) {
	extern __shared__ float s[];
	int i = threadIdx.x, n = blockDim.x;
	s[i] = y[blockIdx.x * n + i];
	__syncthreads();
	y[blockIdx.x * n + i] = s[n - 1 - i];
}
`
	fn := kernel(t, c, src, "reverse")
	const n, blocks = 256, 3
	host := make([]float32, n*blocks)
	want := make([]float32, n*blocks)
	for i := range host {
		host[i] = float32(i)
		b, j := i/n, i%n
		want[b*n+n-1-j] = float32(i)
	}
	p := upload(t, c, host)
	if err := c.launch(fn, [3]uint32{blocks, 1, 1}, [3]uint32{n, 1, 1}, n*4, argPtr(p)); err != nil {
		t.Fatalf("launch with %d bytes of dynamic shared memory: %v", n*4, err)
	}
	checkEqual(t, "reverse through shared memory", download[float32](t, c, p, n*blocks), want)
}

func TestLaunchErrors(t *testing.T) {
	c := gpuContext(t)
	needNVRTC(t)
	if _, err := c.loadModule([]byte("this is not PTX")); err == nil || !strings.Contains(err.Error(), "cuModuleLoadDataEx") {
		t.Errorf("loadModule of garbage: %v, want a cuModuleLoadDataEx error", err)
	} else {
		t.Logf("loadModule of garbage: %v", err)
	}
	info, _ := queryDevice(c.dev)
	ptx, _, err := compilePTX(saxpySource("float"), "saxpy.cu", info.Major, info.Minor)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := c.loadModule(ptx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.function(mod, "no_such_kernel"); err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_NOT_FOUND") || !strings.Contains(err.Error(), "no_such_kernel") {
		t.Errorf("function(no_such_kernel): %v, want CUDA_ERROR_NOT_FOUND naming the kernel", err)
	}
	fn, err := c.function(mod, "saxpy")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.launch(fn, [3]uint32{1, 1, 1}, [3]uint32{1, 1, 1}, 0, make([]uint64, maxParams+1)...); err == nil {
		t.Error("a launch with too many arguments was accepted")
	}
	err = c.launch(fn, [3]uint32{1, 1, 1}, [3]uint32{4096, 1, 1}, 0, argI32(0), argF32(0), 0, 0)
	if err == nil || !strings.Contains(err.Error(), "cuLaunchKernel") || !strings.Contains(err.Error(), "block [4096 1 1]") {
		t.Errorf("launch with 4096 threads a block: %v, want a cuLaunchKernel error naming the block", err)
	}
	// A rejected launch leaves the context usable.
	p := upload(t, c, []float32{1, 2})
	if err := c.launch(fn, [3]uint32{1, 1, 1}, [3]uint32{32, 1, 1}, 0, argI32(2), argF32(2), argPtr(p), argPtr(p)); err != nil {
		t.Fatalf("launch after a rejected one: %v", err)
	}
	checkEqual(t, "y = 2y + y", download[float32](t, c, p, 2), []float32{3, 6})
}

// gemmCase is one product: op(A) is m×k, op(B) k×n, C m×n, each stored
// row-major with padded rows, batch times at the given strides.
type gemmCase struct {
	f64, tA, tB               bool
	m, n, k, batch            int
	lda, ldb, ldc             int
	strideA, strideB, strideC int
	alpha, beta               float64
}

func (g gemmCase) String() string {
	dt := "float32"
	if g.f64 {
		dt = "float64"
	}
	return fmt.Sprintf("%s tA=%v tB=%v m=%d n=%d k=%d lda=%d ldb=%d ldc=%d batch=%d strides=%d,%d,%d",
		dt, g.tA, g.tB, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.batch, g.strideA, g.strideB, g.strideC)
}

// newGemmCase pads every row by 3 elements and every batch item by 7.
func newGemmCase(f64, tA, tB bool, m, n, k, batch int) gemmCase {
	g := gemmCase{f64: f64, tA: tA, tB: tB, m: m, n: n, k: k, batch: batch, alpha: 1.5, beta: -0.5}
	rowsA, colsA := m, k
	if tA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if tB {
		rowsB, colsB = n, k
	}
	g.lda, g.ldb, g.ldc = colsA+3, colsB+3, n+3
	g.strideA, g.strideB, g.strideC = rowsA*g.lda+7, rowsB*g.ldb+7, m*g.ldc+7
	return g
}

// sizes returns the elements the A, B and C buffers span.
func (g gemmCase) sizes() (a, b, c int) {
	rowsA, rowsB := g.m, g.k
	if g.tA {
		rowsA = g.k
	}
	if g.tB {
		rowsB = g.n
	}
	span := func(stride, rows, ld int) int { return stride*(g.batch-1) + max(stride, rows*ld) }
	return span(g.strideA, rowsA, g.lda), span(g.strideB, rowsB, g.ldb), span(g.strideC, g.m, g.ldc)
}

// want computes the product in float64 from the values as stored (after
// rounding to float32 for a float32 case), and the scale of each element:
// the sum of the magnitudes of its terms, which bounds rounding error.
func (g gemmCase) want(a, b, c []float64) (out, scale []float64) {
	out, scale = append([]float64(nil), c...), make([]float64, len(c))
	for z := range g.batch {
		for i := range g.m {
			for j := range g.n {
				var s, mag float64
				for p := range g.k {
					var av, bv float64
					if g.tA {
						av = a[z*g.strideA+p*g.lda+i]
					} else {
						av = a[z*g.strideA+i*g.lda+p]
					}
					if g.tB {
						bv = b[z*g.strideB+j*g.ldb+p]
					} else {
						bv = b[z*g.strideB+p*g.ldb+j]
					}
					s += av * bv
					mag += math.Abs(av * bv)
				}
				ci := z*g.strideC + i*g.ldc + j
				out[ci] = g.alpha*s + g.beta*c[ci]
				scale[ci] = math.Abs(g.alpha)*mag + math.Abs(g.beta*c[ci])
			}
		}
	}
	return out, scale
}

// run does the product on the device, through gemm when batch is 1 and
// gemmStridedBatched otherwise, and checks every element of C, padding
// included, to within tol times its scale.
func (g gemmCase) run(t *testing.T, c *context, h *blasHandle, tol float64, rng *rand.Rand) {
	t.Helper()
	na, nb, nc := g.sizes()
	a, b, cm := randSlice(rng, na, g.f64), randSlice(rng, nb, g.f64), randSlice(rng, nc, g.f64)
	want, scale := g.want(a, b, cm)
	var pa, pb, pc uintptr
	if g.f64 {
		pa, pb, pc = upload(t, c, a), upload(t, c, b), upload(t, c, cm)
	} else {
		pa, pb, pc = upload(t, c, toF32(a)), upload(t, c, toF32(b)), upload(t, c, toF32(cm))
	}
	var err error
	if g.batch == 1 {
		err = h.gemm(g.f64, g.tA, g.tB, g.m, g.n, g.k, g.alpha, pa, g.lda, pb, g.ldb, g.beta, pc, g.ldc)
	} else {
		err = h.gemmStridedBatched(g.f64, g.tA, g.tB, g.m, g.n, g.k, g.alpha, pa, g.lda, int64(g.strideA), pb, g.ldb, int64(g.strideB),
			g.beta, pc, g.ldc, int64(g.strideC), g.batch)
	}
	if err != nil {
		t.Fatalf("%v: %v", g, err)
	}
	var got []float64
	if g.f64 {
		got = download[float64](t, c, pc, len(cm))
	} else {
		for _, v := range download[float32](t, c, pc, len(cm)) {
			got = append(got, float64(v))
		}
	}
	bad, worst := 0, 0.0
	for i := range got {
		e := math.Abs(got[i] - want[i])
		if e > tol*math.Max(scale[i], 1e-30) && !(scale[i] == 0 && got[i] == want[i]) {
			if bad < 3 {
				z, r := i/g.strideC, i%g.strideC
				t.Errorf("%v: C[batch %d][row %d][col %d] = %.10g, want %.10g (error %.3g, allowed %.3g)",
					g, z, r/g.ldc, r%g.ldc, got[i], want[i], e, tol*scale[i])
			}
			bad++
		}
		if scale[i] > 0 {
			worst = math.Max(worst, e/scale[i])
		}
	}
	if bad > 0 {
		t.Fatalf("%v: %d of %d elements of C wrong", g, bad, len(got))
	}
	t.Logf("%v: worst relative error %.2g", g, worst)
}

// randSlice returns uniform values in [-1, 1), rounded to float32 unless
// f64, so that the reference sees what the device does.
func randSlice(rng *rand.Rand, n int, f64 bool) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.Float64()*2 - 1
		if !f64 {
			s[i] = float64(float32(s[i]))
		}
	}
	return s
}

func gpuBLAS(t *testing.T) (*context, *blasHandle) {
	t.Helper()
	c := gpuContext(t)
	h, err := c.blas()
	if err != nil {
		failOrSkip(t, "no cuBLAS: %v", err)
	}
	if again, err := c.blas(); err != nil || again != h {
		t.Fatalf("blas() again = %p, %v; want the same handle %p", again, err, h)
	}
	t.Logf("cuBLAS from %s", libraryPaths()["libcublas"])
	return c, h
}

func TestGemmRowMajor(t *testing.T) {
	c, h := gpuBLAS(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f64 := range []bool{false, true} {
		tol := 1e-4
		if f64 {
			tol = 1e-12
		}
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				newGemmCase(f64, tA, tB, 37, 23, 51, 1).run(t, c, h, tol, rng)
			}
		}
	}
}

func TestGemmStridedBatchedRowMajor(t *testing.T) {
	c, h := gpuBLAS(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f64 := range []bool{false, true} {
		tol := 1e-4
		if f64 {
			tol = 1e-12
		}
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				newGemmCase(f64, tA, tB, 19, 33, 26, 3).run(t, c, h, tol, rng)
			}
		}
		// A stride of 0 multiplies every A by one B.
		g := newGemmCase(f64, false, true, 8, 5, 12, 4)
		g.strideB = 0
		g.run(t, c, h, tol, rng)
	}
}

func TestGemmTF32(t *testing.T) {
	c, h := gpuBLAS(t)
	defer h.setTF32(false)
	if err := h.setTF32(true); err != nil {
		t.Fatalf("setTF32(true): %v", err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	newGemmCase(false, false, false, 256, 192, 320, 1).run(t, c, h, 1e-2, rng)
	newGemmCase(false, true, false, 64, 128, 96, 2).run(t, c, h, 1e-2, rng)
	if err := h.setTF32(false); err != nil {
		t.Fatalf("setTF32(false): %v", err)
	}
	newGemmCase(false, false, false, 256, 192, 320, 1).run(t, c, h, 1e-4, rng)
}

func TestGemmRejectsBadStrides(t *testing.T) {
	for _, c := range []struct {
		tA, tB        bool
		lda, ldb, ldc int
		want          string
	}{
		{false, false, 4, 6, 6, "lda=4"}, // A is 3×5
		{true, false, 2, 6, 6, "lda=2"},  // A is 5×3
		{false, true, 5, 4, 6, "ldb=4"},  // B is 6×5
		{false, false, 5, 6, 5, "ldc=5"},
	} {
		err := checkGemm("gemm", c.tA, c.tB, 3, 6, 5, c.lda, c.ldb, c.ldc, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("checkGemm(tA=%v tB=%v lda=%d ldb=%d ldc=%d) = %v, want an error naming %s", c.tA, c.tB, c.lda, c.ldb, c.ldc, err, c.want)
		}
	}
	if err := checkGemm("gemm", true, true, 3, 6, 5, 3, 5, 6, 1); err != nil {
		t.Errorf("tight strides rejected: %v", err)
	}
	if err := checkGemm("gemm", false, false, -1, 6, 5, 5, 6, 6, 1); err == nil {
		t.Error("a negative size was accepted")
	}
}

func TestEventTiming(t *testing.T) {
	c, h := gpuBLAS(t)
	const n = 1024
	a := upload(t, c, make([]float32, n*n))
	out := upload(t, c, make([]float32, n*n))
	start, err := c.newEvent()
	if err != nil {
		t.Fatalf("newEvent: %v", err)
	}
	defer start.destroy()
	end, err := c.newEvent()
	if err != nil {
		t.Fatalf("newEvent: %v", err)
	}
	defer end.destroy()
	if err := c.record(start); err != nil {
		t.Fatalf("record: %v", err)
	}
	const reps = 10
	for range reps {
		if err := h.gemm(false, false, false, n, n, n, 1, a, n, a, n, 0, out, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.record(end); err != nil {
		t.Fatalf("record: %v", err)
	}
	ms, err := elapsedMs(start, end)
	if err != nil {
		t.Fatalf("elapsedMs: %v", err)
	}
	if !(ms > 0) {
		t.Fatalf("elapsedMs = %v for %d products of %d×%d matrices, want > 0", ms, reps, n, n)
	}
	t.Logf("%d float32 products of %d×%d: %.3f ms, %.0f GFLOP/s", reps, n, n, ms, reps*2*n*n*n/(float64(ms)*1e6))
}

// testDeviceMemory is device memory as the allocator sees it.
type testDeviceMemory struct{ c *context }

func (d testDeviceMemory) alloc(bytes int) (uintptr, error) { return d.c.memAlloc(bytes) }
func (d testDeviceMemory) free(p uintptr) error             { return d.c.memFree(p) }

func TestAllocatorOnDevice(t *testing.T) {
	c := gpuContext(t)
	a := newAllocator(testDeviceMemory{c})
	defer func() {
		if err := a.emptyCache(); err != nil {
			t.Errorf("emptyCache: %v", err)
		}
	}()
	p, capacity, err := a.alloc(1000)
	if err != nil {
		t.Fatalf("alloc(1000): %v", err)
	}
	if err := c.memsetD32(p, 7, capacity/4); err != nil {
		t.Fatalf("memsetD32 over the block's whole capacity: %v", err)
	}
	a.free(p, capacity)
	if q, _, err := a.alloc(900); err != nil || q != p {
		t.Fatalf("alloc(900) = %#x, %v; want the cached block %#x", q, err, p)
	} else {
		a.free(q, capacity)
	}
	_, _, err = a.alloc(1 << 50)
	if err == nil {
		t.Fatal("allocating a pebibyte succeeded")
	}
	if !isOutOfMemory(err) || !strings.Contains(err.Error(), "CUDA_ERROR_OUT_OF_MEMORY") {
		t.Fatalf("allocating a pebibyte: %v; want an out-of-memory error", err)
	}
	if s := a.stats(); s.Cached != 0 || s.InUse != 0 {
		t.Fatalf("after the failed allocation: %+v, want the cache emptied and nothing in use", s)
	}
	t.Logf("allocating a pebibyte: %v", err)
}

// TestBindOnAnotherThread uses the context from a second OS thread, as a
// caller that moves work between goroutines does.
func TestBindOnAnotherThread(t *testing.T) {
	c := gpuContext(t)
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := c.bind(); err != nil {
			done <- err
			return
		}
		p, err := c.memAlloc(4096)
		if err == nil {
			err = errors.Join(c.memsetD8(p, 1, 4096), c.synchronize(), c.memFree(p))
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatalf("on another thread: %v", err)
	}
}

func TestCudaErrorFormat(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&cudaError{Call: "cuMemAlloc_v2", Code: 2, Name: "CUDA_ERROR_OUT_OF_MEMORY", Msg: "out of memory"}, "gpu: cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (out of memory)"},
		{cublasError("cublasSgemm_v2", 7), "gpu: cublasSgemm_v2: CUBLAS_STATUS_INVALID_VALUE"},
		{cublasError("cublasSgemm_v2", 0xffffffff00000007), "gpu: cublasSgemm_v2: CUBLAS_STATUS_INVALID_VALUE"},
		{cublasError("cublasCreate_v2", 99), "gpu: cublasCreate_v2: CUBLAS_STATUS_99"},
		{nvrtcError("nvrtcCompileProgram", 6, "a.cu(3): error: x\n1 error detected"), "gpu: nvrtcCompileProgram: NVRTC_ERROR_COMPILATION:\na.cu(3): error: x\n1 error detected"},
		{nvrtcError("nvrtcCreateProgram", 1, ""), "gpu: nvrtcCreateProgram: NVRTC_ERROR_OUT_OF_MEMORY"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
	if name := tableName(cudaErrorNames, "CUDA_ERROR_", 719); name != "CUDA_ERROR_LAUNCH_FAILED" {
		t.Errorf("CUresult 719 is %q", name)
	}
	wrapped := fmt.Errorf("context: %w", &cudaError{Call: "cuMemAlloc_v2", Code: 2, Name: cudaOutOfMemoryName})
	if !isOutOfMemory(wrapped) || isOutOfMemory(errors.New("out of memory")) || isOutOfMemory(cublasError("x", 7)) {
		t.Error("isOutOfMemory does not tell the driver's out-of-memory error from others")
	}
}

func TestLaunchArgs(t *testing.T) {
	for _, c := range []struct {
		got, want uint64
	}{
		{argF32(1), 0x3f800000},
		{argF32(-2.5), 0xc0200000},
		{argF64(1), 0x3ff0000000000000},
		{argI32(-1), 0xffffffff},
		{argI32(7), 7},
		{argI64(-1), math.MaxUint64},
		{argPtr(0x7f0012345678), 0x7f0012345678},
	} {
		if c.got != c.want {
			t.Errorf("argument slot %#x, want %#x", c.got, c.want)
		}
	}
}
