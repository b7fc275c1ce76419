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
	copyData(t, src.AsType(t.dtype))
	t.hasLiteral = false
	return t
}
