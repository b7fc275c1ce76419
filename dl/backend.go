package dl

// Backend is what a device provides for dl to keep tensors there: memory,
// copies, and kernels. Package gpu implements it; users do not call it.
//
// Every kernel method returns whether it did the work. A backend may
// decline any case (an op it has no kernel for, a rank beyond its
// kernels); dl then copies the operands to main memory, computes there and
// copies the result back, so every op works on every device and only
// speed differs. Kernels may run asynchronously, in the order they are
// called; Download waits for them.
//
// Shapes and strides count elements; strides of 0 broadcast. Element
// types: all DeviceMemory operands of one call share a dtype unless the
// method says otherwise.
type Backend interface {
	Device

	// Alloc reserves n elements of dtype d, contents undefined.
	Alloc(d DType, n int) *DeviceMemory
	// Free gives m back before the garbage collector would: m is unused.
	Free(m *DeviceMemory)
	// Upload copies src ([]float32 or []float64 of m's dtype and length).
	Upload(m *DeviceMemory, src any)
	// Download copies m's values into dst ([]float32 or []float64 of m's
	// dtype and length) once the work queued before it is done.
	Download(dst any, m *DeviceMemory)

	Kernels
}

// Kernels are a backend's computations; see Backend. The op names are
// those of NoKernels' documentation.
type Kernels interface {
	// Fill sets every element of dst to v.
	Fill(dst *DeviceMemory, v float64) bool
	// Convert copies src to dst, converting the dtype (dst and src may
	// differ in dtype; same length).
	Convert(dst, src *DeviceMemory) bool
	// Unary computes dst = f(x) for f one of neg, exp, log, tanh,
	// sigmoid, relu, sqrt, abs, square.
	Unary(op string, dst, x *DeviceMemory) bool
	// UnaryGrad computes dst = g·f′ for the derivative rules exp (g·y),
	// tanh (g·(1−y²)), sigmoid (g·y(1−y)), relu (g·[x>0]), sqrt (g/(2y)),
	// abs (g·sign x), square (g·2x), log (g/x), v being x or y as named;
	// dst may be g.
	UnaryGrad(op string, dst, g, v *DeviceMemory) bool
	// Binary computes dst[i] = a[i] op b[i] for op add, sub, mul, div over
	// shape, reading a and b through their strides; dst is contiguous and
	// may be a or b when that operand is not broadcast.
	Binary(op string, dst, a, b *DeviceMemory, shape, aStrides, bStrides []int) bool
	// AddScaled computes dst += alpha·x in float64, rounded to dst's
	// dtype (x may have either dtype).
	AddScaled(dst *DeviceMemory, alpha float64, x *DeviceMemory) bool
	// DivScalar computes dst /= c in float64, rounded.
	DivScalar(dst *DeviceMemory, c float64) bool
	// Sum writes to dst (shape with the masked axes set to 1) the sums of
	// src over the masked axes, accumulated in float64.
	Sum(dst, src *DeviceMemory, shape []int, mask []bool) bool
	// Gather computes dst[i] = src[offset + Σₖ idxₖ·strides[k]] for the
	// row-major multi-index idx of i in shape.
	Gather(dst, src *DeviceMemory, shape, strides []int, offset int) bool
	// Scatter is Gather's adjoint: dst[offset + Σₖ idxₖ·strides[k]] =
	// src[i], or += when add is set (the strides address distinct
	// elements).
	Scatter(dst, src *DeviceMemory, shape, strides []int, offset int, add bool) bool
	// Gemm computes, batch times, C = op(A)·op(B) + beta·C for row-major
	// m×k, k×n and m×n matrices with leading dimensions lda, ldb, ldc,
	// op transposing when tA or tB is set. The matrices of batch i start
	// at the offsets plus i times the strides (elements).
	Gemm(tA, tB bool, m, n, k int, a *DeviceMemory, aOff, lda, strideA int, b *DeviceMemory, bOff, ldb, strideB int,
		beta float64, c *DeviceMemory, cOff, ldc, strideC int, batch int) bool
	// GemmBias is one Gemm (no batch, beta 0) with the vector bias (n
	// elements) added to every row of C: a layer's x·wᵀ + b at once.
	GemmBias(tA, tB bool, m, n, k int, a *DeviceMemory, lda int, b *DeviceMemory, ldb int, bias, c *DeviceMemory, ldc int) bool
	// Softmax computes softmax (or log-softmax) along the middle axis of
	// x seen as [outer n inner].
	Softmax(dst, x *DeviceMemory, outer, n, inner int, log bool) bool
	// SoftmaxGrad computes the adjoint of Softmax from the output's
	// adjoint g and the output y.
	SoftmaxGrad(dst, g, y *DeviceMemory, outer, n, inner int, log bool) bool
	// CrossEntropy writes to loss (one element) the mean over rows of
	// log Σ exp x − x[label] for x seen as [outer n inner] and labels
	// [outer inner] (whole numbers of x's dtype), and each row's
	// log Σ exp to lse (float64). A label outside [0, n) gives NaN.
	CrossEntropy(loss, lse, x, labels *DeviceMemory, outer, n, inner int) bool
	// CrossEntropyGrad writes dst = g[0]·(softmax x − onehot label)/rows.
	CrossEntropyGrad(dst, x, labels, lse, g *DeviceMemory, outer, n, inner int) bool
	// Im2col writes the receptive fields of x [n c h w] as the matrix
	// cols [c·kh·kw, n·oh·ow] (zeros in the padding).
	Im2col(cols, x *DeviceMemory, geom ConvShape) bool
	// Col2im adds cols (as Im2col writes them) back onto x, overwriting x.
	Col2im(x, cols *DeviceMemory, geom ConvShape) bool
	// MaxPool writes each window's maximum to dst and its index in the
	// input plane to arg (int32 values in 4-byte elements).
	MaxPool(dst, arg, x *DeviceMemory, geom ConvShape) bool
	// MaxPoolGrad writes to dst (x's shape) each gy element at the place
	// arg names, adding where windows overlap, 0 elsewhere.
	MaxPoolGrad(dst, gy, arg *DeviceMemory, geom ConvShape) bool
	// AvgPool writes each window's mean; AvgPoolGrad spreads gy back.
	AvgPool(dst, x *DeviceMemory, geom ConvShape) bool
	AvgPoolGrad(dst, gy *DeviceMemory, geom ConvShape) bool
	// Step applies one optimizer update in place to each parameter ps[i]
	// with gradient gs[i] and state buffers states[i]; see StepRule. The
	// parameters share a dtype.
	Step(rule StepRule, ps, gs []*DeviceMemory, states [][]*DeviceMemory) bool
}

