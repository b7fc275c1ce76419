package dl

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestConvPoolGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range []struct {
		name            string
		x, w            []int
		bias            bool
		stride, padding int
		wantShape       []int
	}{
		{"3x3", []int{2, 1, 5, 5}, []int{3, 1, 3, 3}, true, 1, 0, []int{2, 3, 3, 3}},
		{"padded", []int{1, 2, 4, 4}, []int{2, 2, 3, 3}, true, 1, 1, []int{1, 2, 4, 4}},
		{"strided", []int{1, 2, 7, 6}, []int{3, 2, 3, 2}, false, 2, 1, []int{1, 3, 4, 4}},
	} {
		x, w := Float64.Randn(rng, c.x...), Float64.Randn(rng, c.w...)
		inputs := []*Tensor{x, w}
		if c.bias {
			inputs = append(inputs, Float64.Randn(rng, c.w[0]))
		}
		f := func(in ...*Tensor) *Tensor {
			var b *Tensor
			if len(in) == 3 {
				b = in[2]
			}
			return Conv2d(in[0], in[1], b, c.stride, c.padding)
		}
		if got := f(inputs...).Shape(); !slices.Equal(got, c.wantShape) {
			t.Errorf("%s: shape %v, want %v", c.name, got, c.wantShape)
		}
		if r := GradCheck(f, inputs...); !r.OK() {
			t.Errorf("Conv2d %s:\n%s", c.name, r)
		}
	}
	x := Float64.Randn(rng, 2, 2, 5, 7)
	for _, k := range []struct{ kernel, stride int }{{2, 0}, {3, 1}, {2, 3}} {
		if r := GradCheck(func(in ...*Tensor) *Tensor { return in[0].MaxPool2d(k.kernel, k.stride) }, x); !r.OK() {
			t.Errorf("MaxPool2d %v:\n%s", k, r)
		}
		if r := GradCheck(func(in ...*Tensor) *Tensor { return in[0].AvgPool2d(k.kernel, k.stride) }, x); !r.OK() {
			t.Errorf("AvgPool2d %v:\n%s", k, r)
		}
	}
}

func TestConvValues(t *testing.T) {
	x := Arange(0, 16, 1).Reshape(1, 1, 4, 4)
	w := FromSlice([]float32{1, 0, 0, -1}, 1, 1, 2, 2)
	got := Conv2d(x, w, FromSlice([]float32{10}), 1, 0).Float64s()
	for i, v := range got { // x[i][j] − x[i+1][j+1] = −5, plus the bias
		if v != 5 {
			t.Fatalf("conv value %d = %g, want 5", i, v)
		}
	}
	if got := x.MaxPool2d(2, 0).Float64s(); !slices.Equal(got, []float64{5, 7, 13, 15}) {
		t.Errorf("MaxPool2d = %v", got)
	}
	if got := x.AvgPool2d(2, 0).Float64s(); !slices.Equal(got, []float64{2.5, 4.5, 10.5, 12.5}) {
		t.Errorf("AvgPool2d = %v", got)
	}
	// Floor mode: a 5×5 input pools to 2×2 with kernel 2.
	if got := Zeros(1, 1, 5, 5).MaxPool2d(2, 2).Shape(); !slices.Equal(got, []int{1, 1, 2, 2}) {
		t.Errorf("pool shape %v", got)
	}
	err := Catch(func() { Conv2d(Zeros(1, 3, 8, 8), Zeros(4, 2, 3, 3), nil, 1, 0) })
	if err == nil || err.Error() != "dl: Conv2d: input [1 3 8 8] has 3 channels but filters [4 2 3 3] expect 2" {
		t.Errorf("got %v", err)
	}
}

func TestLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, xs := range [][]int{{4, 3}, {2, 5, 3}, {3}} {
		x, w, b := Float64.Randn(rng, xs...), Float64.Randn(rng, 2, 3), Float64.Randn(rng, 2)
		if r := GradCheck(func(in ...*Tensor) *Tensor { return Linear(in[0], in[1], in[2]) }, x, w, b); !r.OK() {
			t.Errorf("Linear %v:\n%s", xs, r)
		}
		if r := GradCheck(func(in ...*Tensor) *Tensor { return Linear(in[0], in[1], nil) }, x, w); !r.OK() {
			t.Errorf("Linear %v without bias:\n%s", xs, r)
		}
		want := x.MatMul(w.T()).Add(b)
		got := Linear(x, w, b)
		if !slices.Equal(got.Shape(), want.Shape()) || maxDiff(got.Float64s(), want.Float64s()) > 1e-14 {
			t.Errorf("Linear %v = %v, want %v", xs, got, want)
		}
	}
	if err := Catch(func() { Linear(Zeros(4, 5), Zeros(2, 3), nil) }); err == nil ||
		err.Error() != "dl: Linear: input of shape [4 5] does not end in the weight's 3 inputs (weight [2 3])" {
		t.Errorf("got %v", err)
	}
}

// maxDiff returns the largest absolute difference of a and b.
func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
