package dl_test

// Gradient tests: every differentiable op is checked in float64 with
// dl.GradCheck (reverse mode element by element, forward mode along a random
// direction, both against central differences) on several shapes, including
// broadcasting and reductions over every kind of axis list. Inputs keep away
// from kinks and ties; the conventions at kinks and ties are tested exactly
// further down, as are the semantics of Backward, ZeroGrad, Detach, NoGrad and
// JVP.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// ---------------------------------------------------------------------------
// Input generators (all Float64, deterministic).

func gtRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b9)) }

// gtRandn returns standard normal values.
func gtRandn(seed uint64, shape ...int) *dl.Tensor { return dl.Float64.Randn(gtRNG(seed), shape...) }

// gtUniform returns values uniform in [lo, hi).
func gtUniform(seed uint64, lo, hi float64, shape ...int) *dl.Tensor {
	r := gtRNG(seed)
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = lo + (hi-lo)*r.Float64()
	}
	return dl.FromSlice(v, shape...)
}

// gtAway returns values with |v| in [0.3, 1.5] and a random sign: far from
// the kinks of ReLU and Abs and the poles of Div.
func gtAway(seed uint64, shape ...int) *dl.Tensor {
	r := gtRNG(seed)
	t := gtUniform(seed+1000, 0.3, 1.5, shape...)
	v := t.Float64s()
	for i := range v {
		if r.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	return dl.FromSlice(v, shape...)
}

// gtGrid returns a random permutation of offset + 0.1·(k − n/2), k < n: any
// two values differ by at least 0.1, and a grid with offset 0.05 never comes
// closer than 0.05 to one with offset 0. No ties, whatever broadcasts.
func gtGrid(seed uint64, offset float64, shape ...int) *dl.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	perm := gtRNG(seed).Perm(n)
	v := make([]float64, n)
	for i, p := range perm {
		v[i] = offset + 0.1*float64(p-n/2)
	}
	return dl.FromSlice(v, shape...)
}

// ---------------------------------------------------------------------------
// The table runner.

type gtCase struct {
	name   string
	f      func(in ...*dl.Tensor) *dl.Tensor
	inputs []*dl.Tensor
}

func gtRunCases(t *testing.T, cases []gtCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r *dl.GradCheckReport
			if err := dl.Catch(func() { r = dl.GradCheck(c.f, c.inputs...) }); err != nil {
				t.Fatalf("GradCheck panicked: %v", err)
			}
			if len(r.Results) != len(c.inputs) {
				t.Fatalf("report has %d results for %d inputs", len(r.Results), len(c.inputs))
			}
			if !r.OK() {
				t.Errorf("gradient check failed:\n%s", r)
			}
		})
	}
}

func gtShapeName(s []int) string {
	if len(s) == 0 {
		return "scalar"
	}
	return fmt.Sprint(s)
}

// gtBinaryShapes are the operand shapes every binary op is checked on.
var gtBinaryShapes = []struct{ a, b []int }{
	{[]int{}, []int{}},
	{[]int{5}, []int{5}},
	{[]int{2, 3}, []int{2, 3}},
	{[]int{2, 3}, []int{3}},
	{[]int{3}, []int{2, 3}},
	{[]int{2, 1}, []int{1, 4}},
	{[]int{}, []int{2, 3}},
	{[]int{2, 3}, []int{}},
	{[]int{2, 1, 4}, []int{3, 1}},
	{[]int{2, 3, 4}, []int{2, 3, 4}},
	{[]int{2, 1, 3, 1}, []int{1, 4, 1, 2}},
	{[]int{4, 1}, []int{2, 3, 1, 5}},
}

// gtUnaryShapes are the shapes every elementwise unary op is checked on.
var gtUnaryShapes = [][]int{{}, {5}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}}

// ---------------------------------------------------------------------------
// Elementwise binary ops.

func TestGradBinary(t *testing.T) {
	type gen func(seed uint64, shape ...int) *dl.Tensor
	pos := func(seed uint64, shape ...int) *dl.Tensor { return gtUniform(seed, 0.5, 2, shape...) }
	small := func(seed uint64, shape ...int) *dl.Tensor { return gtUniform(seed, -1.5, 1.5, shape...) }
	grid0 := func(seed uint64, shape ...int) *dl.Tensor { return gtGrid(seed, 0, shape...) }
	grid5 := func(seed uint64, shape ...int) *dl.Tensor { return gtGrid(seed, 0.05, shape...) }
	ops := []struct {
		name string
		f    func(a, b *dl.Tensor) *dl.Tensor
		ga   gen
		gb   gen
	}{
		{"Add", (*dl.Tensor).Add, gtRandn, gtRandn},
		{"Sub", (*dl.Tensor).Sub, gtRandn, gtRandn},
		{"Mul", (*dl.Tensor).Mul, gtRandn, gtRandn},
		{"Div", (*dl.Tensor).Div, gtRandn, gtAway},
		{"Pow", (*dl.Tensor).Pow, pos, small}, // positive base: both gradients
		{"Maximum", (*dl.Tensor).Maximum, grid0, grid5},
		{"Minimum", (*dl.Tensor).Minimum, grid0, grid5},
		{"MaximumFunc", dl.Maximum, grid5, grid0},
		{"MinimumFunc", dl.Minimum, grid5, grid0},
	}
	var cases []gtCase
	for i, op := range ops {
		for j, s := range gtBinaryShapes {
			seed := uint64(100*i + 2*j)
			op := op
			cases = append(cases, gtCase{
				name:   fmt.Sprintf("%s/%s,%s", op.name, gtShapeName(s.a), gtShapeName(s.b)),
				f:      func(in ...*dl.Tensor) *dl.Tensor { return op.f(in[0], in[1]) },
				inputs: []*dl.Tensor{op.ga(seed, s.a...), op.gb(seed+1, s.b...)},
			})
		}
	}
	// The same operand on both sides, and constants on one side.
	x := gtUniform(7, 0.5, 2, 2, 3)
	cases = append(cases,
		gtCase{"Mul/self", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Mul(in[0]) }, []*dl.Tensor{x}},
		gtCase{"Div/self+1", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Div(in[0].Add(dl.Float64.Scalar(1))) }, []*dl.Tensor{x}},
		gtCase{"Pow/self", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(in[0]) }, []*dl.Tensor{x}},
		gtCase{"Pow/const exponent", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(dl.Float64.Scalar(2.5)) }, []*dl.Tensor{x}},
		gtCase{"Pow/const base", func(in ...*dl.Tensor) *dl.Tensor { return dl.Float64.Scalar(1.7).Pow(in[0]) }, []*dl.Tensor{gtRandn(8, 2, 3)}},
		gtCase{"Pow/negative integer exponent", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(dl.Float64.Scalar(-2)) }, []*dl.Tensor{x}},
		gtCase{"Sub/Float32 scalar constant", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Sub(dl.Scalar(0.5)) }, []*dl.Tensor{x}},
	)
	gtRunCases(t, cases)
}

// ---------------------------------------------------------------------------
// Elementwise unary ops.

