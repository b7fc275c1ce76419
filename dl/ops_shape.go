package dl

import (
	"fmt"
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// Reshape returns x with a new shape of the same size; one dimension may be
// −1 and is then inferred.
func (x *Tensor) Reshape(shape ...int) *Tensor {
	shape = slices.Clone(shape)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panicf("Reshape", "cannot reshape %v to %v: bad dimension %d", x.shape, shape, d)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || x.Len()%known != 0 {
			panicf("Reshape", "cannot reshape %v (%d elements) to %v", x.shape, x.Len(), shape)
		}
		shape[infer] = x.Len() / known
	}
	if cpu.Numel(shape) != x.Len() {
		panicf("Reshape", "cannot reshape %v (%d elements) to %v (%d elements)", x.shape, x.Len(), shape, cpu.Numel(shape))
	}
	out := withShape(x, shape)
	if !tracking(x) {
		return out
	}
	return record(out, opReshape, []*Tensor{x}, fmt.Sprint(shape),
		func(g *Tensor) []*Tensor { return []*Tensor{withShape(g, slices.Clone(x.shape))} },
		func(t []*Tensor) *Tensor { return withShape(t[0], slices.Clone(shape)) })
}

// Flatten returns x as a 1-D tensor.
func (x *Tensor) Flatten() *Tensor { return x.Reshape(-1) }

// Unsqueeze inserts an axis of size 1 at position axis.
func (x *Tensor) Unsqueeze(axis int) *Tensor {
	axis = normInsertAxis("Unsqueeze", axis, x.shape)
	return x.Reshape(slices.Insert(slices.Clone(x.shape), axis, 1)...)
}

// Squeeze removes the given axes of size 1 (all of them when none given).
func (x *Tensor) Squeeze(axes ...int) *Tensor {
	var mask []bool
	if len(axes) == 0 {
		mask = make([]bool, len(x.shape))
		for i, d := range x.shape {
			mask[i] = d == 1
		}
	} else {
		mask = normAxes("Squeeze", axes, x.shape)
		for i, m := range mask {
			if m && x.shape[i] != 1 {
				panicf("Squeeze", "axis %d of shape %v has size %d, not 1", i, x.shape, x.shape[i])
			}
		}
	}
	return x.Reshape(dropShape(x.shape, mask)...)
}

// BroadcastTo returns x expanded to shape by NumPy's broadcasting rules.
func (x *Tensor) BroadcastTo(shape ...int) *Tensor {
	shape = checkShape("BroadcastTo", shape)
	if b := broadcastShapes("BroadcastTo", x.shape, shape); !slices.Equal(b, shape) {
		panicf("BroadcastTo", "cannot broadcast %v to %v", x.shape, shape)
	}
	out := broadcastData(x, shape)
	if !tracking(x) {
		return out
	}
	return record(out, opBroadcast, []*Tensor{x}, fmt.Sprint(shape),
		func(g *Tensor) []*Tensor { return []*Tensor{sumTo(g, x.shape)} },
		func(t []*Tensor) *Tensor { return broadcastData(t[0], shape) })
}

// Transpose with no arguments swaps the last two axes (a matrix transpose,
// batched); with two axes it swaps those.
func (x *Tensor) Transpose(axes ...int) *Tensor {
	r := len(x.shape)
	var a, b int
	switch len(axes) {
	case 0:
		if r < 2 {
			panicf("Transpose", "tensor of shape %v has fewer than 2 axes", x.shape)
		}
		a, b = r-2, r-1
	case 2:
		a, b = normAxis("Transpose", axes[0], x.shape), normAxis("Transpose", axes[1], x.shape)
	default:
		panicf("Transpose", "want 0 or 2 axes, got %v", axes)
	}
	perm := make([]int, r)
	for i := range perm {
		perm[i] = i
	}
	perm[a], perm[b] = b, a
	return x.Permute(perm...)
}

// T is Transpose(): the (batched) matrix transpose.
func (x *Tensor) T() *Tensor { return x.Transpose() }

// Permute reorders the axes: axis i of the result is axis perm[i] of x.
func (x *Tensor) Permute(perm ...int) *Tensor {
	if len(perm) != len(x.shape) {
		panicf("Permute", "permutation %v does not match shape %v", perm, x.shape)
	}
	perm = slices.Clone(perm)
	inv := make([]int, len(perm))
	seen := make([]bool, len(perm))
	for i, p := range perm {
		p = normAxis("Permute", p, x.shape)
		if seen[p] {
			panicf("Permute", "%v is not a permutation of the axes of %v", perm, x.shape)
		}
		seen[p], perm[i], inv[p] = true, p, i
	}
	out := permuteData(x, perm)
	if !tracking(x) {
		return out
	}
	return record(out, opPermute, []*Tensor{x}, fmt.Sprint(perm),
		func(g *Tensor) []*Tensor { return []*Tensor{permuteData(g, inv)} },
		func(t []*Tensor) *Tensor { return permuteData(t[0], perm) })
}

