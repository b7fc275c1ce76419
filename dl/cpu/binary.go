package cpu

import "math"

// BinaryOp names an elementwise function of two broadcast operands.
type BinaryOp uint8

// The binary functions.
const (
	Add        BinaryOp = iota // a + b
	Sub                        // a − b
	Mul                        // a × b
	Div                        // a / b
	Pow                        // aᵇ
	PowBase                    // b·a^(b−1), 0 where b = 0: ∂aᵇ/∂a
	PowExp                     // aᵇ·ln a, 0 where a = 0 and b ≥ 0: ∂aᵇ/∂b
	Maximum                    // max(a, b); NaN wins
	Minimum                    // min(a, b); NaN wins
	MaxShare                   // 1 where a > b, ½ where a = b, else 0: a's share of ∂max
	MinShare                   // 1 where a < b, ½ where a = b, else 0: a's share of ∂min
	Equal                      // 1 where a = b, else 0
	TangentMul                 // a × b, but 0 wherever a is 0 (even if b is ±Inf or NaN)
	Greater                    // 1 where a > b, else 0
	numBinary
)

var binaryNames = [...]string{Add: "add", Sub: "sub", Mul: "mul", Div: "div", Pow: "pow",
	PowBase: "powbase", PowExp: "powexp", Maximum: "maximum", Minimum: "minimum",
	MaxShare: "maxshare", MinShare: "minshare", Equal: "equal", TangentMul: "tangentmul", Greater: "greater"}

// String names op, e.g. "add".
func (op BinaryOp) String() string { return binaryNames[op] }

// BinaryOps lists every BinaryOp.
func BinaryOps() []BinaryOp {
	ops := make([]BinaryOp, numBinary)
	for i := range ops {
		ops[i] = BinaryOp(i)
	}
	return ops
}

// Binary writes dst[i] = op(a, b) over shape, reading a and b at their
// strides (0 along broadcast axes). dst is contiguous and may be a or b
// where that operand is not broadcast. Add, Sub, Mul and Div run in T
// (for float32 that is the float64 result rounded once); the others are
// computed in float64 and rounded.
func Binary[T Float](op BinaryOp, dst, a, b []T, shape, aStrides, bStrides []int) {
	switch {
	case len(a) == len(dst) && len(b) == len(dst):
		if op <= Div && parallelWorth(len(dst)) {
			parallelFor(len(dst), len(dst), func(lo, hi int) { arithSame(op, dst[lo:hi], a[lo:hi], b[lo:hi]) })
			return
		}
		binaryRun(op, dst, a, 0, 1, b, 0, 1)
	case len(b) == 1 && len(a) == len(dst):
		binaryRun(op, dst, a, 0, 1, b, 0, 0)
	case len(a) == 1 && len(b) == len(dst):
		binaryRun(op, dst, a, 0, 0, b, 0, 1)
	default:
		var w walk2
		if !w.init(shape, aStrides, bStrides) {
			return
		}
		n, ia, ib := w.inner()
		for o := 0; o < len(dst); o += n {
			pa, pb := w.pos()
			binaryRun(op, dst[o:o+n], a, pa, ia, b, pb, ib)
			w.next()
		}
	}
}

// binaryRun writes d[j] = op(a[pa + j·ia], b[pb + j·ib]): one run of
// Binary, with loops of their own for the arithmetic's common strides.
func binaryRun[T Float](op BinaryOp, d, a []T, pa, ia int, b []T, pb, ib int) {
	n := len(d)
	switch {
	case op > Div:
		f := binaryFuncs[op]
		for j := range d {
			d[j] = T(f(float64(a[pa+j*ia]), float64(b[pb+j*ib])))
		}
	case ia == 1 && ib == 1:
		arithSame(op, d, a[pa:pa+n], b[pb:pb+n])
	case ia == 1 && ib == 0:
		arithScalarB(op, d, a[pa:pa+n], b[pb])
	case ia == 0 && ib == 1:
		arithScalarA(op, d, a[pa], b[pb:pb+n])
	default:
		arithStrided(op, d, a, pa, ia, b, pb, ib)
	}
}