func TestGradUnary(t *testing.T) {
	pos := func(seed uint64, shape ...int) *dl.Tensor { return gtUniform(seed, 0.3, 3, shape...) }
	tanIn := func(seed uint64, shape ...int) *dl.Tensor { return gtUniform(seed, -1.2, 1.2, shape...) }
	wide := func(seed uint64, shape ...int) *dl.Tensor {
		return gtRandn(seed, shape...).Mul(dl.Float64.Scalar(3))
	}
	clampIn := func(seed uint64, shape ...int) *dl.Tensor { return gtGrid(seed, 0, shape...) }
	ops := []struct {
		name string
		f    func(x *dl.Tensor) *dl.Tensor
		gen  func(seed uint64, shape ...int) *dl.Tensor
	}{
		{"Neg", (*dl.Tensor).Neg, gtRandn},
		{"Exp", (*dl.Tensor).Exp, gtRandn},
		{"Log", (*dl.Tensor).Log, pos},
		{"Sin", (*dl.Tensor).Sin, wide},
		{"Cos", (*dl.Tensor).Cos, wide},
		{"Tan", (*dl.Tensor).Tan, tanIn},
		{"Tanh", (*dl.Tensor).Tanh, wide},
		{"Sigmoid", (*dl.Tensor).Sigmoid, wide},
		{"Softplus", (*dl.Tensor).Softplus, wide},
		{"ReLU", (*dl.Tensor).ReLU, gtAway},
		{"Sqrt", (*dl.Tensor).Sqrt, pos},
		{"Abs", (*dl.Tensor).Abs, gtAway},
		{"Square", (*dl.Tensor).Square, gtRandn},
		// Bounds at ±x.x5 while the grid sits on multiples of 0.1.
		{"Clamp", func(x *dl.Tensor) *dl.Tensor { return x.Clamp(-0.25, 0.35) }, clampIn},
		{"ClampLow", func(x *dl.Tensor) *dl.Tensor { return x.Clamp(-0.15, math.Inf(1)) }, clampIn},
		{"ClampHigh", func(x *dl.Tensor) *dl.Tensor { return x.Clamp(math.Inf(-1), 0.05) }, clampIn},
	}
	var cases []gtCase
	for i, op := range ops {
		for j, s := range gtUnaryShapes {
			op := op
			cases = append(cases, gtCase{
				name:   op.name + "/" + gtShapeName(s),
				f:      func(in ...*dl.Tensor) *dl.Tensor { return op.f(in[0]) },
				inputs: []*dl.Tensor{op.gen(uint64(1000+10*i+j), s...)},
			})
		}
	}
	// Sigmoid in its saturated tails still has an accurate derivative.
	cases = append(cases, gtCase{"Sigmoid/tails",
		func(in ...*dl.Tensor) *dl.Tensor { return in[0].Sigmoid() },
		[]*dl.Tensor{dl.FromSlice([]float64{-30, -12, 12, 30})}})
	gtRunCases(t, cases)
}

// ---------------------------------------------------------------------------
// Where.

