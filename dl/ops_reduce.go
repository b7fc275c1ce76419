package dl

import (
	"fmt"
	"math"
	"slices"
)

// reduction describes the axes of one reduction call.
type reduction struct {
	mask    []bool
	keep    []int // the result's shape with reduced axes kept as 1
	out     []int // the result's shape as returned
	keepDim bool
	attr    string
}

func newReduction(op string, x *Tensor, axes []int, keepDim bool) reduction {
	mask := normAxes(op, axes, x.shape)
	r := reduction{mask: mask, keep: keepShape(x.shape, mask), keepDim: keepDim}
	r.out = r.keep
	if !keepDim {
		r.out = dropShape(x.shape, mask)
	}
	if len(axes) == 1 {
		r.attr = fmt.Sprintf("axis=%d", axes[0])
	} else if len(axes) > 1 {
		r.attr = fmt.Sprintf("axes=%v", axes)
	}
	if keepDim {
		r.attr = joinAttr(r.attr, "keepdim")
	}
	return r
}

// count is the number of elements folded into each result.
func (r reduction) count(x *Tensor) int {
	n := 1
	for i, m := range r.mask {
		if m {
			n *= x.shape[i]
		}
	}
	return n
}

// expand spreads a result-shaped tensor back over x's shape.
func (r reduction) expand(g *Tensor, shape []int) *Tensor {
	return broadcastData(withShape(g, r.keep), shape)
}

func joinAttr(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func add(acc, v float64) float64 { return acc + v }

// sumRaw sums x over r's axes without recording, in result shape.
func (r reduction) sum(x *Tensor) *Tensor {
	return withShape(reduce(x, r.mask, 0, add), slices.Clone(r.out))
}

// Sum returns the sum over the given axes (all when none), dropping them.
func (x *Tensor) Sum(axes ...int) *Tensor { return x.sumOp(axes, false) }

// SumKeepDim is Sum keeping the reduced axes with size 1.
func (x *Tensor) SumKeepDim(axes ...int) *Tensor { return x.sumOp(axes, true) }

func (x *Tensor) sumOp(axes []int, keepDim bool) *Tensor {
	r := newReduction("Sum", x, axes, keepDim)
	out := r.sum(x)
	return record(out, opSum, []*Tensor{x}, r.attr,
		func(g *Tensor) []*Tensor { return []*Tensor{r.expand(g, x.shape)} },
		func(t []*Tensor) *Tensor { return r.sum(t[0]) })
}

// Mean returns the mean over the given axes (all when none), dropping them.
func (x *Tensor) Mean(axes ...int) *Tensor { return x.meanOp(axes, false) }

// MeanKeepDim is Mean keeping the reduced axes with size 1.
func (x *Tensor) MeanKeepDim(axes ...int) *Tensor { return x.meanOp(axes, true) }

func (x *Tensor) meanOp(axes []int, keepDim bool) *Tensor {
	r := newReduction("Mean", x, axes, keepDim)
	n := float64(r.count(x))
	scale := func(t *Tensor) *Tensor { return mapUnary(t, func(v float64) float64 { return v / n }) }
	out := scale(r.sum(x))
	return record(out, opMean, []*Tensor{x}, r.attr,
		func(g *Tensor) []*Tensor { return []*Tensor{scale(r.expand(g, x.shape))} },
		func(t []*Tensor) *Tensor { return scale(r.sum(t[0])) })
}

// Max returns the maximum over the given axes (all when none), dropping
// them. Tied maxima share the gradient equally.
func (x *Tensor) Max(axes ...int) *Tensor { return x.extremeOp("Max", opMax, axes, false, 1) }

// MaxKeepDim is Max keeping the reduced axes with size 1.
func (x *Tensor) MaxKeepDim(axes ...int) *Tensor { return x.extremeOp("Max", opMax, axes, true, 1) }

// Min returns the minimum over the given axes (all when none), dropping
// them. Tied minima share the gradient equally.
func (x *Tensor) Min(axes ...int) *Tensor { return x.extremeOp("Min", opMin, axes, false, -1) }

// MinKeepDim is Min keeping the reduced axes with size 1.
func (x *Tensor) MinKeepDim(axes ...int) *Tensor { return x.extremeOp("Min", opMin, axes, true, -1) }

func (x *Tensor) extremeOp(name string, op *opDef, axes []int, keepDim bool, sign float64) *Tensor {
	r := newReduction(name, x, axes, keepDim)
	if r.count(x) == 0 {
		panicf(name, "cannot reduce an empty extent of shape %v", x.shape)
	}
	ext := reduce(x, r.mask, math.Inf(-int(sign)), func(acc, v float64) float64 {
		if (v-acc)*sign > 0 || math.IsNaN(v) {
			return v
		}
		return acc
	})
	out := withShape(ext, slices.Clone(r.out))
	// weight is 1/ties at each extreme element and 0 elsewhere.
	weight := func() *Tensor {
		at := zip(name, x, ext, func(v, e float64) float64 { return step(v == e) })
		ties := reduce(at, r.mask, 0, add)
		return zip(name, at, ties, func(a, n float64) float64 { return a / n })
	}
	return record(out, op, []*Tensor{x}, r.attr,
		func(g *Tensor) []*Tensor { return []*Tensor{r.expand(g, x.shape).Mul(weight())} },
		func(t []*Tensor) *Tensor { return r.sum(t[0].Mul(weight())) })
}

// ArgMax returns the index of the largest element along axis (the first
// one on ties, the first NaN if any, as PyTorch), as a tensor of x's dtype
// without that axis.
func (x *Tensor) ArgMax(axis int) *Tensor { return x.argExtreme("ArgMax", axis, 1) }

// ArgMin returns the index of the smallest element along axis (the first
// one on ties), as a tensor of x's dtype without that axis.
func (x *Tensor) ArgMin(axis int) *Tensor { return x.argExtreme("ArgMin", axis, -1) }

func (x *Tensor) argExtreme(name string, axis int, sign float64) *Tensor {
	axis = normAxis(name, axis, x.shape)
	n := x.shape[axis]
	if n == 0 {
		panicf(name, "axis %d of shape %v is empty", axis, x.shape)
	}
	outer, inner := numel(x.shape[:axis]), numel(x.shape[axis+1:])
	out := x.like(slices.Delete(slices.Clone(x.shape), axis, axis+1))
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			best, bestV := 0, x.at(o*n*inner+in)
			for k := 1; k < n; k++ {
				if v := x.at((o*n+k)*inner + in); !math.IsNaN(bestV) && ((v-bestV)*sign > 0 || math.IsNaN(v)) {
					best, bestV = k, v
				}
			}
			out.set(o*inner+in, float64(best))
		}
	}
	return out
}

