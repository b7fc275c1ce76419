package dl_test

// Value tests: forward results of the ops against hand-computed values and
// naive reference loops, printing, dtypes and scalar promotion, and the
// numerical stability of the softmax family.

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// ---------------------------------------------------------------------------
// Naive references.

// gtRefBroadcastShape is NumPy's broadcast of a and b (valid shapes only).
func gtRefBroadcastShape(a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range out {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		out[i] = max(da, db)
	}
	return out
}

// gtRefAt reads t at idx, an index into a broadcast of t's shape.
func gtRefAt(t *dl.Tensor, idx []int) float64 {
	sh := t.Shape()
	own := make([]int, len(sh))
	off := len(idx) - len(sh)
	for i := range sh {
		if sh[i] != 1 {
			own[i] = idx[off+i]
		}
	}
	return t.At(own...)
}

// gtRefIndices lists every multi-index of shape in row-major order.
func gtRefIndices(shape []int) [][]int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	out := make([][]int, 0, n)
	idx := make([]int, len(shape))
	for i := 0; i < n; i++ {
		out = append(out, slices.Clone(idx))
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

func gtClose(a, b, tol float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*(1+math.Abs(b))
}

func gtExpectClose(t *testing.T, what string, got *dl.Tensor, shape []int, want []float64, tol float64) {
	t.Helper()
	if !slices.Equal(got.Shape(), shape) && !(len(got.Shape()) == 0 && len(shape) == 0) {
		t.Errorf("%s has shape %v, want %v", what, got.Shape(), shape)
		return
	}
	g := got.Float64s()
	if len(g) != len(want) {
		t.Errorf("%s has %d values, want %d", what, len(g), len(want))
		return
	}
	for i := range want {
		if !gtClose(g[i], want[i], tol) {
			t.Errorf("%s = %v, want %v", what, g, want)
			return
		}
	}
}

func gtF64s(v ...float64) *dl.Tensor { return dl.FromSlice(v) }

// ---------------------------------------------------------------------------
// Dtypes.

func TestDTypeDefaults(t *testing.T) {
	rng := gtRNG(1)
	for name, x := range map[string]*dl.Tensor{
		"Zeros": dl.Zeros(2), "Ones": dl.Ones(2), "Full": dl.Full(3, 2), "Scalar": dl.Scalar(1),
		"Arange": dl.Arange(0, 3, 1), "Rand": dl.Rand(rng, 2), "Randn": dl.Randn(rng, 2),
		"Labels": dl.Labels(1, 2), "OneHot": dl.OneHot(gtF64s(1, 0), 2), "FromSlice32": dl.FromSlice([]float32{1}),
		"FromSlice32 empty": dl.FromSlice([]float32(nil)),
	} {
		if x.DType() != dl.Float32 {
			t.Errorf("%s has dtype %v, want float32", name, x.DType())
		}
	}
	for name, x := range map[string]*dl.Tensor{
		"Zeros": dl.Float64.Zeros(2), "Ones": dl.Float64.Ones(2), "Full": dl.Float64.Full(3, 2),
		"Scalar": dl.Float64.Scalar(1), "Arange": dl.Float64.Arange(0, 3, 1), "Rand": dl.Float64.Rand(rng, 2),
		"Randn": dl.Float64.Randn(rng, 2), "FromSlice64": dl.FromSlice([]float64{1}),
		"AsType": dl.Zeros(2).AsType(dl.Float64),
	} {
		if x.DType() != dl.Float64 {
			t.Errorf("Float64.%s has dtype %v, want float64", name, x.DType())
		}
	}
	if dl.Float32.String() != "float32" || dl.Float64.String() != "float64" || dl.DType(7).String() != "DType(7)" {
		t.Errorf("DType names %q %q %q", dl.Float32, dl.Float64, dl.DType(7))
	}
	// Ops keep the dtype.
	x := dl.FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	for name, y := range map[string]*dl.Tensor{
		"Exp": x.Exp(), "Add": x.Add(x), "MatMul": x.MatMul(x), "Sum": x.Sum(0), "Softmax": x.Softmax(1),
		"T": x.T(), "Slice": x.Slice(0, 0, 1), "Concat": dl.Concat(0, x, x), "ArgMax": x.ArgMax(1),
		"Gather": x.Gather(1, dl.Labels(0, 1).Unsqueeze(1)), "Max": x.Max(), "Where": dl.Where(x, x, x),
	} {
		if y.DType() != dl.Float32 {
			t.Errorf("%s of Float32 has dtype %v", name, y.DType())
		}
	}
	// Float32 values are rounded to float32.
	if v := dl.Scalar(0.1).Item(); v != float64(float32(0.1)) {
		t.Errorf("Scalar(0.1).Item() = %v, want float32 rounding", v)
	}
	if v := dl.Float64.Scalar(0.1).Item(); v != 0.1 {
		t.Errorf("Float64.Scalar(0.1).Item() = %v", v)
	}
}

func TestScalarPromotion(t *testing.T) {
	x32 := dl.FromSlice([]float32{1, 2, 3})
	x64 := dl.FromSlice([]float64{1, 2, 3})
	cases := []struct {
		name string
		y    *dl.Tensor
		want dl.DType
		vals []float64
	}{
		{"f32 + f64 scalar", x32.Add(dl.Float64.Scalar(0.5)), dl.Float32, []float64{1.5, 2.5, 3.5}},
		{"f64 scalar + f32", dl.Float64.Scalar(0.5).Add(x32), dl.Float32, []float64{1.5, 2.5, 3.5}},
		{"f64 * f32 scalar", x64.Mul(dl.Scalar(2)), dl.Float64, []float64{2, 4, 6}},
		{"f32 scalar - f64", dl.Scalar(1).Sub(x64), dl.Float64, []float64{0, -1, -2}},
		{"f64 / f32 scalar", x64.Div(dl.Scalar(4)), dl.Float64, []float64{0.25, 0.5, 0.75}},
		{"f32 pow f64 scalar", x32.Pow(dl.Float64.Scalar(2)), dl.Float32, []float64{1, 4, 9}},
		{"f32 maximum f64 scalar", x32.Maximum(dl.Float64.Scalar(2)), dl.Float32, []float64{2, 2, 3}},
		{"f64 minimum f32 scalar", x64.Minimum(dl.Scalar(2)), dl.Float64, []float64{1, 2, 2}},
		{"where f32 x, f64 scalar y", dl.Where(gtF64s(1, 0, 1), x32, dl.Float64.Scalar(-1)), dl.Float32, []float64{1, -1, 3}},
		{"scalar + scalar: left wins", dl.Scalar(1).Add(dl.Float64.Scalar(2)), dl.Float32, []float64{3}},
		{"scalar + scalar: left wins 64", dl.Float64.Scalar(1).Add(dl.Scalar(2)), dl.Float64, []float64{3}},
	}
	for _, c := range cases {
		if c.y.DType() != c.want {
			t.Errorf("%s: dtype %v, want %v", c.name, c.y.DType(), c.want)
		}
		if !slices.Equal(c.y.Float64s(), c.vals) {
			t.Errorf("%s: %v, want %v", c.name, c.y.Float64s(), c.vals)
		}
	}
	// The promoted scalar's gradient comes back in its own dtype.
	s := dl.Float64.Scalar(2).SetRequiresGrad(true)
	x32.Mul(s).Sum().Backward()
	if s.Grad().DType() != dl.Float64 || s.Grad().Item() != 6 {
		t.Errorf("scalar gradient %v %v, want float64 6", s.Grad().DType(), s.Grad())
	}
	// Non-scalar operands of different dtypes never mix.
	for _, f := range []func(){
		func() { x32.Add(x64) },
		func() { x64.Sub(dl.FromSlice([]float32{1})) }, // [1] is not a scalar
		func() { x32.MatMul(x64) },
	} {
		if err := dl.Catch(f); err == nil || !strings.Contains(err.Error(), "float32") || !strings.Contains(err.Error(), "float64") {
			t.Errorf("mixing dtypes gave %v", err)
		}
	}
}

// ---------------------------------------------------------------------------
// Elementwise ops.

func TestBroadcastValues(t *testing.T) {
	a := dl.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	gtExpectClose(t, "[2 3]+[3]", a.Add(gtF64s(10, 20, 30)), []int{2, 3}, []float64{11, 22, 33, 14, 25, 36}, 0)
	gtExpectClose(t, "[2 1]+[1 4]", dl.FromSlice([]float64{1, 2}, 2, 1).Add(dl.FromSlice([]float64{10, 20, 30, 40}, 1, 4)),
		[]int{2, 4}, []float64{11, 21, 31, 41, 12, 22, 32, 42}, 0)
	gtExpectClose(t, "scalar+[2 3]", dl.Float64.Scalar(100).Add(a), []int{2, 3}, []float64{101, 102, 103, 104, 105, 106}, 0)
	gtExpectClose(t, "[2 3]-[2 1]", a.Sub(dl.FromSlice([]float64{1, 4}, 2, 1)), []int{2, 3}, []float64{0, 1, 2, 0, 1, 2}, 0)
	gtExpectClose(t, "[3]*[2 3]", gtF64s(0, 1, -1).Mul(a), []int{2, 3}, []float64{0, 2, -3, 0, 5, -6}, 0)
	gtExpectClose(t, "[2 3]/scalar", a.Div(dl.Float64.Scalar(2)), []int{2, 3}, []float64{0.5, 1, 1.5, 2, 2.5, 3}, 0)
	gtExpectClose(t, "[2 3]^[3]", a.Pow(gtF64s(0, 1, 2)), []int{2, 3}, []float64{1, 2, 9, 1, 5, 36}, 0)
	gtExpectClose(t, "1/0", gtF64s(1, -1, 0).Div(dl.Float64.Scalar(0)), []int{3}, []float64{math.Inf(1), math.Inf(-1), math.NaN()}, 0)

	// Rank 3 and 4 against a naive loop, for every binary op.
	ops := map[string]struct {
		f   func(a, b *dl.Tensor) *dl.Tensor
		ref func(x, y float64) float64
	}{
		"Add":     {(*dl.Tensor).Add, func(x, y float64) float64 { return x + y }},
		"Sub":     {(*dl.Tensor).Sub, func(x, y float64) float64 { return x - y }},
		"Mul":     {(*dl.Tensor).Mul, func(x, y float64) float64 { return x * y }},
		"Div":     {(*dl.Tensor).Div, func(x, y float64) float64 { return x / y }},
		"Pow":     {(*dl.Tensor).Pow, math.Pow},
		"Maximum": {(*dl.Tensor).Maximum, math.Max},
		"Minimum": {(*dl.Tensor).Minimum, math.Min},
	}
	for name, op := range ops {
		for i, s := range gtBinaryShapes {
			x := gtUniform(uint64(9000+i), 0.5, 2, s.a...)
			y := gtUniform(uint64(9100+i), -2, 2, s.b...)
			got := op.f(x, y)
			shape := gtRefBroadcastShape(s.a, s.b)
			if !slices.Equal(got.Shape(), shape) && len(shape) > 0 {
				t.Errorf("%s %v %v: shape %v, want %v", name, s.a, s.b, got.Shape(), shape)
				continue
			}
			for j, idx := range gtRefIndices(shape) {
				if want := op.ref(gtRefAt(x, idx), gtRefAt(y, idx)); got.Float64s()[j] != want {
					t.Errorf("%s %v %v at %v: %v, want %v", name, s.a, s.b, idx, got.Float64s()[j], want)
					break
				}
			}
		}
	}
	// Float32 broadcasting goes through the same kernels.
	gtExpectClose(t, "Float32 [2 1]*[3]", dl.FromSlice([]float32{1, 2}, 2, 1).Mul(dl.FromSlice([]float32{1, 10, 100})),
		[]int{2, 3}, []float64{1, 10, 100, 2, 20, 200}, 0)
}

func TestUnaryValues(t *testing.T) {
	in := []float64{-2.5, -1, -0.25, 0, 0.25, 1, 2.5}
	pos := []float64{0.25, 1, 2.5, 9}
	cases := []struct {
		name string
		f    func(*dl.Tensor) *dl.Tensor
		ref  func(float64) float64
		in   []float64
	}{
		{"Neg", (*dl.Tensor).Neg, func(v float64) float64 { return -v }, in},
		{"Exp", (*dl.Tensor).Exp, math.Exp, in},
		{"Log", (*dl.Tensor).Log, math.Log, pos},
		{"Sin", (*dl.Tensor).Sin, math.Sin, in},
		{"Cos", (*dl.Tensor).Cos, math.Cos, in},
		{"Tan", (*dl.Tensor).Tan, math.Tan, in},
		{"Tanh", (*dl.Tensor).Tanh, math.Tanh, in},
		{"Sigmoid", (*dl.Tensor).Sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, in},
		{"ReLU", (*dl.Tensor).ReLU, func(v float64) float64 { return math.Max(v, 0) }, in},
		{"Sqrt", (*dl.Tensor).Sqrt, math.Sqrt, pos},
		{"Abs", (*dl.Tensor).Abs, math.Abs, in},
		{"Square", (*dl.Tensor).Square, func(v float64) float64 { return v * v }, in},
		{"Softplus", (*dl.Tensor).Softplus, func(v float64) float64 { return math.Log1p(math.Exp(v)) }, in},
		{"Clamp", func(x *dl.Tensor) *dl.Tensor { return x.Clamp(-1, 0.5) }, func(v float64) float64 { return math.Min(math.Max(v, -1), 0.5) }, in},
	}
	for _, c := range cases {
		want := make([]float64, len(c.in))
		for i, v := range c.in {
			want[i] = c.ref(v)
		}
		gtExpectClose(t, c.name, c.f(dl.FromSlice(slices.Clone(c.in))), []int{len(c.in)}, want, 1e-15)
		// Float32 agrees to float32 precision, and the shape survives.
		x32 := dl.FromSlice(slices.Clone(c.in)).AsType(dl.Float32).Reshape(1, len(c.in))
		gtExpectClose(t, c.name+" float32", c.f(x32), []int{1, len(c.in)}, want, 1e-6)
	}
	// Extremes: no overflow into NaN.
	gtExpectClose(t, "Sigmoid extremes", gtF64s(-1000, 1000, math.Inf(-1), math.Inf(1)).Sigmoid(), []int{4}, []float64{0, 1, 0, 1}, 0)
	gtExpectClose(t, "Sigmoid extremes float32", dl.FromSlice([]float32{-1000, 1000}).Sigmoid(), []int{2}, []float64{0, 1}, 0)
	gtExpectClose(t, "Tanh extremes", gtF64s(-1000, 1000).Tanh(), []int{2}, []float64{-1, 1}, 0)
	gtExpectClose(t, "Softplus extremes", gtF64s(-1000, 1000).Softplus(), []int{2}, []float64{0, 1000}, 0)
	gtExpectClose(t, "Clamp one-sided", gtF64s(-5, 5).Clamp(0, math.Inf(1)), []int{2}, []float64{0, 5}, 0)
	gtExpectClose(t, "ReLU scalar", dl.Float64.Scalar(-3).ReLU(), []int{}, []float64{0}, 0)
}

// NaN propagates through every elementwise op and reduction that picks
// values, from either operand, as in NumPy and PyTorch: a NaN in training
// must not be hidden.
func TestNaNPropagates(t *testing.T) {
	nan := math.NaN()
	x := gtF64s(nan, 1, nan)
	y := gtF64s(1, nan, nan)
	gtExpectClose(t, "Maximum", x.Maximum(y), []int{3}, []float64{nan, nan, nan}, 0)
	gtExpectClose(t, "Minimum", x.Minimum(y), []int{3}, []float64{nan, nan, nan}, 0)
	gtExpectClose(t, "Maximum with 0", x.Maximum(dl.Float64.Scalar(0)), []int{3}, []float64{nan, 1, nan}, 0)
	gtExpectClose(t, "Minimum func", dl.Minimum(dl.Float64.Scalar(0), y), []int{3}, []float64{0, nan, nan}, 0)
	gtExpectClose(t, "Maximum float32", dl.FromSlice([]float32{1, 2}).Maximum(dl.FromSlice([]float32{float32(nan), 0})), []int{2}, []float64{nan, 2}, 0)
	gtExpectClose(t, "ReLU", x.ReLU(), []int{3}, []float64{nan, 1, nan}, 0)
	gtExpectClose(t, "Clamp", x.Clamp(0, 0.5), []int{3}, []float64{nan, 0.5, nan}, 0)
	gtExpectClose(t, "Max", gtF64s(1, nan, 3).Max(), []int{}, []float64{nan}, 0)
	gtExpectClose(t, "Min", gtF64s(1, nan, 3).Min(), []int{}, []float64{nan}, 0)
	gtExpectClose(t, "Max first", gtF64s(nan, 3).Max(), []int{}, []float64{nan}, 0)
}

func TestWhereValues(t *testing.T) {
	cond := dl.FromSlice([]float32{1, 0, -2, 0, math.Float32frombits(0x7fc00000), 0}, 2, 3) // NaN counts as true
	x := dl.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	gtExpectClose(t, "Where", dl.Where(cond, x, dl.Float64.Scalar(-1)), []int{2, 3}, []float64{1, -1, 3, -1, 5, -1}, 0)
	gtExpectClose(t, "Where broadcast cond", dl.Where(gtF64s(1, 0, 1), x, x.Neg()), []int{2, 3}, []float64{1, -2, 3, 4, -5, 6}, 0)
	gtExpectClose(t, "Where broadcast all", dl.Where(dl.FromSlice([]float64{0, 1}, 2, 1), gtF64s(1, 2, 3), dl.Float64.Scalar(9)),
		[]int{2, 3}, []float64{9, 9, 9, 1, 2, 3}, 0)
}

// ---------------------------------------------------------------------------
// MatMul.

// gtRefMatMul multiplies a [.., m, k] by b [.., k, n] with broadcast batches.
func gtRefMatMul(a, b *dl.Tensor) ([]int, []float64) {
	as, bs := a.Shape(), b.Shape()
	m, k, n := as[len(as)-2], as[len(as)-1], bs[len(bs)-1]
	batch := gtRefBroadcastShape(as[:len(as)-2], bs[:len(bs)-2])
	var out []float64
	for _, bi := range gtRefIndices(batch) {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for p := 0; p < k; p++ {
					s += gtRefAt(a, append(slices.Clone(bi), i, p)) * gtRefAt(b, append(slices.Clone(bi), p, j))
				}
				out = append(out, s)
			}
		}
	}
	return append(batch, m, n), out
}