func TestGradWhere(t *testing.T) {
	cond23 := dl.FromSlice([]float32{1, 0, 1, 0, 0, 1}, 2, 3)
	cond3 := dl.FromSlice([]float64{0, 2, -1}) // any non-zero value is true
	cond21 := dl.FromSlice([]float32{1, 0}, 2, 1)
	cases := []gtCase{
		{"same shapes", func(in ...*dl.Tensor) *dl.Tensor { return dl.Where(cond23, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(1, 2, 3), gtRandn(2, 2, 3)}},
		{"x [3] y scalar", func(in ...*dl.Tensor) *dl.Tensor { return dl.Where(cond23, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(3, 3), gtRandn(4)}},
		{"cond [3] x [2 3] y [2 1]", func(in ...*dl.Tensor) *dl.Tensor { return dl.Where(cond3, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(5, 2, 3), gtRandn(6, 2, 1)}},
		{"cond [2 1] x [1 4] y [3 1 4]", func(in ...*dl.Tensor) *dl.Tensor { return dl.Where(cond21, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(7, 1, 4), gtRandn(8, 3, 1, 4)}},
		// cond computed from x: it takes part in the graph but gets no gradient.
		{"relu via where", func(in ...*dl.Tensor) *dl.Tensor {
			return dl.Where(in[0].ReLU(), in[0], dl.Float64.Scalar(0))
		}, []*dl.Tensor{gtAway(9, 2, 3)}},
	}
	gtRunCases(t, cases)
}

// ---------------------------------------------------------------------------
// MatMul.

func TestGradMatMul(t *testing.T) {
	shapes := []struct{ a, b []int }{
		{[]int{2, 3}, []int{3, 4}},
		{[]int{1, 1}, []int{1, 1}},
		{[]int{4, 1}, []int{1, 3}},
		{[]int{3}, []int{3, 4}},          // vector @ matrix
		{[]int{2, 3}, []int{3}},          // matrix @ vector
		{[]int{3}, []int{3}},             // vector @ vector: a scalar
		{[]int{2, 3, 4}, []int{2, 4, 5}}, // batched
		{[]int{2, 3, 4}, []int{4, 5}},    // batch @ matrix
		{[]int{3, 4}, []int{2, 4, 5}},    // matrix @ batch
		{[]int{2, 1, 3, 4}, []int{5, 4, 2}},
		{[]int{1, 3, 2, 3}, []int{2, 1, 3, 2}},
		{[]int{4}, []int{2, 4, 3}}, // vector @ batch
		{[]int{2, 3, 4}, []int{4}}, // batch @ vector
	}
	var cases []gtCase
	for i, s := range shapes {
		cases = append(cases, gtCase{
			name:   fmt.Sprintf("%v@%v", s.a, s.b),
			f:      func(in ...*dl.Tensor) *dl.Tensor { return in[0].MatMul(in[1]) },
			inputs: []*dl.Tensor{gtRandn(uint64(2000+2*i), s.a...), gtRandn(uint64(2001+2*i), s.b...)},
		})
	}
	x := gtRandn(2100, 3, 3)
	cases = append(cases,
		gtCase{"x@x", func(in ...*dl.Tensor) *dl.Tensor { return dl.MatMul(in[0], in[0]) }, []*dl.Tensor{x}},
		gtCase{"x@xᵀ", func(in ...*dl.Tensor) *dl.Tensor { return in[0].MatMul(in[0].T()) }, []*dl.Tensor{gtRandn(2101, 2, 3)}},
	)
	gtRunCases(t, cases)
}

// ---------------------------------------------------------------------------
// Reductions over axis lists.

// gtReduceAxes lists, per input shape, the axis lists every reduction is
// checked on: single, several, negative, all (none given and all given).
var gtReduceAxes = []struct {
	shape []int
	axes  [][]int
}{
	{[]int{}, [][]int{nil}},
	{[]int{5}, [][]int{nil, {0}, {-1}}},
	{[]int{3, 4}, [][]int{nil, {0}, {1}, {-1}, {-2}, {0, 1}, {1, 0}}},
	{[]int{2, 3, 4}, [][]int{nil, {0}, {1}, {2}, {-1}, {0, 2}, {-1, 0}, {-3, -2}, {0, 1, 2}}},
	{[]int{2, 3, 2, 2}, [][]int{{1}, {1, 3}, {-4, -2}, {0, 1, 3}}},
	{[]int{3, 1, 2}, [][]int{{1}, {0, 1}}},
}

func TestGradReductions(t *testing.T) {
	ops := []struct {
		name string
		f    func(x *dl.Tensor, keep bool, axes ...int) *dl.Tensor
		grid bool // needs distinct values
	}{
		{"Sum", func(x *dl.Tensor, keep bool, axes ...int) *dl.Tensor {
			if keep {
				return x.SumKeepDim(axes...)
			}
			return x.Sum(axes...)
		}, false},
		{"Mean", func(x *dl.Tensor, keep bool, axes ...int) *dl.Tensor {
			if keep {
				return x.MeanKeepDim(axes...)
			}
			return x.Mean(axes...)
		}, false},
		{"Max", func(x *dl.Tensor, keep bool, axes ...int) *dl.Tensor {
			if keep {
				return x.MaxKeepDim(axes...)
			}
			return x.Max(axes...)
		}, true},
		{"Min", func(x *dl.Tensor, keep bool, axes ...int) *dl.Tensor {
			if keep {
				return x.MinKeepDim(axes...)
			}
			return x.Min(axes...)
		}, true},
	}
	var cases []gtCase
	seed := uint64(3000)
	for _, op := range ops {
		for _, ra := range gtReduceAxes {
			for _, axes := range ra.axes {
				for _, keep := range []bool{false, true} {
					seed++
					x := gtRandn(seed, ra.shape...)
					if op.grid {
						x = gtGrid(seed, 0, ra.shape...)
					}
					name := op.name
					if keep {
						name += "KeepDim"
					}
					op, axes, keep := op, axes, keep
					cases = append(cases, gtCase{
						name:   fmt.Sprintf("%s/%s/axes=%v", name, gtShapeName(ra.shape), axes),
						f:      func(in ...*dl.Tensor) *dl.Tensor { return op.f(in[0], keep, axes...) },
						inputs: []*dl.Tensor{x},
					})
				}
			}
		}
	}
	gtRunCases(t, cases)
}

func TestGradSoftmaxFamily(t *testing.T) {
	shapes := []struct {
		shape []int
		axes  []int
	}{
		{[]int{5}, []int{0, -1}},
		{[]int{3, 4}, []int{0, 1, -1, -2}},
		{[]int{2, 3, 4}, []int{0, 1, -1}},
		{[]int{2, 2, 3, 2}, []int{2, -4}},
		{[]int{3, 1}, []int{1}}, // a single element along the axis
	}
	ops := []struct {
		name string
		f    func(x *dl.Tensor, axis int) *dl.Tensor
	}{
		{"LogSumExp", (*dl.Tensor).LogSumExp},
		{"Softmax", (*dl.Tensor).Softmax},
		{"LogSoftmax", (*dl.Tensor).LogSoftmax},
	}
	var cases []gtCase
	seed := uint64(4000)
	for _, op := range ops {
		for _, s := range shapes {
			for _, axis := range s.axes {
				seed++
				op, axis := op, axis
				cases = append(cases, gtCase{
					name:   fmt.Sprintf("%s/%v/axis=%d", op.name, s.shape, axis),
					f:      func(in ...*dl.Tensor) *dl.Tensor { return op.f(in[0], axis) },
					inputs: []*dl.Tensor{gtRandn(seed, s.shape...).Mul(dl.Float64.Scalar(2))},
				})
			}
		}
	}
	// Large logits: the stable forms must keep accurate gradients.
	big := dl.FromSlice([]float64{1000, 999, 998.5, -1000, -1001, -999}, 2, 3)
	for _, op := range ops {
		op := op
		cases = append(cases, gtCase{op.name + "/large logits",
			func(in ...*dl.Tensor) *dl.Tensor { return op.f(in[0], 1) }, []*dl.Tensor{big}})
	}
	gtRunCases(t, cases)
}

// ---------------------------------------------------------------------------
// Shape ops.

func TestGradShapeOps(t *testing.T) {
	x := gtRandn(5000, 2, 3, 4)
	one := func(name string, f func(x *dl.Tensor) *dl.Tensor, in *dl.Tensor) gtCase {
		return gtCase{name, func(in ...*dl.Tensor) *dl.Tensor { return f(in[0]) }, []*dl.Tensor{in}}
	}
	cases := []gtCase{
		one("Reshape/[6 4]", func(x *dl.Tensor) *dl.Tensor { return x.Reshape(6, 4) }, x),
		one("Reshape/[-1 2]", func(x *dl.Tensor) *dl.Tensor { return x.Reshape(-1, 2) }, x),
		one("Reshape/[2 -1 3 1]", func(x *dl.Tensor) *dl.Tensor { return x.Reshape(2, -1, 3, 1) }, x),
		one("Reshape/scalar to [1 1]", func(x *dl.Tensor) *dl.Tensor { return x.Reshape(1, 1) }, gtRandn(5001)),
		one("Reshape/[1] to scalar", func(x *dl.Tensor) *dl.Tensor { return x.Reshape() }, gtRandn(5002, 1)),
		one("Flatten/[2 3 4]", (*dl.Tensor).Flatten, x),
		one("Flatten/scalar", (*dl.Tensor).Flatten, gtRandn(5003)),
		one("Unsqueeze/0", func(x *dl.Tensor) *dl.Tensor { return x.Unsqueeze(0) }, x),
		one("Unsqueeze/2", func(x *dl.Tensor) *dl.Tensor { return x.Unsqueeze(2) }, x),
		one("Unsqueeze/-1", func(x *dl.Tensor) *dl.Tensor { return x.Unsqueeze(-1) }, x),
		one("Unsqueeze/scalar", func(x *dl.Tensor) *dl.Tensor { return x.Unsqueeze(0) }, gtRandn(5004)),
		one("Squeeze/all", func(x *dl.Tensor) *dl.Tensor { return x.Squeeze() }, gtRandn(5005, 1, 3, 1, 2)),
		one("Squeeze/2", func(x *dl.Tensor) *dl.Tensor { return x.Squeeze(2) }, gtRandn(5006, 1, 3, 1, 2)),
		one("Squeeze/0,-2", func(x *dl.Tensor) *dl.Tensor { return x.Squeeze(0, -2) }, gtRandn(5007, 1, 3, 1, 2)),
		one("BroadcastTo/[3]->[2 3]", func(x *dl.Tensor) *dl.Tensor { return x.BroadcastTo(2, 3) }, gtRandn(5008, 3)),
		one("BroadcastTo/[2 1]->[2 4]", func(x *dl.Tensor) *dl.Tensor { return x.BroadcastTo(2, 4) }, gtRandn(5009, 2, 1)),
		one("BroadcastTo/[1 3 1]->[2 3 4]", func(x *dl.Tensor) *dl.Tensor { return x.BroadcastTo(2, 3, 4) }, gtRandn(5010, 1, 3, 1)),
		one("BroadcastTo/scalar->[2 3]", func(x *dl.Tensor) *dl.Tensor { return x.BroadcastTo(2, 3) }, gtRandn(5011)),
		one("BroadcastTo/same", func(x *dl.Tensor) *dl.Tensor { return x.BroadcastTo(2, 3, 4) }, x),
		one("BroadcastTo/[3 1]->[2 2 3 5]", func(x *dl.Tensor) *dl.Tensor { return x.BroadcastTo(2, 2, 3, 5) }, gtRandn(5012, 3, 1)),
		one("Transpose/last two", func(x *dl.Tensor) *dl.Tensor { return x.Transpose() }, x),
		one("Transpose/0,2", func(x *dl.Tensor) *dl.Tensor { return x.Transpose(0, 2) }, x),
		one("Transpose/-1,0", func(x *dl.Tensor) *dl.Tensor { return x.Transpose(-1, 0) }, x),
		one("T/matrix", (*dl.Tensor).T, gtRandn(5013, 3, 5)),
		one("T/batched", (*dl.Tensor).T, x),
		one("Permute/2,0,1", func(x *dl.Tensor) *dl.Tensor { return x.Permute(2, 0, 1) }, x),
		one("Permute/-1,-3,-2", func(x *dl.Tensor) *dl.Tensor { return x.Permute(-1, -3, -2) }, x),
		one("Permute/rank4", func(x *dl.Tensor) *dl.Tensor { return x.Permute(3, 1, 0, 2) }, gtRandn(5014, 2, 3, 2, 4)),
		one("Permute/identity", func(x *dl.Tensor) *dl.Tensor { return x.Permute(0, 1, 2) }, x),
		one("Slice/axis1 1:3", func(x *dl.Tensor) *dl.Tensor { return x.Slice(1, 1, 3) }, x),
		one("Slice/axis-1 -3:-1", func(x *dl.Tensor) *dl.Tensor { return x.Slice(-1, -3, -1) }, x),
		one("Slice/axis0 0:1", func(x *dl.Tensor) *dl.Tensor { return x.Slice(0, 0, 1) }, x),
		one("Slice/full", func(x *dl.Tensor) *dl.Tensor { return x.Slice(2, 0, 4) }, x),
		one("Slice/1-D", func(x *dl.Tensor) *dl.Tensor { return x.Slice(0, 2, 5) }, gtRandn(5015, 6)),
		one("Slice/twice", func(x *dl.Tensor) *dl.Tensor { return x.Slice(0, 1, 2).Slice(2, 1, -1) }, x),
		one("Index/1", func(x *dl.Tensor) *dl.Tensor { return x.Index(1) }, x),
		one("Index/-1,2", func(x *dl.Tensor) *dl.Tensor { return x.Index(-1, 2) }, x),
		one("Index/all axes", func(x *dl.Tensor) *dl.Tensor { return x.Index(0, -2, 3) }, x),
		one("Index/none", func(x *dl.Tensor) *dl.Tensor { return x.Index() }, x),
		one("Index/sum of two", func(x *dl.Tensor) *dl.Tensor { return x.Index(0).Add(x.Index(1)) }, x),
		{"Concat/axis0", func(in ...*dl.Tensor) *dl.Tensor { return dl.Concat(0, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(5020, 2, 3), gtRandn(5021, 1, 3)}},
		{"Concat/axis-1 three", func(in ...*dl.Tensor) *dl.Tensor { return dl.Concat(-1, in[0], in[1], in[2]) },
			[]*dl.Tensor{gtRandn(5022, 2, 3, 1), gtRandn(5023, 2, 3, 2), gtRandn(5024, 2, 3, 3)}},
		{"Concat/axis1 rank3", func(in ...*dl.Tensor) *dl.Tensor { return dl.Concat(1, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(5025, 2, 1, 4), gtRandn(5026, 2, 2, 4)}},
		{"Concat/one", func(in ...*dl.Tensor) *dl.Tensor { return dl.Concat(0, in[0]) },
			[]*dl.Tensor{gtRandn(5027, 3)}},
		{"Concat/same twice", func(in ...*dl.Tensor) *dl.Tensor { return dl.Concat(0, in[0], in[0]) },
			[]*dl.Tensor{gtRandn(5028, 3)}},
		{"Stack/axis0", func(in ...*dl.Tensor) *dl.Tensor { return dl.Stack(0, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(5030, 2, 3), gtRandn(5031, 2, 3)}},
		{"Stack/axis-1 three", func(in ...*dl.Tensor) *dl.Tensor { return dl.Stack(-1, in[0], in[1], in[2]) },
			[]*dl.Tensor{gtRandn(5032, 2, 3), gtRandn(5033, 2, 3), gtRandn(5034, 2, 3)}},
		{"Stack/axis1", func(in ...*dl.Tensor) *dl.Tensor { return dl.Stack(1, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(5035, 4), gtRandn(5036, 4)}},
		{"Stack/scalars", func(in ...*dl.Tensor) *dl.Tensor { return dl.Stack(0, in[0], in[1]) },
			[]*dl.Tensor{gtRandn(5037), gtRandn(5038)}},
	}
	gtRunCases(t, cases)
}

// ---------------------------------------------------------------------------
// Gather and AsType.

func TestGradGather(t *testing.T) {
	idx1 := dl.FromSlice([]float64{0, 3, 3, 1, 1, 2, 2, 0, 0}, 3, 3) // repeats: the scatter must add
	idx0 := dl.FromSlice([]float32{2, 0, 1, 2, 1, 1, 0, 0}, 2, 4)
	idxSmall := dl.FromSlice([]float64{3, 0, 1, 1}, 2, 2)
	idx3 := dl.FromSlice([]float64{1, 0, 0, 1, 1, 1}, 2, 3, 1)
	labels := dl.Labels(2, 0, 1, 2) // Float32, shape [4]
	cases := []gtCase{
		{"axis1 repeats", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(1, idx1) }, []*dl.Tensor{gtRandn(6000, 3, 4)}},
		{"axis0 Float32 index", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(0, idx0) }, []*dl.Tensor{gtRandn(6001, 3, 4)}},
		{"axis-1 smaller index", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(-1, idxSmall) }, []*dl.Tensor{gtRandn(6002, 3, 4)}},
		{"rank3 axis-1", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(-1, idx3) }, []*dl.Tensor{gtRandn(6003, 2, 3, 2)}},
		{"1-D", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(0, labels) }, []*dl.Tensor{gtRandn(6004, 3)}},
		{"labels column", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Gather(1, labels.Unsqueeze(1)) }, []*dl.Tensor{gtRandn(6005, 4, 3)}},
	}
	gtRunCases(t, cases)
}

func TestGradAsType(t *testing.T) {
	// Through Float32 the values lose digits; inputs of size 1e-5 keep the
	// rounding error of a central difference with step 1e-6 near 1e-7.
	tiny := gtRandn(6100, 2, 3).Mul(dl.Float64.Scalar(1e-5))
	cases := []gtCase{
		{"Float64->Float32", func(in ...*dl.Tensor) *dl.Tensor { return in[0].AsType(dl.Float32) }, []*dl.Tensor{tiny}},
		{"via Float32 math", func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].AsType(dl.Float32).Mul(dl.Scalar(3)).Add(dl.Scalar(1e-5)).AsType(dl.Float64)
		}, []*dl.Tensor{tiny}},
		{"Float64->Float64 is the identity", func(in ...*dl.Tensor) *dl.Tensor { return in[0].AsType(dl.Float64) }, []*dl.Tensor{gtRandn(6101, 3)}},
	}
	gtRunCases(t, cases)

	// Exactly: the gradient converts back to the input's dtype.
	x := dl.FromSlice([]float64{1, 2, 3}).SetRequiresGrad(true)
	y := x.AsType(dl.Float32)
	if y.DType() != dl.Float32 || y.Op() != "AsType" {
		t.Fatalf("AsType(Float32) gave dtype %v op %q", y.DType(), y.Op())
	}
	y.Mul(dl.FromSlice([]float32{4, 5, 6})).Sum().Backward()
	gtExpect(t, "x.Grad()", x.Grad(), []int{3}, []float64{4, 5, 6}, 0)
	if x.Grad().DType() != dl.Float64 {
		t.Errorf("gradient of a Float64 input has dtype %v", x.Grad().DType())
	}
	z := dl.FromSlice([]float32{1, 2}).SetRequiresGrad(true)
	z.AsType(dl.Float64).Square().Sum().Backward()
	gtExpect(t, "z.Grad()", z.Grad(), []int{2}, []float64{2, 4}, 0)
	if z.Grad().DType() != dl.Float32 {
		t.Errorf("gradient of a Float32 input has dtype %v", z.Grad().DType())
	}
}

