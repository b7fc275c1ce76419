package dl

import (
	"math"
	"slices"
)

// Typed kernels: the inner loops of the hot ops, specialised per operation
// so that no element goes through a func value. Float32 arithmetic is done
// in float32: for +, −, ×, ÷ that is the float64 result rounded once, so
// the values are the same as computing in float64 and rounding. Functions
// without a float32 form in the standard library (exp, tanh, …) are
// computed in float64 and rounded.

// arithCode names the arithmetic of the binary kernels.
type arithCode uint8

const (
	arithAdd arithCode = iota
	arithSub
	arithMul
	arithDiv
)

// arith returns op(a, b) broadcast together; a and b share a dtype.
func arith(name string, op arithCode, a, b *Tensor) *Tensor {
	var shape []int
	if slices.Equal(a.shape, b.shape) {
		shape = slices.Clone(a.shape)
	} else {
		shape = broadcastShapes(name, a.shape, b.shape)
	}
	out := a.likeRaw(shape)
	if dev := deviceOf(name, a, b); dev != nil {
		binaryDevice(dev, arithNames[op], out, a, b)
		return out
	}
	switch s := a.data.(type) {
	case []float32:
		arithKernel(op, values[float32](out), s, values[float32](b), shape, a.shape, b.shape)
	case []float64:
		arithKernel(op, values[float64](out), s, values[float64](b), shape, a.shape, b.shape)
	}
	return out
}

func arithKernel[T float](op arithCode, dst, a, b []T, shape, aShape, bShape []int) {
	switch {
	case len(a) == len(dst) && len(b) == len(dst):
		if parallelWorth(len(dst)) {
			parallelFor(len(dst), len(dst), func(lo, hi int) { arithSame(op, dst[lo:hi], a[lo:hi], b[lo:hi]) })
			return
		}
		arithSame(op, dst, a, b)
	case len(b) == 1 && len(a) == len(dst):
		arithScalarB(op, dst, a, b[0])
	case len(a) == 1 && len(b) == len(dst):
		arithScalarA(op, dst, a[0], b)
	default:
		var w walk2
		if !w.init(shape, aShape, bShape) {
			return
		}
		n, ia, ib := w.inner()
		for o := 0; o < len(dst); o += n {
			pa, pb := w.pos()
			d := dst[o : o+n]
			switch {
			case ia == 1 && ib == 1:
				arithSame(op, d, a[pa:pa+n], b[pb:pb+n])
			case ia == 1 && ib == 0:
				arithScalarB(op, d, a[pa:pa+n], b[pb])
			case ia == 0 && ib == 1:
				arithScalarA(op, d, a[pa], b[pb:pb+n])
			default:
				arithStrided(op, d, a, pa, ia, b, pb, ib)
			}
			w.next()
		}
	}
}

func arithSame[T float](op arithCode, dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	switch op {
	case arithAdd:
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case arithSub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case arithMul:
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	case arithDiv:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	}
}

func arithScalarB[T float](op arithCode, dst, a []T, s T) {
	a = a[:len(dst)]
	switch op {
	case arithAdd:
		for i := range dst {
			dst[i] = a[i] + s
		}
	case arithSub:
		for i := range dst {
			dst[i] = a[i] - s
		}
	case arithMul:
		for i := range dst {
			dst[i] = a[i] * s
		}
	case arithDiv:
		for i := range dst {
			dst[i] = a[i] / s
		}
	}
}

func arithScalarA[T float](op arithCode, dst []T, s T, b []T) {
	b = b[:len(dst)]
	switch op {
	case arithAdd:
		for i := range dst {
			dst[i] = s + b[i]
		}
	case arithSub:
		for i := range dst {
			dst[i] = s - b[i]
		}
	case arithMul:
		for i := range dst {
			dst[i] = s * b[i]
		}
	case arithDiv:
		for i := range dst {
			dst[i] = s / b[i]
		}
	}
}