func arithSame[T Float](op BinaryOp, dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	switch op {
	case Add:
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case Sub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case Mul:
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	case Div:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	}
}

func arithScalarB[T Float](op BinaryOp, dst, a []T, s T) {
	a = a[:len(dst)]
	switch op {
	case Add:
		for i := range dst {
			dst[i] = a[i] + s
		}
	case Sub:
		for i := range dst {
			dst[i] = a[i] - s
		}
	case Mul:
		for i := range dst {
			dst[i] = a[i] * s
		}
	case Div:
		for i := range dst {
			dst[i] = a[i] / s
		}
	}
}

func arithScalarA[T Float](op BinaryOp, dst []T, s T, b []T) {
	b = b[:len(dst)]
	switch op {
	case Add:
		for i := range dst {
			dst[i] = s + b[i]
		}
	case Sub:
		for i := range dst {
			dst[i] = s - b[i]
		}
	case Mul:
		for i := range dst {
			dst[i] = s * b[i]
		}
	case Div:
		for i := range dst {
			dst[i] = s / b[i]
		}
	}
}

func arithStrided[T Float](op BinaryOp, dst, a []T, pa, ia int, b []T, pb, ib int) {
	for j := range dst {
		x, y := a[pa+j*ia], b[pb+j*ib]
		switch op {
		case Add:
			dst[j] = x + y
		case Sub:
			dst[j] = x - y
		case Mul:
			dst[j] = x * y
		case Div:
			dst[j] = x / y
		}
	}
}

// AddInto adds src to dst elementwise.
func AddInto[T Float](dst, src []T) {
	src = src[:len(dst)]
	i := 0
	// Four independent adds a round: twice the speed of one at a time
	// (col2im and the adjoints' accumulation spend their time here).
	for ; i+4 <= len(dst); i += 4 {
		d, s := dst[i:i+4:i+4], src[i:i+4:i+4]
		d[0] += s[0]
		d[1] += s[1]
		d[2] += s[2]
		d[3] += s[3]
	}
	for ; i < len(dst); i++ {
		dst[i] += src[i]
	}
}

// binaryFuncs are the ops computed in float64, element by element.
var binaryFuncs = [numBinary]func(x, y float64) float64{
	Pow: math.Pow,
	PowBase: func(p, q float64) float64 {
		if q == 0 {
			return 0
		}
		return q * math.Pow(p, q-1)
	},
	PowExp: func(p, q float64) float64 {
		if p == 0 && q >= 0 {
			return 0
		}
		return math.Pow(p, q) * math.Log(p)
	},
	Maximum:  func(p, q float64) float64 { return extreme(p, q, 1) },
	Minimum:  func(p, q float64) float64 { return extreme(p, q, -1) },
	MaxShare: func(p, q float64) float64 { return share((p - q)) },
	MinShare: func(p, q float64) float64 { return share((q - p)) },
	Equal:    func(p, q float64) float64 { return step(p == q) },
	Greater:  func(p, q float64) float64 { return step(p > q) },
	TangentMul: func(t, d float64) float64 {
		if t == 0 {
			return 0
		}
		return t * d
	},
}

// extreme is the larger of p and q (sign 1) or the smaller (−1); a NaN
// wins from either side.
func extreme(p, q, sign float64) float64 {
	if (p-q)*sign >= 0 || math.IsNaN(p) {
		return p
	}
	return q
}

// share is the first operand's part of an extremum's gradient for the
// difference d (signed so that d > 0 means it won): ties split evenly.
func share(d float64) float64 {
	switch {
	case d > 0:
		return 1
	case d == 0:
		return 0.5
	}
	return 0
}

// step is 1 for true, 0 for false.
func step(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