// ---------------------------------------------------------------------------
// Composite functions: the ops together, as models use them.

func TestGradComposite(t *testing.T) {
	labels := dl.Labels(2, 0, 1, 2)
	cases := []gtCase{
		{"cross entropy", func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].LogSoftmax(1).Gather(1, labels.Unsqueeze(1)).Mean().Neg()
		}, []*dl.Tensor{gtRandn(7000, 4, 3)}},
		{"mlp", func(in ...*dl.Tensor) *dl.Tensor {
			h := in[0].MatMul(in[1]).Add(in[2]).Tanh()
			return h.MatMul(in[3]).Sigmoid().Sum()
		}, []*dl.Tensor{gtRandn(7001, 5, 3), gtRandn(7002, 3, 4), gtRandn(7003, 4), gtRandn(7004, 4, 2)}},
		{"layer norm", func(in ...*dl.Tensor) *dl.Tensor {
			c := in[0].Sub(in[0].MeanKeepDim(-1))
			v := c.Square().MeanKeepDim(-1).Add(dl.Float64.Scalar(1e-5))
			return c.Div(v.Sqrt()).Mul(in[1]).Add(in[2])
		}, []*dl.Tensor{gtRandn(7005, 2, 3, 4), gtRandn(7006, 4), gtRandn(7007, 4)}},
		{"attention", func(in ...*dl.Tensor) *dl.Tensor {
			s := in[0].MatMul(in[1].Transpose(-1, -2)).Div(dl.Float64.Scalar(math.Sqrt(3)))
			return s.Softmax(-1).MatMul(in[2])
		}, []*dl.Tensor{gtRandn(7008, 2, 4, 3), gtRandn(7009, 2, 5, 3), gtRandn(7010, 2, 5, 3)}},
		{"lecture", func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].Log().Add(in[0].Mul(in[1])).Sub(in[1].Sin())
		}, []*dl.Tensor{dl.Float64.Scalar(2), dl.Float64.Scalar(5)}},
		{"stack of reductions", func(in ...*dl.Tensor) *dl.Tensor {
			return dl.Stack(0, in[0].Sum(0), in[0].Mean(0), in[0].LogSumExp(0)).Exp()
		}, []*dl.Tensor{gtRandn(7011, 3, 2)}},
		{"Float32 inputs", func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].Mul(in[1]).Exp()
		}, []*dl.Tensor{dl.FromSlice([]float32{0.5, -1, 2}), dl.FromSlice([]float32{1.5, 0.25, -0.75})}},
	}
	gtRunCases(t, cases)
}

