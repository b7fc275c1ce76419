package dl_test

// Every bad input the dl package can detect panics with a *dl.Error whose
// message names the op and the shapes or values involved; never a bare
// runtime panic (index out of range, nil map, gonum's own).

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"gonum.org/v1/gonum/mat"
)

func gtContainsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// gtExpectError checks that f panics with a *dl.Error whose message has the
// form "dl: Op: …" and contains wants[0] as its op and every other want, and
// that dl.Catch turns the same panic into that error.
func gtExpectError(t *testing.T, f func(), wants ...string) *dl.Error {
	t.Helper()
	var got any
	func() {
		defer func() { got = recover() }()
		f()
	}()
	if got == nil {
		t.Errorf("no panic; want a *dl.Error mentioning %q", wants)
		return nil
	}
	e, ok := got.(*dl.Error)
	if !ok {
		t.Errorf("panic %T: %v; want a *dl.Error mentioning %q", got, got, wants)
		return nil
	}
	msg := e.Error()
	if len(wants) > 0 && e.Op != wants[0] {
		t.Errorf("error %q has op %q, want %q", msg, e.Op, wants[0])
	}
	if !strings.HasPrefix(msg, "dl: "+e.Op+": ") || e.Msg == "" {
		t.Errorf("error %q is not of the form \"dl: Op: message\"", msg)
	}
	if !gtContainsAll(msg, wants...) {
		t.Errorf("error %q does not mention all of %q", msg, wants)
	}
	err := dl.Catch(f)
	var ce *dl.Error
	if err == nil || !errors.As(err, &ce) || err.Error() != msg {
		t.Errorf("dl.Catch gave %v, want %q", err, msg)
	}
	return e
}

func TestErrorFormat(t *testing.T) {
	a, b := dl.Float64.Zeros(3, 4), dl.Float64.Zeros(5, 2)
	e := gtExpectError(t, func() { a.MatMul(b) }, "MatMul")
	if e != nil && e.Error() != "dl: MatMul: shapes [3 4] and [5 2] do not match (4 != 5)" {
		t.Errorf("got %q", e.Error())
	}
	if e != nil && (e.Op != "MatMul" || e.Msg != "shapes [3 4] and [5 2] do not match (4 != 5)") {
		t.Errorf("Op %q Msg %q", e.Op, e.Msg)
	}
}

func TestCatch(t *testing.T) {
	if err := dl.Catch(func() {}); err != nil {
		t.Errorf("Catch of a function that does not panic: %v", err)
	}
	err := dl.Catch(func() { dl.Zeros(2).Reshape(3) })
	var e *dl.Error
	if !errors.As(err, &e) || e.Op != "Reshape" {
		t.Errorf("Catch gave %v", err)
	}
	// Other panics pass through unchanged.
	for _, v := range []any{"plain string", errors.New("plain error")} {
		func() {
			defer func() {
				if r := recover(); r != v {
					t.Errorf("Catch changed a foreign panic %v into %v", v, r)
				}
			}()
			_ = dl.Catch(func() { panic(v) })
			t.Errorf("Catch swallowed the foreign panic %v", v)
		}()
	}
}

