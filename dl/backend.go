package dl

import "github.com/gradbook/gradbook/dl/cpu"

// Backend is what keeps tensors on a device: memory, copies, and kernels.
// The CPU is one (dl.CPU); package gpu provides another. Users do not call
// it: every op checks its operands, picks their backend and calls one of
// its kernels.
//
// Every kernel returns whether it did the work. A backend may decline any
// case (an op it has no kernel for, a rank beyond its kernels); dl then
// runs the CPU's kernel on copies in main memory and copies the results
// back (see fallback.go), so every op works on every device and only speed
// differs. The CPU declines nothing. Kernels may run asynchronously, in the
// order they are called; Download waits for them.
//
// Shapes and strides count elements; strides of 0 broadcast. All Memory
// operands of one call share a dtype unless the method says otherwise.
type Backend interface {
	Device

	// Alloc reserves n elements of dtype d, contents undefined.
	Alloc(d DType, n int) *Memory
	// Free gives m back before the garbage collector would: m is unused.
	Free(m *Memory)
	// Upload copies src ([]float32 or []float64 of m's dtype and length).
	Upload(m *Memory, src any)
	// Download copies m's values into dst ([]float32 or []float64 of m's
	// dtype and length) once the work queued before it is done.
	Download(dst any, m *Memory)

	Kernels
}

