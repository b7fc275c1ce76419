package gpu

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
)

// The dl.Backend methods: memory through the caching allocator, kernels
// launched on the device's one stream, in call order, without waiting.
// Only Download waits (for the work before it). A kernel declined here
// (returning false) is computed by dl on the CPU through main memory;
// those with no method here are declined by the embedded dl.NoKernels.

var _ dl.Backend = (*GPU)(nil)

// block is a Memory's allocation; released once, by Free or by the
// garbage collector.
type block struct {
	alloc    *allocator
	ptr      uintptr
	capacity int
	freed    atomic.Bool
}

func (b *block) release() {
	if b.freed.CompareAndSwap(false, true) {
		b.alloc.free(b.ptr, b.capacity)
	}
}

func elemSize(d dl.DType) int {
	if d == dl.Float64 {
		return 8
	}
	return 4
}

// Alloc reserves n elements of dtype d.
func (g *GPU) Alloc(d dl.DType, n int) *dl.Memory {
	m := &dl.Memory{Len: n, DType: d, Backend: g}
	if n == 0 {
		return m
	}
	bytes := n * elemSize(d)
	g.collectIfDue(bytes)
	var b *block
	must("Alloc", g.do(func() error {
		p, capacity, err := g.alloc.alloc(bytes)
		if err != nil && isOutOfMemory(err) {
			// Tensors nobody reaches may still hold blocks: collect
			// them, let their cleanups run, and try once more.
			g.mu.Unlock()
			runtime.GC()
			time.Sleep(20 * time.Millisecond)
			g.mu.Lock()
			if err = g.bindHere(); err == nil {
				p, capacity, err = g.alloc.alloc(bytes)
			}
		}
		if err != nil {
			return fmt.Errorf("%d elements of %v: %w", n, d, err)
		}
		b = &block{alloc: g.alloc, ptr: p, capacity: capacity}
		return nil
	}))
	m.Ptr, m.Handle = b.ptr, b
	runtime.AddCleanup(m, (*block).release, b)
	return m
}

// collectIfDue starts a garbage collection after every gcEvery bytes
// allocated. Device blocks go back to the cache when the tensors holding
// them are collected, but the collector paces itself by main memory,
// where a device tensor is a few hundred bytes: without this, a training
// loop would take new device memory for thousands of steps before the
// first collection. The collection runs beside the caller, which goes on
// launching work.
func (g *GPU) collectIfDue(bytes int) {
	if g.sinceGC.Add(int64(bytes)) <= g.gcEvery() {
		return
	}
	g.sinceGC.Store(0)
	if g.collecting.CompareAndSwap(false, true) {
		go func() {
			runtime.GC()
			g.collecting.Store(false)
		}()
	}
}

// gcEvery is a sixteenth of the device's memory, between 256 MiB and
// 4 GiB.
func (g *GPU) gcEvery() int64 {
	return min(max(int64(g.info.Memory/16), 256<<20), 4<<30)
}

// Free gives m's block back to the allocator's cache.
func (g *GPU) Free(m *dl.Memory) {
	if b, ok := m.Handle.(*block); ok {
		b.release()
	}
}

// hostBytes returns the address and size of a []float32 or []float64.
func hostBytes(op string, s any, m *dl.Memory) (unsafe.Pointer, int) {
	switch v := s.(type) {
	case []float32:
		if m.DType == dl.Float32 && len(v) == m.Len && len(v) > 0 {
			return unsafe.Pointer(&v[0]), 4 * len(v)
		}
	case []float64:
		if m.DType == dl.Float64 && len(v) == m.Len && len(v) > 0 {
			return unsafe.Pointer(&v[0]), 8 * len(v)
		}
	}
	panic(&dl.Error{Op: "gpu: " + op, Msg: fmt.Sprintf("host values %T do not fit %d elements of %v", s, m.Len, m.DType)})
}

// Upload copies src into m.
func (g *GPU) Upload(m *dl.Memory, src any) {
	if m.Len == 0 {
		return
	}
	p, n := hostBytes("Upload", src, m)
	must("Upload", g.do(func() error { return g.ctx.copyHtoD(m.Ptr, p, n) }))
	runtime.KeepAlive(src)
}

