package dl

import (
	"slices"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/gradbook/gradbook/dl/cpu"
)

// Tensor is an n-dimensional array of float32 or float64 values, stored
// row-major, that remembers how it was computed when a gradient is needed.
//
// A tensor's values never change after it is made, except through the
// explicit in-place methods that optimizers use; this is what makes the
// recorded graph safe to read for backward, traces and drawings.
type Tensor struct {
	shape []int
	dtype DType
	data  *Memory // cpu.Numel(shape) elements
	name  string
	id    uint64 // creation order: traces number inputs by it

	requiresGrad bool
	grad         *Tensor
	node         *node   // how this tensor was computed; nil for a leaf
	tangent      *Tensor // forward-mode derivative, set inside JVP

	// literal is the exact value a scalar was made from: a float32 scalar
	// meeting a float64 tensor takes this value, not its float32 rounding,
	// as a Python number does in PyTorch.
	literal    float64
	hasLiteral bool

	// The reverse sweep's scratch (see backward): the sweep that last
	// visited the tensor, its adjoint so far, and whether that adjoint's
	// values are the sweep's own to change. consumable marks an adjoint
	// that the rule it is passed to may overwrite.
	adjOwned   bool
	consumable bool
	mark       uint64
	adj        *Tensor
}

var lastID atomic.Uint64

func nextID() uint64 { return lastID.Add(1) }

func newTensor(d DType, shape []int) *Tensor {
	n := cpu.Numel(shape)
	if n <= smallLen {
		return newSmall(d, shape, n)
	}
	if d == Float32 {
		return newCPUTensor(shape, Float32, cpu.GetZeroed[float32](n), nil)
	}
	return newCPUTensor(shape, Float64, nil, cpu.GetZeroed[float64](n))
}

// newTensorRaw is newTensor with arbitrary contents, for kernels that
// write every element.
func newTensorRaw(d DType, shape []int) *Tensor {
	n := cpu.Numel(shape)
	if n <= smallLen {
		return newSmall(d, shape, n)
	}
	if d == Float32 {
		return newCPUTensor(shape, Float32, cpu.Get[float32](n), nil)
	}
	return newCPUTensor(shape, Float64, nil, cpu.Get[float64](n))
}

// cpuTensor is a tensor in main memory with its Memory: one allocation.
type cpuTensor struct {
	t Tensor
	m Memory
}

// newCPUTensor returns a tensor of shape and dtype d holding f32 or f64,
// as d says (the other nil).
func newCPUTensor(shape []int, d DType, f32 []float32, f64 []float64) *Tensor {
	n := len(f32)
	if d == Float64 {
		n = len(f64)
	}
	c := &cpuTensor{}
	c.m.Backend, c.m.DType, c.m.Len, c.m.F32, c.m.F64 = CPU, d, n, f32, f64
	c.t.init(shape, d, &c.m)
	return &c.t
}

// init sets the fields of a new tensor, zero until now.
func (t *Tensor) init(shape []int, d DType, m *Memory) {
	t.shape, t.dtype, t.data, t.id = shape, d, m, nextID()
}

// smallLen is the size up to which a tensor's values live in the same
// allocation as the tensor: scalars and tiny tensors cost one allocation.
const smallLen = 4

type small32 struct {
	t   Tensor
	m   Memory
	buf [smallLen]float32
}

type small64 struct {
	t   Tensor
	m   Memory
	buf [smallLen]float64
}

// newSmall returns a zero tensor of n ≤ smallLen elements.
func newSmall(d DType, shape []int, n int) *Tensor {
	// Fields are set one by one on the zeroed allocation: a whole struct
	// literal would clear it a second time.
	switch d {
	case Float32:
		s := &small32{}
		s.m.Backend, s.m.DType, s.m.Len, s.m.F32 = CPU, d, n, s.buf[:n:n]
		s.t.init(shape, d, &s.m)
		return &s.t
	case Float64:
		s := &small64{}
		s.m.Backend, s.m.DType, s.m.Len, s.m.F64 = CPU, d, n, s.buf[:n:n]
		s.t.init(shape, d, &s.m)
		return &s.t
	}
	panicf("alloc", "unknown dtype %d", int(d))
	return nil
}

// Shape returns a copy of t's shape.
func (t *Tensor) Shape() []int { return slices.Clone(t.shape) }

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Len returns the number of elements.
func (t *Tensor) Len() int { return cpu.Numel(t.shape) }

// Dim returns the size of axis i (negative counts from the end).
func (t *Tensor) Dim(i int) int { return t.shape[normAxis("Dim", i, t.shape)] }

// DType returns t's element type.
func (t *Tensor) DType() DType { return t.dtype }

