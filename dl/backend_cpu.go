package dl

import (
	"math"
	"unsafe"

	"github.com/gradbook/gradbook/dl/cpu"
)

// CPUBackend is main memory and its kernels, the loops of package cpu.
// Its one value is CPU.
type CPUBackend uint8

// CPU is main memory, where every tensor starts. It is a Backend like a
// GPU's, whose kernels never decline.
const CPU CPUBackend = 0

func (CPUBackend) String() string { return "cpu" }

// Alloc implements Backend: a slice from the recycled buffers.
func (CPUBackend) Alloc(d DType, n int) *Memory {
	m := &Memory{Backend: CPU, DType: d, Len: n}
	if d == Float32 {
		m.F32 = cpu.Get[float32](n)
	} else {
		m.F64 = cpu.Get[float64](n)
	}
	return m
}

// Free implements Backend: m's slice goes back to be recycled.
func (CPUBackend) Free(m *Memory) {
	if m.F32 != nil {
		cpu.Put(m.F32)
	} else if m.F64 != nil {
		cpu.Put(m.F64)
	}
	m.F32, m.F64 = nil, nil
}

// Upload implements Backend.
func (CPUBackend) Upload(m *Memory, src any) {
	switch s := src.(type) {
	case []float32:
		copy(f32(m), s)
	case []float64:
		copy(f64(m), s)
	}
}

// Download implements Backend.
func (CPUBackend) Download(dst any, m *Memory) {
	switch d := dst.(type) {
	case []float32:
		copy(d, f32(m))
	case []float64:
		copy(d, f64(m))
	}
}

func f32(m *Memory) []float32 { return m.F32 }
func f64(m *Memory) []float64 { return m.F64 }

// opt32 and opt64 are f32 and f64 for memory that may be nil.
func opt32(m *Memory) []float32 {
	if m == nil {
		return nil
	}
	return f32(m)
}

func opt64(m *Memory) []float64 {
	if m == nil {
		return nil
	}
	return f64(m)
}

// int32s reads the 4-byte elements of m (Float32) as int32: the places of
// MaxPool's maxima.
func int32s(m *Memory) []int32 {
	s := f32(m)
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&s[0])), len(s))
}

// The kernels: each implements the Kernels method of its name (see there
// for what it computes) with the loops of package cpu, and never declines.

// Fill implements Kernels.
func (CPUBackend) Fill(dst *Memory, v float64) bool {
	if dst.DType == Float32 {
		cpu.Fill(f32(dst), v)
	} else {
		cpu.Fill(f64(dst), v)
	}
	return true
}

func (CPUBackend) Convert(dst, src *Memory) bool {
	switch {
	case dst.DType == Float32 && src.DType == Float32:
		copy(f32(dst), f32(src))
	case dst.DType == Float64 && src.DType == Float64:
		copy(f64(dst), f64(src))
	case dst.DType == Float32:
		cpu.Convert(f32(dst), f64(src))
	default:
		cpu.Convert(f64(dst), f32(src))
	}
	return true
}

func (CPUBackend) Unary(op cpu.UnaryOp, dst, x *Memory) bool {
	if dst.DType == Float32 {
		cpu.Unary(op, f32(dst), f32(x))
	} else {
		cpu.Unary(op, f64(dst), f64(x))
	}
	return true
}

func (CPUBackend) UnaryGrad(op cpu.GradOp, dst, g, v *Memory) bool {
	if dst.DType == Float32 {
		cpu.UnaryGrad(op, f32(dst), f32(g), f32(v))
	} else {
		cpu.UnaryGrad(op, f64(dst), f64(g), f64(v))
	}
	return true
}

func (CPUBackend) Clamp(dst, x *Memory, lo, hi float64) bool {
	if dst.DType == Float32 {
		cpu.Clamp(f32(dst), f32(x), lo, hi)
	} else {
		cpu.Clamp(f64(dst), f64(x), lo, hi)
	}
	return true
}

func (CPUBackend) ClampGrad(dst, g, x *Memory, lo, hi float64) bool {
	if dst.DType == Float32 {
		cpu.ClampGrad(f32(dst), f32(g), f32(x), lo, hi)
	} else {
		cpu.ClampGrad(f64(dst), f64(g), f64(x), lo, hi)
	}
	return true
}

