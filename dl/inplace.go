package dl

import (
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// Assign copies src's values into t in place and returns t: the one way a
// tensor's values change after it is made, for optimizer steps, running
// statistics and loading checkpoints. t must be a leaf (no recorded
// history) of src's shape; src is converted to t's dtype. Tensors computed
// from t before the assignment keep their values, but their recorded
// derivatives read the new values of t, so assign only between steps.
func (t *Tensor) Assign(src *Tensor) *Tensor {
	if t.node != nil {
		panicf("Assign", "tensor of shape %v was computed by %s; only leaves can be assigned", t.shape, t.node.op.name)
	}
	if !slices.Equal(t.shape, src.shape) {
		panicf("Assign", "shapes %v and %v differ", t.shape, src.shape)
	}
	src = src.Detach().AsType(t.dtype).To(t.Device())
	copyData(t, src)
	t.hasLiteral = false
	return t
}

// AssignFloat64s copies src's values into t in place from its offset-th
// element on (row-major), rounding them to t's dtype, and returns t:
// Assign from a slice, without making a tensor, for optimizers that keep
// their arithmetic in float64 and work through a parameter piece by piece.
// t must be a leaf, and offset + len(src) at most its number of elements.
func (t *Tensor) AssignFloat64s(offset int, src []float64) *Tensor {
	if t.node != nil {
		panicf("AssignFloat64s", "tensor of shape %v was computed by %s; only leaves can be assigned", t.shape, t.node.op.name)
	}
	if offset < 0 || offset+len(src) > t.Len() {
		panicf("AssignFloat64s", "%d values from element %d do not fit a tensor of shape %v (%d elements)", len(src), offset, t.shape, t.Len())
	}
	h := hostOf(t) // t itself on the CPU
	if h.dtype == Float32 {
		cpu.Convert(h.data.F32[offset:offset+len(src)], src)
	} else {
		copy(h.data.F64[offset:], src)
	}
	if h != t && t.Len() > 0 {
		t.backend().Upload(t.data, h.data.Values())
	}
	t.hasLiteral = false
	return t
}

// ReadFloat64s copies len(dst) of t's values from its offset-th element on
// (row-major), converted to float64, into dst: Float64s into a buffer the
// caller keeps. offset + len(dst) must be at most t's number of elements.
func (t *Tensor) ReadFloat64s(offset int, dst []float64) {
	if offset < 0 || offset+len(dst) > t.Len() {
		panicf("ReadFloat64s", "%d values from element %d do not fit a tensor of shape %v (%d elements)", len(dst), offset, t.shape, t.Len())
	}
	t = hostOf(t)
	if t.dtype == Float32 {
		cpu.Convert(dst, t.data.F32[offset:offset+len(dst)])
	} else {
		copy(dst, t.data.F64[offset:])
	}
}

// AssignAddScaled adds alpha·x to t in place, element by element,
// computing t + alpha·x in float64 and rounding it to t's dtype, and
// returns t: a plain gradient step θ ← θ − η·g in one pass. t must be a
// leaf of x's shape; x may have either dtype.
func (t *Tensor) AssignAddScaled(alpha float64, x *Tensor) *Tensor {
	if t.node != nil {
		panicf("AssignAddScaled", "tensor of shape %v was computed by %s; only leaves can be assigned", t.shape, t.node.op.name)
	}
	if !slices.Equal(t.shape, x.shape) {
		panicf("AssignAddScaled", "shapes %v and %v differ", t.shape, x.shape)
	}
	if t.Len() > 0 {
		run(deviceOf("AssignAddScaled", t, x)).AddScaled(t.data, alpha, x.data)
	}
	t.hasLiteral = false
	return t
}