func arithStrided[T float](op arithCode, dst, a []T, pa, ia int, b []T, pb, ib int) {
	for j := range dst {
		x, y := a[pa+j*ia], b[pb+j*ib]
		switch op {
		case arithAdd:
			dst[j] = x + y
		case arithSub:
			dst[j] = x - y
		case arithMul:
			dst[j] = x * y
		case arithDiv:
			dst[j] = x / y
		}
	}
}

// addInto adds src to dst elementwise in place; both have one length.
func addInto(dst, src *Tensor) {
	if b := deviceOf("add", dst, src); b != nil {
		if !b.AddScaled(dst.mem(), 1, src.mem()) {
			h := hostOf(dst)
			addInto(h, hostOf(src))
			writeBack(dst, h)
		}
		return
	}
	switch d := dst.data.(type) {
	case []float32:
		addSlices(d, values[float32](src))
	case []float64:
		addSlices(d, values[float64](src))
	}
}

func addSlices[T float](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// arithNames, unaryNames and gradNames name the codes for backends.
var (
	arithNames = [...]string{arithAdd: "add", arithSub: "sub", arithMul: "mul", arithDiv: "div"}
	unaryNames = [...]string{unaryNeg: "neg", unaryExp: "exp", unaryLog: "log", unaryTanh: "tanh",
		unarySigmoid: "sigmoid", unaryReLU: "relu", unarySqrt: "sqrt", unaryAbs: "abs", unarySquare: "square"}
	gradNames = [...]string{gradExp: "exp", gradTanh: "tanh", gradSigmoid: "sigmoid", gradReLU: "relu",
		gradSqrt: "sqrt", gradAbs: "abs", gradSquare: "square", gradLog: "log"}
)

// unaryCode names the elementwise functions with typed kernels.
type unaryCode uint8

const (
	unaryNeg unaryCode = iota
	unaryExp
	unaryLog
	unaryTanh
	unarySigmoid
	unaryReLU
	unarySqrt
	unaryAbs
	unarySquare
)

// unary returns f(x) elementwise for one of the typed functions.
func unary(op unaryCode, x *Tensor) *Tensor {
	out := x.likeRaw(slices.Clone(x.shape))
	if b := x.backend(); b != nil {
		if out.Len() > 0 && !b.Unary(unaryNames[op], out.mem(), x.mem()) {
			writeBack(out, unary(op, hostOf(x)))
		}
		return out
	}
	switch s := x.data.(type) {
	case []float32:
		unarySplit(op, values[float32](out), s)
	case []float64:
		unarySplit(op, values[float64](out), s)
	}
	return out
}

// unarySplit is unaryTyped, in parallel for large tensors (the
// transcendental functions count as more work).
func unarySplit[T float](op unaryCode, dst, src []T) {
	work := len(dst)
	if op == unaryExp || op == unaryLog || op == unaryTanh || op == unarySigmoid {
		work *= 16
	}
	if parallelWorth(work) {
		parallelFor(len(dst), work, func(lo, hi int) { unaryTyped(op, dst[lo:hi], src[lo:hi]) })
		return
	}
	unaryTyped(op, dst, src)
}

func unaryTyped[T float](op unaryCode, dst, src []T) {
	src = src[:len(dst)]
	switch op {
	case unaryNeg:
		for i, v := range src {
			dst[i] = -v
		}
	case unaryExp:
		for i, v := range src {
			dst[i] = T(math.Exp(float64(v)))
		}
	case unaryLog:
		for i, v := range src {
			dst[i] = T(math.Log(float64(v)))
		}
	case unaryTanh:
		for i, v := range src {
			dst[i] = T(math.Tanh(float64(v)))
		}
	case unarySigmoid:
		for i, v := range src {
			dst[i] = T(sigmoid(float64(v)))
		}
	case unaryReLU:
		// The builtin max has no data-dependent branch (a branch on the
		// sign of random data mispredicts half the time), keeps NaN, and
		// turns −0 into 0.
		for i, v := range src {
			dst[i] = max(v, 0)
		}
	case unarySqrt:
		for i, v := range src {
			dst[i] = T(math.Sqrt(float64(v)))
		}
	case unaryAbs:
		for i, v := range src {
			dst[i] = T(math.Abs(float64(v)))
		}
	case unarySquare:
		for i, v := range src {
			dst[i] = v * v
		}
	}
}

// gradCode names the fused derivative kernels g·f'(x): each reads the
// adjoint g and the op's input x or output y.
type gradCode uint8

const (
	gradExp     gradCode = iota // g·y
	gradTanh                    // g·(1 − y²)
	gradSigmoid                 // g·y(1 − y)
	gradReLU                    // g·[x > 0]
	gradSqrt                    // g·(0.5/y)
	gradAbs                     // g·sign x
	gradSquare                  // g·2x
	gradLog                     // g/x
)

// gradTimes returns g·f'(v) elementwise, v being the input or the output
// of the op as the code says; g and v have one shape and dtype.
func gradTimes(op gradCode, g, v *Tensor) *Tensor {
	out := g.likeRaw(slices.Clone(v.shape))
	if b := deviceOf(gradNames[op], g, v); b != nil {
		if out.Len() > 0 && !b.UnaryGrad(gradNames[op], out.mem(), g.mem(), v.mem()) {
			writeBack(out, gradTimes(op, hostOf(g), hostOf(v)))
		}
		return out
	}
	switch s := g.data.(type) {
	case []float32:
		gradSplit(op, values[float32](out), s, values[float32](v))
	case []float64:
		gradSplit(op, values[float64](out), s, values[float64](v))
	}
	return out
}

// gradInPlace is gradTimes writing over g.
func gradInPlace(op gradCode, g, v *Tensor) {
	if b := deviceOf(gradNames[op], g, v); b != nil {
		if g.Len() > 0 && !b.UnaryGrad(gradNames[op], g.mem(), g.mem(), v.mem()) {
			writeBack(g, gradTimes(op, hostOf(g), hostOf(v)))
		}
		return
	}
	switch s := g.data.(type) {
	case []float32:
		gradSplit(op, s, s, values[float32](v))
	case []float64:
		gradSplit(op, s, s, values[float64](v))
	}
}

// gradSplit is gradTyped, in parallel for large tensors.
func gradSplit[T float](op gradCode, dst, g, v []T) {
	if parallelWorth(len(dst)) {
		parallelFor(len(dst), len(dst), func(lo, hi int) { gradTyped(op, dst[lo:hi], g[lo:hi], v[lo:hi]) })
		return
	}
	gradTyped(op, dst, g, v)
}

func gradTyped[T float](op gradCode, dst, g, v []T) {
	g, v = g[:len(dst)], v[:len(dst)]
	switch op {
	case gradExp:
		for i := range dst {
			dst[i] = g[i] * v[i]
		}
	case gradTanh:
		for i := range dst {
			y := v[i]
			dst[i] = g[i] * (1 - y*y)
		}
	case gradSigmoid:
		for i := range dst {
			y := v[i]
			dst[i] = g[i] * (y * (1 - y))
		}
	case gradReLU:
		if d, ok := any(dst).([]float32); ok {
			reluGrad32(d, any(g).([]float32), any(v).([]float32))
			return
		}
		for i := range dst {
			var s int32 // the step [x > 0], set without a branch
			if v[i] > 0 {
				s = 1
			}
			dst[i] = g[i] * T(s) // g·0 is 0, or NaN where g is, as g·[x > 0]
		}
	case gradSqrt:
		for i := range dst {
			dst[i] = g[i] * T(0.5/float64(v[i]))
		}
	case gradAbs:
		for i := range dst {
			x := v[i]
			var s T
			if x > 0 {
				s = 1
			} else if x < 0 {
				s = -1
			}
			dst[i] = g[i] * s
		}
	case gradSquare:
		for i := range dst {
			dst[i] = g[i] * (2 * v[i])
		}
	case gradLog:
		for i := range dst {
			dst[i] = g[i] / v[i]
		}
	}
}

// reluGrad32 writes g·[x > 0] for float32, choosing the factor 1 or 0 by
// a bit mask: no data-dependent branch.
func reluGrad32(dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		var m uint32
		if x[i] > 0 {
			m = 0x3f800000 // the bits of 1.0
		}
		dst[i] = g[i] * math.Float32frombits(m)
	}
}

