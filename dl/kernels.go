package dl

import "slices"

// The kernels here compute values only; the ops that call them record the
// graph. Each is written once over T and dispatched on the dtype.

// mapUnary returns f applied to every element of x.
func mapUnary(x *Tensor, f func(float64) float64) *Tensor {
	out := x.like(slices.Clone(x.shape))
	switch s := x.data.(type) {
	case []float32:
		unaryKernel(values[float32](out), s, f)
	case []float64:
		unaryKernel(values[float64](out), s, f)
	}
	return out
}

func unaryKernel[T float](dst, src []T, f func(float64) float64) {
	for i, v := range src {
		dst[i] = T(f(float64(v)))
	}
}

// zip returns f applied elementwise to a and b broadcast together. a and b
// must share a dtype.
func zip(op string, a, b *Tensor, f func(x, y float64) float64) *Tensor {
	shape := broadcastShapes(op, a.shape, b.shape)
	out := a.like(shape)
	switch s := a.data.(type) {
	case []float32:
		zipKernel(values[float32](out), s, values[float32](b), shape, a.shape, b.shape, f)
	case []float64:
		zipKernel(values[float64](out), s, values[float64](b), shape, a.shape, b.shape, f)
	}
	return out
}

func zipKernel[T float](dst, a, b []T, shape, aShape, bShape []int, f func(x, y float64) float64) {
	switch {
	case len(a) == len(dst) && len(b) == len(dst):
		for i := range dst {
			dst[i] = T(f(float64(a[i]), float64(b[i])))
		}
	case len(b) == 1 && len(a) == len(dst):
		y := float64(b[0])
		for i := range dst {
			dst[i] = T(f(float64(a[i]), y))
		}
	case len(a) == 1 && len(b) == len(dst):
		x := float64(a[0])
		for i := range dst {
			dst[i] = T(f(x, float64(b[i])))
		}
	default:
		as, bs := broadcastStrides(aShape, shape), broadcastStrides(bShape, shape)
		forEachIndex(shape, func(i int, idx []int) {
			ia, ib := 0, 0
			for d, x := range idx {
				ia += x * as[d]
				ib += x * bs[d]
			}
			dst[i] = T(f(float64(a[ia]), float64(b[ib])))
		})
	}
}

// forEachIndex calls f with the flat position and the multi-index of every
// element of shape, in row-major order. idx is reused between calls.
func forEachIndex(shape []int, f func(i int, idx []int)) {
	n := numel(shape)
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

// reduce folds x over the axes in mask into a tensor of keep-dim shape,
// starting every output element at init.
func reduce(x *Tensor, mask []bool, init float64, f func(acc, v float64) float64) *Tensor {
	keep := keepShape(x.shape, mask)
	out := x.dtype.Full(init, keep...)
	os := broadcastStrides(keep, x.shape)
	switch s := x.data.(type) {
	case []float32:
		reduceKernel(values[float32](out), s, x.shape, os, f)
	case []float64:
		reduceKernel(values[float64](out), s, x.shape, os, f)
	}
	return out
}

func reduceKernel[T float](dst, src []T, shape, dstStrides []int, f func(acc, v float64) float64) {
	if len(dst) == 1 {
		acc := float64(dst[0])
		for _, v := range src {
			acc = f(acc, float64(v))
		}
		dst[0] = T(acc)
		return
	}
	forEachIndex(shape, func(i int, idx []int) {
		o := 0
		for d, x := range idx {
			o += x * dstStrides[d]
		}
		dst[o] = T(f(float64(dst[o]), float64(src[i])))
	})
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
	var out []int
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

// permuteKernel copies src (shape) into dst laid out with axes permuted.
func permuteData(x *Tensor, perm []int) *Tensor {
	outShape := make([]int, len(perm))
	for i, p := range perm {
		outShape[i] = x.shape[p]
	}
	out := x.like(outShape)
	inStrides := stridesOf(x.shape)
	st := make([]int, len(perm))
	for i, p := range perm {
		st[i] = inStrides[p]
	}
	switch s := x.data.(type) {
	case []float32:
		gatherStrided(values[float32](out), s, outShape, st, 0)
	case []float64:
		gatherStrided(values[float64](out), s, outShape, st, 0)
	}
	return out
}

// gatherStrided fills dst (shape) from src read at offset + Σ idx·strides.
func gatherStrided[T float](dst, src []T, shape, strides []int, offset int) {
	forEachIndex(shape, func(i int, idx []int) {
		o := offset
		for d, x := range idx {
			o += x * strides[d]
		}
		dst[i] = src[o]
	})
}

// scatterStrided adds src (shape) into dst at offset + Σ idx·strides.
func scatterStrided[T float](dst, src []T, shape, strides []int, offset int) {
	forEachIndex(shape, func(i int, idx []int) {
		o := offset
		for d, x := range idx {
			o += x * strides[d]
		}
		dst[o] += src[i]
	})
}