func TestErrors(t *testing.T) {
	f32 := func(shape ...int) *dl.Tensor { return dl.Zeros(shape...) }
	f64 := func(shape ...int) *dl.Tensor { return dl.Float64.Zeros(shape...) }
	idx := func(v ...float64) *dl.Tensor { return dl.FromSlice(v) }
	cases := []struct {
		name string
		f    func()
		want []string // the op first, then what the message must name
	}{
		// Broadcasting binary ops.
		{"Add broadcast", func() { f32(2, 3).Add(f32(4)) }, []string{"Add", "[2 3]", "[4]"}},
		{"Sub broadcast", func() { f32(2, 3).Sub(f32(3, 2)) }, []string{"Sub", "[2 3]", "[3 2]"}},
		{"Mul broadcast", func() { f32(2, 1, 3).Mul(f32(4, 2)) }, []string{"Mul", "[2 1 3]", "[4 2]"}},
		{"Div broadcast", func() { f32(5).Div(f32(4)) }, []string{"Div", "[5]", "[4]"}},
		{"Pow broadcast", func() { f32(2, 2).Pow(f32(3)) }, []string{"Pow", "[2 2]", "[3]"}},
		{"Maximum broadcast", func() { f32(2).Maximum(f32(3)) }, []string{"Maximum", "[2]", "[3]"}},
		{"Minimum broadcast", func() { dl.Minimum(f32(2), f32(3)) }, []string{"Minimum", "[2]", "[3]"}},
		{"Where broadcast", func() { dl.Where(f32(2), f32(3), f32(3)) }, []string{"Where", "[2]", "[3]"}},
		{"Where x y", func() { dl.Where(f32(1), f32(2), f32(3)) }, []string{"Where", "[2]", "[3]"}},
		{"Add empty vs 2", func() { f32(0).Add(f32(2)) }, []string{"Add", "[0]", "[2]"}},
		// Dtypes.
		{"Add dtypes", func() { f32(2).Add(f64(2)) }, []string{"Add", "float32", "float64", "[2]", "AsType"}},
		{"Mul dtypes", func() { f64(2, 2).Mul(f32(2)) }, []string{"Mul", "float64", "float32"}},
		{"Where dtypes", func() { dl.Where(f32(2), f32(2), f64(2)) }, []string{"Where", "float32", "float64"}},
		{"MatMul dtypes", func() { f32(2, 2).MatMul(f64(2, 2)) }, []string{"MatMul", "float32", "float64"}},
		{"Concat dtypes", func() { dl.Concat(0, f32(2), f64(2)) }, []string{"Concat", "float32", "float64"}},
		// MatMul.
		{"MatMul inner", func() { f32(3, 4).MatMul(f32(5, 2)) }, []string{"MatMul", "[3 4]", "[5 2]", "4 != 5"}},
		{"MatMul scalar", func() { f32().MatMul(f32(2, 2)) }, []string{"MatMul", "[]", "[2 2]", "scalar"}},
		{"MatMul scalar right", func() { f32(2).MatMul(f32()) }, []string{"MatMul", "[2]", "[]"}},
		{"MatMul vectors", func() { f32(3).MatMul(f32(4)) }, []string{"MatMul", "[3]", "[4]", "3 != 4"}},
		{"MatMul vector left", func() { f32(3).MatMul(f32(2, 4, 5)) }, []string{"MatMul", "[3]", "[2 4 5]"}},
		{"MatMul vector right", func() { f32(2, 4, 5).MatMul(f32(4)) }, []string{"MatMul", "[2 4 5]", "[4]"}},
		{"MatMul batch", func() { f32(2, 3, 4).MatMul(f32(3, 4, 5)) }, []string{"MatMul", "[2 3 4]", "[3 4 5]"}},
		{"MatMul batch rank4", func() { f32(2, 2, 3, 4).MatMul(f32(3, 1, 4, 5)) }, []string{"MatMul", "[2 2 3 4]", "[3 1 4 5]"}},
		// Reductions.
		{"Sum axis", func() { f32(2, 3).Sum(2) }, []string{"Sum", "axis 2", "rank 2"}},
		{"Sum negative axis", func() { f32(2, 3).Sum(-3) }, []string{"Sum", "axis -3", "rank 2"}},
		{"Sum twice", func() { f32(2, 3).Sum(1, -1) }, []string{"Sum", "axis 1", "twice"}},
		{"Sum scalar axis", func() { f32().Sum(0) }, []string{"Sum", "axis 0", "rank 0"}},
		{"SumKeepDim axis", func() { f32(2).SumKeepDim(1) }, []string{"Sum", "axis 1", "rank 1"}},
		{"Mean axis", func() { f32(2, 3).Mean(5) }, []string{"Mean", "axis 5"}},
		{"MeanKeepDim axis", func() { f32(2, 3).MeanKeepDim(0, 0) }, []string{"Mean", "twice"}},
		{"Max axis", func() { f32(2, 3).Max(-4) }, []string{"Max", "axis -4"}},
		{"MaxKeepDim axis", func() { f32(2, 3).MaxKeepDim(2) }, []string{"Max", "axis 2"}},
		{"Min axis", func() { f32(2, 3).Min(3) }, []string{"Min", "axis 3"}},
		{"MinKeepDim axis", func() { f32(2, 3).MinKeepDim(1, 1) }, []string{"Min", "twice"}},
		{"Max empty", func() { f32(0).Max() }, []string{"Max", "[0]", "empty"}},
		{"Max empty axis", func() { f32(2, 0).Max(1) }, []string{"Max", "[2 0]", "empty"}},
		{"Min empty", func() { f32(0, 3).MinKeepDim(0) }, []string{"Min", "[0 3]", "empty"}},
		{"ArgMax axis", func() { f32(2, 3).ArgMax(2) }, []string{"ArgMax", "axis 2", "rank 2"}},
		{"ArgMin axis", func() { f32(2, 3).ArgMin(-3) }, []string{"ArgMin", "axis -3"}},
		{"ArgMax scalar", func() { f32().ArgMax(0) }, []string{"ArgMax", "rank 0"}},
		{"ArgMax empty", func() { f32(3, 0).ArgMax(1) }, []string{"ArgMax", "[3 0]", "empty"}},
		{"ArgMin empty", func() { f32(0).ArgMin(0) }, []string{"ArgMin", "[0]", "empty"}},
		{"LogSumExp axis", func() { f32(2, 3).LogSumExp(2) }, []string{"LogSumExp", "axis 2"}},
		{"Softmax axis", func() { f32(2, 3).Softmax(-3) }, []string{"Softmax", "axis -3"}},
		{"Softmax scalar", func() { f32().Softmax(0) }, []string{"Softmax", "rank 0"}},
		{"LogSoftmax axis", func() { f32(4).LogSoftmax(1) }, []string{"LogSoftmax", "axis 1"}},
		// Shape ops.
		{"Reshape size", func() { f32(2, 3).Reshape(4) }, []string{"Reshape", "[2 3]", "[4]", "6", "4"}},
		{"Reshape infer", func() { f32(2, 3).Reshape(-1, 4) }, []string{"Reshape", "[2 3]", "[-1 4]"}},
		{"Reshape two -1", func() { f32(2, 3).Reshape(-1, -1) }, []string{"Reshape", "[2 3]", "[-1 -1]"}},
		{"Reshape negative", func() { f32(2, 3).Reshape(-2, -3) }, []string{"Reshape", "[2 3]", "-2"}},
		{"Reshape infer zero", func() { f32(0, 3).Reshape(-1, 0) }, []string{"Reshape", "[0 3]", "[-1 0]"}},
		{"Reshape scalar", func() { f32(2).Reshape() }, []string{"Reshape", "[2]", "[]"}},
		{"Unsqueeze axis", func() { f32(2, 3).Unsqueeze(3) }, []string{"Unsqueeze", "axis 3", "[2 3]"}},
		{"Unsqueeze negative", func() { f32(2, 3).Unsqueeze(-4) }, []string{"Unsqueeze", "axis -4", "[2 3]"}},
		{"Unsqueeze scalar", func() { f32().Unsqueeze(1) }, []string{"Unsqueeze", "axis 1", "[]"}},
		{"Squeeze size", func() { f32(2, 1).Squeeze(0) }, []string{"Squeeze", "[2 1]", "size 2"}},
		{"Squeeze axis", func() { f32(2, 1).Squeeze(2) }, []string{"Squeeze", "axis 2"}},
		{"BroadcastTo incompatible", func() { f32(3).BroadcastTo(2, 4) }, []string{"BroadcastTo", "[3]", "[2 4]"}},
		{"BroadcastTo smaller", func() { f32(2, 3).BroadcastTo(3) }, []string{"BroadcastTo", "[2 3]", "[3]"}},
		{"BroadcastTo shrink", func() { f32(2, 3).BroadcastTo(1, 3) }, []string{"BroadcastTo", "[2 3]", "[1 3]"}},
		{"BroadcastTo negative", func() { f32(3).BroadcastTo(-1, 3) }, []string{"BroadcastTo", "[-1 3]"}},
		{"Transpose rank 1", func() { f32(3).Transpose() }, []string{"Transpose", "[3]"}},
		{"T rank 0", func() { f32().T() }, []string{"Transpose", "[]"}},
		{"Transpose one axis", func() { f32(2, 3).Transpose(1) }, []string{"Transpose", "[1]"}},
		{"Transpose three axes", func() { f32(2, 3, 4).Transpose(0, 1, 2) }, []string{"Transpose", "[0 1 2]"}},
		{"Transpose axis", func() { f32(2, 3).Transpose(0, 2) }, []string{"Transpose", "axis 2", "rank 2"}},
		{"Permute length", func() { f32(2, 3).Permute(0) }, []string{"Permute", "[0]", "[2 3]"}},
		{"Permute repeat", func() { f32(2, 3, 4).Permute(0, 1, 1) }, []string{"Permute", "[0 1 1]", "[2 3 4]", "permutation"}},
		{"Permute same axis twice", func() { f32(2, 3).Permute(1, -1) }, []string{"Permute", "[2 3]", "permutation"}},
		{"Permute range", func() { f32(2, 3).Permute(0, 2) }, []string{"Permute", "axis 2"}},
		{"Slice stop", func() { f32(2, 3).Slice(1, 0, 4) }, []string{"Slice", "[0:4]", "axis 1", "[2 3]"}},
		{"Slice start after stop", func() { f32(2, 3).Slice(1, 2, 1) }, []string{"Slice", "[2:1]", "[2 3]"}},
		{"Slice start", func() { f32(2, 3).Slice(0, -3, 2) }, []string{"Slice", "[2 3]"}},
		{"Slice negative stop", func() { f32(5).Slice(0, 0, -6) }, []string{"Slice", "[5]"}},
		{"Slice start past end", func() { f32(5).Slice(0, 6, 7) }, []string{"Slice", "[5]"}},
		{"Slice axis", func() { f32(2, 3).Slice(2, 0, 1) }, []string{"Slice", "axis 2"}},
		{"Slice scalar", func() { f32().Slice(0, 0, 0) }, []string{"Slice", "rank 0"}},
		{"Index too many", func() { f32(2, 3).Index(0, 0, 0) }, []string{"Index", "3 indices", "[2 3]"}},
		{"Index range", func() { f32(2, 3).Index(2) }, []string{"Index", "[2]", "[2 3]"}},
		{"Index range inner", func() { f32(2, 3).Index(1, 3) }, []string{"Index", "[1 3]", "[2 3]"}},
		{"Index negative", func() { f32(2, 3).Index(-3) }, []string{"Index", "[-3]", "[2 3]"}},
		{"Index empty", func() { f32(0, 3).Index(0) }, []string{"Index", "[0 3]"}},
		{"Index empty negative", func() { f32(0).Index(-1) }, []string{"Index", "[0]"}},
		{"Index scalar", func() { f32().Index(0) }, []string{"Index", "[]"}},
		{"Concat none", func() { dl.Concat(0) }, []string{"Concat"}},
		{"Concat shape", func() { dl.Concat(0, f32(2, 3), f32(2, 4)) }, []string{"Concat", "[2 3]", "[2 4]", "axis 0"}},
		{"Concat rank", func() { dl.Concat(0, f32(2, 3), f32(3)) }, []string{"Concat", "[2 3]", "[3]", "rank"}},
		{"Concat axis", func() { dl.Concat(2, f32(2, 3), f32(2, 3)) }, []string{"Concat", "axis 2", "rank 2"}},
		{"Concat scalars", func() { dl.Concat(0, f32(), f32()) }, []string{"Concat", "rank 0"}},
		{"Stack none", func() { dl.Stack(0) }, []string{"Stack"}},
		{"Stack shape", func() { dl.Stack(0, f32(2, 3), f32(3, 2)) }, []string{"Stack", "[2 3]", "[3 2]"}},
		{"Stack axis", func() { dl.Stack(3, f32(2, 3), f32(2, 3)) }, []string{"Stack", "axis 3", "[2 3]"}},
		{"Stack dtypes", func() { dl.Stack(0, f32(2), f64(2)) }, []string{"Stack", "float32", "float64", "[2]"}},
		// Gather, OneHot, Labels.
		{"Gather non-integer", func() { f32(2, 3).Gather(1, dl.FromSlice([]float64{0.5, 1}, 2, 1)) }, []string{"Gather", "0.5", "[0, 3)"}},
		{"Gather range", func() { f32(2, 3).Gather(1, dl.FromSlice([]float64{3, 1}, 2, 1)) }, []string{"Gather", "index 3", "[0, 3)"}},
		{"Gather negative", func() { f32(2, 3).Gather(0, dl.FromSlice([]float64{-1, 0}, 1, 2)) }, []string{"Gather", "-1", "[0, 2)"}},
		{"Gather NaN", func() { f32(3).Gather(0, idx(math.NaN())) }, []string{"Gather", "NaN"}},
		{"Gather Inf", func() { f32(3).Gather(0, idx(math.Inf(1))) }, []string{"Gather", "Inf"}},
		{"Gather huge", func() { f32(3).Gather(0, idx(1e300)) }, []string{"Gather", "1e+300"}},
		{"Gather rank", func() { f32(2, 3).Gather(1, idx(0, 1)) }, []string{"Gather", "[2]", "[2 3]", "rank"}},
		{"Gather larger", func() { f32(2, 3).Gather(1, dl.Zeros(3, 1)) }, []string{"Gather", "[3 1]", "[2 3]"}},
		{"Gather axis", func() { f32(2, 3).Gather(2, dl.Zeros(2, 1)) }, []string{"Gather", "axis 2", "rank 2"}},
		{"Gather into empty axis", func() { f32(2, 0).Gather(1, dl.Zeros(2, 1)) }, []string{"Gather", "[0, 0)"}},
		{"OneHot classes", func() { dl.OneHot(dl.Labels(0, 1), 0) }, []string{"OneHot", "0"}},
		{"OneHot negative classes", func() { dl.OneHot(dl.Labels(0), -2) }, []string{"OneHot", "-2"}},
		{"OneHot label range", func() { dl.OneHot(dl.Labels(0, 3), 3) }, []string{"OneHot", "index 3", "[0, 3)"}},
		{"OneHot label non-integer", func() { dl.OneHot(idx(1.5), 3) }, []string{"OneHot", "1.5"}},
		{"OneHot label negative", func() { dl.OneHot(idx(-1), 3) }, []string{"OneHot", "-1"}},
		{"Labels negative", func() { dl.Labels(1, -1) }, []string{"Labels", "-1"}},
		{"Labels too large", func() { dl.Labels(1<<24 + 1) }, []string{"Labels", "16777217"}},
		// Unary ops with arguments.
		{"Clamp bounds", func() { f32(2).Clamp(1, -1) }, []string{"Clamp", "1", "-1"}},
		// Constructors.
		{"Zeros negative", func() { dl.Zeros(2, -1) }, []string{"Zeros", "[2 -1]"}},
		{"Ones negative", func() { dl.Float64.Ones(-3) }, []string{"Ones", "[-3]"}},
		{"Full negative", func() { dl.Full(1, -1, 2) }, []string{"Full", "[-1 2]"}},
		{"FromSlice size", func() { dl.FromSlice([]float64{1, 2, 3}, 2, 2) }, []string{"FromSlice", "3 values", "[2 2]", "4"}},
		{"FromSlice negative", func() { dl.FromSlice([]float32{}, 0, -1) }, []string{"FromSlice", "[0 -1]"}},
		{"Arange step 0", func() { dl.Arange(0, 3, 0) }, []string{"Arange", "0", "3"}},
		{"Arange direction", func() { dl.Arange(0, 3, -1) }, []string{"Arange", "0", "3", "-1"}},
		{"Arange direction down", func() { dl.Float64.Arange(3, 0, 1) }, []string{"Arange", "3", "0", "1"}},
		{"Arange NaN", func() { dl.Arange(0, math.NaN(), 1) }, []string{"Arange", "NaN"}},
		{"Arange Inf", func() { dl.Arange(0, math.Inf(1), 1) }, []string{"Arange", "+Inf"}},
		{"Arange -Inf", func() { dl.Float64.Arange(math.Inf(-1), 0, 1) }, []string{"Arange", "-Inf"}},
		{"Arange too long", func() { dl.Arange(0, 1e30, 1) }, []string{"Arange", "1e+30"}},
		{"Rand negative", func() { dl.Float64.Rand(gtRNG(1), -1) }, []string{"Rand", "[-1]"}},
		{"Randn negative", func() { dl.Randn(gtRNG(1), 2, -2) }, []string{"Randn", "[2 -2]"}},
		{"unknown dtype", func() { dl.DType(9).Zeros(2) }, []string{"alloc", "9"}},
		// Tensor accessors.
		{"Item", func() { f32(2, 2).Item() }, []string{"Item", "[2 2]", "4 elements"}},
		{"Item empty", func() { f32(0).Item() }, []string{"Item", "[0]", "0 elements"}},
		{"At count", func() { f32(2, 2).At(1) }, []string{"At", "1 indices", "[2 2]"}},
		{"At range", func() { f32(2, 2).At(1, 2) }, []string{"At", "[1 2]", "[2 2]"}},
		{"At negative", func() { f32(2, 2).At(-1, 0) }, []string{"At", "[-1 0]", "[2 2]"}},
		{"Dim", func() { f32(2, 2).Dim(2) }, []string{"Dim", "axis 2", "rank 2"}},
		{"Dim scalar", func() { f32().Dim(0) }, []string{"Dim", "rank 0"}},
		{"Mat rank", func() { f32(2, 2, 2).Mat() }, []string{"Mat", "[2 2 2]"}},
		{"Mat vector", func() { f32(2).Mat() }, []string{"Mat", "[2]"}},
		{"Mat empty", func() { f32(0, 3).Mat() }, []string{"Mat", "[0 3]"}},
		// Autodiff.
		{"Backward constant", func() { f32(1).Backward() }, []string{"Backward", "[1]"}},
		{"Backward no seed", func() { f32(2).SetRequiresGrad(true).Backward() }, []string{"Backward", "[2]", "seed"}},
		{"Backward seed shape", func() { f32(2).SetRequiresGrad(true).Backward(f32(3)) }, []string{"Backward", "[3]", "[2]"}},
		{"Backward two seeds", func() { f32().SetRequiresGrad(true).Backward(f32(), f32()) }, []string{"Backward", "2"}},
		{"SetRequiresGrad computed", func() { f32(2).SetRequiresGrad(true).Exp().SetRequiresGrad(false) }, []string{"SetRequiresGrad", "[2]", "Exp"}},
		{"JVP count", func() { dl.JVP(nil, []*dl.Tensor{f32(2)}, nil) }, []string{"JVP", "1 inputs", "0 tangents"}},
		{"JVP shape", func() { dl.JVP(nil, []*dl.Tensor{f32(2)}, []*dl.Tensor{f32(2, 1)}) }, []string{"JVP", "[2 1]", "[2]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { gtExpectError(t, c.f, c.want...) })
	}
}

// Probe: edge cases that are valid must not panic at all.
func TestEdgeCasesDoNotPanic(t *testing.T) {
	f32 := func(shape ...int) *dl.Tensor { return dl.Zeros(shape...) }
	cases := []struct {
		name  string
		f     func() *dl.Tensor
		shape []int
	}{
		{"empty Add", func() *dl.Tensor { return f32(0).Add(f32(0)) }, []int{0}},
		{"empty broadcast Add", func() *dl.Tensor { return f32(0, 3).Add(f32(3)) }, []int{0, 3}},
		{"empty broadcast with 1", func() *dl.Tensor { return f32(2, 0).Mul(f32(2, 1)) }, []int{2, 0}},
		{"empty with scalar", func() *dl.Tensor { return f32(0).Sub(dl.Scalar(1)) }, []int{0}},
		{"empty Sum", func() *dl.Tensor { return f32(0).Sum() }, []int{}},
		{"empty Sum axis", func() *dl.Tensor { return f32(0, 3).Sum(0) }, []int{3}},
		{"Max over non-empty axis of empty", func() *dl.Tensor { return f32(0, 3).Max(1) }, []int{0}},
		{"empty ArgMax other axis", func() *dl.Tensor { return f32(0, 3).ArgMax(1) }, []int{0}},
		{"empty Exp", func() *dl.Tensor { return f32(0).Exp() }, []int{0}},
		{"empty Softmax", func() *dl.Tensor { return f32(2, 0).Softmax(1) }, []int{2, 0}},
		{"empty LogSoftmax", func() *dl.Tensor { return f32(0, 3).LogSoftmax(1) }, []int{0, 3}},
		{"empty MatMul m", func() *dl.Tensor { return f32(0, 3).MatMul(f32(3, 4)) }, []int{0, 4}},
		{"empty MatMul k", func() *dl.Tensor { return f32(2, 0).MatMul(f32(0, 4)) }, []int{2, 4}},
		{"empty MatMul n", func() *dl.Tensor { return f32(2, 3).MatMul(f32(3, 0)) }, []int{2, 0}},
		{"empty MatMul batch", func() *dl.Tensor { return f32(0, 2, 3).MatMul(f32(3, 4)) }, []int{0, 2, 4}},
		{"empty dot", func() *dl.Tensor { return f32(0).MatMul(f32(0)) }, []int{}},
		{"empty Reshape infer", func() *dl.Tensor { return f32(0, 3).Reshape(-1, 3) }, []int{0, 3}},
		{"empty Reshape", func() *dl.Tensor { return f32(0, 3).Reshape(3, 0, 5) }, []int{3, 0, 5}},
		{"empty Transpose", func() *dl.Tensor { return f32(0, 3).T() }, []int{3, 0}},
		{"empty Slice", func() *dl.Tensor { return f32(4).Slice(0, 2, 2) }, []int{0}},
		{"Slice of empty", func() *dl.Tensor { return f32(0).Slice(0, 0, 0) }, []int{0}},
		{"Slice end", func() *dl.Tensor { return f32(4).Slice(0, 4, 4) }, []int{0}},
		{"empty Concat", func() *dl.Tensor { return dl.Concat(0, f32(0, 2), f32(1, 2)) }, []int{1, 2}},
		{"empty Stack", func() *dl.Tensor { return dl.Stack(0, f32(0), f32(0)) }, []int{2, 0}},
		{"empty BroadcastTo", func() *dl.Tensor { return f32(1).BroadcastTo(0) }, []int{0}},
		{"empty Gather", func() *dl.Tensor { return f32(2, 3).Gather(1, dl.Zeros(2, 0)) }, []int{2, 0}},
		{"empty OneHot", func() *dl.Tensor { return dl.OneHot(dl.Labels(), 3) }, []int{0, 3}},
		{"empty Where", func() *dl.Tensor { return dl.Where(f32(0), f32(0), f32(0)) }, []int{0}},
		{"empty Arange", func() *dl.Tensor { return dl.Arange(2, 2, 1) }, []int{0}},
		{"empty Index rest", func() *dl.Tensor { return f32(2, 0).Index(1) }, []int{0}},
		{"scalar Sum", func() *dl.Tensor { return dl.Scalar(2).Sum() }, []int{}},
		{"scalar Mean", func() *dl.Tensor { return dl.Scalar(2).MeanKeepDim() }, []int{}},
		{"scalar Max", func() *dl.Tensor { return dl.Scalar(2).Max() }, []int{}},
		{"scalar Unsqueeze", func() *dl.Tensor { return dl.Scalar(2).Unsqueeze(-1) }, []int{1}},
		{"scalar Squeeze", func() *dl.Tensor { return dl.Scalar(2).Squeeze() }, []int{}},
		{"scalar Permute", func() *dl.Tensor { return dl.Scalar(2).Permute() }, []int{}},
		{"scalar Index", func() *dl.Tensor { return dl.Scalar(2).Index() }, []int{}},
		{"scalar BroadcastTo", func() *dl.Tensor { return dl.Scalar(2).BroadcastTo() }, []int{}},
		{"scalar OneHot", func() *dl.Tensor { return dl.OneHot(dl.Scalar(1), 2) }, []int{2}},
		{"Stack of scalars", func() *dl.Tensor { return dl.Stack(-1, dl.Scalar(1), dl.Scalar(2)) }, []int{2}},
		{"Squeeze nothing", func() *dl.Tensor { return f32(2, 3).Squeeze() }, []int{2, 3}},
		{"Transpose same axis", func() *dl.Tensor { return f32(2, 3).Transpose(1, -1) }, []int{2, 3}},
		{"Backward of empty grad", func() *dl.Tensor {
			x := f32(0).SetRequiresGrad(true)
			x.Sum().Backward()
			return x.Grad()
		}, []int{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got *dl.Tensor
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panicked: %v", r)
					}
				}()
				got = c.f()
			}()
			if got == nil {
				t.Fatal("nil result")
			}
			if sh := got.Shape(); len(sh) != len(c.shape) || (len(sh) > 0 && !slices.Equal(sh, c.shape)) {
				t.Errorf("shape %v, want %v", sh, c.shape)
			}
			_ = got.String()
		})
	}
}

// A gonum round trip for a real matrix still works.
func TestMatRoundTrip(t *testing.T) {
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	x := dl.FromMat(m)
	if x.DType() != dl.Float64 || !slices.Equal(x.Shape(), []int{2, 3}) || x.At(1, 2) != 6 {
		t.Fatalf("FromMat gave %v %v", x.DType(), x)
	}
	if !mat.Equal(x.Mat(), m) {
		t.Errorf("Mat round trip gave %v", mat.Formatted(x.Mat()))
	}
}