func TestMatMulValues(t *testing.T) {
	a := dl.FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	b := dl.FromSlice([]float64{5, 6, 7, 8}, 2, 2)
	gtExpectClose(t, "2x2", a.MatMul(b), []int{2, 2}, []float64{19, 22, 43, 50}, 0)
	gtExpectClose(t, "2x2 func", dl.MatMul(b, a), []int{2, 2}, []float64{23, 34, 31, 46}, 0)
	c := dl.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	gtExpectClose(t, "[2 3]@[3 2]", c.MatMul(c.T()), []int{2, 2}, []float64{14, 32, 32, 77}, 0)
	gtExpectClose(t, "vector@matrix", gtF64s(1, -1).MatMul(c), []int{3}, []float64{-3, -3, -3}, 0)
	gtExpectClose(t, "matrix@vector", c.MatMul(gtF64s(1, 0, -1)), []int{2}, []float64{-2, -2}, 0)
	gtExpectClose(t, "vector@vector", gtF64s(1, 2, 3).MatMul(gtF64s(4, 5, 6)), []int{}, []float64{32}, 0)
	gtExpectClose(t, "vector@vector float32", dl.FromSlice([]float32{1, 2}).MatMul(dl.FromSlice([]float32{3, 4})), []int{}, []float64{11}, 0)
	gtExpectClose(t, "vector@batch", gtF64s(1, 1).MatMul(dl.Float64.Arange(0, 12, 1).Reshape(2, 2, 3)),
		[]int{2, 3}, []float64{3, 5, 7, 15, 17, 19}, 0)
	gtExpectClose(t, "batch@vector", dl.Float64.Arange(0, 12, 1).Reshape(2, 3, 2).MatMul(gtF64s(1, -1)),
		[]int{2, 3}, []float64{-1, -1, -1, -1, -1, -1}, 0)
	gtExpectClose(t, "empty k", dl.Float64.Zeros(2, 0).MatMul(dl.Float64.Zeros(0, 3)), []int{2, 3}, make([]float64, 6), 0)

	for i, s := range []struct{ a, b []int }{
		{[]int{2, 3, 4}, []int{2, 4, 5}},
		{[]int{2, 1, 3, 4}, []int{5, 4, 2}},
		{[]int{1, 3, 2, 3}, []int{2, 1, 3, 2}},
		{[]int{3, 4}, []int{2, 4, 5}},
		{[]int{1, 1}, []int{3, 1, 2}},
	} {
		x, y := gtRandn(uint64(9500+2*i), s.a...), gtRandn(uint64(9501+2*i), s.b...)
		shape, want := gtRefMatMul(x, y)
		gtExpectClose(t, "batched", x.MatMul(y), shape, want, 1e-13)
		gtExpectClose(t, "batched float32", x.AsType(dl.Float32).MatMul(y.AsType(dl.Float32)), shape, want, 1e-5)
	}
}

