package dl

import (
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl/cpu"
)

// DType is the element type of a tensor.
type DType uint8

const (
	// Float32 is the default element type, as in PyTorch.
	Float32 DType = iota
	// Float64 is for work where digits matter: gradient checks, trace tables
	// with many digits, reference values.
	Float64
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return "DType(" + itoa(int(d)) + ")"
}

// Scalar returns a rank-0 tensor of dtype d holding v.
func (d DType) Scalar(v float64) *Tensor { return d.Full(v) }

// Zeros returns a tensor of dtype d filled with 0.
func (d DType) Zeros(shape ...int) *Tensor {
	shape = checkShape("Zeros", shape)
	return newTensor(d, shape)
}

// Ones returns a tensor of dtype d filled with 1.
func (d DType) Ones(shape ...int) *Tensor { return d.full("Ones", 1, shape) }

// Full returns a tensor of dtype d filled with v.
func (d DType) Full(v float64, shape ...int) *Tensor { return d.full("Full", v, shape) }

// full is Full for op, the name a bad shape's error shows.
func (d DType) full(op string, v float64, shape []int) *Tensor {
	t := newTensor(d, checkShape(op, shape))
	CPU.Fill(t.data, v)
	if len(shape) == 0 {
		t.literal, t.hasLiteral = v, true
	}
	return t
}

// Arange returns the 1-D tensor start, start+step, ... up to but excluding
// stop, as NumPy's arange.
func (d DType) Arange(start, stop, step float64) *Tensor {
	if step == 0 || (stop-start)*step < 0 && stop != start {
		panicf("Arange", "cannot step from %g to %g by %g", start, stop, step)
	}
	n := 0
	if stop != start {
		c := ceil((stop - start) / step)
		if !(c >= 0 && c <= 1<<48) { // NaN, infinite, or beyond any memory
			panicf("Arange", "cannot step from %g to %g by %g", start, stop, step)
		}
		n = int(c)
	}
	t := d.Zeros(n)
	for i := 0; i < n; i++ {
		t.set(i, start+float64(i)*step)
	}
	return t
}

// Rand returns a tensor of dtype d with values drawn uniformly from [0, 1).
func (d DType) Rand(rng *rand.Rand, shape ...int) *Tensor {
	t := newTensor(d, checkShape("Rand", shape))
	for i := 0; i < t.Len(); i++ {
		t.set(i, rng.Float64())
	}
	return t
}

// Randn returns a tensor of dtype d with values drawn from the standard normal
// distribution.
func (d DType) Randn(rng *rand.Rand, shape ...int) *Tensor {
	t := newTensor(d, checkShape("Randn", shape))
	for i := 0; i < t.Len(); i++ {
		t.set(i, rng.NormFloat64())
	}
	return t
}

// Scalar returns a rank-0 Float32 tensor holding v.
// Use Float64.Scalar for a Float64 one.
func Scalar(v float64) *Tensor { return Float32.Scalar(v) }

// Zeros returns a Float32 tensor of the given shape filled with 0.
func Zeros(shape ...int) *Tensor { return Float32.Zeros(shape...) }

// Ones returns a Float32 tensor of the given shape filled with 1.
func Ones(shape ...int) *Tensor { return Float32.Ones(shape...) }

// Full returns a Float32 tensor of the given shape filled with v.
func Full(v float64, shape ...int) *Tensor { return Float32.Full(v, shape...) }

// Arange returns the Float32 1-D tensor start, start+step, ... < stop.
func Arange(start, stop, step float64) *Tensor { return Float32.Arange(start, stop, step) }

// Rand returns a Float32 tensor with values uniform in [0, 1).
func Rand(rng *rand.Rand, shape ...int) *Tensor { return Float32.Rand(rng, shape...) }

// Randn returns a Float32 tensor with standard normal values.
func Randn(rng *rand.Rand, shape ...int) *Tensor { return Float32.Randn(rng, shape...) }

// FromSlice returns a tensor holding data (not copied) with the given shape;
// the dtype follows the slice. With no shape the tensor is 1-D.
func FromSlice[T float32 | float64](data []T, shape ...int) *Tensor {
	if len(shape) == 0 {
		shape = []int{len(data)}
	}
	shape = checkShape("FromSlice", shape)
	if n := cpu.Numel(shape); n != len(data) {
		panicf("FromSlice", "%d values do not fill shape %v (%d elements)", len(data), shape, n)
	}
	if f, ok := any(data).([]float32); ok {
		return newCPUTensor(shape, Float32, f, nil)
	}
	return newCPUTensor(shape, Float64, nil, any(data).([]float64))
}