// GradCheck itself must catch a wrong gradient, or all of the above would
// prove nothing.
func TestGradCheckDetectsWrongGradient(t *testing.T) {
	x := gtRandn(7100, 3)
	// Detach hides one path from autodiff: the true derivative of x·x is 2x,
	// autodiff sees only x.
	r := dl.GradCheck(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Mul(in[0].Detach()) }, x)
	if r.OK() {
		t.Errorf("GradCheck passed a wrong gradient:\n%s", r)
	}
}

// ---------------------------------------------------------------------------
// Conventions at kinks and ties, checked exactly after Backward.

// gtGrad runs Backward on f(x).Sum() (or with the seed) and returns x.Grad().
func gtGrads(f func(in ...*dl.Tensor) *dl.Tensor, inputs ...*dl.Tensor) []*dl.Tensor {
	for _, in := range inputs {
		in.SetRequiresGrad(true)
	}
	f(inputs...).Sum().Backward()
	out := make([]*dl.Tensor, len(inputs))
	for i, in := range inputs {
		out[i] = in.Grad()
	}
	return out
}

// gtExpect checks t's shape and values within tol.
func gtExpect(t *testing.T, what string, got *dl.Tensor, shape []int, want []float64, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s is nil, want shape %v values %v", what, shape, want)
		return
	}
	if !slices.Equal(got.Shape(), shape) {
		t.Errorf("%s has shape %v, want %v (values %v)", what, got.Shape(), shape, got.Float64s())
		return
	}
	g := got.Float64s()
	for i := range want {
		if !(math.Abs(g[i]-want[i]) <= tol) && !(g[i] == want[i]) {
			t.Errorf("%s = %v, want %v", what, g, want)
			return
		}
	}
}