func (CPUBackend) Binary(op cpu.BinaryOp, dst, a, b *Memory, shape, as, bs []int) bool {
	if dst.DType == Float32 {
		cpu.Binary(op, f32(dst), f32(a), f32(b), shape, as, bs)
	} else {
		cpu.Binary(op, f64(dst), f64(a), f64(b), shape, as, bs)
	}
	return true
}

func (CPUBackend) Select(dst, cond, a, b *Memory, shape, cs, as, bs []int) bool {
	if dst.DType == Float32 {
		cpu.Select(f32(dst), f32(cond), f32(a), f32(b), shape, cs, as, bs)
	} else {
		cpu.Select(f64(dst), f64(cond), f64(a), f64(b), shape, cs, as, bs)
	}
	return true
}

func (CPUBackend) AddScaled(dst *Memory, alpha float64, x *Memory) bool {
	switch {
	case dst.DType == Float32 && x.DType == Float32:
		if alpha == 1 {
			cpu.AddInto(f32(dst), f32(x))
		} else {
			cpu.AddScaled(f32(dst), alpha, f32(x))
		}
	case dst.DType == Float64 && x.DType == Float64:
		if alpha == 1 {
			cpu.AddInto(f64(dst), f64(x))
		} else {
			cpu.AddScaled(f64(dst), alpha, f64(x))
		}
	case dst.DType == Float32:
		cpu.AddScaled(f32(dst), alpha, f64(x))
	default:
		cpu.AddScaled(f64(dst), alpha, f32(x))
	}
	return true
}

func (CPUBackend) DivScalar(dst *Memory, c float64) bool {
	if dst.DType == Float32 {
		cpu.DivScalar(f32(dst), c)
	} else {
		cpu.DivScalar(f64(dst), c)
	}
	return true
}

func (CPUBackend) Reduce(op cpu.ReduceOp, dst, src *Memory, shape []int, mask []bool) bool {
	var keep []int // nil for one output: every axis reduced
	if dst.Len > 1 {
		var buf [8]int
		keep = append(buf[:0], shape...)
		for i, m := range mask {
			if m {
				keep[i] = 1
			}
		}
	}
	switch {
	case op == cpu.ReduceSum && dst.DType == Float32:
		cpu.Sum(f32(dst), f32(src), shape, keep)
	case op == cpu.ReduceSum:
		cpu.Sum(f64(dst), f64(src), shape, keep)
	case dst.DType == Float32:
		cpu.Extreme(op, f32(dst), f32(src), shape, keep)
	default:
		cpu.Extreme(op, f64(dst), f64(src), shape, keep)
	}
	return true
}

func (CPUBackend) ArgReduce(op cpu.ReduceOp, dst, x *Memory, outer, n, inner int) bool {
	if dst.DType == Float32 {
		cpu.ArgExtreme(op, f32(dst), f32(x), outer, n, inner)
	} else {
		cpu.ArgExtreme(op, f64(dst), f64(x), outer, n, inner)
	}
	return true
}

func (CPUBackend) Gather(dst, src *Memory, shape, strides []int, offset int) bool {
	if dst.DType == Float32 {
		cpu.Gather(f32(dst), f32(src), shape, strides, offset)
	} else {
		cpu.Gather(f64(dst), f64(src), shape, strides, offset)
	}
	return true
}

func (CPUBackend) ScatterAdd(dst, src *Memory, shape, strides []int, offset int) bool {
	if dst.DType == Float32 {
		cpu.ScatterAdd(f32(dst), f32(src), shape, strides, offset)
	} else {
		cpu.ScatterAdd(f64(dst), f64(src), shape, strides, offset)
	}
	return true
}

func (CPUBackend) Take(dst, src *Memory, offsets []int) bool {
	if dst.DType == Float32 {
		cpu.Take(f32(dst), f32(src), offsets)
	} else {
		cpu.Take(f64(dst), f64(src), offsets)
	}
	return true
}

func (CPUBackend) PutAdd(dst, src *Memory, offsets []int) bool {
	if dst.DType == Float32 {
		cpu.PutAdd(f32(dst), f32(src), offsets)
	} else {
		cpu.PutAdd(f64(dst), f64(src), offsets)
	}
	return true
}