// ---------------------------------------------------------------------------
// Reductions.

func TestReductionValues(t *testing.T) {
	x := dl.FromSlice([]float64{1, 5, 3, 4, 2, 6}, 2, 3)
	gtExpectClose(t, "Sum", x.Sum(), []int{}, []float64{21}, 0)
	gtExpectClose(t, "Sum(0)", x.Sum(0), []int{3}, []float64{5, 7, 9}, 0)
	gtExpectClose(t, "Sum(-1)", x.Sum(-1), []int{2}, []float64{9, 12}, 0)
	gtExpectClose(t, "Sum(0,1)", x.Sum(0, 1), []int{}, []float64{21}, 0)
	gtExpectClose(t, "SumKeepDim(1)", x.SumKeepDim(1), []int{2, 1}, []float64{9, 12}, 0)
	gtExpectClose(t, "SumKeepDim()", x.SumKeepDim(), []int{1, 1}, []float64{21}, 0)
	gtExpectClose(t, "Mean", x.Mean(), []int{}, []float64{3.5}, 0)
	gtExpectClose(t, "Mean(0)", x.Mean(0), []int{3}, []float64{2.5, 3.5, 4.5}, 0)
	gtExpectClose(t, "MeanKeepDim(-1)", x.MeanKeepDim(-1), []int{2, 1}, []float64{3, 4}, 0)
	gtExpectClose(t, "Max", x.Max(), []int{}, []float64{6}, 0)
	gtExpectClose(t, "Max(1)", x.Max(1), []int{2}, []float64{5, 6}, 0)
	gtExpectClose(t, "MaxKeepDim(0)", x.MaxKeepDim(0), []int{1, 3}, []float64{4, 5, 6}, 0)
	gtExpectClose(t, "Min", x.Min(), []int{}, []float64{1}, 0)
	gtExpectClose(t, "Min(-2)", x.Min(-2), []int{3}, []float64{1, 2, 3}, 0)
	gtExpectClose(t, "MinKeepDim(1)", x.MinKeepDim(1), []int{2, 1}, []float64{1, 2}, 0)
	gtExpectClose(t, "Max negative", gtF64s(-3, -1, -2).Max(), []int{}, []float64{-1}, 0)
	gtExpectClose(t, "Min with Inf", gtF64s(math.Inf(1), 2).Min(), []int{}, []float64{2}, 0)
	gtExpectClose(t, "Max NaN propagates", gtF64s(1, math.NaN(), 3).Max(), []int{}, []float64{math.NaN()}, 0)
	gtExpectClose(t, "Sum empty", dl.Float64.Zeros(0).Sum(), []int{}, []float64{0}, 0)
	gtExpectClose(t, "Sum scalar", dl.Float64.Scalar(4).Sum(), []int{}, []float64{4}, 0)

	// Rank 3 and 4 over every axis list, against a naive loop.
	for _, ra := range gtReduceAxes {
		x := gtRandn(9700, ra.shape...)
		for _, axes := range ra.axes {
			mask := make([]bool, len(ra.shape))
			for _, a := range axes {
				if a < 0 {
					a += len(ra.shape)
				}
				mask[a] = true
			}
			if len(axes) == 0 {
				for i := range mask {
					mask[i] = true
				}
			}
			keep, drop := slices.Clone(ra.shape), []int{}
			for i, m := range mask {
				if m {
					keep[i] = 1
				} else {
					drop = append(drop, ra.shape[i])
				}
			}
			n := 1
			for _, d := range keep {
				n *= d
			}
			sum := make([]float64, n)
			mx := slices.Repeat([]float64{math.Inf(-1)}, len(sum))
			mn := slices.Repeat([]float64{math.Inf(1)}, len(sum))
			count := 0
			for _, idx := range gtRefIndices(ra.shape) {
				o := 0
				for d := range idx {
					if !mask[d] {
						o = o*keep[d] + idx[d]
					}
				}
				v := x.At(idx...)
				sum[o] += v
				mx[o], mn[o] = math.Max(mx[o], v), math.Min(mn[o], v)
				if o == 0 {
					count++
				}
			}
			mean := make([]float64, len(sum))
			for i, s := range sum {
				mean[i] = s / float64(count)
			}
			what := func(op string) string { return fmt.Sprintf("%s %v axes %v", op, ra.shape, axes) }
			gtExpectClose(t, what("Sum"), x.Sum(axes...), drop, sum, 1e-14)
			gtExpectClose(t, what("SumKeepDim"), x.SumKeepDim(axes...), keep, sum, 1e-14)
			gtExpectClose(t, what("Mean"), x.Mean(axes...), drop, mean, 1e-14)
			gtExpectClose(t, what("MeanKeepDim"), x.MeanKeepDim(axes...), keep, mean, 1e-14)
			gtExpectClose(t, what("Max"), x.Max(axes...), drop, mx, 0)
			gtExpectClose(t, what("MaxKeepDim"), x.MaxKeepDim(axes...), keep, mx, 0)
			gtExpectClose(t, what("Min"), x.Min(axes...), drop, mn, 0)
			gtExpectClose(t, what("MinKeepDim"), x.MinKeepDim(axes...), keep, mn, 0)
		}
	}
}