// Slice returns the elements start ≤ i < stop along axis. Negative start
// and stop count from the end, as in Python.
func (x *Tensor) Slice(axis, start, stop int) *Tensor {
	axis = normAxis("Slice", axis, x.shape)
	n := x.shape[axis]
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if start < 0 || stop > n || start > stop {
		panicf("Slice", "range [%d:%d] is out of bounds for axis %d of shape %v", start, stop, axis, x.shape)
	}
	shape := slices.Clone(x.shape)
	shape[axis] = stop - start
	strides := cpu.Strides(x.shape)
	offset := start * strides[axis]
	out := x.like(shape)
	copyStrided(out, x, shape, strides, offset)
	if !tracking(x) {
		return out
	}
	return record(out, opSlice, []*Tensor{x}, fmt.Sprintf("axis=%d, %d:%d", axis, start, stop),
		func(g *Tensor) []*Tensor {
			gx := x.like(slices.Clone(x.shape))
			addStrided(gx, g, shape, strides, offset)
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor {
			o := x.like(slices.Clone(shape))
			copyStrided(o, t[0], shape, strides, offset)
			return o
		})
}

// copyStrided fills dst (shape, row-major) from src read at
// offset + Σ idx·strides.
func copyStrided(dst, src *Tensor, shape, strides []int, offset int) {
	if dst.Len() > 0 {
		run(deviceOf("copy", dst, src)).Gather(dst.data, src.data, shape, strides, offset)
	}
}

// addStrided adds src (shape, row-major) into dst at offset + Σ idx·strides.
func addStrided(dst, src *Tensor, shape, strides []int, offset int) {
	if src.Len() > 0 {
		run(deviceOf("add", dst, src)).ScatterAdd(dst.data, src.data, shape, strides, offset)
	}
}

// Index selects x[i₀, i₁, …] along the leading axes, dropping them; negative
// indices count from the end.
func (x *Tensor) Index(index ...int) *Tensor {
	if len(index) > len(x.shape) {
		panicf("Index", "%d indices for a tensor of shape %v", len(index), x.shape)
	}
	offset := 0
	idx := slices.Clone(index)
	for i, ix := range idx {
		if ix < 0 {
			ix += x.shape[i]
		}
		if ix < 0 || ix >= x.shape[i] {
			panicf("Index", "index %v is out of range for shape %v", index, x.shape)
		}
		idx[i] = ix
		offset = offset*x.shape[i] + ix
	}
	shape := slices.Clone(x.shape[len(idx):])
	n := cpu.Numel(shape)
	offset *= n
	out := x.like(shape)
	copyStrided(out, x, []int{n}, []int{1}, offset)
	if !tracking(x) {
		return out
	}
	return record(out, opIndex, []*Tensor{x}, fmt.Sprint(idx),
		func(g *Tensor) []*Tensor {
			gx := x.like(slices.Clone(x.shape))
			addStrided(gx, g, []int{n}, []int{1}, offset)
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor {
			o := x.like(slices.Clone(shape))
			copyStrided(o, t[0], []int{n}, []int{1}, offset)
			return o
		})
}

// Concat joins tensors of one dtype along axis; their other axes must match.
func Concat(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panicf("Concat", "no tensors to join")
	}
	first := ts[0]
	axis = normAxis("Concat", axis, first.shape)
	shape := slices.Clone(first.shape)
	shape[axis] = 0
	for _, t := range ts {
		if t.dtype != first.dtype {
			panicf("Concat", "dtypes %v and %v differ", first.dtype, t.dtype)
		}
		if len(t.shape) != len(first.shape) {
			panicf("Concat", "shapes %v and %v differ in rank", first.shape, t.shape)
		}
		for d := range t.shape {
			if d != axis && t.shape[d] != first.shape[d] {
				panicf("Concat", "shapes %v and %v differ outside axis %d", first.shape, t.shape, axis)
			}
		}
		shape[axis] += t.shape[axis]
	}
	out := first.like(shape)
	outStrides := cpu.Strides(shape)
	offsets := make([]int, len(ts))
	place := func(dst *Tensor, parts []*Tensor) {
		for i, t := range parts {
			addStrided(dst, t, t.shape, outStrides, offsets[i])
		}
	}
	at := 0
	for i, t := range ts {
		offsets[i] = at * outStrides[axis]
		at += t.shape[axis]
	}
	place(out, ts)
	if !tracking(ts...) {
		return out
	}
	inputs := slices.Clone(ts)
	return record(out, opConcatFor(len(ts)), inputs, fmt.Sprintf("axis=%d", axis),
		func(g *Tensor) []*Tensor {
			parts := make([]*Tensor, len(inputs))
			for i, t := range inputs {
				parts[i] = t.like(slices.Clone(t.shape))
				copyStrided(parts[i], g, t.shape, outStrides, offsets[i])
			}
			return parts
		},
		func(tg []*Tensor) *Tensor {
			o := first.like(slices.Clone(shape))
			place(o, tg)
			return o
		})
}

// Stack joins tensors of one shape along a new axis.
func Stack(axis int, ts ...*Tensor) *Tensor {
	if len(ts) == 0 {
		panicf("Stack", "no tensors to stack")
	}
	axis = normInsertAxis("Stack", axis, ts[0].shape)
	parts := make([]*Tensor, len(ts))
	for i, t := range ts {
		if !slices.Equal(t.shape, ts[0].shape) {
			panicf("Stack", "shapes %v and %v differ", ts[0].shape, t.shape)
		}
		if t.dtype != ts[0].dtype {
			panicf("Stack", "dtypes %v %v and %v %v differ", ts[0].dtype, ts[0].shape, t.dtype, t.shape)
		}
		parts[i] = t.Unsqueeze(axis)
	}
	return Concat(axis, parts...)
}