func (CPUBackend) Gemm(tA, tB bool, m, n, k int, a *Memory, aOff, lda, strideA int, b *Memory, bOff, ldb, strideB int,
	beta float64, c *Memory, cOff, ldc, strideC int, batch int) bool {
	if c.DType == Float32 {
		cpu.Gemm(tA, tB, m, n, k, f32(a), aOff, lda, strideA, f32(b), bOff, ldb, strideB, beta, f32(c), cOff, ldc, strideC, batch)
	} else {
		cpu.Gemm(tA, tB, m, n, k, f64(a), aOff, lda, strideA, f64(b), bOff, ldb, strideB, beta, f64(c), cOff, ldc, strideC, batch)
	}
	return true
}

func (CPUBackend) GemmBias(tA, tB bool, m, n, k int, a *Memory, lda int, b *Memory, ldb int, bias, c *Memory, ldc int) bool {
	if c.DType == Float32 {
		cpu.GemmBias(tA, tB, m, n, k, f32(a), lda, f32(b), ldb, f32(bias), f32(c), ldc)
	} else {
		cpu.GemmBias(tA, tB, m, n, k, f64(a), lda, f64(b), ldb, f64(bias), f64(c), ldc)
	}
	return true
}

func (CPUBackend) Softmax(dst, x *Memory, outer, n, inner int, log bool) bool {
	if dst.DType == Float32 {
		cpu.Softmax(f32(dst), f32(x), outer, n, inner, log)
	} else {
		cpu.Softmax(f64(dst), f64(x), outer, n, inner, log)
	}
	return true
}

func (CPUBackend) SoftmaxGrad(dst, g, y *Memory, outer, n, inner int, log, jvp bool) bool {
	switch {
	case log && dst.DType == Float32:
		cpu.LogSoftmaxGrad(f32(dst), f32(g), f32(y), outer, n, inner, jvp)
	case log:
		cpu.LogSoftmaxGrad(f64(dst), f64(g), f64(y), outer, n, inner, jvp)
	case dst.DType == Float32:
		cpu.SoftmaxGrad(f32(dst), f32(g), f32(y), outer, n, inner)
	default:
		cpu.SoftmaxGrad(f64(dst), f64(g), f64(y), outer, n, inner)
	}
	return true
}

func (CPUBackend) LogSumExp(dst, x *Memory, outer, n, inner int) bool {
	if dst.DType == Float32 {
		cpu.LogSumExp(f32(dst), f32(x), outer, n, inner)
	} else {
		cpu.LogSumExp(f64(dst), f64(x), outer, n, inner)
	}
	return true
}

func (CPUBackend) CrossEntropy(loss, lse, x, labels *Memory, outer, n, inner int) bool {
	total := math.NaN() // a label outside [0, n)
	switch {
	case x.DType == Float32 && cpu.Classes(f32(labels), n):
		total = cpu.CrossEntropy(f32(x), outer, n, inner, f32(labels), f64(lse))
	case x.DType == Float64 && cpu.Classes(f64(labels), n):
		total = cpu.CrossEntropy(f64(x), outer, n, inner, f64(labels), f64(lse))
	}
	CPU.Fill(loss, total/float64(outer*inner))
	return true
}

func (CPUBackend) CrossEntropyGrad(dst, x, labels, lse, g *Memory, outer, n, inner int) bool {
	scale := scalarOf(g) / float64(outer*inner)
	switch {
	case x.DType == Float32 && cpu.Classes(f32(labels), n):
		cpu.CrossEntropyGrad(f32(dst), f32(x), outer, n, inner, f32(labels), f64(lse), scale)
	case x.DType == Float64 && cpu.Classes(f64(labels), n):
		cpu.CrossEntropyGrad(f64(dst), f64(x), outer, n, inner, f64(labels), f64(lse), scale)
	default:
		CPU.Fill(dst, math.NaN())
	}
	return true
}

// scalarOf returns the first element of m.
func scalarOf(m *Memory) float64 {
	if m.DType == Float32 {
		return float64(f32(m)[0])
	}
	return f64(m)[0]
}