func TestArgMaxArgMin(t *testing.T) {
	x := dl.FromSlice([]float32{3, 7, 7, 1, 0, 2, 9, 0, -1, -1, -5, 4}, 3, 4)
	gtExpectClose(t, "ArgMax(1)", x.ArgMax(1), []int{3}, []float64{1, 2, 3}, 0) // ties: the first
	gtExpectClose(t, "ArgMax(-1)", x.ArgMax(-1), []int{3}, []float64{1, 2, 3}, 0)
	gtExpectClose(t, "ArgMax(0)", x.ArgMax(0), []int{4}, []float64{0, 0, 1, 2}, 0)
	gtExpectClose(t, "ArgMin(1)", x.ArgMin(1), []int{3}, []float64{3, 0, 2}, 0)
	gtExpectClose(t, "ArgMin(-2)", x.ArgMin(-2), []int{4}, []float64{2, 2, 2, 1}, 0)
	if x.ArgMax(1).DType() != dl.Float32 || gtF64s(1, 2).ArgMax(0).DType() != dl.Float64 {
		t.Error("ArgMax does not keep the input's dtype")
	}
	y := dl.Float64.Arange(0, 24, 1).Reshape(2, 3, 4).Mul(gtF64s(1, -1, 1, -1))
	gtExpectClose(t, "ArgMax rank3 axis1", y.ArgMax(1), []int{2, 4}, []float64{2, 0, 2, 0, 2, 0, 2, 0}, 0)
	gtExpectClose(t, "ArgMin rank3 axis2", y.ArgMin(2), []int{2, 3}, []float64{3, 3, 3, 3, 3, 3}, 0)
	gtExpectClose(t, "ArgMax 1-D", gtF64s(-1, 4, 4).ArgMax(0), []int{}, []float64{1}, 0)
	// ArgMax indexes what Max returns; OneHot of it picks the maximum.
	z := gtRandn(9800, 4, 5)
	picked := z.Mul(dl.OneHot(z.ArgMax(1), 5).AsType(dl.Float64)).Sum(1)
	gtExpectClose(t, "Max via OneHot(ArgMax)", picked, []int{4}, z.Max(1).Float64s(), 0)
}

