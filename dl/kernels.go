package dl

import "slices"

// The kernels here compute values only; the ops that call them record the
// graph. Each is written once over T and dispatched on the dtype.
//
// Two kinds live here. The generic ones (mapUnary, zip, reduce) take the
// element function as a func value: they serve the rarer ops. The hot
// arithmetic (Add, Sub, Mul, Div, sums, the common activations and their
// derivatives) goes through typed kernels (kernels_typed.go) whose inner
// loops are specialised per operation, with fast paths for same-shape,
// scalar and row- or column-broadcast operands. Strided walks (broadcasting,
// reductions over some axes, permutes) first merge the axes they can
// (coalesce) and then run a flat loop over the innermost axis, moving an
// odometer over the others: no per-element closures or index vectors.

// maxInlineRank is the rank up to which strided walks keep their index
// vectors on the stack.
const maxInlineRank = 8

// mapUnary returns f applied to every element of x.
func mapUnary(x *Tensor, f func(float64) float64) *Tensor {
	if b := x.backend(); b != nil {
		return uploadTo(b, mapUnary(hostOf(x), f))
	}
	out := x.likeRaw(slices.Clone(x.shape))
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
	if dev := deviceOf(op, a, b); dev != nil {
		return uploadTo(dev, zip(op, hostOf(a), hostOf(b), f))
	}
	shape := broadcastShapes(op, a.shape, b.shape)
	out := a.likeRaw(shape)
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
		var w walk2
		if !w.init(shape, aShape, bShape) {
			return
		}
		n, ia, ib := w.inner()
		for o := 0; o < len(dst); o += n {
			pa, pb := w.pos()
			d := dst[o : o+n]
			for j := range d {
				d[j] = T(f(float64(a[pa+j*ia]), float64(b[pb+j*ib])))
			}
			w.next()
		}
	}
}

// forEachIndex calls f with the flat position and the multi-index of every
// element of shape, in row-major order. idx is reused between calls. It
// serves index bookkeeping that runs once per op, not per-element math.
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
// starting every output element at init. Sums go through sumAxes instead.
func reduce(x *Tensor, mask []bool, init float64, f func(acc, v float64) float64) *Tensor {
	if b := x.backend(); b != nil {
		return uploadTo(b, reduce(hostOf(x), mask, init, f))
	}
	keep := keepShape(x.shape, mask)
	out := x.dtype.Full(init, keep...)
	switch s := x.data.(type) {
	case []float32:
		reduceKernel(values[float32](out), s, x.shape, keep, f)
	case []float64:
		reduceKernel(values[float64](out), s, x.shape, keep, f)
	}
	return out
}

