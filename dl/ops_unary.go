package dl

import (
	"fmt"
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// The elementwise ops as traces and graphs show them.
var (
	opNeg      = &opDef{"Neg", "−{0}", []string{"{g} × (−1)"}, []string{"−{d0}"}, false}
	opExp      = &opDef{"Exp", "exp {0}", []string{"{g} × {out}"}, []string{"{d0} × {out}"}, false}
	opLog      = &opDef{"Log", "ln {0}", []string{"{g} / {0}"}, []string{"{d0} / {0}"}, false}
	opSin      = &opDef{"Sin", "sin {0}", []string{"{g} × cos {0}"}, []string{"{d0} × cos {0}"}, false}
	opCos      = &opDef{"Cos", "cos {0}", []string{"−{g} × sin {0}"}, []string{"−{d0} × sin {0}"}, false}
	opErf      = &opDef{"Erf", "erf {0}", []string{"{g} × 2/√π × exp(−{0}²)"}, []string{"{d0} × 2/√π × exp(−{0}²)"}, false}
	opTan      = &opDef{"Tan", "tan {0}", []string{"{g} × (1 + {out}²)"}, []string{"{d0} × (1 + {out}²)"}, false}
	opTanh     = &opDef{"Tanh", "tanh {0}", []string{"{g} × (1 − {out}²)"}, []string{"{d0} × (1 − {out}²)"}, false}
	opSigmoid  = &opDef{"Sigmoid", "σ({0})", []string{"{g} × {out} × (1 − {out})"}, []string{"{d0} × {out} × (1 − {out})"}, false}
	opReLU     = &opDef{"ReLU", "relu {0}", []string{"{g} × [{0} > 0]"}, []string{"{d0} × [{0} > 0]"}, false}
	opSqrt     = &opDef{"Sqrt", "√{0}", []string{"{g} / (2 × {out})"}, []string{"{d0} / (2 × {out})"}, false}
	opAbs      = &opDef{"Abs", "|{0}|", []string{"{g} × sign {0}"}, []string{"{d0} × sign {0}"}, false}
	opSquare   = &opDef{"Square", "{0}²", []string{"{g} × 2 × {0}"}, []string{"2 × {0} × {d0}"}, false}
	opSoftplus = &opDef{"Softplus", "softplus {0}", []string{"{g} × σ({0})"}, []string{"{d0} × σ({0})"}, false}
	opClamp    = &opDef{"Clamp", "clamp({0})", []string{"{g} × [lo ≤ {0} ≤ hi]"}, []string{"{d0} × [lo ≤ {0} ≤ hi]"}, false}
)

// unaryOp applies f elementwise and records it with the derivative
// rule df, which reads the op's input or output as df.ReadsOutput says.
func unaryOp(x *Tensor, op *opDef, f cpu.UnaryOp, df cpu.GradOp) *Tensor {
	out := unary(f, x)
	if !tracking(x) {
		return out
	}
	v := x
	if df.ReadsOutput() {
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
	out := unary(cpu.Neg, x)
	if !tracking(x) {
		return out
	}
	return record(out, opNeg, []*Tensor{x}, "",
		func(g *Tensor) []*Tensor { return []*Tensor{g.Neg()} },
		func(t []*Tensor) *Tensor { return t[0].Neg() })
}

// Exp returns eˣ elementwise.
func (x *Tensor) Exp() *Tensor { return unaryOp(x, opExp, cpu.Exp, cpu.ExpGrad) }

// Log returns the natural logarithm elementwise.
func (x *Tensor) Log() *Tensor { return unaryOp(x, opLog, cpu.Log, cpu.LogGrad) }

// Sin returns sin x elementwise.
func (x *Tensor) Sin() *Tensor { return unaryOp(x, opSin, cpu.Sin, cpu.SinGrad) }

// Cos returns cos x elementwise.
func (x *Tensor) Cos() *Tensor { return unaryOp(x, opCos, cpu.Cos, cpu.CosGrad) }

// Erf returns the error function erf x = (2/√π) ∫₀ˣ e^(−t²) dt elementwise,
// the building block of GELU.
func (x *Tensor) Erf() *Tensor { return unaryOp(x, opErf, cpu.Erf, cpu.ErfGrad) }

// Tan returns tan x elementwise.
func (x *Tensor) Tan() *Tensor { return unaryOp(x, opTan, cpu.Tan, cpu.TanGrad) }

// Tanh returns tanh x elementwise.
func (x *Tensor) Tanh() *Tensor { return unaryOp(x, opTanh, cpu.Tanh, cpu.TanhGrad) }

// Sigmoid returns the logistic function 1/(1+e⁻ˣ) elementwise.
func (x *Tensor) Sigmoid() *Tensor {
	return unaryOp(x, opSigmoid, cpu.Sigmoid, cpu.SigmoidGrad)
}

// ReLU returns max(x, 0) elementwise; its derivative at 0 is taken as 0,
// as PyTorch does.
func (x *Tensor) ReLU() *Tensor { return unaryOp(x, opReLU, cpu.ReLU, cpu.ReLUGrad) }

// Sqrt returns √x elementwise.
func (x *Tensor) Sqrt() *Tensor { return unaryOp(x, opSqrt, cpu.Sqrt, cpu.SqrtGrad) }

// Abs returns |x| elementwise; its derivative at 0 is taken as 0.
func (x *Tensor) Abs() *Tensor { return unaryOp(x, opAbs, cpu.Abs, cpu.AbsGrad) }

// Square returns x² elementwise.
func (x *Tensor) Square() *Tensor { return unaryOp(x, opSquare, cpu.Square, cpu.SquareGrad) }

// Softplus returns ln(1 + eˣ) elementwise, a smooth ReLU whose derivative
// is the sigmoid σ(x); computed without overflow for large |x|.
func (x *Tensor) Softplus() *Tensor { return unaryOp(x, opSoftplus, cpu.Softplus, cpu.SoftplusGrad) }

// Clamp limits every element to [lo, hi]. The gradient passes where
// lo ≤ x ≤ hi, as in PyTorch. Use ±Inf for a one-sided clamp.
func (x *Tensor) Clamp(lo, hi float64) *Tensor {
	if lo > hi {
		panicf("Clamp", "lower bound %g is above upper bound %g", lo, hi)
	}
	out := x.likeRaw(slices.Clone(x.shape))
	if out.Len() > 0 {
		run(x.backend()).Clamp(out.data, x.data, lo, hi)
	}
	if !tracking(x) {
		return out
	}
	inside := func(g *Tensor) *Tensor { // g·[lo ≤ x ≤ hi]
		d := g.likeRaw(slices.Clone(x.shape))
		if d.Len() > 0 {
			run(deviceOf("Clamp", g, x)).ClampGrad(d.data, g.data, x.data, lo, hi)
		}
		return d
	}
	return record(out, opClamp, []*Tensor{x}, fmt.Sprintf("lo=%g, hi=%g", lo, hi),
		func(g *Tensor) []*Tensor { return []*Tensor{inside(g)} },
		func(t []*Tensor) *Tensor { return inside(t[0]) })
}