func TestOneHotLabelsGather(t *testing.T) {
	l := dl.Labels(2, 0, 1)
	if l.DType() != dl.Float32 || !slices.Equal(l.Shape(), []int{3}) || !slices.Equal(l.Float64s(), []float64{2, 0, 1}) {
		t.Errorf("Labels: %v %v", l.DType(), l)
	}
	gtExpectClose(t, "Labels none", dl.Labels(), []int{0}, nil, 0)
	gtExpectClose(t, "Labels 2^24", dl.Labels(1<<24), []int{1}, []float64{1 << 24}, 0)
	gtExpectClose(t, "OneHot", dl.OneHot(l, 3), []int{3, 3}, []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}, 0)
	gtExpectClose(t, "OneHot rank2 float64", dl.OneHot(dl.FromSlice([]float64{1, 0, 3, 1}, 2, 2), 4), []int{2, 2, 4},
		[]float64{0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0}, 0)

	x := dl.FromSlice([]float64{10, 11, 12, 20, 21, 22}, 2, 3)
	gtExpectClose(t, "Gather(1)", x.Gather(1, dl.FromSlice([]float64{2, 0, 1, 1}, 2, 2)), []int{2, 2}, []float64{12, 10, 21, 21}, 0)
	gtExpectClose(t, "Gather(0)", x.Gather(0, dl.FromSlice([]float32{1, 0, 1}, 1, 3)), []int{1, 3}, []float64{20, 11, 22}, 0)
	gtExpectClose(t, "Gather(-1) labels", x.Gather(-1, dl.Labels(2, 0).Unsqueeze(1)), []int{2, 1}, []float64{12, 20}, 0)
	gtExpectClose(t, "Gather 1-D", gtF64s(5, 6, 7).Gather(0, dl.Labels(2, 2, 0, 1)), []int{4}, []float64{7, 7, 5, 6}, 0)
	gtExpectClose(t, "Gather index -0", gtF64s(5, 6).Gather(0, gtF64s(math.Copysign(0, -1))), []int{1}, []float64{5}, 0)
	// Cross entropy with Gather matches the one with OneHot.
	logp := gtRandn(9900, 3, 4).LogSoftmax(1)
	y := dl.Labels(3, 0, 2)
	a := logp.Gather(1, y.Unsqueeze(1)).Squeeze(1)
	b := logp.Mul(dl.OneHot(y, 4).AsType(dl.Float64)).Sum(1)
	gtExpectClose(t, "Gather vs OneHot", a, []int{3}, b.Float64s(), 1e-15)
}

