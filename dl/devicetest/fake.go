package devicetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
	"github.com/gradbook/gradbook/internal/option"
)

// Fake is a device backend whose kernels are the CPU's: it keeps values in
// memory of its own, as Host does, and runs each kernel by handing dl.CPU's
// kernel method views of its blocks. With it, dl's calls into a device's
// kernels (the shapes, strides, offsets and layouts it passes, the memory
// it saves between passes) are checked on any machine against the loops of
// package cpu, the reference every backend follows.
//
// A Fake can decline kernels, as a real device declines what it has no
// kernel for: Decline names them, Alternate declines every other call of
// each. dl then computes those through its fallback adapter, so one device
// exercises both paths.
type Fake struct {
	*Host
	decline   map[string]bool // kernel names, or name/op
	alternate bool

	mu       sync.Mutex
	ran      map[string]int
	declined map[string]int
	kept     int // blocks Conv2d kept and nobody freed yet
}

// FakeOption is an option of NewFake: Decline, Alternate.
type FakeOption interface{ applyFake(*Fake) }

// Decline makes the Fake decline the kernels named: a method of
// dl.Kernels ("Gemm", "Conv2dGrad") declines every call of it; a name with
// an op ("Unary/exp", "Reduce/max", "Binary/pow", "Step/Adam") only the
// calls with that op code (its String). An unknown kernel name panics.
func Decline(kernels ...string) decline {
	known := KernelNames()
	for _, k := range kernels {
		name, _, _ := strings.Cut(k, "/")
		if !slices.Contains(known, name) {
			panic(fmt.Sprintf("devicetest: Decline of %q: dl.Kernels has no method %s", k, name))
		}
	}
	return decline(kernels)
}

type decline []string

func (d decline) applyFake(f *Fake) {
	for _, k := range d {
		f.decline[k] = true
	}
}

// Alternate makes the Fake decline every other call of each kernel,
// starting with the second, so that a kernel called more than once runs
// both on the device and through the fallback adapter.
func Alternate() alternate { return alternate{} }

type alternate struct{}

func (alternate) applyFake(f *Fake) { f.alternate = true }

// NewFake returns a Fake device named name (as "fake:0").
func NewFake(name string, opts ...FakeOption) *Fake {
	f := &Fake{Host: NewHost(name), decline: map[string]bool{}, ran: map[string]int{}, declined: map[string]int{}}
	f.self = f
	option.Apply("devicetest.NewFake", f, opts, FakeOption.applyFake)
	return f
}

// KernelNames returns the names of dl.Kernels' methods, sorted.
func KernelNames() []string {
	t := reflect.TypeFor[dl.Kernels]()
	names := make([]string, t.NumMethod())
	for i := range names {
		names[i] = t.Method(i).Name
	}
	slices.Sort(names)
	return names
}

// Ran returns how many calls of kernel the Fake computed itself;
// Declined how many it declined.
func (f *Fake) Ran(kernel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ran[kernel]
}

// Declined returns how many calls of kernel the Fake declined.
func (f *Fake) Declined(kernel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.declined[kernel]
}

// Kept returns how many blocks Conv2d kept for a backward pass that dl
// has not freed yet.
func (f *Fake) Kept() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.kept
}

// Free gives m back, counting the blocks Conv2d kept.
func (f *Fake) Free(m *dl.Memory) {
	b := f.block("Free", m)
	f.Host.Free(m)
	if b.kept {
		f.mu.Lock()
		f.kept--
		f.mu.Unlock()
	}
}

// runs reports whether the Fake computes this call of kernel with op (""
// for a kernel without op codes), and counts it.
func (f *Fake) runs(kernel string, op fmt.Stringer) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	no := f.decline[kernel] || (op != nil && f.decline[kernel+"/"+op.String()])
	if !no && f.alternate {
		no = (f.ran[kernel]+f.declined[kernel])%2 == 1
	}
	if no {
		f.declined[kernel]++
	} else {
		f.ran[kernel]++
	}
	return !no
}

// view returns m, memory of the Fake, as main memory over its block (nil
// for nil): what dl.CPU's kernels take.
func (f *Fake) view(m *dl.Memory) *dl.Memory {
	if m == nil {
		return nil
	}
	v := &dl.Memory{Backend: dl.CPU, DType: m.DType, Len: m.Len}
	switch s := f.block("kernel", m).data.(type) {
	case []float32:
		v.F32 = s
	case []float64:
		v.F64 = s
	}
	return v
}

func (f *Fake) views(ms []*dl.Memory) []*dl.Memory {
	out := make([]*dl.Memory, len(ms))
	for i, m := range ms {
		out[i] = f.view(m)
	}
	return out
}

// Fill implements dl.Kernels with dl.CPU's kernel, as every method below.
func (f *Fake) Fill(dst *dl.Memory, v float64) bool {
	return f.runs("Fill", nil) && dl.CPU.Fill(f.view(dst), v)
}