func (CPUBackend) BCEWithLogits(loss, x, y *Memory) bool {
	var total float64
	if x.DType == Float32 {
		total = cpu.BCE(f32(x), f32(y))
	} else {
		total = cpu.BCE(f64(x), f64(y))
	}
	CPU.Fill(loss, total/float64(x.Len))
	return true
}

func (CPUBackend) BCEWithLogitsGrad(gx, gy, x, y, g *Memory) bool {
	scale := scalarOf(g) / float64(x.Len)
	if x.DType == Float32 {
		cpu.BCEGrad(opt32(gx), opt32(gy), f32(x), f32(y), scale)
	} else {
		cpu.BCEGrad(opt64(gx), opt64(gy), f64(x), f64(y), scale)
	}
	return true
}

func (CPUBackend) Conv2d(out, x, w, b *Memory, g cpu.ConvShape, keep bool) (*Memory, bool) {
	o := out.Len / max(g.N*g.OH*g.OW, 1)
	if x.DType == Float32 {
		cpu.Conv2d(g, f32(x), f32(w), opt32(b), f32(out), o)
	} else {
		cpu.Conv2d(g, f64(x), f64(w), opt64(b), f64(out), o)
	}
	return nil, true
}

func (CPUBackend) Conv2dGrad(gx, gw, x, w, gy, saved *Memory, g cpu.ConvShape) bool {
	o := gy.Len / max(g.N*g.OH*g.OW, 1)
	for _, m := range []*Memory{gx, gw} {
		if m != nil {
			CPU.Fill(m, 0)
		}
	}
	if x.DType == Float32 {
		cpu.Conv2dGrad(g, f32(x), f32(w), f32(gy), opt32(gx), opt32(gw), o)
	} else {
		cpu.Conv2dGrad(g, f64(x), f64(w), f64(gy), opt64(gx), opt64(gw), o)
	}
	return true
}

func (CPUBackend) MaxPool(dst, arg, x *Memory, g cpu.ConvShape) bool {
	if x.DType == Float32 {
		cpu.MaxPool(g, f32(x), f32(dst), int32s(arg))
	} else {
		cpu.MaxPool(g, f64(x), f64(dst), int32s(arg))
	}
	return true
}

func (CPUBackend) MaxPoolGrad(dst, gy, arg *Memory, g cpu.ConvShape) bool {
	if dst.DType == Float32 {
		cpu.MaxPoolGrad(g, f32(dst), f32(gy), int32s(arg))
	} else {
		cpu.MaxPoolGrad(g, f64(dst), f64(gy), int32s(arg))
	}
	return true
}

func (CPUBackend) MaxPoolPick(dst, x, arg *Memory, g cpu.ConvShape) bool {
	if dst.DType == Float32 {
		cpu.MaxPoolPick(g, f32(dst), f32(x), int32s(arg))
	} else {
		cpu.MaxPoolPick(g, f64(dst), f64(x), int32s(arg))
	}
	return true
}

func (CPUBackend) AvgPool(dst, x *Memory, g cpu.ConvShape) bool {
	if dst.DType == Float32 {
		cpu.AvgPool(g, f32(dst), f32(x))
	} else {
		cpu.AvgPool(g, f64(dst), f64(x))
	}
	return true
}

func (CPUBackend) AvgPoolGrad(dst, gy *Memory, g cpu.ConvShape) bool {
	CPU.Fill(dst, 0)
	if dst.DType == Float32 {
		cpu.AvgPoolGrad(g, f32(dst), f32(gy))
	} else {
		cpu.AvgPoolGrad(g, f64(dst), f64(gy))
	}
	return true
}

func (CPUBackend) Step(rule cpu.StepRule, ps, gs []*Memory, states [][]*Memory) bool {
	var b32 [4][]float32
	var b64 [4][]float64
	for i, p := range ps {
		if p.DType == Float32 {
			st := b32[:0]
			for _, s := range states[i] {
				st = append(st, f32(s))
			}
			cpu.Step(&rule, f32(p), f32(gs[i]), st)
		} else {
			st := b64[:0]
			for _, s := range states[i] {
				st = append(st, f64(s))
			}
			cpu.Step(&rule, f64(p), f64(gs[i]), st)
		}
	}
	return true
}
