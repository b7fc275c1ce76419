package dl

import (
	"math/rand/v2"
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// binaryOperands brings a and b to one dtype: a rank-0 tensor follows the
// other operand's dtype (as Python numbers do in PyTorch); otherwise the
// dtypes must match.
func binaryOperands(op string, a, b *Tensor) (*Tensor, *Tensor) {
	a, b = binaryDTypes(op, a, b)
	return sameDevice(op, a, b)
}

// binaryDTypes brings a and b to one dtype (see binaryOperands).
func binaryDTypes(op string, a, b *Tensor) (*Tensor, *Tensor) {
	if a.dtype == b.dtype {
		return a, b
	}
	switch {
	case len(b.shape) == 0:
		return a, b.convertScalar(a.dtype)
	case len(a.shape) == 0:
		return a.convertScalar(b.dtype), b
	}
	panicf(op, "dtypes %v %v and %v %v differ; convert one with AsType", a.dtype, a.shape, b.dtype, b.shape)
	return nil, nil
}

// convertScalar converts a rank-0 operand to d. A constant made by Scalar
// converts from the exact value it was made from, so Float64 arithmetic
// with dl.Scalar(0.1) uses 0.1, not its float32 rounding.
func (t *Tensor) convertScalar(d DType) *Tensor {
	if t.hasLiteral && !t.RequiresGrad() {
		return d.Scalar(t.literal)
	}
	return t.AsType(d)
}

// sumTo reduces g, shaped like a broadcast result, back to shape: the
// adjoint of broadcasting.
func sumTo(g *Tensor, shape []int) *Tensor {
	if slices.Equal(g.shape, shape) {
		return g
	}
	lead := len(g.shape) - len(shape)
	mask := make([]bool, len(g.shape))
	for i := range g.shape {
		mask[i] = i < lead || shape[i-lead] == 1 && g.shape[i] != 1
	}
	return withShape(sumAxes(g, mask), slices.Clone(shape))
}

// binaryOp records out = op(a, b) whose adjoints are da(g), db(g) before
// the reduction of broadcast axes; an input that needs no gradient gets
// none computed.
func binaryOp(op *opDef, a, b, out *Tensor, da, db func(g *Tensor) *Tensor, jvp func(t []*Tensor) *Tensor) *Tensor {
	return record(out, op, []*Tensor{a, b}, "",
		func(g *Tensor) []*Tensor {
			var ga, gb *Tensor
			if a.RequiresGrad() {
				ga = sumTo(da(g), a.shape)
			}
			if b.RequiresGrad() {
				gb = sumTo(db(g), b.shape)
			}
			return []*Tensor{ga, gb}
		}, jvp)
}

// Add returns x + y, broadcasting as NumPy.
func (x *Tensor) Add(y *Tensor) *Tensor { return arithOp("Add", cpu.Add, x, y) }

// Sub returns x − y, broadcasting as NumPy.
func (x *Tensor) Sub(y *Tensor) *Tensor { return arithOp("Sub", cpu.Sub, x, y) }

// Mul returns x × y elementwise, broadcasting as NumPy.
func (x *Tensor) Mul(y *Tensor) *Tensor { return arithOp("Mul", cpu.Mul, x, y) }

// Div returns x / y elementwise, broadcasting as NumPy.
func (x *Tensor) Div(y *Tensor) *Tensor { return arithOp("Div", cpu.Div, x, y) }

var arithOps = [...]*opDef{cpu.Add: opAdd, cpu.Sub: opSub, cpu.Mul: opMul, cpu.Div: opDiv}

// arithOp computes and records one of the four arithmetic ops; an input
// that needs no gradient gets none computed.
func arithOp(name string, code cpu.BinaryOp, x, y *Tensor) *Tensor {
	a, b := binaryOperands(name, x, y)
	out := binary(name, code, a, b)
	if !tracking(a, b) {
		return out
	}
	return record(out, arithOps[code], []*Tensor{a, b}, "",
		func(g *Tensor) []*Tensor {
			var ga, gb *Tensor
			if a.RequiresGrad() {
				switch code {
				case cpu.Add, cpu.Sub:
					ga = g
				case cpu.Mul:
					ga = g.Mul(b)
				case cpu.Div:
					ga = g.Div(b)
				}
				ga = sumTo(ga, a.shape)
			}
			if b.RequiresGrad() {
				switch code {
				case cpu.Add:
					gb = g
				case cpu.Sub:
					gb = g.Neg()
				case cpu.Mul:
					gb = g.Mul(a)
				case cpu.Div:
					gb = g.Mul(out).Div(b).Neg()
				}
				gb = sumTo(gb, b.shape)
			}
			return []*Tensor{ga, gb}
		},
		func(t []*Tensor) *Tensor {
			switch code {
			case cpu.Add:
				return t[0].Add(t[1])
			case cpu.Sub:
				return t[0].Sub(t[1])
			case cpu.Mul:
				return t[0].Mul(b).Add(a.Mul(t[1]))
			}
			return t[0].Sub(out.Mul(t[1])).Div(b)
		})
}

// Pow returns xʸ elementwise, broadcasting as NumPy. The derivative with
// respect to y is taken as 0 where x = 0 and y ≥ 0, as in PyTorch.
func (x *Tensor) Pow(y *Tensor) *Tensor {
	a, b := binaryOperands("Pow", x, y)
	out := binary("Pow", cpu.Pow, a, b)
	if !tracking(a, b) {
		return out
	}
	dBase := func() *Tensor { return binary("Pow", cpu.PowBase, a, b) } // y·x^(y−1)
	dExp := func() *Tensor { return binary("Pow", cpu.PowExp, a, b) }   // xʸ·ln x
	return binaryOp(opPow, a, b, out,
		func(g *Tensor) *Tensor { return g.Mul(dBase()) },
		func(g *Tensor) *Tensor { return g.Mul(dExp()) },
		func(t []*Tensor) *Tensor { return tangentMul(t[0], dBase()).Add(tangentMul(t[1], dExp())) })
}

// tangentMul is t·d elementwise, broadcasting, except that a zero tangent
// gives 0 even where d is infinite or NaN. Forward mode passes zeros for the
// inputs without a tangent, so without this a constant exponent would turn
// the tangent of x^2 into NaN at every negative x (0 · x²·ln x), and a
// constant base of 0 the tangent of 0^y into NaN.
func tangentMul(t, d *Tensor) *Tensor { return binary("Pow", cpu.TangentMul, t, d) }

// Maximum returns the elementwise larger of x and y. Where they tie, each
// gets half the gradient, as in PyTorch.
func (x *Tensor) Maximum(y *Tensor) *Tensor {
	return extremum("Maximum", opMaximum, cpu.Maximum, cpu.MaxShare, x, y)
}

// Minimum returns the elementwise smaller of x and y. Where they tie, each
// gets half the gradient, as in PyTorch.
func (x *Tensor) Minimum(y *Tensor) *Tensor {
	return extremum("Minimum", opMinimum, cpu.Minimum, cpu.MinShare, x, y)
}

// Maximum returns the elementwise larger of x and y.
func Maximum(x, y *Tensor) *Tensor { return x.Maximum(y) }

// Minimum returns the elementwise smaller of x and y.
func Minimum(x, y *Tensor) *Tensor { return x.Minimum(y) }

func extremum(name string, op *opDef, code, share cpu.BinaryOp, x, y *Tensor) *Tensor {
	a, b := binaryOperands(name, x, y)
	out := binary(name, code, a, b)
	if !tracking(a, b) {
		return out
	}
	// The share of the gradient that goes to each operand.
	first := func() *Tensor { return binary(name, share, a, b) }
	second := func() *Tensor { return binary(name, share, b, a) }
	return binaryOp(op, a, b, out,
		func(g *Tensor) *Tensor { return g.Mul(first()) },
		func(g *Tensor) *Tensor { return g.Mul(second()) },
		func(t []*Tensor) *Tensor { return t[0].Mul(first()).Add(t[1].Mul(second())) })
}

// Where returns, elementwise, x where cond is non-zero and y elsewhere; the
// three broadcast together. cond gets no gradient.
func Where(cond, x, y *Tensor) *Tensor {
	a, b := binaryOperands("Where", x, y)
	shape := broadcastShapes("Where", broadcastShapes("Where", cond.shape, a.shape), b.shape)
	mask := unary(cpu.NonZero, cond).AsType(a.dtype)
	out := a.likeRaw(slices.Clone(shape))
	if out.Len() > 0 {
		run(deviceOf("Where", mask, a, b)).Select(out.data, mask.data, a.data, b.data, shape,
			cpu.BroadcastStrides(mask.shape, shape), cpu.BroadcastStrides(a.shape, shape), cpu.BroadcastStrides(b.shape, shape))
	}
	if !tracking(cond, a, b) {
		return out
	}
	inv := Scalar(1).Sub(mask)
	return record(out, opWhere, []*Tensor{cond, a, b}, "",
		func(g *Tensor) []*Tensor {
			return []*Tensor{nil, sumTo(g.Mul(mask), a.shape), sumTo(g.Mul(inv), b.shape)}
		},
		func(t []*Tensor) *Tensor { return t[1].Mul(mask).Add(t[2].Mul(inv)) })
}

// Greater returns 1 where x > y and 0 elsewhere (NaN compares false),
// broadcasting, in x's dtype: a mask, which carries no gradient.
func (x *Tensor) Greater(y *Tensor) *Tensor {
	a, b := binaryOperands("Greater", x, y)
	return binary("Greater", cpu.Greater, a, b)
}

// Dropout returns x times a random mask that keeps each element with
// probability 1 − p, scaled by 1/(1 − p) (inverted dropout, as PyTorch's
// F.dropout in training). The mask is drawn from rng in row-major order, on
// the host, and moved to x's device: the same seed gives the same mask on
// every device. It records one Mul.
func Dropout(x *Tensor, p float64, rng *rand.Rand) *Tensor {
	if !(p >= 0 && p <= 1) {
		panicf("Dropout", "probability %g is not in [0, 1]", p)
	}
	keep := 1 - p
	mask := x.dtype.Zeros(x.shape...)
	for i := range mask.Len() {
		if rng.Float64() < keep {
			mask.set(i, 1/keep)
		}
	}
	return x.Mul(mask.To(x.Device()))
}