func TestGradConventions(t *testing.T) {
	f64 := func(v ...float64) *dl.Tensor { return dl.FromSlice(v) }

	t.Run("Maximum tie halves", func(t *testing.T) {
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Maximum(in[1]) },
			f64(1, 2, 3, -1), f64(1, 0, 5, -1))
		gtExpect(t, "dx", g[0], []int{4}, []float64{0.5, 1, 0, 0.5}, 0)
		gtExpect(t, "dy", g[1], []int{4}, []float64{0.5, 0, 1, 0.5}, 0)
	})
	t.Run("Minimum tie halves", func(t *testing.T) {
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Minimum(in[1]) },
			f64(1, 2, 3), f64(1, 0, 5))
		gtExpect(t, "dx", g[0], []int{3}, []float64{0.5, 0, 1}, 0)
		gtExpect(t, "dy", g[1], []int{3}, []float64{0.5, 1, 0}, 0)
	})
	t.Run("Maximum tie with broadcast scalar", func(t *testing.T) {
		// max(x, 0) with x = [0 0 2]: each tie gives half to the scalar.
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Maximum(in[1]) },
			f64(0, 0, 2), dl.Float64.Scalar(0))
		gtExpect(t, "dx", g[0], []int{3}, []float64{0.5, 0.5, 1}, 0)
		gtExpect(t, "dy", g[1], []int{}, []float64{1}, 0)
	})
	t.Run("Maximum tie tangent", func(t *testing.T) {
		_, tan := dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{in[0].Maximum(in[1])} },
			[]*dl.Tensor{f64(1, 2), f64(1, 0)}, []*dl.Tensor{f64(2, 3), f64(4, 5)})
		gtExpect(t, "tangent", tan[0], []int{2}, []float64{3, 3}, 0)
	})
	t.Run("Max reduction ties share", func(t *testing.T) {
		x := dl.FromSlice([]float64{1, 3, 3, 2, 2, 2, 5, 0, 1}, 3, 3)
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Max(1) }, x)
		gtExpect(t, "dx", g[0], []int{3, 3}, []float64{0, 0.5, 0.5, 1. / 3, 1. / 3, 1. / 3, 1, 0, 0}, 1e-15)
	})
	t.Run("Max over all ties share", func(t *testing.T) {
		x := dl.FromSlice([]float64{4, 1, 4, 4, 0, 2}, 2, 3)
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Max() }, x)
		gtExpect(t, "dx", g[0], []int{2, 3}, []float64{1. / 3, 0, 1. / 3, 1. / 3, 0, 0}, 1e-15)
	})
	t.Run("MaxKeepDim ties with seed", func(t *testing.T) {
		x := dl.FromSlice([]float64{7, 7, 1, 1}, 2, 2).SetRequiresGrad(true)
		x.MaxKeepDim(0).Backward(dl.FromSlice([]float64{2, 6}, 1, 2))
		gtExpect(t, "dx", x.Grad(), []int{2, 2}, []float64{2, 6, 0, 0}, 0)
		y := dl.FromSlice([]float64{7, 7, 7, 1}, 2, 2).SetRequiresGrad(true)
		y.MaxKeepDim(0).Backward(dl.FromSlice([]float64{2, 6}, 1, 2))
		gtExpect(t, "dy", y.Grad(), []int{2, 2}, []float64{1, 6, 1, 0}, 0)
	})
	t.Run("Min reduction ties share", func(t *testing.T) {
		x := dl.FromSlice([]float64{0, 0, 1, 0, 3, 3}, 3, 2)
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Min(0) }, x)
		// column 0: a unique minimum; column 1: a tie of two.
		gtExpect(t, "dx", g[0], []int{3, 2}, []float64{1, 0.5, 0, 0.5, 0, 0}, 0)
		g = gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].MinKeepDim(-1, 0) }, dl.FromSlice([]float64{0, 0, 1, 0, 3, 3}, 3, 2))
		gtExpect(t, "dx all", g[0], []int{3, 2}, []float64{1. / 3, 1. / 3, 0, 1. / 3, 0, 0}, 1e-15)
	})
	t.Run("Max tie tangent averages", func(t *testing.T) {
		_, tan := dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{in[0].Max()} },
			[]*dl.Tensor{f64(2, 2, 1)}, []*dl.Tensor{f64(1, 3, 100)})
		gtExpect(t, "tangent", tan[0], []int{}, []float64{2}, 0)
	})
	t.Run("ReLU'(0) = 0", func(t *testing.T) {
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].ReLU() }, f64(-1, 0, 2, math.Copysign(0, -1)))
		gtExpect(t, "dx", g[0], []int{4}, []float64{0, 0, 1, 0}, 0)
	})
	t.Run("Abs'(0) = 0", func(t *testing.T) {
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Abs() }, f64(-2, 0, 3, math.Copysign(0, -1)))
		gtExpect(t, "dx", g[0], []int{4}, []float64{-1, 0, 1, 0}, 0)
	})
	t.Run("Clamp passes at bounds", func(t *testing.T) {
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(-0.5, 0.5) }, f64(-1, -0.5, 0, 0.5, 1))
		gtExpect(t, "dx", g[0], []int{5}, []float64{0, 1, 1, 1, 0}, 0)
		g = gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(2, 2) }, f64(1, 2, 3))
		gtExpect(t, "dx lo=hi", g[0], []int{3}, []float64{0, 1, 0}, 0)
		g = gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Clamp(0, math.Inf(1)) }, f64(-1, 0, 1e300))
		gtExpect(t, "dx one-sided", g[0], []int{3}, []float64{0, 1, 1}, 0)
	})
	t.Run("Pow exponent gradient at base 0", func(t *testing.T) {
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(in[1]) }, f64(0, 0, 2, 0), f64(2, 0, 3, 0.5))
		if !slices.Equal(g[0].Shape(), []int{4}) || !slices.Equal(g[1].Shape(), []int{4}) {
			t.Fatalf("gradient shapes %v %v, want [4] [4]", g[0].Shape(), g[1].Shape())
		}
		base, exp := g[0].Float64s(), g[1].Float64s()
		if base[0] != 0 || base[1] != 0 || base[2] != 12 {
			t.Errorf("base gradient %v, want [0 0 12 …]", base)
		}
		want := []float64{0, 0, 8 * math.Ln2, 0}
		for i, w := range want {
			if math.Abs(exp[i]-w) > 1e-12 || math.IsNaN(exp[i]) {
				t.Errorf("exponent gradient %v, want %v", exp, want)
				break
			}
		}
	})
	t.Run("Pow negative base, constant exponent", func(t *testing.T) {
		// The exponent needs no derivative, so xʸ·ln x (NaN for x < 0) must
		// not leak into either mode.
		x := f64(-2, -0.5, 3)
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(dl.Float64.Scalar(2)) }, x)
		gtExpect(t, "dx", g[0], []int{3}, []float64{-4, -1, 6}, 1e-15)
		_, tan := dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{in[0].Pow(dl.Float64.Scalar(3))} },
			[]*dl.Tensor{f64(-2, -0.5, 3)}, []*dl.Tensor{f64(1, 2, -1)})
		gtExpect(t, "tangent", tan[0], []int{3}, []float64{12, 1.5, -27}, 1e-14)
		_, tan = dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{in[0].Sub(in[1]).Pow(dl.Float64.Scalar(2))} },
			[]*dl.Tensor{f64(1, 2), f64(3, 1)}, []*dl.Tensor{f64(1, 1), f64(0, 2)})
		gtExpect(t, "tangent of (x−y)²", tan[0], []int{2}, []float64{-4, -2}, 1e-14)
	})
	t.Run("Pow base 0 fractional exponent, constant base", func(t *testing.T) {
		// d/dy 0^y is 0 by convention; the base term (y·0^(y−1) = Inf) must
		// not turn a zero base tangent into NaN.
		_, tan := dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{dl.Float64.Scalar(0).Pow(in[0])} },
			[]*dl.Tensor{f64(0.5, 2)}, []*dl.Tensor{f64(1, 1)})
		gtExpect(t, "tangent", tan[0], []int{2}, []float64{0, 0}, 0)
	})
	t.Run("Pow exponent 0", func(t *testing.T) {
		// d/dx x⁰ = 0 everywhere, also at x = 0 (no 0·0⁻¹ = NaN).
		g := gtGrads(func(in ...*dl.Tensor) *dl.Tensor { return in[0].Pow(dl.Float64.Scalar(0)) }, f64(0, 3))
		gtExpect(t, "dx", g[0], []int{2}, []float64{0, 0}, 0)
	})
	t.Run("Where gives cond nothing", func(t *testing.T) {
		cond := f64(1, 0, 1).SetRequiresGrad(true)
		x, y := f64(1, 2, 3).SetRequiresGrad(true), f64(4, 5, 6).SetRequiresGrad(true)
		dl.Where(cond, x, y).Mul(f64(10, 20, 30)).Sum().Backward()
		if cond.Grad() != nil && slices.ContainsFunc(cond.Grad().Float64s(), func(v float64) bool { return v != 0 }) {
			t.Errorf("cond got gradient %v", cond.Grad())
		}
		gtExpect(t, "dx", x.Grad(), []int{3}, []float64{10, 0, 30}, 0)
		gtExpect(t, "dy", y.Grad(), []int{3}, []float64{0, 20, 0}, 0)
	})
}

// ---------------------------------------------------------------------------
// Autodiff semantics.

func TestBackwardAccumulatesAndZeroGrad(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2, 3}).SetRequiresGrad(true)
	y := x.Square().Sum()
	y.Backward()
	gtExpect(t, "after one Backward", x.Grad(), []int{3}, []float64{2, 4, 6}, 0)
	y.Backward() // the graph is kept: the gradient adds up
	gtExpect(t, "after two Backward", x.Grad(), []int{3}, []float64{4, 8, 12}, 0)
	x.Mul(dl.Float64.Scalar(10)).Sum().Backward() // another graph adds too
	gtExpect(t, "after a third graph", x.Grad(), []int{3}, []float64{14, 18, 22}, 0)
	x.ZeroGrad()
	if x.Grad() != nil {
		t.Fatalf("ZeroGrad left %v", x.Grad())
	}
	y.Backward()
	gtExpect(t, "after ZeroGrad and Backward", x.Grad(), []int{3}, []float64{2, 4, 6}, 0)
}

func TestBackwardLeavesIntermediatesAndConstants(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	c := dl.FromSlice([]float64{3, 4}) // a constant
	h := x.Mul(c)
	h.Sum().Backward()
	if c.Grad() != nil {
		t.Errorf("constant got gradient %v", c.Grad())
	}
	if h.Grad() != nil {
		t.Errorf("intermediate got gradient %v", h.Grad())
	}
	if c.RequiresGrad() || !h.RequiresGrad() || h.IsLeaf() || !x.IsLeaf() {
		t.Errorf("RequiresGrad/IsLeaf: c %v, h %v %v, x leaf %v", c.RequiresGrad(), h.RequiresGrad(), h.IsLeaf(), x.IsLeaf())
	}
	if h.Op() != "Mul" || x.Op() != "" || len(h.Inputs()) != 2 || h.Inputs()[0] != x || h.Inputs()[1] != c || x.Inputs() != nil {
		t.Errorf("Op/Inputs: %q %q %v", h.Op(), x.Op(), h.Inputs())
	}
	gtExpect(t, "dx", x.Grad(), []int{2}, []float64{3, 4}, 0)
}

