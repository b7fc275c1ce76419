package dl

import "github.com/gradbook/gradbook/dl/cpu"

// The one path of every op: run(b) returns b's kernels as commands. Each
// calls b's kernel and, when b declines, the CPU's kernel on copies in
// main memory of the operands, whose written ones it copies back: the one
// fallback adapter, so results never depend on which kernels a backend
// has.

type runner struct{ b Backend }

// run returns the kernels of backend b.
func run(b Backend) runner { return runner{b} }

// hostCopies maps device memory to copies in main memory, made on first
// use; the same memory gets the same copy, so aliasing operands stay
// aliased.
type hostCopies map[*Memory]*Memory

func (h hostCopies) of(m *Memory) *Memory { return h.copyOf(m, true) }

// out is of for memory the kernel only writes: its copy is not filled.
func (h hostCopies) out(m *Memory) *Memory { return h.copyOf(m, false) }

func (h hostCopies) copyOf(m *Memory, read bool) *Memory {
	if m == nil || isCPU(m.Backend) {
		return m
	}
	if c, ok := h[m]; ok {
		return c
	}
	c := CPU.Alloc(m.DType, m.Len)
	if read && m.Len > 0 {
		m.Backend.Download(c.Values(), m)
	}
	h[m] = c
	return c
}

// viaHost runs kernel, the CPU's, on host copies of what it reads and
// writes, and copies the written memories back.
func viaHost(written []*Memory, kernel func(h hostCopies)) {
	h := hostCopies{}
	kernel(h)
	for _, m := range written {
		if m != nil && !isCPU(m.Backend) && m.Len > 0 {
			m.Backend.Upload(m, h.of(m).Values())
		}
	}
	for _, c := range h {
		CPU.Free(c)
	}
}

// outs lists the memories a kernel writes.
func outs(ms ...*Memory) []*Memory { return ms }

func (r runner) Fill(dst *Memory, v float64) {
	if !r.b.Fill(dst, v) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Fill(h.out(dst), v) })
	}
}

func (r runner) Convert(dst, src *Memory) {
	if !r.b.Convert(dst, src) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Convert(h.out(dst), h.of(src)) })
	}
}

func (r runner) Unary(op cpu.UnaryOp, dst, x *Memory) {
	if !r.b.Unary(op, dst, x) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Unary(op, h.of(dst), h.of(x)) })
	}
}

func (r runner) UnaryGrad(op cpu.GradOp, dst, g, v *Memory) {
	if !r.b.UnaryGrad(op, dst, g, v) {
		viaHost(outs(dst), func(h hostCopies) { CPU.UnaryGrad(op, h.of(dst), h.of(g), h.of(v)) })
	}
}

func (r runner) Clamp(dst, x *Memory, lo, hi float64) {
	if !r.b.Clamp(dst, x, lo, hi) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Clamp(h.out(dst), h.of(x), lo, hi) })
	}
}

func (r runner) ClampGrad(dst, g, x *Memory, lo, hi float64) {
	if !r.b.ClampGrad(dst, g, x, lo, hi) {
		viaHost(outs(dst), func(h hostCopies) { CPU.ClampGrad(h.out(dst), h.of(g), h.of(x), lo, hi) })
	}
}

func (r runner) Binary(op cpu.BinaryOp, dst, a, b *Memory, shape, as, bs []int) {
	if !r.b.Binary(op, dst, a, b, shape, as, bs) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Binary(op, h.of(dst), h.of(a), h.of(b), shape, as, bs) })
	}
}

func (r runner) Select(dst, cond, a, b *Memory, shape, cs, as, bs []int) {
	if !r.b.Select(dst, cond, a, b, shape, cs, as, bs) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Select(h.out(dst), h.of(cond), h.of(a), h.of(b), shape, cs, as, bs) })
	}
}

func (r runner) AddScaled(dst *Memory, alpha float64, x *Memory) {
	if !r.b.AddScaled(dst, alpha, x) {
		viaHost(outs(dst), func(h hostCopies) { CPU.AddScaled(h.of(dst), alpha, h.of(x)) })
	}
}