// Named gives t a name that trace tables, graphs and error messages show.
// Naming a leaf tensor also makes it a variable: it will require a gradient,
// as the named inputs of an expression do in the lecture. Call
// SetRequiresGrad(false) afterwards for a named constant.
func (t *Tensor) Named(name string) *Tensor {
	t.name = name
	if t.node == nil {
		t.requiresGrad = true
	}
	return t
}

// Name returns the name given by Named, or "".
func (t *Tensor) Name() string { return t.name }

// Item returns the value of a one-element tensor.
func (t *Tensor) Item() float64 {
	if t.Len() != 1 {
		panicf("Item", "tensor of shape %v has %d elements, not 1", t.shape, t.Len())
	}
	return t.at(0)
}

// Float64s returns a copy of t's values as float64, in row-major order.
func (t *Tensor) Float64s() []float64 {
	t = hostOf(t)
	out := make([]float64, t.Len())
	if t.dtype == Float32 {
		cpu.Convert(out, t.data.F32)
	} else {
		copy(out, t.data.F64)
	}
	return out
}

// Float32s returns a copy of t's values as float32, in row-major order.
func (t *Tensor) Float32s() []float32 {
	t = hostOf(t)
	out := make([]float32, t.Len())
	if t.dtype == Float32 {
		copy(out, t.data.F32)
	} else {
		cpu.Convert(out, t.data.F64)
	}
	return out
}

// At returns the element at the given index (one per axis).
func (t *Tensor) At(index ...int) float64 {
	if len(index) != len(t.shape) {
		panicf("At", "%d indices for a tensor of shape %v", len(index), t.shape)
	}
	off := 0
	for i, ix := range index {
		if ix < 0 || ix >= t.shape[i] {
			panicf("At", "index %v is out of range for shape %v", index, t.shape)
		}
		off = off*t.shape[i] + ix
	}
	return t.at(off)
}

func (t *Tensor) at(i int) float64 {
	if m := hostOf(t).data; m.DType == Float32 {
		return float64(m.F32[i])
	} else {
		return m.F64[i]
	}
}

// set writes element i of a tensor in main memory.
func (t *Tensor) set(i int, v float64) {
	if t.dtype == Float32 {
		t.data.F32[i] = float32(v)
	} else {
		t.data.F64[i] = v
	}
}

// FromMat returns a Float64 tensor of shape [rows cols] holding a copy of m.
func FromMat(m mat.Matrix) *Tensor {
	r, c := m.Dims()
	t := Float64.Zeros(r, c)
	s := t.data.F64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s[i*c+j] = m.At(i, j)
		}
	}
	return t
}

// Mat returns a copy of a rank-2 tensor as a gonum matrix.
func (t *Tensor) Mat() *mat.Dense {
	if len(t.shape) != 2 {
		panicf("Mat", "tensor of shape %v is not a matrix", t.shape)
	}
	if t.Len() == 0 { // gonum has no empty matrices: it would panic itself
		panicf("Mat", "tensor of shape %v is empty; a gonum matrix cannot be", t.shape)
	}
	return mat.NewDense(t.shape[0], t.shape[1], t.Float64s())
}

// AsType returns t converted to dtype d (t itself when it already is).
// The conversion is differentiable: the gradient converts back.
func (t *Tensor) AsType(d DType) *Tensor {
	if t.dtype == d {
		return t
	}
	out := newOn(t.backend(), d, slices.Clone(t.shape), false)
	if out.Len() > 0 {
		run(t.backend()).Convert(out.data, t.data)
	}
	if !tracking(t) {
		return out
	}
	src := t.dtype
	return record(out, opCast, []*Tensor{t}, d.String(),
		func(g *Tensor) []*Tensor { return []*Tensor{g.AsType(src)} },
		func(td []*Tensor) *Tensor { return td[0].AsType(d) })
}

// Detach returns a tensor that shares t's values but has no history and
// requires no gradient.
func (t *Tensor) Detach() *Tensor {
	return &Tensor{shape: t.shape, dtype: t.dtype, data: t.data, name: t.name, id: nextID()}
}

// Clone returns a copy of t's values as a new leaf with no history.
func (t *Tensor) Clone() *Tensor {
	out := t.likeRaw(slices.Clone(t.shape))
	copyData(out, t)
	return out
}

// copyData copies src's values over dst's; same shape and dtype.
func copyData(dst, src *Tensor) {
	if dst.Len() > 0 {
		run(deviceOf("copy", dst, src)).Convert(dst.data, src.data)
	}
}

// like returns a fresh zero tensor with t's dtype and the given shape.
func (t *Tensor) like(shape []int) *Tensor { return newOn(t.backend(), t.dtype, shape, true) }

// likeRaw is like with arbitrary contents, for kernels that write every
// element.
func (t *Tensor) likeRaw(shape []int) *Tensor { return newOn(t.backend(), t.dtype, shape, false) }
