package dl

import (
	"fmt"
	"math"
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// reduction describes the axes of one reduction call.
type reduction struct {
	mask    []bool
	keep    []int // the result's shape with reduced axes kept as 1
	out     []int // the result's shape as returned
	axes    []int // as the caller gave them, for the attribute
	keepDim bool
}

func newReduction(op string, x *Tensor, axes []int, keepDim bool) reduction {
	mask := normAxes(op, axes, x.shape)
	r := reduction{mask: mask, keep: keepShape(x.shape, mask), axes: axes, keepDim: keepDim}
	r.out = r.keep
	if !keepDim {
		r.out = dropShape(x.shape, mask)
	}
	return r
}

// attr is the reduction's attribute as traces show it, e.g. "axis=1".
func (r reduction) attr() string {
	var a string
	if len(r.axes) == 1 {
		a = fmt.Sprintf("axis=%d", r.axes[0])
	} else if len(r.axes) > 1 {
		a = fmt.Sprintf("axes=%v", r.axes)
	}
	if r.keepDim {
		a = joinAttr(a, "keepdim")
	}
	return a
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

// sum sums x over r's axes without recording, in result shape.
func (r reduction) sum(x *Tensor) *Tensor {
	s := sumAxes(x, r.mask)
	s.shape = slices.Clone(r.out)
	return s
}

// Sum returns the sum over the given axes (all when none), dropping them.
func (x *Tensor) Sum(axes ...int) *Tensor { return x.sumOp(axes, false) }

// SumKeepDim is Sum keeping the reduced axes with size 1.
func (x *Tensor) SumKeepDim(axes ...int) *Tensor { return x.sumOp(axes, true) }

func (x *Tensor) sumOp(axes []int, keepDim bool) *Tensor {
	if len(axes) == 0 && !keepDim {
		return x.total(opSum, 1)
	}
	r := newReduction("Sum", x, axes, keepDim)
	out := r.sum(x)
	if !tracking(x) {
		return out
	}
	r.axes = slices.Clone(axes)
	return record(out, opSum, []*Tensor{x}, r.attr(),
		func(g *Tensor) []*Tensor { return []*Tensor{r.expand(g, x.shape)} },
		func(t []*Tensor) *Tensor { return r.sum(t[0]) })
}

// total is Sum (n = 1) or Mean (n = x.Len()) over all axes: a scalar.
func (x *Tensor) total(op *opDef, n float64) *Tensor {
	sum := func(t *Tensor) *Tensor {
		out := t.likeRaw(nil)
		reduceInto(cpu.ReduceSum, out, t, nil)
		if n != 1 {
			divInPlace(out, n)
		}
		return out
	}
	out := sum(x)
	if !tracking(x) {
		return out
	}
	return record(out, op, []*Tensor{x}, "",
		func(g *Tensor) []*Tensor {
			gx := x.likeRaw(slices.Clone(x.shape))
			copyStrided(gx, g, gx.shape, zeroStrides(len(gx.shape)), 0)
			if n != 1 {
				divInPlace(gx, n)
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor { return sum(t[0]) })
}

// Mean returns the mean over the given axes (all when none), dropping them.
func (x *Tensor) Mean(axes ...int) *Tensor { return x.meanOp(axes, false) }

// MeanKeepDim is Mean keeping the reduced axes with size 1.
func (x *Tensor) MeanKeepDim(axes ...int) *Tensor { return x.meanOp(axes, true) }

func (x *Tensor) meanOp(axes []int, keepDim bool) *Tensor {
	if len(axes) == 0 && !keepDim {
		return x.total(opMean, float64(x.Len()))
	}
	r := newReduction("Mean", x, axes, keepDim)
	n := float64(r.count(x))
	scaled := func(t *Tensor) *Tensor { divInPlace(t, n); return t }
	out := scaled(r.sum(x))
	if !tracking(x) {
		return out
	}
	r.axes = slices.Clone(axes)
	return record(out, opMean, []*Tensor{x}, r.attr(),
		func(g *Tensor) []*Tensor { return []*Tensor{scaled(r.expand(g, x.shape))} },
		func(t []*Tensor) *Tensor { return scaled(r.sum(t[0])) })
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
	code := cpu.ReduceMax
	if sign < 0 {
		code = cpu.ReduceMin
	}
	ext := reduceAxes(code, x, r.mask)
	out := withShape(ext, slices.Clone(r.out))
	// weight is 1/ties at each extreme element and 0 elsewhere.
	weight := func() *Tensor {
		at := binary(name, cpu.Equal, x, ext)
		return at.Div(sumAxes(at, r.mask))
	}
	if !tracking(x) {
		return out
	}
	return record(out, op, []*Tensor{x}, r.attr(),
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
	outer, inner := cpu.Numel(x.shape[:axis]), cpu.Numel(x.shape[axis+1:])
	out := x.likeRaw(slices.Delete(slices.Clone(x.shape), axis, axis+1))
	code := cpu.ReduceMax
	if sign < 0 {
		code = cpu.ReduceMin
	}
	if out.Len() > 0 {
		run(x.backend()).ArgReduce(code, out.data, x.data, outer, n, inner)
	}
	return out
}

// LogSumExp returns log Σ exp x over axis, computed without overflow.
func (x *Tensor) LogSumExp(axis int) *Tensor {
	r := newReduction("LogSumExp", x, []int{axis}, false)
	a := normAxis("LogSumExp", axis, x.shape)
	outer, n, inner := cpu.Rows(x.shape, a)
	out := x.likeRaw(slices.Clone(r.out))
	if out.Len() > 0 {
		if n == 0 {
			run(x.backend()).Fill(out.data, math.Inf(-1))
		} else {
			run(x.backend()).LogSumExp(out.data, x.data, outer, n, inner)
		}
	}
	if !tracking(x) {
		return out
	}
	soft := func() *Tensor { return x.Detach().Softmax(a) }
	return record(out, opLogSumExp, []*Tensor{x}, r.attr(),
		func(g *Tensor) []*Tensor { return []*Tensor{r.expand(g, x.shape).Mul(soft())} },
		func(t []*Tensor) *Tensor { return r.sum(t[0].Mul(soft())) })
}

// Softmax returns exp x / Σ exp x along axis, computed without overflow.
func (x *Tensor) Softmax(axis int) *Tensor { return x.softmaxOp("Softmax", axis, false) }

// LogSoftmax returns x − log Σ exp x along axis, computed without overflow.
func (x *Tensor) LogSoftmax(axis int) *Tensor { return x.softmaxOp("LogSoftmax", axis, true) }

// softmaxOp is Softmax, or LogSoftmax with log: rows along axis are
// shifted by their maximum m, e = exp(x − m), s = Σ e; softmax is e / s and
// log-softmax (x − m) − ln s. Going through log Σ exp instead
// (exp(x − lse)) would round lse to x's dtype first, which at |x| ≈ 1000
// costs float32 five digits (rows summing to 0.99997).
func (x *Tensor) softmaxOp(name string, axis int, log bool) *Tensor {
	a := normAxis(name, axis, x.shape)
	outer, n, inner := cpu.Rows(x.shape, a)
	out := x.likeRaw(slices.Clone(x.shape))
	if out.Len() > 0 {
		run(x.backend()).Softmax(out.data, x.data, outer, n, inner, log)
	}
	if !tracking(x) {
		return out
	}
	// grad applies the rule to g (an adjoint, or a tangent with jvp).
	grad := func(g *Tensor, jvp bool) *Tensor {
		d := g.likeRaw(slices.Clone(x.shape))
		if d.Len() > 0 {
			run(deviceOf(name, g, out)).SoftmaxGrad(d.data, g.data, out.data, outer, n, inner, log, jvp)
		}
		return d
	}
	op := opSoftmax
	if log {
		op = opLogSoftmax
	}
	return record(out, op, []*Tensor{x}, fmt.Sprintf("axis=%d", axis),
		func(g *Tensor) []*Tensor { return []*Tensor{grad(g, false)} },
		func(t []*Tensor) *Tensor { return grad(t[0], true) })
}