// sumAxes returns the sum of x over the axes in mask, in keep-dim shape.
// It accumulates in float64 and visits each output's elements in row-major
// order, so float64 sums are the plain left-to-right sums.
func sumAxes(x *Tensor, mask []bool) *Tensor {
	keep := keepShape(x.shape, mask)
	if b := x.backend(); b != nil {
		out := x.likeRaw(keep)
		if out.Len() > 0 && !b.Sum(out.mem(), x.mem(), x.shape, mask) {
			writeBack(out, sumAxes(hostOf(x), mask))
		}
		return out
	}
	out := x.like(keep)
	switch s := x.data.(type) {
	case []float32:
		sumKernel(values[float32](out), s, x.shape, keep)
	case []float64:
		sumKernel(values[float64](out), s, x.shape, keep)
	}
	return out
}

func sumKernel[T float](dst, src []T, shape, keep []int) {
	if len(src) == 0 {
		return
	}
	if len(dst) == 1 {
		dst[0] = T(sumRun(src))
		return
	}
	var w walk1
	w.initReduce(shape, keep)
	n, id := w.inner()
	if id == 0 { // the innermost run folds into one output element
		if len(src) == n*len(dst) && w.rank == 2 { // rows: one output each
			for o := range dst {
				dst[o] = T(sumRun(src[o*n : (o+1)*n]))
			}
			return
		}
		acc, owned := accumulator(dst)
		for i := 0; i < len(src); i += n {
			acc[w.pos()] += sumRun(src[i : i+n])
			w.next()
		}
		if !owned {
			for o, v := range acc {
				dst[o] = T(v)
			}
		}
		return
	}
	// The innermost run maps onto a run of outputs (id is 1).
	acc, owned := accumulator(dst)
	for i := 0; i < len(src); i += n {
		p := w.pos()
		a := acc[p : p+n]
		for j, v := range src[i : i+n] {
			a[j] += float64(v)
		}
		w.next()
	}
	if !owned {
		for o, v := range acc {
			dst[o] = T(v)
		}
	}
}