func TestBackwardNodeUsedTwice(t *testing.T) {
	x := dl.FromSlice([]float64{3, -2}).SetRequiresGrad(true)
	x.Mul(x).Sum().Backward()
	gtExpect(t, "d(x·x)", x.Grad(), []int{2}, []float64{6, -4}, 0)

	// A diamond: h is used by two ops, x by three.
	z := dl.Float64.Scalar(2).SetRequiresGrad(true)
	h := z.Exp()
	y := h.Mul(z).Add(h.Sin()).Add(z)
	y.Backward()
	e2 := math.Exp(2)
	want := e2*2 + e2 + math.Cos(e2)*e2 + 1
	if got := z.Grad().Item(); math.Abs(got-want) > 1e-12*math.Abs(want) {
		t.Errorf("diamond gradient %v, want %v", got, want)
	}

	// x + x, and an op with both operands the same through broadcasting.
	w := dl.FromSlice([]float64{1, 2, 3}, 3, 1).SetRequiresGrad(true)
	w.Add(w.Reshape(1, 3)).Sum().Backward() // [3 1] + [1 3] → [3 3]
	gtExpect(t, "broadcast self add", w.Grad(), []int{3, 1}, []float64{6, 6, 6}, 0)
}

func TestBackwardSeed(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2, 3, 4}, 2, 2).SetRequiresGrad(true)
	y := x.Square() // not a scalar
	err := dl.Catch(func() { y.Backward() })
	if err == nil || !gtContainsAll(err.Error(), "Backward", "[2 2]", "seed") {
		t.Fatalf("Backward of a [2 2] output without a seed: %v", err)
	}
	y.Backward(dl.FromSlice([]float64{1, 0, -1, 0.5}, 2, 2))
	gtExpect(t, "seeded", x.Grad(), []int{2, 2}, []float64{2, 0, -6, 4}, 0)

	// A Float32 seed for a Float64 output converts.
	x.ZeroGrad()
	y.Backward(dl.FromSlice([]float32{1, 1, 1, 1}, 2, 2))
	gtExpect(t, "Float32 seed", x.Grad(), []int{2, 2}, []float64{2, 4, 6, 8}, 0)

	// A one-element output of any rank needs no seed.
	x.ZeroGrad()
	x.Sum().Reshape(1, 1).Backward()
	gtExpect(t, "[1 1] output", x.Grad(), []int{2, 2}, []float64{1, 1, 1, 1}, 0)

	// A seed on a scalar scales.
	x.ZeroGrad()
	x.Sum().Backward(dl.Float64.Scalar(3))
	gtExpect(t, "scaled", x.Grad(), []int{2, 2}, []float64{3, 3, 3, 3}, 0)

	// Backward on a leaf variable: its gradient is the seed.
	v := dl.Float64.Scalar(5).SetRequiresGrad(true)
	v.Backward()
	gtExpect(t, "leaf", v.Grad(), []int{}, []float64{1}, 0)

	for _, bad := range []struct {
		f    func()
		want []string
	}{
		{func() { y.Backward(dl.Float64.Ones(4)) }, []string{"Backward", "[4]", "[2 2]"}},
		{func() { y.Backward(dl.Float64.Ones(2, 2), dl.Float64.Ones(2, 2)) }, []string{"Backward", "2"}},
	} {
		gtExpectError(t, bad.f, bad.want...)
	}
}

func TestBackwardWithoutGradPanics(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2})
	y := x.Mul(x).Sum()
	if y.RequiresGrad() {
		t.Fatal("a function of constants requires a gradient")
	}
	var got any
	func() {
		defer func() { got = recover() }()
		y.Backward()
	}()
	e, ok := got.(*dl.Error)
	if !ok {
		t.Fatalf("Backward of a constant panicked with %T %v, want *dl.Error", got, got)
	}
	if e.Op != "Backward" || !strings.Contains(e.Error(), "dl: Backward: ") {
		t.Errorf("error %q has op %q", e.Error(), e.Op)
	}
}

func TestDetach(t *testing.T) {
	x := dl.FromSlice([]float64{2, 3}).SetRequiresGrad(true)
	d := x.Detach()
	if d.RequiresGrad() || !d.IsLeaf() {
		t.Fatalf("Detach: RequiresGrad %v IsLeaf %v", d.RequiresGrad(), d.IsLeaf())
	}
	if !slices.Equal(d.Float64s(), x.Float64s()) || !slices.Equal(d.Shape(), x.Shape()) {
		t.Fatalf("Detach changed the values: %v", d)
	}
	// Only the attached factor contributes: d(x·stop(x))/dx = stop(x).
	x.Mul(d).Sum().Backward()
	gtExpect(t, "dx", x.Grad(), []int{2}, []float64{2, 3}, 0)
	if d.Grad() != nil {
		t.Errorf("detached tensor got gradient %v", d.Grad())
	}
	// Detaching an intermediate cuts the graph behind it.
	w := dl.Float64.Scalar(1.5).SetRequiresGrad(true)
	h := w.Exp().Detach()
	out := h.Mul(w)
	out.Backward()
	if got, want := w.Grad().Item(), math.Exp(1.5); got != want {
		t.Errorf("gradient through a detached intermediate %v, want %v", got, want)
	}
	if h.Op() != "" || h.Inputs() != nil {
		t.Errorf("detached tensor keeps history: op %q", h.Op())
	}
	// A computed tensor cannot be turned into a constant with SetRequiresGrad.
	gtExpectError(t, func() { out.SetRequiresGrad(false) }, "SetRequiresGrad", "Mul", "Detach")
}

func TestNoGrad(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	if !dl.GradEnabled() {
		t.Fatal("GradEnabled is false outside NoGrad")
	}
	var y *dl.Tensor
	dl.NoGrad(func() {
		if dl.GradEnabled() {
			t.Error("GradEnabled is true inside NoGrad")
		}
		y = x.Mul(x).Exp().Sum()
		dl.NoGrad(func() {}) // nesting keeps it off
		if dl.GradEnabled() {
			t.Error("GradEnabled is true after a nested NoGrad")
		}
	})
	if !dl.GradEnabled() {
		t.Error("GradEnabled is false after NoGrad")
	}
	if y.RequiresGrad() || y.Op() != "" || y.Inputs() != nil {
		t.Errorf("NoGrad recorded: RequiresGrad %v op %q", y.RequiresGrad(), y.Op())
	}
	if want := math.Exp(1) + math.Exp(4); math.Abs(y.Item()-want) > 1e-12 {
		t.Errorf("value inside NoGrad %v, want %v", y.Item(), want)
	}
	gtExpectError(t, func() { y.Backward() }, "Backward")
	if x.Grad() != nil {
		t.Errorf("x got gradient %v", x.Grad())
	}
	// A panic inside NoGrad turns recording back on.
	_ = dl.Catch(func() { dl.NoGrad(func() { x.Reshape(5) }) })
	if !dl.GradEnabled() {
		t.Error("GradEnabled is false after a panic inside NoGrad")
	}
	if z := x.Mul(x); !z.RequiresGrad() || z.Op() != "Mul" {
		t.Error("ops after NoGrad do not record")
	}
}

func TestNamedIsVariable(t *testing.T) {
	x := dl.Float64.Scalar(3).Named("x")
	if x.Name() != "x" || !x.RequiresGrad() {
		t.Fatalf("Named: name %q RequiresGrad %v", x.Name(), x.RequiresGrad())
	}
	x.Square().Backward()
	gtExpect(t, "dx", x.Grad(), []int{}, []float64{6}, 0)
	c := dl.Float64.Scalar(2).Named("c").SetRequiresGrad(false)
	if c.RequiresGrad() || c.Name() != "c" {
		t.Errorf("named constant: RequiresGrad %v name %q", c.RequiresGrad(), c.Name())
	}
	y := x.Mul(c).Named("y") // naming a computed tensor keeps its history
	if y.Op() != "Mul" || y.Name() != "y" {
		t.Errorf("named intermediate: op %q name %q", y.Op(), y.Name())
	}
}