// shiftedExp returns, for the stable softmax family over r's axes, m: the
// maximum of x (0 where infinite), kept; e = exp(x − m); and s = Σ e, kept.
// Softmax is e / s and log-softmax (x − m) − ln s: going through log Σ exp
// instead (exp(x − lse)) would round lse to x's dtype first, which at
// |x| ≈ 1000 costs float32 five digits (rows summing to 0.99997).
func shiftedExp(op string, x *Tensor, r reduction) (m, e, s *Tensor) {
	m = reduce(x, r.mask, math.Inf(-1), math.Max)
	m = mapUnary(m, func(v float64) float64 {
		if math.IsInf(v, 0) {
			return 0
		}
		return v
	})
	e = zip(op, x, m, func(v, mv float64) float64 { return math.Exp(v - mv) })
	s = reduce(e, r.mask, 0, add)
	return m, e, s
}

func softmaxDiv(p, q float64) float64 { return p / q }

// LogSumExp returns log Σ exp x over axis, computed without overflow.
func (x *Tensor) LogSumExp(axis int) *Tensor {
	r := newReduction("LogSumExp", x, []int{axis}, false)
	m, e, s := shiftedExp("LogSumExp", x, r)
	lse := zip("LogSumExp", s, m, func(sv, mv float64) float64 { return math.Log(sv) + mv })
	out := withShape(lse, slices.Clone(r.out))
	soft := func() *Tensor { return zip("LogSumExp", e, s, softmaxDiv) }
	return record(out, opLogSumExp, []*Tensor{x}, r.attr,
		func(g *Tensor) []*Tensor { return []*Tensor{r.expand(g, x.shape).Mul(soft())} },
		func(t []*Tensor) *Tensor { return r.sum(t[0].Mul(soft())) })
}

// Softmax returns exp x / Σ exp x along axis, computed without overflow.
func (x *Tensor) Softmax(axis int) *Tensor {
	r := newReduction("Softmax", x, []int{axis}, true)
	_, e, s := shiftedExp("Softmax", x, r)
	out := zip("Softmax", e, s, softmaxDiv)
	dot := func(t *Tensor) *Tensor { return reduce(t.Mul(out), r.mask, 0, add) } // Σ t·out, kept
	return record(out, opSoftmax, []*Tensor{x}, fmt.Sprintf("axis=%d", axis),
		func(g *Tensor) []*Tensor { return []*Tensor{out.Mul(g.Sub(dot(g)))} },
		func(t []*Tensor) *Tensor { return out.Mul(t[0].Sub(dot(t[0]))) })
}

// LogSoftmax returns x − log Σ exp x along axis, computed without overflow.
func (x *Tensor) LogSoftmax(axis int) *Tensor {
	r := newReduction("LogSoftmax", x, []int{axis}, true)
	m, _, s := shiftedExp("LogSoftmax", x, r)
	shifted := zip("LogSoftmax", x, m, func(v, mv float64) float64 { return v - mv })
	out := zip("LogSoftmax", shifted, s, func(d, sv float64) float64 { return d - math.Log(sv) })
	soft := func() *Tensor { return mapUnary(out, math.Exp) }
	return record(out, opLogSoftmx, []*Tensor{x}, fmt.Sprintf("axis=%d", axis),
		func(g *Tensor) []*Tensor { return []*Tensor{g.Sub(soft().Mul(reduce(g, r.mask, 0, add)))} },
		func(t []*Tensor) *Tensor { return t[0].Sub(reduce(soft().Mul(t[0]), r.mask, 0, add)) })
}