func (f *Fake) Convert(dst, src *dl.Memory) bool {
	return f.runs("Convert", nil) && dl.CPU.Convert(f.view(dst), f.view(src))
}

func (f *Fake) Unary(op cpu.UnaryOp, dst, x *dl.Memory) bool {
	return f.runs("Unary", op) && dl.CPU.Unary(op, f.view(dst), f.view(x))
}

func (f *Fake) UnaryGrad(op cpu.GradOp, dst, g, v *dl.Memory) bool {
	return f.runs("UnaryGrad", op) && dl.CPU.UnaryGrad(op, f.view(dst), f.view(g), f.view(v))
}

func (f *Fake) Clamp(dst, x *dl.Memory, lo, hi float64) bool {
	return f.runs("Clamp", nil) && dl.CPU.Clamp(f.view(dst), f.view(x), lo, hi)
}

func (f *Fake) ClampGrad(dst, g, x *dl.Memory, lo, hi float64) bool {
	return f.runs("ClampGrad", nil) && dl.CPU.ClampGrad(f.view(dst), f.view(g), f.view(x), lo, hi)
}

func (f *Fake) Binary(op cpu.BinaryOp, dst, a, b *dl.Memory, shape, as, bs []int) bool {
	return f.runs("Binary", op) && dl.CPU.Binary(op, f.view(dst), f.view(a), f.view(b), shape, as, bs)
}

func (f *Fake) Select(dst, cond, a, b *dl.Memory, shape, cs, as, bs []int) bool {
	return f.runs("Select", nil) && dl.CPU.Select(f.view(dst), f.view(cond), f.view(a), f.view(b), shape, cs, as, bs)
}

func (f *Fake) AddScaled(dst *dl.Memory, alpha float64, x *dl.Memory) bool {
	return f.runs("AddScaled", nil) && dl.CPU.AddScaled(f.view(dst), alpha, f.view(x))
}

func (f *Fake) DivScalar(dst *dl.Memory, c float64) bool {
	return f.runs("DivScalar", nil) && dl.CPU.DivScalar(f.view(dst), c)
}

func (f *Fake) Reduce(op cpu.ReduceOp, dst, src *dl.Memory, shape []int, mask []bool) bool {
	return f.runs("Reduce", op) && dl.CPU.Reduce(op, f.view(dst), f.view(src), shape, mask)
}

func (f *Fake) ArgReduce(op cpu.ReduceOp, dst, x *dl.Memory, outer, n, inner int) bool {
	return f.runs("ArgReduce", op) && dl.CPU.ArgReduce(op, f.view(dst), f.view(x), outer, n, inner)
}

func (f *Fake) Gather(dst, src *dl.Memory, shape, strides []int, offset int) bool {
	return f.runs("Gather", nil) && dl.CPU.Gather(f.view(dst), f.view(src), shape, strides, offset)
}

func (f *Fake) ScatterAdd(dst, src *dl.Memory, shape, strides []int, offset int) bool {
	return f.runs("ScatterAdd", nil) && dl.CPU.ScatterAdd(f.view(dst), f.view(src), shape, strides, offset)
}

func (f *Fake) Take(dst, src *dl.Memory, offsets []int) bool {
	return f.runs("Take", nil) && dl.CPU.Take(f.view(dst), f.view(src), offsets)
}

func (f *Fake) PutAdd(dst, src *dl.Memory, offsets []int) bool {
	return f.runs("PutAdd", nil) && dl.CPU.PutAdd(f.view(dst), f.view(src), offsets)
}

func (f *Fake) Gemm(tA, tB bool, m, n, k int, a *dl.Memory, aOff, lda, strideA int, b *dl.Memory, bOff, ldb, strideB int,
	beta float64, c *dl.Memory, cOff, ldc, strideC int, batch int) bool {
	return f.runs("Gemm", nil) && dl.CPU.Gemm(tA, tB, m, n, k, f.view(a), aOff, lda, strideA, f.view(b), bOff, ldb, strideB,
		beta, f.view(c), cOff, ldc, strideC, batch)
}

func (f *Fake) GemmBias(tA, tB bool, m, n, k int, a *dl.Memory, lda int, b *dl.Memory, ldb int, bias, c *dl.Memory, ldc int) bool {
	return f.runs("GemmBias", nil) && dl.CPU.GemmBias(tA, tB, m, n, k, f.view(a), lda, f.view(b), ldb, f.view(bias), f.view(c), ldc)
}

func (f *Fake) Softmax(dst, x *dl.Memory, outer, n, inner int, log bool) bool {
	return f.runs("Softmax", nil) && dl.CPU.Softmax(f.view(dst), f.view(x), outer, n, inner, log)
}