// JVP and reverse mode agree: for f with Jacobian J, ⟨v, J u⟩ from forward
// mode equals ⟨Jᵀ v, u⟩ from Backward seeded with v.
func TestJVPMatchesReverse(t *testing.T) {
	fs := []struct {
		name   string
		f      func(in ...*dl.Tensor) *dl.Tensor
		inputs []*dl.Tensor
	}{
		{"lecture", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Log().Add(in[0].Mul(in[1])).Sub(in[1].Sin()) },
			[]*dl.Tensor{dl.Float64.Scalar(2), dl.Float64.Scalar(5)}},
		{"mlp", func(in ...*dl.Tensor) *dl.Tensor { return in[0].MatMul(in[1]).Add(in[2]).Tanh() },
			[]*dl.Tensor{gtRandn(8000, 4, 3), gtRandn(8001, 3, 2), gtRandn(8002, 2)}},
		{"softmax of broadcast", func(in ...*dl.Tensor) *dl.Tensor { return in[0].Mul(in[1]).Softmax(-1) },
			[]*dl.Tensor{gtRandn(8003, 2, 3), gtRandn(8004, 3)}},
		{"reductions", func(in ...*dl.Tensor) *dl.Tensor {
			return in[0].MaxKeepDim(1).Add(in[0].Mean(0, 2).Reshape(1, 3, 1)).Mul(in[0].Sum(-1).Unsqueeze(-1))
		}, []*dl.Tensor{gtGrid(8005, 0, 2, 3, 4)}},
		{"shape ops", func(in ...*dl.Tensor) *dl.Tensor {
			return dl.Concat(0, in[0].T(), in[0].Slice(1, 0, 2).Permute(1, 0).Exp(), in[0].Index(1).Unsqueeze(0).BroadcastTo(2, 2)).Sqrt()
		}, []*dl.Tensor{gtUniform(8006, 0.5, 2, 2, 2)}},
		{"pow where clamp", func(in ...*dl.Tensor) *dl.Tensor {
			c := dl.FromSlice([]float64{1, 0, 1})
			return dl.Where(c, in[0].Pow(in[1]), in[1].Clamp(-0.5, 0.5)).Div(in[0])
		}, []*dl.Tensor{gtUniform(8007, 0.5, 2, 3), gtGrid(8008, 0.05, 3)}},
	}
	for i, c := range fs {
		t.Run(c.name, func(t *testing.T) {
			us := make([]*dl.Tensor, len(c.inputs))
			vars := make([]*dl.Tensor, len(c.inputs))
			for j, in := range c.inputs {
				us[j] = gtRandn(uint64(8100+10*i+j), in.Shape()...)
				vars[j] = in.Clone().SetRequiresGrad(true)
			}
			outs, tans := dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{c.f(in...)} }, c.inputs, us)
			if outs[0].RequiresGrad() || tans[0].RequiresGrad() {
				t.Error("JVP recorded a graph")
			}
			y := c.f(vars...)
			if !slices.Equal(outs[0].Float64s(), y.Float64s()) {
				t.Errorf("JVP's primal output %v differs from f's %v", outs[0], y)
			}
			if !slices.Equal(tans[0].Shape(), y.Shape()) {
				t.Fatalf("tangent shape %v, output shape %v", tans[0].Shape(), y.Shape())
			}
			v := gtRandn(uint64(8200+i), y.Shape()...)
			y.Backward(v)
			forward := tans[0].Mul(v).Sum().Item()
			reverse := 0.0
			for j, x := range vars {
				reverse += x.Grad().Mul(us[j]).Sum().Item()
			}
			if math.Abs(forward-reverse) > 1e-10*(1+math.Abs(reverse)) {
				t.Errorf("⟨v, J u⟩ = %v from JVP, ⟨Jᵀv, u⟩ = %v from Backward", forward, reverse)
			}
		})
	}
}

func TestJVPDetails(t *testing.T) {
	x := dl.FromSlice([]float64{1, 2, 3})
	// An output that does not depend on the inputs has a zero tangent; an
	// output that is an input has the input's tangent.
	outs, tans := dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor {
		return []*dl.Tensor{dl.Float64.Ones(2), in[0], in[0].Mul(in[1])}
	}, []*dl.Tensor{x, dl.Float64.Scalar(2)}, []*dl.Tensor{dl.FromSlice([]float64{1, 0, -1}), dl.Float64.Scalar(0.5)})
	if len(outs) != 3 || len(tans) != 3 {
		t.Fatalf("got %d outputs and %d tangents", len(outs), len(tans))
	}
	gtExpect(t, "constant tangent", tans[0], []int{2}, []float64{0, 0}, 0)
	gtExpect(t, "identity tangent", tans[1], []int{3}, []float64{1, 0, -1}, 0)
	gtExpect(t, "product tangent", tans[2], []int{3}, []float64{2.5, 1, -0.5}, 0)
	gtExpect(t, "product", outs[2], []int{3}, []float64{2, 4, 6}, 0)
	// Inputs that require a gradient are not changed or recorded into.
	w := dl.FromSlice([]float64{1, 2}).SetRequiresGrad(true)
	_, tans = dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return []*dl.Tensor{in[0].Square()} },
		[]*dl.Tensor{w}, []*dl.Tensor{dl.FromSlice([]float32{1, 1})})
	gtExpect(t, "Float32 tangent for Float64 input", tans[0], []int{2}, []float64{2, 4}, 0)
	if w.Grad() != nil {
		t.Error("JVP set a gradient")
	}
	gtExpectError(t, func() { dl.JVP(nil, []*dl.Tensor{x}, nil) }, "JVP", "1", "0")
	gtExpectError(t, func() {
		dl.JVP(func(in ...*dl.Tensor) []*dl.Tensor { return in }, []*dl.Tensor{x}, []*dl.Tensor{dl.Float64.Ones(2)})
	}, "JVP", "[2]", "[3]")
}

// Float32 gradients come out in Float32 and agree with Float64 ones.
func TestGradFloat32(t *testing.T) {
	x32 := dl.FromSlice([]float32{0.5, -1, 2, 0.25, 1.5, -0.75}, 2, 3).SetRequiresGrad(true)
	x64 := x32.Detach().AsType(dl.Float64).SetRequiresGrad(true)
	f := func(x *dl.Tensor) *dl.Tensor {
		return x.Tanh().MatMul(x.T()).Softmax(1).Mul(x.Sum(0).Sum()).LogSumExp(0).Sum()
	}
	f(x32).Backward()
	f(x64).Backward()
	if x32.Grad().DType() != dl.Float32 {
		t.Fatalf("Float32 gradient has dtype %v", x32.Grad().DType())
	}
	g32, g64 := x32.Grad().Float64s(), x64.Grad().Float64s()
	for i := range g64 {
		if math.Abs(g32[i]-g64[i]) > 1e-5*(1+math.Abs(g64[i])) {
			t.Errorf("Float32 gradient %v, Float64 %v", g32, g64)
			break
		}
	}
}

// A gradient owns its values: it must not share them with the seed (whose
// values FromSlice does not copy) or with what the caller holds.
func TestGradDoesNotAliasSeed(t *testing.T) {
	data := []float64{1, 2}
	x := dl.Float64.Zeros(2).SetRequiresGrad(true)
	x.Reshape(2, 1).Backward(dl.FromSlice(data, 2, 1)) // Reshape's adjoint shares g's values
	data[0] = 100
	gtExpect(t, "gradient through Reshape", x.Grad(), []int{2}, []float64{1, 2}, 0)

	data2 := []float32{3, 4}
	v := dl.Zeros(2).SetRequiresGrad(true)
	v.Backward(dl.FromSlice(data2)) // a leaf: its adjoint is the seed itself
	data2[1] = 100
	gtExpect(t, "gradient of a seeded leaf", v.Grad(), []int{2}, []float64{3, 4}, 0)
}