// Download copies m into dst once the queued work is done.
func (g *GPU) Download(dst any, m *dl.Memory) {
	if m.Len == 0 {
		return
	}
	p, n := hostBytes("Download", dst, m)
	must("Download", g.do(func() error { return g.ctx.copyDtoH(p, m.Ptr, n) }))
	runtime.KeepAlive(dst)
}

// threads is the block size of the elementwise kernels.
const threads = 256

// launch runs kernel name of dtype d over n elements (a grid-stride loop
// covers any n).
func (g *GPU) launch(d dl.DType, name string, n int, args ...uint64) bool {
	if n <= 0 {
		return true
	}
	blocks := min((n+threads-1)/threads, 32*max(g.info.SMs, 1))
	return g.launchGrid(d, name, blocks, threads, args...)
}

// launchGrid runs kernel name with the given grid and block sizes.
func (g *GPU) launchGrid(d dl.DType, name string, blocks, blockSize int, args ...uint64) bool {
	return g.launchDims(d, name, [3]uint32{uint32(blocks), 1, 1}, [3]uint32{uint32(blockSize), 1, 1}, args...)
}

// launchDims runs kernel name over a grid and block of up to three
// dimensions.
func (g *GPU) launchDims(d dl.DType, name string, grid, block [3]uint32, args ...uint64) bool {
	must(name, g.do(func() error {
		fn, err := g.kernel(d, name)
		if err != nil {
			return err
		}
		return g.timed(name, func() error { return g.ctx.launch(fn, grid, block, 0, args...) })
	}))
	return true
}

// tensorGrid is the grid of the optimizer kernels: y the tensor, x
// enough blocks for the longest (a grid-stride loop covers the rest).
func tensorGrid(ps []*dl.Memory) [3]uint32 {
	longest := 0
	for _, p := range ps {
		longest = max(longest, p.Len)
	}
	return [3]uint32{uint32(min((longest+threads-1)/threads, 1024)), uint32(len(ps)), 1}
}

// planeGrid covers n elements of each of planes planes: x the elements,
// then the planes along y and, past 65,535, z.
func planeGrid(n, planes int) [3]uint32 {
	y := min(planes, 65535)
	return [3]uint32{uint32((n + threads - 1) / threads), uint32(y), uint32((planes + y - 1) / y)}
}

// smallGemm is the size (multiply-adds over the batch) up to which a
// product goes to gemm_tiled rather than cuBLAS: below it, cuBLAS's
// host-side cost (about twice a kernel launch) exceeds what its faster
// kernels save on the device.
const smallGemm = 1 << 24

// small reports whether a product is small enough for gemm_tiled (whose
// grid takes at most 65,535 batch entries and row tiles).
func small(m, n, k, batch int) bool {
	if m <= 0 || n <= 0 || m*n*k*batch > smallGemm || batch > 65535 || (m+15)/16 > 65535 {
		return false
	}
	// A long inner dimension over few tiles would leave the device idle:
	// cuBLAS splits it.
	tiles := (m + 15) / 16 * ((n + 15) / 16) * batch
	return k <= 256 || tiles >= 16
}

// rowThreads is a power-of-two block size (32 to 256) for rows of n.
func rowThreads(n int) int {
	t := 32
	for t < n && t < 256 {
		t *= 2
	}
	return t
}

func ptr(m *dl.Memory) uint64 {
	if m == nil {
		return 0
	}
	return argPtr(m.Ptr)
}