// accumulator returns a zeroed float64 buffer for dst's sums: dst itself
// when T is float64 (owned reports that), else a new one.
func accumulator[T float](dst []T) (acc []float64, owned bool) {
	if d, ok := any(dst).([]float64); ok {
		clear(d)
		return d, true
	}
	return make([]float64, len(dst)), false
}

// sumRun returns the float64 sum of s: left to right for float64 values
// (the plain sum, as it always was), and with four accumulators for
// float32 ones, whose sum float64 holds exactly enough for the order not
// to matter in practice, while one accumulator's chain of dependent adds
// would set the pace.
func sumRun[T float](s []T) float64 {
	if f, ok := any(s).([]float32); ok {
		return sumRun32(f)
	}
	acc := 0.0
	for _, v := range s {
		acc += float64(v)
	}
	return acc
}

func sumRun32(s []float32) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a0 += float64(s[i])
		a1 += float64(s[i+1])
		a2 += float64(s[i+2])
		a3 += float64(s[i+3])
	}
	for ; i < len(s); i++ {
		a0 += float64(s[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// divInPlace divides every element of t by c (computed in float64 and
// rounded, as the generic kernels do).
func divInPlace(t *Tensor, c float64) {
	if b := t.backend(); b != nil {
		if t.Len() > 0 && !b.DivScalar(t.mem(), c) {
			h := hostOf(t)
			divInPlace(h, c)
			writeBack(t, h)
		}
		return
	}
	switch s := t.data.(type) {
	case []float32:
		for i, v := range s {
			s[i] = float32(float64(v) / c)
		}
	case []float64:
		for i := range s {
			s[i] /= c
		}
	}
}