// ---------------------------------------------------------------------------
// Shape ops.

func TestShapeOpValues(t *testing.T) {
	x := dl.Float64.Arange(0, 24, 1).Reshape(2, 3, 4)
	seq := func(vs ...float64) []float64 { return vs }
	gtExpectClose(t, "Reshape -1", x.Reshape(4, -1), []int{4, 6}, x.Float64s(), 0)
	gtExpectClose(t, "Reshape -1 middle", x.Reshape(2, -1, 2), []int{2, 6, 2}, x.Float64s(), 0)
	gtExpectClose(t, "Flatten", x.Flatten(), []int{24}, x.Float64s(), 0)
	gtExpectClose(t, "Unsqueeze(1)", x.Unsqueeze(1), []int{2, 1, 3, 4}, x.Float64s(), 0)
	gtExpectClose(t, "Unsqueeze(-1)", x.Unsqueeze(-1), []int{2, 3, 4, 1}, x.Float64s(), 0)
	gtExpectClose(t, "Unsqueeze(3)", x.Unsqueeze(3), []int{2, 3, 4, 1}, x.Float64s(), 0)
	gtExpectClose(t, "Squeeze", x.Reshape(1, 2, 1, 12, 1).Squeeze(), []int{2, 12}, x.Float64s(), 0)
	gtExpectClose(t, "Squeeze(-1, 0)", x.Reshape(1, 2, 1, 12, 1).Squeeze(-1, 0), []int{2, 1, 12}, x.Float64s(), 0)
	gtExpectClose(t, "Transpose", x.Transpose().Index(1), []int{4, 3}, seq(12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23), 0)
	gtExpectClose(t, "T matrix", dl.Float64.Arange(0, 6, 1).Reshape(2, 3).T(), []int{3, 2}, seq(0, 3, 1, 4, 2, 5), 0)
	gtExpectClose(t, "Transpose(0,2)", x.Transpose(0, 2).Slice(0, 0, 2).Slice(1, 0, 1), []int{2, 1, 2}, seq(0, 12, 1, 13), 0)
	p := x.Permute(2, 0, 1)
	if !slices.Equal(p.Shape(), []int{4, 2, 3}) {
		t.Fatalf("Permute shape %v", p.Shape())
	}
	for _, idx := range gtRefIndices(p.Shape()) {
		if p.At(idx...) != x.At(idx[1], idx[2], idx[0]) {
			t.Fatalf("Permute(2,0,1) at %v: %v, want %v", idx, p.At(idx...), x.At(idx[1], idx[2], idx[0]))
		}
	}
	gtExpectClose(t, "Permute negative", x.Permute(-1, 0, 1), p.Shape(), p.Float64s(), 0)
	gtExpectClose(t, "Permute then inverse", p.Permute(1, 2, 0), []int{2, 3, 4}, x.Float64s(), 0)

	v := dl.Float64.Arange(0, 6, 1)
	gtExpectClose(t, "Slice 1:4", v.Slice(0, 1, 4), []int{3}, seq(1, 2, 3), 0)
	gtExpectClose(t, "Slice -3:-1", v.Slice(0, -3, -1), []int{2}, seq(3, 4), 0)
	gtExpectClose(t, "Slice -2:6", v.Slice(-1, -2, 6), []int{2}, seq(4, 5), 0)
	gtExpectClose(t, "Slice -6:0", v.Slice(0, -6, 0), []int{0}, nil, 0)
	gtExpectClose(t, "Slice 2:-2", v.Slice(0, 2, -2), []int{2}, seq(2, 3), 0)
	gtExpectClose(t, "Slice rank3 axis 1", x.Slice(1, -1, 3), []int{2, 1, 4}, seq(8, 9, 10, 11, 20, 21, 22, 23), 0)
	gtExpectClose(t, "Slice rank3 axis -1", x.Slice(-1, 1, 3).Index(1), []int{3, 2}, seq(13, 14, 17, 18, 21, 22), 0)
	gtExpectClose(t, "Index(1)", x.Index(1), []int{3, 4}, x.Float64s()[12:], 0)
	gtExpectClose(t, "Index(-1, -1)", x.Index(-1, -1), []int{4}, seq(20, 21, 22, 23), 0)
	gtExpectClose(t, "Index(0, 2, 3)", x.Index(0, 2, 3), []int{}, seq(11), 0)
	gtExpectClose(t, "Index()", x.Index(), []int{2, 3, 4}, x.Float64s(), 0)

	a := dl.FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	b := dl.FromSlice([]float64{5, 6}, 1, 2)
	c := dl.FromSlice([]float64{7, 8}, 2, 1)
	gtExpectClose(t, "Concat(0)", dl.Concat(0, a, b), []int{3, 2}, seq(1, 2, 3, 4, 5, 6), 0)
	gtExpectClose(t, "Concat(1)", dl.Concat(1, a, c, a), []int{2, 5}, seq(1, 2, 7, 1, 2, 3, 4, 8, 3, 4), 0)
	gtExpectClose(t, "Concat(-1) 1-D", dl.Concat(-1, gtF64s(1), gtF64s(), gtF64s(2, 3)), []int{3}, seq(1, 2, 3), 0)
	gtExpectClose(t, "Stack(0)", dl.Stack(0, gtF64s(1, 2), gtF64s(3, 4), gtF64s(5, 6)), []int{3, 2}, seq(1, 2, 3, 4, 5, 6), 0)
	gtExpectClose(t, "Stack(1)", dl.Stack(1, gtF64s(1, 2), gtF64s(3, 4), gtF64s(5, 6)), []int{2, 3}, seq(1, 3, 5, 2, 4, 6), 0)
	gtExpectClose(t, "Stack(-1) matrices", dl.Stack(-1, a, a.Neg()), []int{2, 2, 2}, seq(1, -1, 2, -2, 3, -3, 4, -4), 0)
	gtExpectClose(t, "Stack(-2) matrices", dl.Stack(-2, a, a.Neg()), []int{2, 2, 2}, seq(1, 2, -1, -2, 3, 4, -3, -4), 0)

	gtExpectClose(t, "BroadcastTo [2 1]->[2 3]", dl.FromSlice([]float64{1, 2}, 2, 1).BroadcastTo(2, 3), []int{2, 3}, seq(1, 1, 1, 2, 2, 2), 0)
	gtExpectClose(t, "BroadcastTo [3]->[2 3]", gtF64s(1, 2, 3).BroadcastTo(2, 3), []int{2, 3}, seq(1, 2, 3, 1, 2, 3), 0)
	gtExpectClose(t, "BroadcastTo scalar", dl.Float64.Scalar(7).BroadcastTo(2, 2), []int{2, 2}, seq(7, 7, 7, 7), 0)
	gtExpectClose(t, "BroadcastTo rank3", dl.FromSlice([]float64{1, 2}, 2, 1).BroadcastTo(2, 2, 2), []int{2, 2, 2}, seq(1, 1, 2, 2, 1, 1, 2, 2), 0)
}

