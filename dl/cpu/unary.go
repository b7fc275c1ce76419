package cpu

import "math"

// UnaryOp names an elementwise function y = f(x).
type UnaryOp uint8

// The elementwise functions.
const (
	Neg      UnaryOp = iota // −x
	Exp                     // eˣ
	Log                     // ln x
	Tanh                    // tanh x
	Sigmoid                 // 1/(1 + e⁻ˣ)
	ReLU                    // max(x, 0)
	Sqrt                    // √x
	Abs                     // |x|
	Square                  // x²
	Sin                     // sin x
	Cos                     // cos x
	Tan                     // tan x
	Erf                     // erf x
	NonZero                 // 1 where x ≠ 0, else 0
	Softplus                // ln(1 + eˣ)
	numUnary
)

var unaryNames = [...]string{Neg: "neg", Exp: "exp", Log: "log", Tanh: "tanh", Sigmoid: "sigmoid",
	ReLU: "relu", Sqrt: "sqrt", Abs: "abs", Square: "square", Sin: "sin", Cos: "cos", Tan: "tan",
	Erf: "erf", NonZero: "nonzero", Softplus: "softplus"}

// String names op as backends' kernel tables do, e.g. "exp".
func (op UnaryOp) String() string { return unaryNames[op] }

// UnaryOps lists every UnaryOp.
func UnaryOps() []UnaryOp {
	ops := make([]UnaryOp, numUnary)
	for i := range ops {
		ops[i] = UnaryOp(i)
	}
	return ops
}

// GradOp names the derivative rule of a UnaryOp: dst = g·f′, computed from
// the adjoint (or tangent) g and the op's input x or output y, as ReadsOutput
// says.
type GradOp uint8

// The derivative rules.
const (
	ExpGrad      GradOp = iota // g·y
	LogGrad                    // g/x
	TanhGrad                   // g·(1 − y²)
	SigmoidGrad                // g·y(1 − y)
	ReLUGrad                   // g·[x > 0]
	SqrtGrad                   // g·0.5/y
	AbsGrad                    // g·sign x
	SquareGrad                 // g·2x
	SinGrad                    // g·cos x
	CosGrad                    // −g·sin x
	TanGrad                    // g·(1 + y²)
	ErfGrad                    // g·2/√π·exp(−x²)
	SoftplusGrad               // g·σ(x)
	numGrad
)

var gradNames = [...]string{ExpGrad: "exp", LogGrad: "log", TanhGrad: "tanh", SigmoidGrad: "sigmoid",
	ReLUGrad: "relu", SqrtGrad: "sqrt", AbsGrad: "abs", SquareGrad: "square", SinGrad: "sin",
	CosGrad: "cos", TanGrad: "tan", ErfGrad: "erf", SoftplusGrad: "softplus"}

// String names op by its function, e.g. "exp" for ExpGrad.
func (op GradOp) String() string { return gradNames[op] }

// ReadsOutput reports whether the rule reads the op's output y (true) or
// its input x (false).
func (op GradOp) ReadsOutput() bool {
	switch op {
	case ExpGrad, TanhGrad, SigmoidGrad, SqrtGrad, TanGrad:
		return true
	}
	return false
}

// GradOps lists every GradOp.
func GradOps() []GradOp {
	ops := make([]GradOp, numGrad)
	for i := range ops {
		ops[i] = GradOp(i)
	}
	return ops
}

// Unary writes dst[i] = op(src[i]), in parallel for large slices. Neg,
// ReLU, Abs and Square are exact in T; the others are computed in float64
// and rounded.
func Unary[T Float](op UnaryOp, dst, src []T) {
	work := len(dst)
	if op == Exp || op == Log || op == Tanh || op == Sigmoid || op == Softplus {
		work *= 16
	}
	if parallelWorth(work) {
		parallelFor(len(dst), work, func(lo, hi int) { unaryTyped(op, dst[lo:hi], src[lo:hi]) })
		return
	}
	unaryTyped(op, dst, src)
}