func (r runner) DivScalar(dst *Memory, c float64) {
	if !r.b.DivScalar(dst, c) {
		viaHost(outs(dst), func(h hostCopies) { CPU.DivScalar(h.of(dst), c) })
	}
}

func (r runner) Reduce(op cpu.ReduceOp, dst, src *Memory, shape []int, mask []bool) {
	if !r.b.Reduce(op, dst, src, shape, mask) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Reduce(op, h.of(dst), h.of(src), shape, mask) })
	}
}

func (r runner) ArgReduce(op cpu.ReduceOp, dst, x *Memory, outer, n, inner int) {
	if !r.b.ArgReduce(op, dst, x, outer, n, inner) {
		viaHost(outs(dst), func(h hostCopies) { CPU.ArgReduce(op, h.of(dst), h.of(x), outer, n, inner) })
	}
}

func (r runner) Gather(dst, src *Memory, shape, strides []int, offset int) {
	if !r.b.Gather(dst, src, shape, strides, offset) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Gather(h.out(dst), h.of(src), shape, strides, offset) })
	}
}

func (r runner) ScatterAdd(dst, src *Memory, shape, strides []int, offset int) {
	if !r.b.ScatterAdd(dst, src, shape, strides, offset) {
		viaHost(outs(dst), func(h hostCopies) { CPU.ScatterAdd(h.of(dst), h.of(src), shape, strides, offset) })
	}
}

func (r runner) Take(dst, src *Memory, offsets []int) {
	if !r.b.Take(dst, src, offsets) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Take(h.out(dst), h.of(src), offsets) })
	}
}

func (r runner) PutAdd(dst, src *Memory, offsets []int) {
	if !r.b.PutAdd(dst, src, offsets) {
		viaHost(outs(dst), func(h hostCopies) { CPU.PutAdd(h.of(dst), h.of(src), offsets) })
	}
}

func (r runner) Gemm(tA, tB bool, m, n, k int, a *Memory, aOff, lda, strideA int, b *Memory, bOff, ldb, strideB int,
	beta float64, c *Memory, cOff, ldc, strideC int, batch int) {
	if !r.b.Gemm(tA, tB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB, beta, c, cOff, ldc, strideC, batch) {
		viaHost(outs(c), func(h hostCopies) {
			CPU.Gemm(tA, tB, m, n, k, h.of(a), aOff, lda, strideA, h.of(b), bOff, ldb, strideB, beta, h.of(c), cOff, ldc, strideC, batch)
		})
	}
}

func (r runner) GemmBias(tA, tB bool, m, n, k int, a *Memory, lda int, b *Memory, ldb int, bias, c *Memory, ldc int) {
	if !r.b.GemmBias(tA, tB, m, n, k, a, lda, b, ldb, bias, c, ldc) {
		viaHost(outs(c), func(h hostCopies) {
			CPU.GemmBias(tA, tB, m, n, k, h.of(a), lda, h.of(b), ldb, h.of(bias), h.of(c), ldc)
		})
	}
}

func (r runner) Softmax(dst, x *Memory, outer, n, inner int, log bool) {
	if !r.b.Softmax(dst, x, outer, n, inner, log) {
		viaHost(outs(dst), func(h hostCopies) { CPU.Softmax(h.out(dst), h.of(x), outer, n, inner, log) })
	}
}

func (r runner) SoftmaxGrad(dst, g, y *Memory, outer, n, inner int, log, jvp bool) {
	if !r.b.SoftmaxGrad(dst, g, y, outer, n, inner, log, jvp) {
		viaHost(outs(dst), func(h hostCopies) { CPU.SoftmaxGrad(h.out(dst), h.of(g), h.of(y), outer, n, inner, log, jvp) })
	}
}

func (r runner) LogSumExp(dst, x *Memory, outer, n, inner int) {
	if !r.b.LogSumExp(dst, x, outer, n, inner) {
		viaHost(outs(dst), func(h hostCopies) { CPU.LogSumExp(h.out(dst), h.of(x), outer, n, inner) })
	}
}

func (r runner) CrossEntropy(loss, lse, x, labels *Memory, outer, n, inner int) {
	if !r.b.CrossEntropy(loss, lse, x, labels, outer, n, inner) {
		viaHost(outs(loss, lse), func(h hostCopies) { CPU.CrossEntropy(h.out(loss), h.out(lse), h.of(x), h.of(labels), outer, n, inner) })
	}
}