// Ops never change their inputs, and gradients are not written into
// tensors that are still visible (Reshape shares values with its input).
func TestOpsDoNotMutate(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3).SetRequiresGrad(true)
	before := x.Float64s()
	y := x.Reshape(3, 2).T().Add(x).Mul(x.Reshape(6).Reshape(2, 3)).Sum()
	y.Backward()
	g1 := x.Grad()
	g1Values := g1.Float64s()
	y.Backward()
	if !slices.Equal(x.Float64s(), before) {
		t.Errorf("input changed to %v", x.Float64s())
	}
	if !slices.Equal(g1.Float64s(), g1Values) {
		t.Errorf("the first gradient tensor changed from %v to %v on accumulation", g1Values, g1.Float64s())
	}
	// The seed is not changed either.
	s := dl.Float64.Ones(2, 3)
	x.Mul(dl.Float64.Scalar(2)).Backward(s)
	x.Mul(dl.Float64.Scalar(2)).Backward(s)
	if !slices.Equal(s.Float64s(), []float64{1, 1, 1, 1, 1, 1}) {
		t.Errorf("seed changed to %v", s.Float64s())
	}
	// A leaf's gradient seeded directly must not change when the seed's
	// holder is reused.
	v := dl.Float64.Zeros(2).SetRequiresGrad(true)
	seed := gtF64s(3, 4)
	v.Backward(seed)
	v.Backward(seed)
	if !slices.Equal(seed.Float64s(), []float64{3, 4}) || !slices.Equal(v.Grad().Float64s(), []float64{6, 8}) {
		t.Errorf("seed %v grad %v", seed.Float64s(), v.Grad().Float64s())
	}
}

// ---------------------------------------------------------------------------
// The softmax family.

func TestSoftmaxFamilyValues(t *testing.T) {
	x := gtRandn(9950, 4, 5).Mul(dl.Float64.Scalar(3))
	s := x.Softmax(1)
	gtExpectClose(t, "Softmax rows sum to 1", s.Sum(1), []int{4}, []float64{1, 1, 1, 1}, 1e-15)
	gtExpectClose(t, "Softmax cols sum to 1", x.Softmax(0).Sum(0), []int{5}, []float64{1, 1, 1, 1, 1}, 1e-15)
	gtExpectClose(t, "Softmax(-1) = Softmax(1)", x.Softmax(-1), []int{4, 5}, s.Float64s(), 0)
	gtExpectClose(t, "exp LogSoftmax = Softmax", x.LogSoftmax(1).Exp(), []int{4, 5}, s.Float64s(), 1e-14)
	gtExpectClose(t, "LogSoftmax = x - LogSumExp", x.LogSoftmax(1), []int{4, 5},
		x.Sub(x.LogSumExp(1).Unsqueeze(1)).Float64s(), 1e-14)
	gtExpectClose(t, "LogSumExp = log sum exp", x.LogSumExp(0), []int{5}, x.Exp().Sum(0).Log().Float64s(), 1e-14)
	gtExpectClose(t, "Softmax values", gtF64s(0, math.Log(3)).Softmax(0), []int{2}, []float64{0.25, 0.75}, 1e-15)
	gtExpectClose(t, "Softmax rank3 axis 1", dl.Float64.Zeros(2, 4, 3).Softmax(1), []int{2, 4, 3}, slices.Repeat([]float64{0.25}, 24), 0)

	// Large magnitudes: no Inf or NaN, in both dtypes.
	big := []float64{1000, 1000, -1000, -1000, 1000, -1000}
	for _, d := range []dl.DType{dl.Float64, dl.Float32} {
		b := dl.FromSlice(slices.Clone(big), 3, 2).AsType(d)
		tol := 1e-15
		if d == dl.Float32 {
			tol = 1e-6
		}
		gtExpectClose(t, d.String()+" LogSumExp", b.LogSumExp(1), []int{3},
			[]float64{1000 + math.Ln2, -1000 + math.Ln2, 1000}, tol)
		gtExpectClose(t, d.String()+" Softmax", b.Softmax(1), []int{3, 2}, []float64{0.5, 0.5, 0.5, 0.5, 1, 0}, tol)
		gtExpectClose(t, d.String()+" LogSoftmax", b.LogSoftmax(1), []int{3, 2}, []float64{-math.Ln2, -math.Ln2, -math.Ln2, -math.Ln2, 0, -2000}, tol)
		for _, y := range []*dl.Tensor{b.LogSumExp(0), b.Softmax(0), b.LogSoftmax(0)} {
			for _, v := range y.Float64s() {
				if math.IsInf(v, 0) || math.IsNaN(v) {
					t.Errorf("%v: non-finite value in %v", d, y)
				}
			}
		}
	}
	// Gradients at large magnitudes stay finite too.
	b := dl.FromSlice(slices.Clone(big), 3, 2).SetRequiresGrad(true)
	b.LogSoftmax(1).Sum().Add(b.LogSumExp(0).Sum()).Add(b.Softmax(1).Mul(b).Sum()).Backward()
	for _, v := range b.Grad().Float64s() {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			t.Errorf("non-finite gradient %v", b.Grad())
			break
		}
	}
	// -Inf masks an entry out.
	gtExpectClose(t, "masked Softmax", gtF64s(0, math.Inf(-1), 0).Softmax(0), []int{3}, []float64{0.5, 0, 0.5}, 0)
	gtExpectClose(t, "masked LogSumExp", gtF64s(math.Inf(-1), 0).LogSumExp(0), []int{}, []float64{0}, 0)
	gtExpectClose(t, "all -Inf LogSumExp", gtF64s(math.Inf(-1), math.Inf(-1)).LogSumExp(0), []int{}, []float64{math.Inf(-1)}, 0)
	gtExpectClose(t, "single element", dl.FromSlice([]float64{1e6, -1e6}, 2, 1).Softmax(1), []int{2, 1}, []float64{1, 1}, 0)
}