// Kernels are a backend's computations; see Backend. The op codes are
// package cpu's, whose loops define what each computes.
type Kernels interface {
	// Fill sets every element of dst to v.
	Fill(dst *Memory, v float64) bool
	// Convert copies src to dst, converting the dtype (dst and src may
	// differ in dtype; same length).
	Convert(dst, src *Memory) bool
	// Unary computes dst = op(x) elementwise.
	Unary(op cpu.UnaryOp, dst, x *Memory) bool
	// UnaryGrad computes dst = g·f′ by the rule op, v being the op's input
	// or output as op.ReadsOutput says; dst may be g.
	UnaryGrad(op cpu.GradOp, dst, g, v *Memory) bool
	// Clamp computes dst = min(max(x, lo), hi); ClampGrad dst = g·[lo ≤ x ≤ hi].
	Clamp(dst, x *Memory, lo, hi float64) bool
	ClampGrad(dst, g, x *Memory, lo, hi float64) bool
	// Binary computes dst[i] = op(a, b) over shape, reading a and b
	// through their strides, which are both nil when a and b have the
	// result's shape; dst is contiguous and may be a or b when that operand
	// is not broadcast.
	Binary(op cpu.BinaryOp, dst, a, b *Memory, shape, aStrides, bStrides []int) bool
	// Select computes dst[i] = cond ≠ 0 ? a : b over shape, each read
	// through its strides.
	Select(dst, cond, a, b *Memory, shape, condStrides, aStrides, bStrides []int) bool
	// AddScaled computes dst += alpha·x in float64, rounded to dst's dtype
	// (x may have either dtype).
	AddScaled(dst *Memory, alpha float64, x *Memory) bool
	// DivScalar computes dst /= c in float64, rounded.
	DivScalar(dst *Memory, c float64) bool
	// Reduce writes to dst (shape with the masked axes set to 1) the
	// reduction op of src over the masked axes (every axis when mask is
	// nil); sums accumulate in float64.
	Reduce(op cpu.ReduceOp, dst, src *Memory, shape []int, mask []bool) bool
	// ArgReduce writes to dst [outer inner] the index along the middle
	// axis of x [outer n inner] of its largest (op ReduceMax) or smallest
	// (ReduceMin) element, as a whole number of x's dtype.
	ArgReduce(op cpu.ReduceOp, dst, x *Memory, outer, n, inner int) bool
	// Gather computes dst[i] = src[offset + Σₖ idxₖ·strides[k]] for the
	// row-major multi-index idx of i in shape.
	Gather(dst, src *Memory, shape, strides []int, offset int) bool
	// ScatterAdd is Gather's adjoint: dst[offset + Σₖ idxₖ·strides[k]] +=
	// src[i] (strides may address an element more than once).
	ScatterAdd(dst, src *Memory, shape, strides []int, offset int) bool
	// Take computes dst[i] = src[offsets[i]]; PutAdd adds src[i] to
	// dst[offsets[i]].
	Take(dst, src *Memory, offsets []int) bool
	PutAdd(dst, src *Memory, offsets []int) bool
	// Gemm computes, batch times, C = op(A)·op(B) + beta·C for row-major
	// m×k, k×n and m×n matrices with leading dimensions lda, ldb, ldc,
	// op transposing when tA or tB is set. The matrices of batch i start
	// at the offsets plus i times the strides (elements).
	Gemm(tA, tB bool, m, n, k int, a *Memory, aOff, lda, strideA int, b *Memory, bOff, ldb, strideB int,
		beta float64, c *Memory, cOff, ldc, strideC int, batch int) bool
	// GemmBias is one Gemm (no batch, beta 0) with the vector bias (n
	// elements) added to every row of C: a layer's x·wᵀ + b at once.
	GemmBias(tA, tB bool, m, n, k int, a *Memory, lda int, b *Memory, ldb int, bias, c *Memory, ldc int) bool
	// Softmax computes softmax (or log-softmax) along the middle axis of
	// x seen as [outer n inner].
	Softmax(dst, x *Memory, outer, n, inner int, log bool) bool
	// SoftmaxGrad computes the adjoint of Softmax from the output's
	// adjoint g and the output y; with jvp (log only) the tangent instead.
	SoftmaxGrad(dst, g, y *Memory, outer, n, inner int, log, jvp bool) bool
	// LogSumExp writes to dst [outer inner] each row's log Σ exp x.
	LogSumExp(dst, x *Memory, outer, n, inner int) bool
	// CrossEntropy writes to loss (one element) the mean over rows of
	// log Σ exp x − x[label] for x seen as [outer n inner] and labels
	// [outer inner] (whole numbers of x's dtype), and each row's
	// log Σ exp to lse (float64). A label outside [0, n) gives NaN.
	CrossEntropy(loss, lse, x, labels *Memory, outer, n, inner int) bool
	// CrossEntropyGrad writes dst = g[0]·(softmax x − onehot label)/rows.
	CrossEntropyGrad(dst, x, labels, lse, g *Memory, outer, n, inner int) bool
	// BCEWithLogits writes to loss (one element) the mean over elements
	// of softplus(x) − x·y.
	BCEWithLogits(loss, x, y *Memory) bool
	// BCEWithLogitsGrad writes gx = g[0]·(σ(x) − y)/n and gy = −g[0]·x/n,
	// each when not nil.
	BCEWithLogitsGrad(gx, gy, x, y, g *Memory) bool
	// Conv2d writes to out [N O OH OW] the cross-correlation of x
	// [N C H W] with w [O C KH KW], plus b [O] when b is not nil. When keep
	// is set it may return memory of its own that Conv2dGrad then gets
	// back (an im2col matrix, say); dl frees it after the backward pass.
	Conv2d(out, x, w, b *Memory, geom cpu.ConvShape, keep bool) (saved *Memory, ok bool)
	// Conv2dGrad writes the adjoints gx (x's shape) and gw (w's shape),
	// each when not nil, for the output's adjoint gy; saved is what
	// Conv2d returned, or nil.
	Conv2dGrad(gx, gw, x, w, gy, saved *Memory, geom cpu.ConvShape) bool
	// MaxPool writes each window's maximum to dst and its index in the
	// input plane to arg (int32 values in 4-byte Float32 elements).
	MaxPool(dst, arg, x *Memory, geom cpu.ConvShape) bool
	// MaxPoolGrad writes to dst (x's shape) each gy element at the place
	// arg names, adding where windows overlap, 0 elsewhere.
	MaxPoolGrad(dst, gy, arg *Memory, geom cpu.ConvShape) bool
	// MaxPoolPick writes to dst (the output's shape) the elements of x at
	// the places arg names: MaxPool's tangent.
	MaxPoolPick(dst, x, arg *Memory, geom cpu.ConvShape) bool
	// AvgPool writes each window's mean; AvgPoolGrad spreads gy back.
	AvgPool(dst, x *Memory, geom cpu.ConvShape) bool
	AvgPoolGrad(dst, gy *Memory, geom cpu.ConvShape) bool
	// Step applies rule's update in place to each parameter ps[i] with
	// gradient gs[i] and state buffers states[i] (cpu.StepRule.States
	// names them). Parameters, gradients and states share one dtype.
	Step(rule cpu.StepRule, ps, gs []*Memory, states [][]*Memory) bool
}