func (r runner) CrossEntropyGrad(dst, x, labels, lse, g *Memory, outer, n, inner int) {
	if !r.b.CrossEntropyGrad(dst, x, labels, lse, g, outer, n, inner) {
		viaHost(outs(dst), func(h hostCopies) {
			CPU.CrossEntropyGrad(h.out(dst), h.of(x), h.of(labels), h.of(lse), h.of(g), outer, n, inner)
		})
	}
}

func (r runner) BCEWithLogits(loss, x, y *Memory) {
	if !r.b.BCEWithLogits(loss, x, y) {
		viaHost(outs(loss), func(h hostCopies) { CPU.BCEWithLogits(h.out(loss), h.of(x), h.of(y)) })
	}
}

func (r runner) BCEWithLogitsGrad(gx, gy, x, y, g *Memory) {
	if !r.b.BCEWithLogitsGrad(gx, gy, x, y, g) {
		viaHost(outs(gx, gy), func(h hostCopies) { CPU.BCEWithLogitsGrad(h.out(gx), h.out(gy), h.of(x), h.of(y), h.of(g)) })
	}
}

func (r runner) Conv2d(out, x, w, b *Memory, g cpu.ConvShape, keep bool) (saved *Memory) {
	saved, ok := r.b.Conv2d(out, x, w, b, g, keep)
	if !ok {
		viaHost(outs(out), func(h hostCopies) { CPU.Conv2d(h.out(out), h.of(x), h.of(w), h.of(b), g, false) })
	}
	return saved
}

func (r runner) Conv2dGrad(gx, gw, x, w, gy, saved *Memory, g cpu.ConvShape) {
	if !r.b.Conv2dGrad(gx, gw, x, w, gy, saved, g) {
		viaHost(outs(gx, gw), func(h hostCopies) { CPU.Conv2dGrad(h.out(gx), h.out(gw), h.of(x), h.of(w), h.of(gy), nil, g) })
	}
}

func (r runner) MaxPool(dst, arg, x *Memory, g cpu.ConvShape) {
	if !r.b.MaxPool(dst, arg, x, g) {
		viaHost(outs(dst, arg), func(h hostCopies) { CPU.MaxPool(h.out(dst), h.out(arg), h.of(x), g) })
	}
}

func (r runner) MaxPoolGrad(dst, gy, arg *Memory, g cpu.ConvShape) {
	if !r.b.MaxPoolGrad(dst, gy, arg, g) {
		viaHost(outs(dst), func(h hostCopies) { CPU.MaxPoolGrad(h.out(dst), h.of(gy), h.of(arg), g) })
	}
}

func (r runner) MaxPoolPick(dst, x, arg *Memory, g cpu.ConvShape) {
	if !r.b.MaxPoolPick(dst, x, arg, g) {
		viaHost(outs(dst), func(h hostCopies) { CPU.MaxPoolPick(h.out(dst), h.of(x), h.of(arg), g) })
	}
}

func (r runner) AvgPool(dst, x *Memory, g cpu.ConvShape) {
	if !r.b.AvgPool(dst, x, g) {
		viaHost(outs(dst), func(h hostCopies) { CPU.AvgPool(h.out(dst), h.of(x), g) })
	}
}

func (r runner) AvgPoolGrad(dst, gy *Memory, g cpu.ConvShape) {
	if !r.b.AvgPoolGrad(dst, gy, g) {
		viaHost(outs(dst), func(h hostCopies) { CPU.AvgPoolGrad(h.out(dst), h.of(gy), g) })
	}
}

func (r runner) Step(rule cpu.StepRule, ps, gs []*Memory, states [][]*Memory) {
	if r.b.Step(rule, ps, gs, states) {
		return
	}
	written := append([]*Memory(nil), ps...)
	for _, s := range states {
		written = append(written, s...)
	}
	viaHost(written, func(h hostCopies) {
		hp, hg, hs := make([]*Memory, len(ps)), make([]*Memory, len(gs)), make([][]*Memory, len(states))
		for i := range ps {
			hp[i], hg[i] = h.of(ps[i]), h.of(gs[i])
			hs[i] = make([]*Memory, len(states[i]))
			for j, s := range states[i] {
				hs[i][j] = h.of(s)
			}
		}
		CPU.Step(rule, hp, hg, hs)
	})
}