func (f *Fake) SoftmaxGrad(dst, g, y *dl.Memory, outer, n, inner int, log, jvp bool) bool {
	return f.runs("SoftmaxGrad", nil) && dl.CPU.SoftmaxGrad(f.view(dst), f.view(g), f.view(y), outer, n, inner, log, jvp)
}

func (f *Fake) LogSumExp(dst, x *dl.Memory, outer, n, inner int) bool {
	return f.runs("LogSumExp", nil) && dl.CPU.LogSumExp(f.view(dst), f.view(x), outer, n, inner)
}

func (f *Fake) CrossEntropy(loss, lse, x, labels *dl.Memory, outer, n, inner int) bool {
	return f.runs("CrossEntropy", nil) && dl.CPU.CrossEntropy(f.view(loss), f.view(lse), f.view(x), f.view(labels), outer, n, inner)
}

func (f *Fake) CrossEntropyGrad(dst, x, labels, lse, g *dl.Memory, outer, n, inner int) bool {
	return f.runs("CrossEntropyGrad", nil) &&
		dl.CPU.CrossEntropyGrad(f.view(dst), f.view(x), f.view(labels), f.view(lse), f.view(g), outer, n, inner)
}

func (f *Fake) BCEWithLogits(loss, x, y *dl.Memory) bool {
	return f.runs("BCEWithLogits", nil) && dl.CPU.BCEWithLogits(f.view(loss), f.view(x), f.view(y))
}

func (f *Fake) BCEWithLogitsGrad(gx, gy, x, y, g *dl.Memory) bool {
	return f.runs("BCEWithLogitsGrad", nil) && dl.CPU.BCEWithLogitsGrad(f.view(gx), f.view(gy), f.view(x), f.view(y), f.view(g))
}

// Conv2d keeps, when asked to, a copy of x in memory of its own, as a
// device keeps its im2col matrix; Conv2dGrad then reads x from it.
func (f *Fake) Conv2d(out, x, w, b *dl.Memory, geom cpu.ConvShape, keep bool) (*dl.Memory, bool) {
	if !f.runs("Conv2d", nil) {
		return nil, false
	}
	dl.CPU.Conv2d(f.view(out), f.view(x), f.view(w), f.view(b), geom, false)
	if !keep {
		return nil, true
	}
	saved := f.Alloc(x.DType, x.Len)
	dl.CPU.Convert(f.view(saved), f.view(x))
	f.block("Conv2d", saved).kept = true
	f.mu.Lock()
	f.kept++
	f.mu.Unlock()
	return saved, true
}

func (f *Fake) Conv2dGrad(gx, gw, x, w, gy, saved *dl.Memory, geom cpu.ConvShape) bool {
	if !f.runs("Conv2dGrad", nil) {
		return false
	}
	if saved != nil {
		if saved.Len != x.Len || saved.DType != x.DType {
			panic(fmt.Sprintf("devicetest: Conv2dGrad got back %d elements of %v saved for an input of %d of %v",
				saved.Len, saved.DType, x.Len, x.DType))
		}
		x = saved
	}
	return dl.CPU.Conv2dGrad(f.view(gx), f.view(gw), f.view(x), f.view(w), f.view(gy), nil, geom)
}

func (f *Fake) MaxPool(dst, arg, x *dl.Memory, geom cpu.ConvShape) bool {
	return f.runs("MaxPool", nil) && dl.CPU.MaxPool(f.view(dst), f.view(arg), f.view(x), geom)
}

func (f *Fake) MaxPoolGrad(dst, gy, arg *dl.Memory, geom cpu.ConvShape) bool {
	return f.runs("MaxPoolGrad", nil) && dl.CPU.MaxPoolGrad(f.view(dst), f.view(gy), f.view(arg), geom)
}

func (f *Fake) MaxPoolPick(dst, x, arg *dl.Memory, geom cpu.ConvShape) bool {
	return f.runs("MaxPoolPick", nil) && dl.CPU.MaxPoolPick(f.view(dst), f.view(x), f.view(arg), geom)
}

func (f *Fake) AvgPool(dst, x *dl.Memory, geom cpu.ConvShape) bool {
	return f.runs("AvgPool", nil) && dl.CPU.AvgPool(f.view(dst), f.view(x), geom)
}

func (f *Fake) AvgPoolGrad(dst, gy *dl.Memory, geom cpu.ConvShape) bool {
	return f.runs("AvgPoolGrad", nil) && dl.CPU.AvgPoolGrad(f.view(dst), f.view(gy), geom)
}

func (f *Fake) Step(rule cpu.StepRule, ps, gs []*dl.Memory, states [][]*dl.Memory) bool {
	if !f.runs("Step", rule.Kind) {
		return false
	}
	hs := make([][]*dl.Memory, len(states))
	for i, s := range states {
		hs[i] = f.views(s)
	}
	return dl.CPU.Step(rule, f.views(ps), f.views(gs), hs)
}
