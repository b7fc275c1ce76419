package dl

import (
	"fmt"
	"math"
)

// unaryOp applies f elementwise and records the op with the derivative
// df(x, y) = dy/dx, written in terms of the input x and output y.
func unaryOp(x *Tensor, op *opDef, attr string, f func(float64) float64, df func(x, y *Tensor) *Tensor) *Tensor {
	out := mapUnary(x, f)
	if !tracking(x) {
		return out
	}
	return record(out, op, []*Tensor{x}, attr,
		func(g *Tensor) []*Tensor { return []*Tensor{g.Mul(df(x, out))} },
		func(t []*Tensor) *Tensor { return t[0].Mul(df(x, out)) })
}

// typedUnaryOp applies one of the typed functions elementwise and records
// the op with its fused derivative kernel, which reads the output when
// onOut is set and the input otherwise.
func typedUnaryOp(x *Tensor, op *opDef, f unaryCode, df gradCode, onOut bool) *Tensor {
	out := unary(f, x)
	if !tracking(x) {
		return out
	}
	v := x
	if onOut {
		v = out
	}
	return record(out, op, []*Tensor{x}, "",
		func(g *Tensor) []*Tensor {
			if g.consumable { // a dead adjoint: the result goes over it
				gradInPlace(df, g, v)
				return []*Tensor{g}
			}
			return []*Tensor{gradTimes(df, g, v)}
		},
		func(t []*Tensor) *Tensor { return gradTimes(df, t[0], v) })
}

// Neg returns −x.
func (x *Tensor) Neg() *Tensor {
	out := unary(unaryNeg, x)
	if !tracking(x) {
		return out
	}
	return record(out, opNeg, []*Tensor{x}, "",
		func(g *Tensor) []*Tensor { return []*Tensor{g.Neg()} },
		func(t []*Tensor) *Tensor { return t[0].Neg() })
}

// Exp returns eˣ elementwise.
func (x *Tensor) Exp() *Tensor { return typedUnaryOp(x, opExp, unaryExp, gradExp, true) }

// Log returns the natural logarithm elementwise.
func (x *Tensor) Log() *Tensor { return typedUnaryOp(x, opLog, unaryLog, gradLog, false) }

// Sin returns sin x elementwise.
func (x *Tensor) Sin() *Tensor {
	return unaryOp(x, opSin, "", math.Sin, func(x, y *Tensor) *Tensor { return x.Cos() })
}

// Cos returns cos x elementwise.
func (x *Tensor) Cos() *Tensor {
	return unaryOp(x, opCos, "", math.Cos, func(x, y *Tensor) *Tensor { return x.Sin().Neg() })
}

// Erf returns the error function erf x = (2/√π) ∫₀ˣ e^(−t²) dt elementwise,
// the building block of GELU.
func (x *Tensor) Erf() *Tensor {
	return unaryOp(x, opErf, "", math.Erf, func(x, y *Tensor) *Tensor {
		return mapUnary(x, func(v float64) float64 { return 2 / math.SqrtPi * math.Exp(-v*v) })
	})
}

// Tan returns tan x elementwise.
func (x *Tensor) Tan() *Tensor {
	return unaryOp(x, opTan, "", math.Tan, func(x, y *Tensor) *Tensor {
		return mapUnary(y, func(v float64) float64 { return 1 + v*v })
	})
}

// Tanh returns tanh x elementwise.
func (x *Tensor) Tanh() *Tensor { return typedUnaryOp(x, opTanh, unaryTanh, gradTanh, true) }

// Sigmoid returns the logistic function 1/(1+e⁻ˣ) elementwise.
func (x *Tensor) Sigmoid() *Tensor {
	return typedUnaryOp(x, opSigmoid, unarySigmoid, gradSigmoid, true)
}

// sigmoid is computed without overflow for large |v|.
func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// ReLU returns max(x, 0) elementwise; its derivative at 0 is taken as 0,
// as PyTorch does.
func (x *Tensor) ReLU() *Tensor { return typedUnaryOp(x, opReLU, unaryReLU, gradReLU, false) }

func step(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Sqrt returns √x elementwise.
func (x *Tensor) Sqrt() *Tensor { return typedUnaryOp(x, opSqrt, unarySqrt, gradSqrt, true) }

// Abs returns |x| elementwise; its derivative at 0 is taken as 0.
func (x *Tensor) Abs() *Tensor { return typedUnaryOp(x, opAbs, unaryAbs, gradAbs, false) }

// Square returns x² elementwise.
func (x *Tensor) Square() *Tensor { return typedUnaryOp(x, opSquare, unarySquare, gradSquare, false) }

// Clamp limits every element to [lo, hi]. The gradient passes where
// lo ≤ x ≤ hi, as in PyTorch. Use ±Inf for a one-sided clamp.
func (x *Tensor) Clamp(lo, hi float64) *Tensor {
	if lo > hi {
		panicf("Clamp", "lower bound %g is above upper bound %g", lo, hi)
	}
	out := mapUnary(x, func(v float64) float64 { return min(max(v, lo), hi) })
	if !tracking(x) {
		return out
	}
	inside := func() *Tensor {
		return mapUnary(x, func(v float64) float64 { return step(v >= lo && v <= hi) })
	}
	return record(out, opClamp, []*Tensor{x}, fmt.Sprintf("lo=%g, hi=%g", lo, hi),
		func(g *Tensor) []*Tensor { return []*Tensor{g.Mul(inside())} },
		func(t []*Tensor) *Tensor { return t[0].Mul(inside()) })
}
