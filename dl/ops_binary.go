package dl

import (
	"math"
	"slices"
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
func (x *Tensor) Add(y *Tensor) *Tensor { return arithOp("Add", arithAdd, x, y) }

// Sub returns x − y, broadcasting as NumPy.
func (x *Tensor) Sub(y *Tensor) *Tensor { return arithOp("Sub", arithSub, x, y) }

// Mul returns x × y elementwise, broadcasting as NumPy.
func (x *Tensor) Mul(y *Tensor) *Tensor { return arithOp("Mul", arithMul, x, y) }

// Div returns x / y elementwise, broadcasting as NumPy.
func (x *Tensor) Div(y *Tensor) *Tensor { return arithOp("Div", arithDiv, x, y) }

var arithOps = [...]*opDef{arithAdd: opAdd, arithSub: opSub, arithMul: opMul, arithDiv: opDiv}

// arithOp computes and records one of the four arithmetic ops; an input
// that needs no gradient gets none computed.
func arithOp(name string, code arithCode, x, y *Tensor) *Tensor {
	a, b := binaryOperands(name, x, y)
	out := arith(name, code, a, b)
	if !tracking(a, b) {
		return out
	}
	return record(out, arithOps[code], []*Tensor{a, b}, "",
		func(g *Tensor) []*Tensor {
			var ga, gb *Tensor
			if a.RequiresGrad() {
				switch code {
				case arithAdd, arithSub:
					ga = g
				case arithMul:
					ga = g.Mul(b)
				case arithDiv:
					ga = g.Div(b)
				}
				ga = sumTo(ga, a.shape)
			}
			if b.RequiresGrad() {
				switch code {
				case arithAdd:
					gb = g
				case arithSub:
					gb = g.Neg()
				case arithMul:
					gb = g.Mul(a)
				case arithDiv:
					gb = g.Mul(out).Div(b).Neg()
				}
				gb = sumTo(gb, b.shape)
			}
			return []*Tensor{ga, gb}
		},
		func(t []*Tensor) *Tensor {
			switch code {
			case arithAdd:
				return t[0].Add(t[1])
			case arithSub:
				return t[0].Sub(t[1])
			case arithMul:
				return t[0].Mul(b).Add(a.Mul(t[1]))
			}
			return t[0].Sub(out.Mul(t[1])).Div(b)
		})
}

// Pow returns xʸ elementwise, broadcasting as NumPy. The derivative with
// respect to y is taken as 0 where x = 0 and y ≥ 0, as in PyTorch.
func (x *Tensor) Pow(y *Tensor) *Tensor {
	a, b := binaryOperands("Pow", x, y)
	out := zip("Pow", a, b, math.Pow)
	dBase := func() *Tensor { // y·x^(y−1)
		return zip("Pow", a, b, func(p, q float64) float64 {
			if q == 0 {
				return 0
			}
			return q * math.Pow(p, q-1)
		})
	}
	dExp := func() *Tensor { // xʸ·ln x
		return zip("Pow", a, b, func(p, q float64) float64 {
			if p == 0 && q >= 0 {
				return 0
			}
			return math.Pow(p, q) * math.Log(p)
		})
	}
	if !tracking(a, b) {
		return out
	}
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
func tangentMul(t, d *Tensor) *Tensor {
	return zip("Pow", t, d, func(tv, dv float64) float64 {
		if tv == 0 {
			return 0
		}
		return tv * dv
	})
}

// Maximum returns the elementwise larger of x and y. Where they tie, each
// gets half the gradient, as in PyTorch.
func (x *Tensor) Maximum(y *Tensor) *Tensor { return extremum("Maximum", opMaximum, x, y, 1) }

// Minimum returns the elementwise smaller of x and y. Where they tie, each
// gets half the gradient, as in PyTorch.
func (x *Tensor) Minimum(y *Tensor) *Tensor { return extremum("Minimum", opMinimum, x, y, -1) }

// Maximum returns the elementwise larger of x and y.
func Maximum(x, y *Tensor) *Tensor { return x.Maximum(y) }

// Minimum returns the elementwise smaller of x and y.
func Minimum(x, y *Tensor) *Tensor { return x.Minimum(y) }

func extremum(name string, op *opDef, x, y *Tensor, sign float64) *Tensor {
	a, b := binaryOperands(name, x, y)
	out := zip(name, a, b, func(p, q float64) float64 {
		if (p-q)*sign >= 0 || math.IsNaN(p) { // NaN wins from either side
			return p
		}
		return q
	})
	// share is the part of the gradient that goes to the first operand.
	share := func(first bool) *Tensor {
		return zip(name, a, b, func(p, q float64) float64 {
			d := (p - q) * sign
			if !first {
				d = -d
			}
			switch {
			case d > 0:
				return 1
			case d == 0:
				return 0.5
			}
			return 0
		})
	}
	if !tracking(a, b) {
		return out
	}
	return binaryOp(op, a, b, out,
		func(g *Tensor) *Tensor { return g.Mul(share(true)) },
		func(g *Tensor) *Tensor { return g.Mul(share(false)) },
		func(t []*Tensor) *Tensor { return t[0].Mul(share(true)).Add(t[1].Mul(share(false))) })
}

// Where returns, elementwise, x where cond is non-zero and y elsewhere; the
// three broadcast together. cond gets no gradient.
func Where(cond, x, y *Tensor) *Tensor {
	a, b := binaryOperands("Where", x, y)
	shape := broadcastShapes("Where", broadcastShapes("Where", cond.shape, a.shape), b.shape)
	mask := mapUnary(cond, func(v float64) float64 { return step(v != 0) }).AsType(a.dtype)
	mask = withShape(broadcastData(mask, shape), shape)
	out := zip3(mask, a, b, shape)
	if !tracking(cond, a, b) {
		return out
	}
	inv := mapUnary(mask, func(m float64) float64 { return 1 - m })
	return record(out, opWhere, []*Tensor{cond, a, b}, "",
		func(g *Tensor) []*Tensor {
			return []*Tensor{nil, sumTo(g.Mul(mask), a.shape), sumTo(g.Mul(inv), b.shape)}
		},
		func(t []*Tensor) *Tensor { return t[1].Mul(mask).Add(t[2].Mul(inv)) })
}

// zip3 picks a where mask is 1 and b elsewhere; mask has shape.
func zip3(mask, a, b *Tensor, shape []int) *Tensor {
	if dev := deviceOf("Where", mask, a, b); dev != nil {
		return uploadTo(dev, zip3(hostOf(mask), hostOf(a), hostOf(b), shape))
	}
	pa := withShape(broadcastData(a, shape), shape)
	pb := withShape(broadcastData(b, shape), shape)
	out := a.like(slices.Clone(shape))
	for i := 0; i < out.Len(); i++ {
		if mask.at(i) != 0 {
			out.set(i, pa.at(i))
		} else {
			out.set(i, pb.at(i))
		}
	}
	return out
}

// broadcastData returns x's values expanded to shape (a copy).
func broadcastData(x *Tensor, shape []int) *Tensor {
	out := x.likeRaw(slices.Clone(shape))
	st := broadcastStrides(x.shape, shape)
	if b := x.backend(); b != nil {
		gatherDevice(b, out, x, shape, st, 0)
		return out
	}
	switch s := x.data.(type) {
	case []float32:
		gatherStrided(values[float32](out), s, shape, st, 0)
	case []float64:
		gatherStrided(values[float64](out), s, shape, st, 0)
	}
	return out
}