func unaryTyped[T Float](op UnaryOp, dst, src []T) {
	src = src[:len(dst)]
	switch op {
	case Neg:
		for i, v := range src {
			dst[i] = -v
		}
	case Exp:
		for i, v := range src {
			dst[i] = T(math.Exp(float64(v)))
		}
	case Log:
		for i, v := range src {
			dst[i] = T(math.Log(float64(v)))
		}
	case Tanh:
		for i, v := range src {
			dst[i] = T(math.Tanh(float64(v)))
		}
	case Sigmoid:
		for i, v := range src {
			dst[i] = T(sigmoid(float64(v)))
		}
	case ReLU:
		// The builtin max has no data-dependent branch (a branch on the
		// sign of random data mispredicts half the time), keeps NaN, and
		// turns −0 into 0.
		for i, v := range src {
			dst[i] = max(v, 0)
		}
	case Sqrt:
		for i, v := range src {
			dst[i] = T(math.Sqrt(float64(v)))
		}
	case Abs:
		for i, v := range src {
			dst[i] = T(math.Abs(float64(v)))
		}
	case Square:
		for i, v := range src {
			dst[i] = v * v
		}
	case Sin:
		for i, v := range src {
			dst[i] = T(math.Sin(float64(v)))
		}
	case Cos:
		for i, v := range src {
			dst[i] = T(math.Cos(float64(v)))
		}
	case Tan:
		for i, v := range src {
			dst[i] = T(math.Tan(float64(v)))
		}
	case Erf:
		for i, v := range src {
			dst[i] = T(math.Erf(float64(v)))
		}
	case NonZero:
		for i, v := range src {
			dst[i] = T(step(v != 0))
		}
	case Softplus:
		for i, v := range src {
			dst[i] = T(softplus(float64(v)))
		}
	}
}

// UnaryGrad writes dst[i] = g[i]·f′ for the rule op, v being the op's
// input or output (see GradOp.ReadsOutput); dst may be g.
func UnaryGrad[T Float](op GradOp, dst, g, v []T) {
	if parallelWorth(len(dst)) {
		parallelFor(len(dst), len(dst), func(lo, hi int) { gradTyped(op, dst[lo:hi], g[lo:hi], v[lo:hi]) })
		return
	}
	gradTyped(op, dst, g, v)
}

func gradTyped[T Float](op GradOp, dst, g, v []T) {
	g, v = g[:len(dst)], v[:len(dst)]
	switch op {
	case ExpGrad:
		for i := range dst {
			dst[i] = g[i] * v[i]
		}
	case TanhGrad:
		for i := range dst {
			y := v[i]
			dst[i] = g[i] * (1 - y*y)
		}
	case SigmoidGrad:
		for i := range dst {
			y := v[i]
			dst[i] = g[i] * (y * (1 - y))
		}
	case ReLUGrad:
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
	case SqrtGrad:
		for i := range dst {
			dst[i] = g[i] * T(0.5/float64(v[i]))
		}
	case AbsGrad:
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
	case SquareGrad:
		for i := range dst {
			dst[i] = g[i] * (2 * v[i])
		}
	case LogGrad:
		for i := range dst {
			dst[i] = g[i] / v[i]
		}
	case SinGrad:
		for i := range dst {
			dst[i] = g[i] * T(math.Cos(float64(v[i])))
		}
	case CosGrad:
		for i := range dst {
			dst[i] = g[i] * T(-math.Sin(float64(v[i])))
		}
	case TanGrad:
		for i := range dst {
			y := float64(v[i])
			dst[i] = g[i] * T(1+y*y)
		}
	case ErfGrad:
		for i := range dst {
			x := float64(v[i])
			dst[i] = g[i] * T(2/math.SqrtPi*math.Exp(-x*x))
		}
	case SoftplusGrad:
		for i := range dst {
			dst[i] = g[i] * T(sigmoid(float64(v[i])))
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

// sigmoid is computed without overflow for large |v|.
func sigmoid(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}