func i32(v int) uint64     { return argI32(v) }
func f64(v float64) uint64 { return argF64(v) }
func flag(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// fits reports whether n elements can be indexed by the kernels' 32-bit
// indices, with room for a grid-stride step past the end.
func fits(n int) bool { return n < 1<<30 }

// Fill sets every element of dst to v.
func (g *GPU) Fill(dst *dl.Memory, v float64) bool {
	return fits(dst.Len) && g.launch(dst.DType, "fill", dst.Len, ptr(dst), f64(v), i32(dst.Len))
}

// Convert copies src to dst, converting the dtype.
func (g *GPU) Convert(dst, src *dl.Memory) bool {
	if dst.Len != src.Len || !fits(dst.Len) {
		return false
	}
	if dst.Len == 0 {
		return true
	}
	if dst.DType == src.DType {
		must("Convert", g.do(func() error { return g.ctx.copyDtoD(dst.Ptr, src.Ptr, dst.Len*elemSize(dst.DType)) }))
		return true
	}
	name := "to_float"
	if dst.DType == dl.Float64 {
		name = "to_double"
	}
	return g.launch(src.DType, name, dst.Len, ptr(dst), ptr(src), i32(dst.Len))
}

// Unary computes dst = f(x) for the ops of unaryExprs.
func (g *GPU) Unary(op cpu.UnaryOp, dst, x *dl.Memory) bool {
	if _, ok := unaryExprs[op]; !ok || !fits(dst.Len) {
		return false
	}
	return g.launch(dst.DType, unaryKernel(op), dst.Len, ptr(dst), ptr(x), i32(dst.Len))
}

// UnaryGrad computes dst = g·f′ for the rules of gradExprs.
func (g *GPU) UnaryGrad(op cpu.GradOp, dst, gm, v *dl.Memory) bool {
	if _, ok := gradExprs[op]; !ok || !fits(dst.Len) {
		return false
	}
	return g.launch(dst.DType, gradKernel(op), dst.Len, ptr(dst), ptr(gm), ptr(v), i32(dst.Len))
}

// Binary computes dst = a op b through strides for the ops of
// binaryExprs.
func (g *GPU) Binary(op cpu.BinaryOp, dst, a, b *dl.Memory, shape, aStrides, bStrides []int) bool {
	if _, ok := binaryExprs[op]; !ok || !fits(dst.Len) || a.DType != dst.DType || b.DType != dst.DType {
		return false
	}
	if aStrides == nil { // both operands have the result's shape
		if a.Len == dst.Len && b.Len == dst.Len {
			return g.launch(dst.DType, binaryKernel(op), dst.Len, ptr(dst), ptr(a), ptr(b), i32(dst.Len))
		}
		aStrides, bStrides = cpu.Strides(shape), cpu.Strides(shape)
	}
	name := binaryKernel(op)
	dims, st := mergeAxes(shape, aStrides, bStrides)
	if len(dims) > maxRank {
		return false
	}
	if len(dims) <= 1 && (len(dims) == 0 || st[0][0] == 1 && st[1][0] == 1) && a.Len == dst.Len && b.Len == dst.Len {
		return g.launch(dst.DType, name, dst.Len, ptr(dst), ptr(a), ptr(b), i32(dst.Len))
	}
	if grid, ok := grid3(dims); ok {
		d := padFront(dims, 3, 1)
		sa, sb := padFront(st[0], 3, 0), padFront(st[1], 3, 0)
		return g.launchDims(dst.DType, name+"_3d", grid, [3]uint32{threads, 1, 1}, ptr(dst), ptr(a), ptr(b), i32(d[1]), i32(d[2]),
			i32(sa[0]), i32(sa[1]), i32(sa[2]), i32(sb[0]), i32(sb[1]), i32(sb[2]))
	}
	args := []uint64{ptr(dst), ptr(a), ptr(b), i32(dst.Len)}
	args = append(args, dimArgs(dims, maxRank)...)
	args = append(args, strideArgs(st[0], maxRank)...)
	args = append(args, strideArgs(st[1], maxRank)...)
	return g.launch(dst.DType, name+"_strided", dst.Len, args...)
}

// AddScaled computes dst += alpha·x.
func (g *GPU) AddScaled(dst *dl.Memory, alpha float64, x *dl.Memory) bool {
	if x.DType != dst.DType || x.Len != dst.Len || !fits(dst.Len) {
		return false
	}
	return g.launch(dst.DType, "add_scaled", dst.Len, ptr(dst), f64(alpha), ptr(x), i32(dst.Len))
}

// DivScalar computes dst /= c.
func (g *GPU) DivScalar(dst *dl.Memory, c float64) bool {
	return fits(dst.Len) && g.launch(dst.DType, "div_scalar", dst.Len, ptr(dst), f64(c), i32(dst.Len))
}

// Reduce computes sums (ReduceSum) over the masked axes: one block per
// output element. The other reductions are declined.
func (g *GPU) Reduce(op cpu.ReduceOp, dst, src *dl.Memory, shape []int, mask []bool) bool {
	if op != cpu.ReduceSum || !fits(src.Len) {
		return false
	}
	if mask == nil { // every axis
		mask = make([]bool, len(shape))
		for i := range mask {
			mask[i] = true
		}
	}
	strides := cpu.Strides(shape)
	var od, os, rd, rs []int
	for i, s := range shape {
		if mask[i] {
			rd, rs = append(rd, s), append(rs, strides[i])
		} else {
			od, os = append(od, s), append(os, strides[i])
		}
	}
	od, oss := mergeAxes(od, os)
	rd, rss := mergeAxes(rd, rs)
	if len(od) > 4 || len(rd) > 4 {
		return false
	}
	nout, nred := cpu.Numel(od), cpu.Numel(rd)
	if nout == 0 {
		return true
	}
	if nred == 0 {
		return g.Fill(dst, 0)
	}
	geom := []uint64{i32(len(od))}
	geom = append(geom, strideArgs(od, 4)...)
	geom = append(geom, strideArgs(oss[0], 4)...)
	geom = append(geom, i32(len(rd)))
	geom = append(geom, strideArgs(rd, 4)...)
	geom = append(geom, strideArgs(rss[0], 4)...)
	if chunks := sumChunks(nout, nred, g.info.SMs); chunks > 1 {
		// Few outputs over many elements (a bias's gradient): spread each
		// output over several blocks, then add their parts.
		part := g.Alloc(dl.Float64, nout*chunks)
		defer g.Free(part)
		args := append([]uint64{ptr(part), ptr(src), i32(nout), i32(nred), i32(chunks)}, geom...)
		g.launchGrid(dst.DType, "reduce_sum_parts", min(nout*chunks, 65535), 256, args...)
		return g.launchGrid(dst.DType, "reduce_parts", min(nout, 65535), rowThreads(chunks), ptr(dst), ptr(part), i32(nout), i32(chunks))
	}
	args := append([]uint64{ptr(dst), ptr(src), i32(nout), i32(nred)}, geom...)
	return g.launchGrid(dst.DType, "reduce_sum", min(nout, 65535), rowThreads(nred), args...)
}

// sumChunks is how many blocks each of nout sums over nred elements
// gets: enough for four blocks per multiprocessor in all, with at least
// 2048 elements a block.
func sumChunks(nout, nred, sms int) int {
	want := (4*max(sms, 1) + nout - 1) / nout
	return max(1, min(want, nred/2048))
}

// Gather computes dst[i] = src[offset + Σ idx·strides].
func (g *GPU) Gather(dst, src *dl.Memory, shape, strides []int, offset int) bool {
	dims, st := mergeAxes(shape, strides)
	if len(dims) > maxRank || !fits(src.Len) || !fits(dst.Len) {
		return false
	}
	if grid, ok := grid3(dims); ok {
		d, s := padFront(dims, 3, 1), padFront(st[0], 3, 0)
		return g.launchDims(dst.DType, "gather_3d", grid, [3]uint32{threads, 1, 1}, ptr(dst), ptr(src), i32(offset), i32(d[1]), i32(d[2]),
			i32(s[0]), i32(s[1]), i32(s[2]))
	}
	args := []uint64{ptr(dst), ptr(src), i32(dst.Len), i32(offset)}
	args = append(args, dimArgs(dims, maxRank)...)
	args = append(args, strideArgs(st[0], maxRank)...)
	return g.launch(dst.DType, "gather", dst.Len, args...)
}

// Scatter writes or adds src into dst through strides.
func (g *GPU) ScatterAdd(dst, src *dl.Memory, shape, strides []int, offset int) bool {
	dims, st := mergeAxes(shape, strides)
	if len(dims) > maxRank || !fits(src.Len) || !fits(dst.Len) {
		return false
	}
	args := []uint64{ptr(dst), ptr(src), i32(src.Len), i32(offset), flag(true)}
	args = append(args, dimArgs(dims, maxRank)...)
	args = append(args, strideArgs(st[0], maxRank)...)
	return g.launch(dst.DType, "scatter", src.Len, args...)
}

// Gemm multiplies row-major matrices, the small products with gemm_tiled
// and the others with cuBLAS. An empty product (k = 0) scales C by beta
// (zeros for beta 0) in gemm_tiled, whose loop over k then does nothing.
func (g *GPU) Gemm(tA, tB bool, m, n, k int, a *dl.Memory, aOff, lda, strideA int, b *dl.Memory, bOff, ldb, strideB int,
	beta float64, c *dl.Memory, cOff, ldc, strideC int, batch int) bool {
	if a.DType != c.DType || b.DType != c.DType {
		return false
	}
	es := uintptr(elemSize(c.DType))
	double := c.DType == dl.Float64
	pa, pb, pc := a.Ptr+uintptr(aOff)*es, b.Ptr+uintptr(bOff)*es, c.Ptr+uintptr(cOff)*es
	if m <= 0 || n <= 0 || batch <= 0 {
		return true
	}
	tiled := small(m, n, k, batch) && fits(a.Len) && fits(b.Len) && fits(c.Len)
	if k == 0 && !tiled {
		return false
	}
	if tiled {
		return g.launchDims(c.DType, "gemm_tiled", [3]uint32{uint32((n + 15) / 16), uint32((m + 15) / 16), uint32(batch)}, [3]uint32{16, 16, 1},
			flag(tA), flag(tB), i32(m), i32(n), i32(k), argPtr(pa), i32(lda), i32(strideA), argPtr(pb), i32(ldb), i32(strideB),
			f64(beta), argPtr(pc), i32(ldc), i32(strideC), 0)
	}
	must("Gemm", g.do(func() error {
		return g.timed("cublas", func() error {
			if batch == 1 {
				return g.blas.gemm(double, tA, tB, m, n, k, 1, pa, lda, pb, ldb, beta, pc, ldc)
			}
			return g.blas.gemmStridedBatched(double, tA, tB, m, n, k, 1, pa, lda, int64(strideA), pb, ldb, int64(strideB), beta, pc, ldc, int64(strideC), batch)
		})
	}))
	return true
}

// GemmBias computes C = op(A)·op(B) + bias (added to every row) for the
// small products, in one kernel; larger ones are declined (dl adds the
// bias after a product).
func (g *GPU) GemmBias(tA, tB bool, m, n, k int, a *dl.Memory, lda int, b *dl.Memory, ldb int, bias, c *dl.Memory, ldc int) bool {
	if !small(m, n, k, 1) || !fits(a.Len) || !fits(b.Len) || !fits(c.Len) || a.DType != c.DType || b.DType != c.DType || bias.DType != c.DType {
		return false
	}
	return g.launchDims(c.DType, "gemm_tiled", [3]uint32{uint32((n + 15) / 16), uint32((m + 15) / 16), 1}, [3]uint32{16, 16, 1},
		flag(tA), flag(tB), i32(m), i32(n), i32(k), ptr(a), i32(lda), 0, ptr(b), i32(ldb), 0,
		f64(0), ptr(c), i32(ldc), 0, ptr(bias))
}

// Softmax computes softmax or log-softmax along rows: one block per row.
func (g *GPU) Softmax(dst, x *dl.Memory, outer, n, inner int, log bool) bool {
	rows := outer * inner
	if !fits(x.Len) || rows == 0 {
		return fits(x.Len)
	}
	return g.launchGrid(x.DType, "softmax_rows", min(rows, 65535), rowThreads(n), ptr(dst), ptr(x), i32(outer), i32(n), i32(inner), flag(log))
}

// SoftmaxGrad is Softmax's adjoint (softmax's Jacobian is symmetric, so
// also its tangent); log-softmax's tangent is declined.
func (g *GPU) SoftmaxGrad(dst, gm, y *dl.Memory, outer, n, inner int, log, jvp bool) bool {
	rows := outer * inner
	if log && jvp {
		return false
	}
	if !fits(y.Len) || rows == 0 {
		return fits(y.Len)
	}
	return g.launchGrid(y.DType, "softmax_grad_rows", min(rows, 65535), rowThreads(n), ptr(dst), ptr(gm), ptr(y), i32(outer), i32(n), i32(inner), flag(log))
}

// CrossEntropy computes the mean loss and the rows' log Σ exp in one
// block.
func (g *GPU) CrossEntropy(loss, lse, x, labels *dl.Memory, outer, n, inner int) bool {
	if !fits(x.Len) || labels.DType != x.DType {
		return false
	}
	return g.launchGrid(x.DType, "cross_entropy", 1, 256, ptr(loss), ptr(lse), ptr(x), ptr(labels), i32(outer), i32(n), i32(inner))
}

// CrossEntropyGrad computes g·(softmax − onehot)/rows.
func (g *GPU) CrossEntropyGrad(dst, x, labels, lse, gm *dl.Memory, outer, n, inner int) bool {
	if !fits(x.Len) || labels.DType != x.DType || gm.DType != x.DType {
		return false
	}
	return g.launch(x.DType, "cross_entropy_grad", x.Len, ptr(dst), ptr(x), ptr(labels), ptr(lse), ptr(gm), i32(outer), i32(n), i32(inner))
}

// stepTensors is how many tensors one optimizer kernel updates: as many
// as fit the driver's 64 kernel arguments.
func stepTensors(kind cpu.StepKind) int {
	if kind == cpu.SGD {
		return 12
	}
	return 8
}

// Step applies an SGD, Adam or AdamW update with one kernel per 12 (SGD)
// or 8 parameters; the other rules are declined.
func (g *GPU) Step(r cpu.StepRule, ps, gs []*dl.Memory, states [][]*dl.Memory) bool {
	switch r.Kind {
	case cpu.SGD, cpu.Adam, cpu.AdamW:
	default:
		return false
	}
	nstate := len(r.States())
	for i, st := range states {
		if len(st) != nstate || gs[i].DType != ps[i].DType {
			return false
		}
		for _, m := range st {
			if m.DType != ps[i].DType {
				return false
			}
		}
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].DType != ps[0].DType {
			return false
		}
	}
	per := stepTensors(r.Kind)
	// Decline before the first launch, not after a partial step: dl would
	// then step every parameter again through main memory.
	for lo := 0; lo < len(ps); lo += per {
		total := 0
		for _, p := range ps[lo:min(lo+per, len(ps))] {
			total += p.Len
		}
		if !fits(total) {
			return false
		}
	}
	for lo := 0; lo < len(ps); lo += per {
		hi := min(lo+per, len(ps))
		if !g.stepChunk(r, ps[lo:hi], gs[lo:hi], states[lo:hi]) {
			return false
		}
	}
	return true
}

