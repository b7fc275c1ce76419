// Package dl is gradbook's core: tensors, their operations, and automatic
// differentiation in reverse and forward mode, with trace tables that show
// every step of it.
//
// # Tensors
//
// A Tensor is an n-dimensional array of float32 (the default, as in
// PyTorch) or float64 values stored row-major. Make one with FromSlice,
// Scalar, Zeros, Ones, Full, Arange, Rand or Randn, or with the same
// functions on a DType for float64: Float64.Scalar(2), Float64.Randn(rng, 3, 4).
// Operations are methods, so expressions read left to right:
//
//	y := x.MatMul(w).Add(b).Sigmoid()
//
// A programming error (shapes that do not fit, an axis out of range) panics
// with an *Error whose message names the operation and the shapes; Catch
// turns such a panic into an error.
//
// # Broadcasting
//
// Elementwise operations follow NumPy's broadcasting rules: shapes are
// aligned from the right, and an axis of size 1 (or a missing one) is
// stretched to match the other operand. [2 3] + [3] adds the vector to each
// row; [2 1] × [1 4] gives [2 4]. In the backward pass a broadcast operand's
// gradient is summed back to its own shape.
//
// # Reverse mode
//
// A tensor that requires a gradient (SetRequiresGrad(true), or a leaf given
// a name with Named) makes every operation on it record itself: its inputs
// and its local derivative rule. Backward walks that record from the output
// to the inputs once, applying the chain rule (the adjoint v̄ᵢ = ∂y/∂vᵢ of
// each intermediate value), and adds ∂y/∂x to x.Grad() for every variable x.
// One backward sweep gives the gradient with respect to all inputs, which
// is why training uses reverse mode. Gradients accumulate over calls, as in
// PyTorch; clear them with ZeroGrad. NoGrad turns recording off.
//
// # Forward mode
//
// JVP carries a tangent ẋ alongside each value and applies each operation's
// derivative as the evaluation goes: one forward sweep gives the derivative
// of every output along one input direction. It suits few inputs and many
// outputs, the opposite of reverse mode.
//
// # Traces
//
// TraceOf(y) numbers the graph as in Baydin et al.'s survey of automatic
// differentiation (inputs v₋ₙ₊₁ … v₀, then v₁, v₂, … for each operation) and
// renders the primal trace, the adjoint trace of the reverse sweep and the
// tangent trace of the forward sweep as tables in text, Markdown and HTML.
// The lecture's example, f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂ at (2, 5):
//
//	x1, x2 := dl.Scalar(2).Named("x1"), dl.Scalar(5).Named("x2")
//	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
//	fmt.Print(dl.TraceOf(y))
//
// # Checking gradients
//
// GradCheck compares autodiff with central finite differences in float64,
// for reverse and forward mode, and reports the errors per input.
//
// # Devices and backends
//
// A tensor's values live on a Device: CPU, or a GPU of package gpu. To
// returns a tensor on another device (a copy, through which gradients flow
// back); MoveTo moves a leaf in place, which is how nn.To moves a network
// and why an optimizer follows it. An op's inputs must share a device (a
// rank-0 CPU tensor, a constant, joins the other operand's), and its result
// is there. Reading values (Item, Float64s, printing) copies them to main
// memory.
//
// Every device is a Backend: memory and kernels, the CPU included (its
// kernels are package cpu's loops). Each op has one path: it checks its
// operands' shapes and dtypes (a typed *Error otherwise), picks their
// backend, calls one of its kernels through run (fallback.go) and records
// its gradient rule. A kernel a backend declines runs as the CPU's on
// copies in main memory, so every op works everywhere; package devicetest
// checks a backend against the CPU.
//
// # Adding an op
//
// For an elementwise function f, in this order:
//
//  1. dl/cpu/unary.go: a UnaryOp code for f and a GradOp code for its
//     derivative rule (ReadsOutput says whether it reads the input or the
//     output), their names, and their cases in unaryTyped and gradTyped.
//  2. dl/ops_unary.go: the opDef (how traces write f and its rule) and the
//     method, one line through unaryOp.
//  3. gpu/kernels_source.go: its CUDA kernel, if the GPU should not
//     compute it through main memory.
//  4. Tests: a gradient check and values in dl, a case in devicetest.
//
// An op that is not elementwise adds a kernel to Kernels (backend.go), its
// loop in dl/cpu, the CPU's method (backend_cpu.go), its command in
// fallback.go and a declining method in NoKernels.
//
// # Adding a backend
//
// Implement Backend: Alloc, Free, Upload and Download first, embedding
// NoKernels so that every op runs through main memory; check it with
// devicetest.Run. Then implement kernels one at a time, hottest first; each
// is checked against the CPU's by the same run.
//
// # Matrix products
//
// Every matrix product goes through package cpu's BLAS seam; the pure-Go
// gonum BLAS is the default, and cpu.SetBLAS plugs in a faster one.
//
// # Performance
//
// The hot operations run typed loops, one per operation and dtype, with
// fast paths for same-shape, scalar and row- or column-broadcast operands;
// float32 arithmetic is done in float32 (for +, −, ×, ÷ the same values as
// in float64, rounded once), functions such as exp and tanh in float64.
// Convolutions use im2col and one matrix product per sample (for stride 1
// without padding, a "wide" layout whose columns are single copies of the
// input). Softmax with cross-entropy (CrossEntropyLogits) and sigmoid with
// binary cross-entropy (BCEWithLogits) are single ops.
//
// An op records its node only when an input needs a gradient or carries a
// tangent; otherwise it allocates nothing beyond its result. Backward
// walks the graph without maps, skips the gradients of inputs that need
// none (the input images of a net), accumulates adjoints in place where it
// made them, and hands such an adjoint to a variable as its Grad without a
// copy. The adjoints of intermediate tensors are recycled once used: large
// buffers go to a pool that later results draw from (tensors of the
// forward pass and gradients are never recycled; a Grad taken earlier keeps
// its values). Large kernels split their work over GOMAXPROCS goroutines;
// the split never changes a result, so results do not depend on the
// number of CPUs.
package dl