// ---------------------------------------------------------------------------
// Tensors: accessors and printing.

func TestTensorAccessors(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if x.Rank() != 2 || x.Len() != 6 || x.Dim(0) != 2 || x.Dim(-1) != 3 || x.At(1, 2) != 6 || x.At(0, 1) != 2 {
		t.Errorf("Rank %d Len %d Dim %d %d At %v", x.Rank(), x.Len(), x.Dim(0), x.Dim(-1), x.At(1, 2))
	}
	sh := x.Shape()
	sh[0] = 99
	if x.Dim(0) != 2 {
		t.Error("Shape() returned the tensor's own slice")
	}
	vs := x.Float64s()
	vs[0] = 99
	if x.At(0, 0) != 1 {
		t.Error("Float64s() returned the tensor's own slice")
	}
	if got := x.Float32s(); !slices.Equal(got, []float32{1, 2, 3, 4, 5, 6}) {
		t.Errorf("Float32s %v", got)
	}
	c := x.Clone()
	if !slices.Equal(c.Float64s(), x.Float64s()) || c.RequiresGrad() || c.IsLeaf() == false {
		t.Errorf("Clone %v", c)
	}
	// FromSlice does not copy.
	data := []float32{1, 2}
	y := dl.FromSlice(data)
	data[0] = 5
	if y.At(0) != 5 {
		t.Error("FromSlice copied its data")
	}
	if dl.Scalar(2.5).Item() != 2.5 || dl.Float64.Ones(1, 1, 1).Item() != 1 || dl.Scalar(3).Rank() != 0 || dl.Scalar(3).Len() != 1 {
		t.Error("Item/Rank/Len of a scalar")
	}
	gtExpectClose(t, "Arange", dl.Float64.Arange(0, 1, 0.25), []int{4}, []float64{0, 0.25, 0.5, 0.75}, 0)
	gtExpectClose(t, "Arange down", dl.Float64.Arange(3, 0, -1), []int{3}, []float64{3, 2, 1}, 0)
	gtExpectClose(t, "Arange partial step", dl.Float64.Arange(0, 1, 0.3), []int{4}, []float64{0, 0.3, 0.6, 0.9}, 1e-15)
	gtExpectClose(t, "Full", dl.Float64.Full(-2, 2), []int{2}, []float64{-2, -2}, 0)
	r := dl.Float64.Rand(gtRNG(3), 1000)
	if r.Min().Item() < 0 || r.Max().Item() >= 1 {
		t.Errorf("Rand outside [0, 1): %v..%v", r.Min(), r.Max())
	}
	n := dl.Float64.Randn(gtRNG(4), 10000)
	if m := n.Mean().Item(); math.Abs(m) > 0.05 {
		t.Errorf("Randn mean %v", m)
	}
	if v := n.Square().Mean().Item(); math.Abs(v-1) > 0.05 {
		t.Errorf("Randn variance %v", v)
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		name string
		x    *dl.Tensor
		want string
	}{
		{"scalar", dl.Scalar(3), "3"},
		{"scalar fraction", dl.Float64.Scalar(-0.125), "-0.125"},
		{"vector", dl.Arange(0, 4, 1), "[0 1 2 3]"},
		{"matrix", dl.Arange(0, 6, 1).Reshape(2, 3), "[[0 1 2]\n [3 4 5]]"},
		{"aligned", dl.FromSlice([]float64{1, -20, 300, 4}, 2, 2), "[[  1 -20]\n [300   4]]"},
		{"rank3", dl.Arange(0, 8, 1).Reshape(2, 2, 2), "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]"},
		{"rank4", dl.Arange(0, 4, 1).Reshape(1, 2, 1, 2), "[[[[0 1]]\n\n  [[2 3]]]]"},
		{"6 digits", dl.FromSlice([]float64{1.0 / 3, 2}), "[0.333333        2]"},
		{"float32 digits", dl.FromSlice([]float32{0.1}), "[0.1]"},
		{"empty", dl.Zeros(0), "[]"},
		{"column", dl.Arange(0, 2, 1).Reshape(2, 1), "[[0]\n [1]]"},
	}
	for _, c := range cases {
		if got := c.x.String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	var nilT *dl.Tensor
	if nilT.String() != "<nil>" {
		t.Errorf("nil tensor prints %q", nilT.String())
	}

	// More than 1000 elements: the first and last 3 along each axis, "…"
	// between.
	long := dl.Arange(0, 2000, 1).String()
	if long != "[   0    1    2    … 1997 1998 1999]" {
		t.Errorf("2000 elements: %q", long)
	}
	m := dl.Arange(0, 1600, 1).Reshape(40, 40).String()
	lines := strings.Split(m, "\n")
	if len(lines) != 7 || strings.TrimSpace(lines[3]) != "…" || !strings.HasPrefix(lines[0], "[[   0    1    2    …   37   38   39]") ||
		!strings.HasSuffix(m, "1597 1598 1599]]") || strings.Contains(m, " 500 ") {
		t.Errorf("40×40:\n%s", m)
	}
	if s := dl.Arange(0, 1001, 1).String(); !strings.Contains(s, "…") || strings.Count(s, " ") > 40 {
		t.Errorf("1001 elements not shortened: %.80q", s)
	}
	if s := dl.Arange(0, 1000, 1).String(); strings.Contains(s, "…") || !strings.Contains(s, " 500 ") {
		t.Errorf("1000 elements shortened: %.80q", s)
	}
	// A long axis with few elements along the others: only it is cut.
	w := dl.Arange(0, 1200, 1).Reshape(2, 600).String()
	if w != "[[   0    1    2    …  597  598  599]\n [ 600  601  602    … 1197 1198 1199]]" {
		t.Errorf("[2 600]: %q", w)
	}
}