// stepChunk steps up to stepTensors parameters with one launch.
func (g *GPU) stepChunk(r cpu.StepRule, ps, gs []*dl.Memory, states [][]*dl.Memory) bool {
	per := stepTensors(r.Kind)
	total := 0
	starts := make([]uint64, per-1)
	for i, p := range ps {
		if i > 0 {
			starts[i-1] = i32(total)
		}
		total += p.Len
	}
	if !fits(total) {
		return false
	}
	for i := len(ps); i < per; i++ {
		if i > 0 {
			starts[i-1] = i32(total)
		}
	}
	// ptrs returns the pointer arguments of one operand, 0 past the end.
	ptrs := func(at func(i int) *dl.Memory) []uint64 {
		out := make([]uint64, per)
		for i := range ps {
			out[i] = ptr(at(i))
		}
		return out
	}
	state := func(j int) func(int) *dl.Memory {
		return func(i int) *dl.Memory {
			if j < len(states[i]) {
				return states[i][j]
			}
			return nil
		}
	}
	args := []uint64{i32(len(ps)), i32(total)}
	args = append(args, ptrs(func(i int) *dl.Memory { return ps[i] })...)
	args = append(args, ptrs(func(i int) *dl.Memory { return gs[i] })...)
	// The weight decay is added to the gradient (coupled) except by
	// AdamW, which shrinks the parameter instead (decoupled).
	coupled, decoupled := r.WeightDecay, 0.0
	if r.Kind == cpu.AdamW {
		coupled, decoupled = 0, r.WeightDecay
	}
	d := ps[0].DType
	if r.Kind == cpu.SGD {
		args = append(args, ptrs(state(0))...)
		args = append(args, starts...)
		args = append(args, f64(r.LR), f64(r.L2), f64(coupled), flag(r.Maximize), f64(r.Momentum), f64(r.Dampening), flag(r.Nesterov), flag(r.FirstStep))
		return g.launchDims(d, "sgd_step", tensorGrid(ps), [3]uint32{threads, 1, 1}, args...)
	}
	args = append(args, ptrs(state(0))...)
	args = append(args, ptrs(state(1))...)
	args = append(args, ptrs(state(2))...)
	args = append(args, starts...)
	c1 := 1 - math.Pow(r.Beta1, float64(r.Step))
	c2 := 1 - math.Pow(r.Beta2, float64(r.Step))
	args = append(args, f64(r.LR), f64(r.L2), f64(coupled), flag(r.Maximize), f64(r.Beta1), f64(r.Beta2), f64(r.Eps), f64(decoupled), f64(c1), f64(c2), flag(r.AMSGrad))
	return g.launchDims(d, "adam_step", tensorGrid(ps), [3]uint32{threads, 1, 1}, args...)
}