func reduceKernel[T float](dst, src []T, shape, keep []int, f func(acc, v float64) float64) {
	if len(dst) == 1 {
		acc := float64(dst[0])
		for _, v := range src {
			acc = f(acc, float64(v))
		}
		dst[0] = T(acc)
		return
	}
	// Walk src in order; the output position moves with the kept axes.
	var w walk1
	if !w.initReduce(shape, keep) {
		return
	}
	n, id := w.inner()
	for i := 0; i < len(src); i += n {
		o := w.pos()
		for j, v := range src[i : i+n] {
			p := o + j*id
			dst[p] = T(f(float64(dst[p]), float64(v)))
		}
		w.next()
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
	inStrides := stridesOf(x.shape)
	st := make([]int, len(perm))
	for i, p := range perm {
		st[i] = inStrides[p]
	}
	if b := x.backend(); b != nil {
		gatherDevice(b, out, x, outShape, st, 0)
		return out
	}
	switch s := x.data.(type) {
	case []float32:
		gatherStrided(values[float32](out), s, outShape, st, 0)
	case []float64:
		gatherStrided(values[float64](out), s, outShape, st, 0)
	}
	return out
}

// gatherStrided fills dst (shape, row-major) from src read at
// offset + Σ idx·strides.
func gatherStrided[T float](dst, src []T, shape, strides []int, offset int) {
	if len(dst) == 0 {
		return
	}
	var w walk1
	w.initStrided(shape, strides)
	n, is := w.inner()
	for o := 0; o < len(dst); o += n {
		p := offset + w.pos()
		d := dst[o : o+n]
		switch is {
		case 1:
			copy(d, src[p:p+n])
		case 0:
			v := src[p]
			for j := range d {
				d[j] = v
			}
		default:
			for j := range d {
				d[j] = src[p+j*is]
			}
		}
		w.next()
	}
}

// scatterStrided adds src (shape, row-major) into dst at
// offset + Σ idx·strides.
func scatterStrided[T float](dst, src []T, shape, strides []int, offset int) {
	if len(src) == 0 {
		return
	}
	var w walk1
	w.initStrided(shape, strides)
	n, is := w.inner()
	for i := 0; i < len(src); i += n {
		p := offset + w.pos()
		s := src[i : i+n]
		switch is {
		case 1:
			d := dst[p : p+n]
			for j, v := range s {
				d[j] += v
			}
		case 0:
			acc := dst[p]
			for _, v := range s {
				acc += v
			}
			dst[p] = acc
		default:
			for j, v := range s {
				dst[p+j*is] += v
			}
		}
		w.next()
	}
}

// walk1 walks a row-major index space (the shape of a result) while
// tracking one strided position: the element read or written for each
// result element. Axes of size 1 are dropped and adjacent axes that the
// strides walk contiguously are merged, so the innermost run is as long as
// it can be. Usage: init, then for every run of inner() elements read
// pos() and call next().
type walk1 struct {
	rank            int
	shape, strides  []int
	idx             []int
	p               int
	bufS, bufT, buf [maxInlineRank]int
}

// initStrided prepares a walk of shape reading at Σ idx·strides.
func (w *walk1) initStrided(shape, strides []int) {
	r := len(shape)
	if r <= maxInlineRank {
		w.shape, w.strides, w.idx = w.bufS[:0], w.bufT[:0], w.buf[:0]
	} else {
		w.shape, w.strides, w.idx = make([]int, 0, r), make([]int, 0, r), make([]int, 0, r)
	}
	for i, d := range shape {
		if d == 1 {
			continue
		}
		s := strides[i]
		if k := len(w.shape) - 1; k >= 0 && w.strides[k] == s*d {
			w.shape[k] *= d
			w.strides[k] = s
			continue
		}
		w.shape = append(w.shape, d)
		w.strides = append(w.strides, s)
	}
	if len(w.shape) == 0 {
		w.shape, w.strides = append(w.shape, 1), append(w.strides, 0)
	}
	w.rank = len(w.shape)
	w.idx = w.idx[:w.rank]
	clear(w.idx)
	w.p = 0
}

// initReduce prepares a walk of the source shape whose position is the
// output element (of keep-dim shape keep) it folds into. It reports false
// when shape is empty.
func (w *walk1) initReduce(shape, keep []int) bool {
	if numel(shape) == 0 {
		return false
	}
	var buf [maxInlineRank]int
	st := buf[:0]
	if len(keep) > maxInlineRank {
		st = make([]int, 0, len(keep))
	}
	acc := 1
	st = st[:len(keep)]
	for i := len(keep) - 1; i >= 0; i-- {
		if keep[i] == 1 {
			st[i] = 0
		} else {
			st[i] = acc
		}
		acc *= keep[i]
	}
	w.initStrided(shape, st)
	return true
}

// inner returns the length of the innermost run and its stride.
func (w *walk1) inner() (n, stride int) { return w.shape[w.rank-1], w.strides[w.rank-1] }

// pos returns the position of the current run's first element.
func (w *walk1) pos() int { return w.p }

// next moves to the next run.
func (w *walk1) next() {
	for k := w.rank - 2; k >= 0; k-- {
		w.idx[k]++
		w.p += w.strides[k]
		if w.idx[k] < w.shape[k] {
			return
		}
		w.idx[k] = 0
		w.p -= w.strides[k] * w.shape[k]
	}
}

// walk2 is walk1 for two operands broadcast together to a result shape.
type walk2 struct {
	rank          int
	shape, sa, sb []int
	idx           []int
	pa, pb        int
	b0, b1, b2    [maxInlineRank]int
	b3            [maxInlineRank]int
}

// init prepares the walk of shape reading operands of shapes aShape and
// bShape broadcast to it; it reports false when shape is empty.
func (w *walk2) init(shape, aShape, bShape []int) bool {
	if numel(shape) == 0 {
		return false
	}
	r := len(shape)
	if r <= maxInlineRank {
		w.shape, w.sa, w.sb, w.idx = w.b0[:0], w.b1[:0], w.b2[:0], w.b3[:0]
	} else {
		w.shape, w.sa, w.sb, w.idx = make([]int, 0, r), make([]int, 0, r), make([]int, 0, r), make([]int, 0, r)
	}
	// Broadcast strides of a and b, computed from the innermost axis out.
	offA, offB := r-len(aShape), r-len(bShape)
	var sta, stb [maxInlineRank]int
	as, bs := sta[:0], stb[:0]
	if r > maxInlineRank {
		as, bs = make([]int, 0, r), make([]int, 0, r)
	}
	as, bs = as[:r], bs[:r]
	accA, accB := 1, 1
	for i := r - 1; i >= 0; i-- {
		as[i], bs[i] = 0, 0
		if j := i - offA; j >= 0 {
			if aShape[j] != 1 {
				as[i] = accA
			}
			accA *= aShape[j]
		}
		if j := i - offB; j >= 0 {
			if bShape[j] != 1 {
				bs[i] = accB
			}
			accB *= bShape[j]
		}
	}
	for i, d := range shape {
		if d == 1 {
			continue
		}
		if k := len(w.shape) - 1; k >= 0 && w.sa[k] == as[i]*d && w.sb[k] == bs[i]*d {
			w.shape[k] *= d
			w.sa[k], w.sb[k] = as[i], bs[i]
			continue
		}
		w.shape = append(w.shape, d)
		w.sa = append(w.sa, as[i])
		w.sb = append(w.sb, bs[i])
	}
	if len(w.shape) == 0 {
		w.shape, w.sa, w.sb = append(w.shape, 1), append(w.sa, 0), append(w.sb, 0)
	}
	w.rank = len(w.shape)
	w.idx = w.idx[:w.rank]
	clear(w.idx)
	w.pa, w.pb = 0, 0
	return true
}

func (w *walk2) inner() (n, sa, sb int) {
	return w.shape[w.rank-1], w.sa[w.rank-1], w.sb[w.rank-1]
}

func (w *walk2) pos() (pa, pb int) { return w.pa, w.pb }

func (w *walk2) next() {
	for k := w.rank - 2; k >= 0; k-- {
		w.idx[k]++
		w.pa += w.sa[k]
		w.pb += w.sb[k]
		if w.idx[k] < w.shape[k] {
			return
		}
		w.idx[k] = 0
		w.pa -= w.sa[k] * w.shape[k]
		w.pb -= w.sb[k] * w.shape[k]
	}
}
