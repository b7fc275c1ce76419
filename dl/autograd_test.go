package dl

// Tests of the reverse sweep: gradients own their values, inputs that need
// no gradient get none, recycled buffers never change values a user holds,
// and results do not depend on the number of CPUs.

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestBackwardGradsOwnTheirValues checks that a Grad never shares values
// with the seed, another Grad or an earlier Grad, however the adjoints
// alias (Add passes its adjoint on unchanged, Reshape shares values).
func TestBackwardGradsOwnTheirValues(t *testing.T) {
	a := Float64.Full(2, 3).SetRequiresGrad(true)
	b := Float64.Full(5, 3).SetRequiresGrad(true)
	seed := FromSlice([]float64{1, 2, 3})
	a.Add(b).Backward(seed)
	ga, gb := a.Grad(), b.Grad()
	if dataAddr(ga) == dataAddr(gb) || dataAddr(ga) == dataAddr(seed) || dataAddr(gb) == dataAddr(seed) {
		t.Fatal("gradients share values with each other or the seed")
	}
	seed.data.F64[0] = 100
	if ga.at(0) != 1 || gb.at(0) != 1 {
		t.Fatalf("gradients changed with the seed: %v %v", ga, gb)
	}
	// A second sweep adds into a new tensor: the Grad taken earlier keeps
	// its values. x is used three ways: its adjoint is accumulated in place.
	x := Float64.Full(1.5, 2, 2).SetRequiresGrad(true)
	y := x.Mul(x).Add(x.Reshape(4).Reshape(2, 2)).Add(x).Sum()
	y.Backward()
	first := x.Grad()
	firstVals := first.Float64s()
	y.Backward()
	if !slices.Equal(first.Float64s(), firstVals) {
		t.Fatalf("the first Grad changed: %v, was %v", first.Float64s(), firstVals)
	}
	for i, v := range x.Grad().Float64s() {
		if v != 2*firstVals[i] || firstVals[i] != 2*1.5+2 {
			t.Fatalf("gradient %v after two sweeps, first %v", x.Grad().Float64s(), firstVals)
		}
	}
	// An adjoint shared by two rules that could write over their adjoint
	// (Add hands its adjoint to both) is left alone, as is a seed.
	u := FromSlice([]float64{-1, 0.5, 2}).SetRequiresGrad(true)
	u.ReLU().Add(u.Tanh()).Sum().Backward()
	for i, v := range u.Grad().Float64s() {
		x := u.at(i)
		want := 1 - math.Tanh(x)*math.Tanh(x)
		if x > 0 {
			want++
		}
		if math.Abs(v-want) > 1e-15 {
			t.Fatalf("d(relu u + tanh u)/du = %v, want %v at %v", v, want, x)
		}
	}
	s := FromSlice([]float64{3, 4, 5})
	u.ZeroGrad()
	u.Sigmoid().Backward(s)
	if !slices.Equal(s.Float64s(), []float64{3, 4, 5}) {
		t.Fatalf("the seed changed: %v", s)
	}
	// No adjoint is left on the graph after a sweep.
	for _, n := range graphOf(y) {
		if n.adj != nil {
			t.Fatalf("adjoint left on a tensor of shape %v", n.shape)
		}
	}
}

// TestSkippedGradients: inputs that need no gradient get none computed,
// and the others' are right.
func TestSkippedGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x := Float64.Randn(rng, 4, 3)
	w := Float64.Randn(rng, 2, 3).SetRequiresGrad(true)
	b := Float64.Randn(rng, 2)
	Linear(x, w, b).Square().Sum().Backward()
	want := Float64.Zeros(2, 3)
	NoGrad(func() {
		y := Linear(x, w, b)
		want = y.Mul(Float64.Scalar(2)).T().MatMul(x)
	})
	for i := range want.Len() {
		if math.Abs(w.grad.at(i)-want.at(i)) > 1e-12 {
			t.Fatalf("weight gradient %v, want %v", w.grad, want)
		}
	}
	if x.grad != nil || b.grad != nil {
		t.Fatal("constants got gradients")
	}
}

// TestRecyclingKeepsValues runs a convolutional net large enough for the
// buffer pool, step after step: forward tensors a user holds keep their
// values through later sweeps, and every sweep gives the same gradients
// as the first (a recycled buffer read after reuse would change them).
func TestRecyclingKeepsValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := Float32.Randn(rng, 8, 2, 20, 20)
	w1 := Float32.Randn(rng, 6, 2, 3, 3).SetRequiresGrad(true)
	b1 := Float32.Randn(rng, 6).SetRequiresGrad(true)
	w2 := Float32.Randn(rng, 4, 6, 3, 3).SetRequiresGrad(true)
	lw := Float32.Randn(rng, 5, 4*9*9).Mul(Scalar(0.1)).SetRequiresGrad(true)
	labels := Labels(0, 1, 2, 3, 4, 0, 1, 2)
	params := []*Tensor{w1, b1, w2, lw}
	var first [][]float32
	var held []*Tensor
	var heldVals [][]float32
	for step := 0; step < 4; step++ {
		for _, p := range params {
			p.ZeroGrad()
		}
		h := Conv2d(x, w1, b1, 1, 0).ReLU()
		p := h.MaxPool2d(2, 0)
		h2 := Conv2d(p, w2, nil, 1, 1).Tanh().Sigmoid()
		out := Linear(h2.Reshape(8, -1), lw, nil)
		CrossEntropyLogits(out, labels).Backward()
		held = append(held, h, p, h2)
		heldVals = append(heldVals, h.Float32s(), p.Float32s(), h2.Float32s())
		for i, q := range params {
			g := q.Grad().Float32s()
			if step == 0 {
				first = append(first, g)
				continue
			}
			if !slices.Equal(g, first[i]) {
				t.Fatalf("step %d: gradient %d differs from the first step's", step, i)
			}
		}
		for i, ht := range held {
			if !slices.Equal(ht.Float32s(), heldVals[i]) {
				t.Fatalf("step %d: forward tensor %d changed", step, i)
			}
		}
	}
}

// TestParallelSameResults runs a convolutional step on one CPU and on
// several: the results agree to the bit.
func TestParallelSameResults(t *testing.T) {
	run := func() [][]float32 {
		rng := rand.New(rand.NewPCG(11, 11))
		x := Float32.Randn(rng, 16, 2, 34, 34)
		w := Float32.Randn(rng, 6, 2, 3, 3).SetRequiresGrad(true)
		b := Float32.Randn(rng, 6).SetRequiresGrad(true)
		w2 := Float32.Randn(rng, 4, 6, 3, 3).SetRequiresGrad(true)
		y := Conv2d(x, w, b, 1, 0).ReLU().MaxPool2d(2, 0)
		z := Conv2d(y, w2, nil, 1, 1).Tanh().Mul(y.Mean(1, 2, 3).Reshape(16, 1, 1, 1)).Exp().Sum()
		z.Backward()
		return [][]float32{y.Float32s(), z.Float32s(), w.Grad().Float32s(), b.Grad().Float32s(), w2.Grad().Float32s()}
	}
	prev := runtime.GOMAXPROCS(1)
	one := run()
	runtime.GOMAXPROCS(max(prev, 4))
	many := run()
	runtime.GOMAXPROCS(prev)
	for i := range one {
		for j, v := range one[i] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("result %d [%d] is %v", i, j, v)
			}
		}
		if !slices.Equal(one[i], many[i]) {
			t.Errorf("result %d differs between one CPU and several", i)
		}
	}
}
