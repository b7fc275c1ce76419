package dl

import (
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// The value computations the ops share: each allocates its result on its
// operands' backend and runs one kernel there. They record nothing; the
// ops that call them record the graph.

// unary returns op(x) elementwise.
func unary(op cpu.UnaryOp, x *Tensor) *Tensor {
	out := x.likeRaw(slices.Clone(x.shape))
	if out.Len() > 0 {
		run(x.backend()).Unary(op, out.data, x.data)
	}
	return out
}

// gradTimes returns g·f′(v) elementwise by the rule op, v being the input
// or the output of the op as the rule reads it; g and v have one shape and
// dtype.
func gradTimes(op cpu.GradOp, g, v *Tensor) *Tensor {
	out := g.likeRaw(slices.Clone(v.shape))
	if out.Len() > 0 {
		run(deviceOf(op.String(), g, v)).UnaryGrad(op, out.data, g.data, v.data)
	}
	return out
}

// gradInPlace is gradTimes writing over g.
func gradInPlace(op cpu.GradOp, g, v *Tensor) {
	if g.Len() > 0 {
		run(deviceOf(op.String(), g, v)).UnaryGrad(op, g.data, g.data, v.data)
	}
}

// binary returns op(a, b) broadcast together; a and b share a dtype.
func binary(name string, op cpu.BinaryOp, a, b *Tensor) *Tensor {
	var shape []int
	if slices.Equal(a.shape, b.shape) {
		shape = slices.Clone(a.shape)
	} else {
		shape = broadcastShapes(name, a.shape, b.shape)
	}
	out := a.likeRaw(shape)
	if out.Len() == 0 {
		return out
	}
	var as, bs []int // nil: a and b have the result's shape
	if !slices.Equal(a.shape, b.shape) {
		as, bs = cpu.BroadcastStrides(a.shape, shape), cpu.BroadcastStrides(b.shape, shape)
	}
	run(deviceOf(name, a, b)).Binary(op, out.data, a.data, b.data, shape, as, bs)
	return out
}

// addInto adds src to dst elementwise in place; both have one length.
func addInto(dst, src *Tensor) {
	if dst.Len() > 0 {
		run(deviceOf("add", dst, src)).AddScaled(dst.data, 1, src.data)
	}
}

// reduceAxes returns the reduction op of x over the axes in mask, in
// keep-dim shape.
func reduceAxes(op cpu.ReduceOp, x *Tensor, mask []bool) *Tensor {
	out := x.likeRaw(keepShape(x.shape, mask))
	reduceInto(op, out, x, mask)
	return out
}

// reduceInto writes the reduction op of x over the axes in mask (every
// axis when mask is nil) to out.
func reduceInto(op cpu.ReduceOp, out, x *Tensor, mask []bool) {
	switch {
	case out.Len() == 0:
	case x.Len() == 0: // an empty sum
		run(x.backend()).Fill(out.data, 0)
	default:
		run(x.backend()).Reduce(op, out.data, x.data, x.shape, mask)
	}
}

// sumAxes returns the sum of x over the axes in mask, in keep-dim shape,
// accumulated in float64.
func sumAxes(x *Tensor, mask []bool) *Tensor { return reduceAxes(cpu.ReduceSum, x, mask) }

// divInPlace divides every element of t by c (in float64, rounded).
func divInPlace(t *Tensor, c float64) {
	if t.Len() > 0 {
		run(t.backend()).DivScalar(t.data, c)
	}
}

// zeroStrides returns rank strides of 0: a broadcast of one element.
func zeroStrides(rank int) []int {
	if rank <= len(zeros) {
		return zeros[:rank:rank]
	}
	return make([]int, rank)
}

// zeros backs zeroStrides; nothing writes it.
var zeros [8]int

// forEachIndex calls f with the flat position and the multi-index of every
// element of shape, in row-major order. idx is reused between calls. It
// serves index bookkeeping that runs once per op, not per-element math.
func forEachIndex(shape []int, f func(i int, idx []int)) {
	n := cpu.Numel(shape)
	idx := make([]int, len(shape))
	for i := 0; i < n; i++ {
		f(i, idx)
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// keepShape is shape with the reduced axes set to 1.
func keepShape(shape []int, mask []bool) []int {
	keep := slices.Clone(shape)
	for i, m := range mask {
		if m {
			keep[i] = 1
		}
	}
	return keep
}

// dropShape is shape without the reduced axes.
func dropShape(shape []int, mask []bool) []int {
	out := make([]int, 0, len(shape))
	for i, m := range mask {
		if !m {
			out = append(out, shape[i])
		}
	}
	return out
}

// withShape returns a tensor sharing x's values with another shape of the
// same size; it records nothing.
func withShape(x *Tensor, shape []int) *Tensor {
	return &Tensor{shape: shape, dtype: x.dtype, data: x.data, id: nextID()}
}

// permuteData copies x into a new tensor laid out with axes permuted.
func permuteData(x *Tensor, perm []int) *Tensor {
	outShape := make([]int, len(perm))
	for i, p := range perm {
		outShape[i] = x.shape[p]
	}
	out := x.likeRaw(outShape)
	inStrides := cpu.Strides(x.shape)
	st := make([]int, len(perm))
	for i, p := range perm {
		st[i] = inStrides[p]
	}
	copyStrided(out, x, outShape, st, 0)
	return out
}

// broadcastData returns x's values expanded to shape (a copy).
func broadcastData(x *Tensor, shape []int) *Tensor {
	out := x.likeRaw(slices.Clone(shape))
	copyStrided(out, x, shape, cpu.BroadcastStrides(x.shape, shape), 0)
	return out
}