// ConvShape is the geometry of a convolution or pooling window: input
// [N C H W], window KH×KW, stride, zero padding, output OH×OW.
type ConvShape struct {
	N, C, H, W, KH, KW, Stride, Pad, OH, OW int
}

func (g convGeometry) public() ConvShape {
	return ConvShape{N: g.n, C: g.c, H: g.h, W: g.w, KH: g.kh, KW: g.kw, Stride: g.stride, Pad: g.pad, OH: g.oh, OW: g.ow}
}

// NoKernels declines every kernel: embed it in a backend to start with
// memory and copies only, every op then computed on the host.
type NoKernels struct{}

func (NoKernels) Fill(*DeviceMemory, float64) bool                                   { return false }
func (NoKernels) Convert(_, _ *DeviceMemory) bool                                    { return false }
func (NoKernels) Unary(string, *DeviceMemory, *DeviceMemory) bool                    { return false }
func (NoKernels) UnaryGrad(string, *DeviceMemory, *DeviceMemory, *DeviceMemory) bool { return false }
func (NoKernels) Binary(string, *DeviceMemory, *DeviceMemory, *DeviceMemory, []int, []int, []int) bool {
	return false
}
func (NoKernels) AddScaled(*DeviceMemory, float64, *DeviceMemory) bool { return false }
func (NoKernels) DivScalar(*DeviceMemory, float64) bool                { return false }
func (NoKernels) Sum(_, _ *DeviceMemory, _ []int, _ []bool) bool       { return false }
func (NoKernels) Gather(_, _ *DeviceMemory, _, _ []int, _ int) bool    { return false }
func (NoKernels) Scatter(_, _ *DeviceMemory, _, _ []int, _ int, _ bool) bool {
	return false
}
func (NoKernels) Gemm(bool, bool, int, int, int, *DeviceMemory, int, int, int, *DeviceMemory, int, int, int,
	float64, *DeviceMemory, int, int, int, int) bool {
	return false
}
func (NoKernels) GemmBias(bool, bool, int, int, int, *DeviceMemory, int, *DeviceMemory, int, *DeviceMemory, *DeviceMemory, int) bool {
	return false
}
func (NoKernels) Softmax(_, _ *DeviceMemory, _, _, _ int, _ bool) bool        { return false }
func (NoKernels) SoftmaxGrad(_, _, _ *DeviceMemory, _, _, _ int, _ bool) bool { return false }
func (NoKernels) CrossEntropy(_, _, _, _ *DeviceMemory, _, _, _ int) bool     { return false }
func (NoKernels) CrossEntropyGrad(_, _, _, _, _ *DeviceMemory, _, _, _ int) bool {
	return false
}
func (NoKernels) Im2col(_, _ *DeviceMemory, _ ConvShape) bool         { return false }
func (NoKernels) Col2im(_, _ *DeviceMemory, _ ConvShape) bool         { return false }
func (NoKernels) MaxPool(_, _, _ *DeviceMemory, _ ConvShape) bool     { return false }
func (NoKernels) MaxPoolGrad(_, _, _ *DeviceMemory, _ ConvShape) bool { return false }
func (NoKernels) AvgPool(_, _ *DeviceMemory, _ ConvShape) bool        { return false }
func (NoKernels) AvgPoolGrad(_, _ *DeviceMemory, _ ConvShape) bool    { return false }
func (NoKernels) Step(StepRule, []*DeviceMemory, []*DeviceMemory, [][]*DeviceMemory) bool {
	return false
}