// NoKernels declines every kernel: embed it in a backend to start with
// memory and copies only, every op then computed by the CPU's kernels
// through main memory.
type NoKernels struct{}

func (NoKernels) Fill(*Memory, float64) bool                           { return false }
func (NoKernels) Convert(_, _ *Memory) bool                            { return false }
func (NoKernels) Unary(cpu.UnaryOp, *Memory, *Memory) bool             { return false }
func (NoKernels) UnaryGrad(cpu.GradOp, *Memory, *Memory, *Memory) bool { return false }
func (NoKernels) Clamp(_, _ *Memory, _, _ float64) bool                { return false }
func (NoKernels) ClampGrad(_, _, _ *Memory, _, _ float64) bool         { return false }
func (NoKernels) Binary(cpu.BinaryOp, *Memory, *Memory, *Memory, []int, []int, []int) bool {
	return false
}
func (NoKernels) Select(_, _, _, _ *Memory, _, _, _, _ []int) bool             { return false }
func (NoKernels) AddScaled(*Memory, float64, *Memory) bool                     { return false }
func (NoKernels) DivScalar(*Memory, float64) bool                              { return false }
func (NoKernels) Reduce(cpu.ReduceOp, *Memory, *Memory, []int, []bool) bool    { return false }
func (NoKernels) ArgReduce(cpu.ReduceOp, *Memory, *Memory, int, int, int) bool { return false }
func (NoKernels) Gather(_, _ *Memory, _, _ []int, _ int) bool                  { return false }
func (NoKernels) ScatterAdd(_, _ *Memory, _, _ []int, _ int) bool              { return false }
func (NoKernels) Take(_, _ *Memory, _ []int) bool                              { return false }
func (NoKernels) PutAdd(_, _ *Memory, _ []int) bool                            { return false }
func (NoKernels) Gemm(bool, bool, int, int, int, *Memory, int, int, int, *Memory, int, int, int,
	float64, *Memory, int, int, int, int) bool {
	return false
}
func (NoKernels) GemmBias(bool, bool, int, int, int, *Memory, int, *Memory, int, *Memory, *Memory, int) bool {
	return false
}
func (NoKernels) Softmax(_, _ *Memory, _, _, _ int, _ bool) bool           { return false }
func (NoKernels) SoftmaxGrad(_, _, _ *Memory, _, _, _ int, _, _ bool) bool { return false }
func (NoKernels) LogSumExp(_, _ *Memory, _, _, _ int) bool                 { return false }
func (NoKernels) CrossEntropy(_, _, _, _ *Memory, _, _, _ int) bool        { return false }
func (NoKernels) CrossEntropyGrad(_, _, _, _, _ *Memory, _, _, _ int) bool { return false }
func (NoKernels) BCEWithLogits(_, _, _ *Memory) bool                       { return false }
func (NoKernels) BCEWithLogitsGrad(_, _, _, _, _ *Memory) bool             { return false }
func (NoKernels) Conv2d(_, _, _, _ *Memory, _ cpu.ConvShape, _ bool) (*Memory, bool) {
	return nil, false
}
func (NoKernels) Conv2dGrad(_, _, _, _, _, _ *Memory, _ cpu.ConvShape) bool { return false }
func (NoKernels) MaxPool(_, _, _ *Memory, _ cpu.ConvShape) bool             { return false }
func (NoKernels) MaxPoolGrad(_, _, _ *Memory, _ cpu.ConvShape) bool         { return false }
func (NoKernels) MaxPoolPick(_, _, _ *Memory, _ cpu.ConvShape) bool         { return false }
func (NoKernels) AvgPool(_, _ *Memory, _ cpu.ConvShape) bool                { return false }
func (NoKernels) AvgPoolGrad(_, _ *Memory, _ cpu.ConvShape) bool            { return false }
func (NoKernels) Step(cpu.StepRule, []*Memory, []*Memory, [][]*Memory) bool { return false }
