package dl

import "slices"

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
	src = src.Detach().AsType(t.dtype)
	if src.backend() != t.backend() {
		src = moveData(src, t.backend())
	}
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
	if t.backend() != nil {
		h := hostOf(t)
		h.AssignFloat64s(offset, src)
		writeBack(t, h)
		return t
	}
	switch s := t.data.(type) {
	case []float32:
		d := s[offset : offset+len(src)]
		for i, v := range src {
			d[i] = float32(v)
		}
	case []float64:
		copy(s[offset:], src)
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
	switch s := t.data.(type) {
	case []float32:
		for i, v := range s[offset : offset+len(dst)] {
			dst[i] = float64(v)
		}
	case []float64:
		copy(dst, s[offset:])
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
	if b := deviceOf("AssignAddScaled", t, x); b != nil {
		if t.Len() > 0 && !b.AddScaled(t.mem(), alpha, x.mem()) {
			h := hostOf(t)
			h.AssignAddScaled(alpha, hostOf(x))
			writeBack(t, h)
		}
		t.hasLiteral = false
		return t
	}
	switch d := t.data.(type) {
	case []float32:
		switch s := x.data.(type) {
		case []float32:
			addScaled(d, alpha, s)
		case []float64:
			addScaled(d, alpha, s)
		}
	case []float64:
		switch s := x.data.(type) {
		case []float32:
			addScaled(d, alpha, s)
		case []float64:
			addScaled(d, alpha, s)
		}
	}
	t.hasLiteral = false
	return t
}

func addScaled[T, U float](dst []T, alpha float64, x []U) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = T(float64(dst[i]) + alpha*float64(v))
	}
}
