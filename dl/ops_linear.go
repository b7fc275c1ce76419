package dl

import (
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// Linear returns x·wᵀ + b, the affine map of a fully connected layer, as
// PyTorch's F.linear: x [… in], w [out in], b [out] or nil; the result is
// [… out]. It is one op, so the weight is never transposed in memory and
// the bias is added in place.
func Linear(x, w, b *Tensor) *Tensor {
	if x == nil || w == nil {
		panicf("Linear", "input or weight is nil")
	}
	if len(w.shape) != 2 {
		panicf("Linear", "weight of shape %v is not [out in]", w.shape)
	}
	if len(x.shape) == 0 || x.shape[len(x.shape)-1] != w.shape[1] {
		panicf("Linear", "input of shape %v does not end in the weight's %d inputs (weight %v)", x.shape, w.shape[1], w.shape)
	}
	out, in := w.shape[0], w.shape[1]
	if b != nil && (len(b.shape) != 1 || b.shape[0] != out) {
		panicf("Linear", "bias of shape %v does not match weight %v", b.shape, w.shape)
	}
	if x.dtype != w.dtype || (b != nil && b.dtype != w.dtype) {
		panicf("Linear", "input %v, weight %v and bias must share a dtype", x.dtype, w.dtype)
	}
	n := x.Len() / max(in, 1)
	if in == 0 {
		n = cpu.Numel(x.shape[:len(x.shape)-1])
	}
	shape := append(slices.Clone(x.shape[:len(x.shape)-1]), out)
	x2 := withShape(x, []int{n, in})
	y := affine(x2, w, b)
	y.shape = shape
	if !tracking(x, w, b) {
		return y
	}
	inputs := []*Tensor{x, w}
	op := opLinear
	if b != nil {
		inputs, op = append(inputs, b), opLinearBias
	}
	return record(y, op, inputs, "",
		func(g *Tensor) []*Tensor {
			g2 := withShape(g, []int{n, out})
			grads := make([]*Tensor, len(inputs))
			if x.RequiresGrad() {
				gx := gemm(g2, w, false, false)
				gx.shape = slices.Clone(x.shape)
				grads[0] = gx
			}
			if w.RequiresGrad() {
				grads[1] = gemm(g2, x2, true, false)
			}
			if b != nil && b.RequiresGrad() {
				gb := sumAxes(g2, []bool{true, false})
				gb.shape = []int{out}
				grads[2] = gb
			}
			return grads
		},
		func(t []*Tensor) *Tensor {
			ty := gemm(withShape(t[0], []int{n, in}), w, false, true).Add(gemm(x2, t[1], false, true))
			if b != nil {
				ty = ty.Add(t[2])
			}
			return withShape(ty, slices.Clone(shape))
		})
}

// affine computes x·wᵀ (+ b) for x [n in] without recording.
func affine(x, w, b *Tensor) *Tensor {
	dev := deviceOf("Linear", x, w, b)
	if b == nil {
		return gemm(x, w, false, true)
	}
	n, in, out := x.shape[0], x.shape[1], w.shape[0]
	y := x.likeRaw([]int{n, out})
	switch {
	case y.Len() == 0:
	case in == 0: // the product is zero: the bias alone
		copyStrided(y, b, y.shape, []int{0, 1}, 0)
	default:
		run(dev).GemmBias(false, true, n, out, in, x.data, in, w.data, in, b.data, y.data, out)
	}
	return y
}
