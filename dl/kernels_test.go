package dl

// Tests of the typed kernels against naive loops written independently:
// strided sums, broadcasting arithmetic in float32, im2col/col2im and
// convolution over many geometries, the branch-free 2×2 max pooling, the
// softmax rows and the fused losses, and the ownership rules of the reverse
// sweep.

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

func kRand(rng *rand.Rand, d DType, shape ...int) *Tensor { return d.Randn(rng, shape...) }

// naiveSum sums x over mask, in keep-dim shape, in float64.
func naiveSum(x *Tensor, mask []bool) []float64 {
	keep := keepShape(x.shape, mask)
	out := make([]float64, numel(keep))
	ks := stridesOf(keep)
	forEachIndex(x.shape, func(i int, idx []int) {
		o := 0
		for d, v := range idx {
			if !mask[d] {
				o += v * ks[d]
			}
		}
		out[o] += x.at(i)
	})
	return out
}

func TestSumAxesMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	shapes := [][]int{{7}, {3, 5}, {4, 1, 6}, {2, 3, 4, 5}, {1, 1}, {3, 1, 1, 4}, {2, 0, 3}}
	for _, d := range []DType{Float32, Float64} {
		for _, shape := range shapes {
			x := kRand(rng, d, shape...)
			for m := 0; m < 1<<len(shape); m++ {
				mask := make([]bool, len(shape))
				for i := range mask {
					mask[i] = m&(1<<i) != 0
				}
				got := sumAxes(x, mask)
				want := naiveSum(x, mask)
				if !slices.Equal(got.shape, keepShape(shape, mask)) {
					t.Fatalf("%v %v mask %v: shape %v", d, shape, mask, got.shape)
				}
				for i, w := range want {
					tol := 1e-12
					if d == Float32 {
						tol = 1e-5 * (1 + math.Abs(w))
					}
					if g := got.at(i); math.Abs(g-w) > tol {
						t.Fatalf("%v %v mask %v: [%d] = %v, want %v", d, shape, mask, i, g, w)
					}
				}
			}
		}
	}
}

func TestArithFloat32MatchesFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	pairs := [][2][]int{
		{{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 4}, {3, 1}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {3, 1}},
		{{2, 1, 4}, {3, 1}}, {{5}, {}}, {{}, {5}}, {{2, 3, 4, 5}, {1, 3, 1, 5}}, {{4, 1, 1, 2}, {3, 1}},
	}
	for _, p := range pairs {
		a64, b64 := kRand(rng, Float64, p[0]...), kRand(rng, Float64, p[1]...).Add(Float64.Scalar(3))
		a32, b32 := a64.AsType(Float32), b64.AsType(Float32)
		for op, name := range []string{"Add", "Sub", "Mul", "Div"} {
			got := arith(name, arithCode(op), a32, b32)
			// The float32 result is the float64 one of the float32 inputs, rounded.
			want := arith(name, arithCode(op), a32.AsType(Float64), b32.AsType(Float64))
			if !slices.Equal(got.shape, want.shape) {
				t.Fatalf("%s %v %v: shape %v, want %v", name, p[0], p[1], got.shape, want.shape)
			}
			for i := range got.Len() {
				if g, w := got.at(i), float64(float32(want.at(i))); g != w {
					t.Fatalf("%s %v %v: [%d] = %v, want %v", name, p[0], p[1], i, g, w)
				}
			}
		}
	}
}

// naiveConv computes the cross-correlation directly.
func naiveConv(x, w, b *Tensor, stride, pad int) []float64 {
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	o, kh, kw := w.shape[0], w.shape[2], w.shape[3]
	oh, ow := (h+2*pad-kh)/stride+1, (wd+2*pad-kw)/stride+1
	out := make([]float64, n*o*oh*ow)
	for s := 0; s < n; s++ {
		for f := 0; f < o; f++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					acc := 0.0
					if b != nil {
						acc = b.at(f)
					}
					for ch := 0; ch < c; ch++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								y, xx := i*stride-pad+ki, j*stride-pad+kj
								if y < 0 || y >= h || xx < 0 || xx >= wd {
									continue
								}
								acc += x.at(((s*c+ch)*h+y)*wd+xx) * w.at(((f*c+ch)*kh+ki)*kw+kj)
							}
						}
					}
					out[((s*o+f)*oh+i)*ow+j] = acc
				}
			}
		}
	}
	return out
}

func TestConvMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	cases := []struct {
		x, w        []int
		stride, pad int
	}{
		{[]int{2, 1, 6, 6}, []int{3, 1, 3, 3}, 1, 0},
		{[]int{2, 2, 7, 5}, []int{2, 2, 3, 2}, 1, 1},
		{[]int{1, 3, 8, 9}, []int{4, 3, 3, 3}, 2, 0},
		{[]int{1, 2, 9, 8}, []int{2, 2, 5, 3}, 3, 2},
		{[]int{2, 3, 4, 5}, []int{2, 3, 1, 1}, 1, 0}, // pointwise
		{[]int{1, 1, 2, 3}, []int{1, 1, 5, 5}, 1, 2}, // kernel larger than the image
		{[]int{1, 2, 5, 5}, []int{2, 2, 2, 2}, 2, 1},
	}
	for _, c := range cases {
		for _, bias := range []bool{false, true} {
			x, w := kRand(rng, Float64, c.x...), kRand(rng, Float64, c.w...)
			var b *Tensor
			if bias {
				b = kRand(rng, Float64, c.w[0])
			}
			got := Conv2d(x, w, b, c.stride, c.pad)
			want := naiveConv(x, w, b, c.stride, c.pad)
			for i, wv := range want {
				if g := got.at(i); math.Abs(g-wv) > 1e-12 {
					t.Fatalf("%v %v stride %d pad %d bias %v: [%d] = %v, want %v", c.x, c.w, c.stride, c.pad, bias, i, g, wv)
				}
			}
			// col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>.
			g := newConvGeometry("test", x, c.w[2], c.w[3], c.stride, c.pad)
			chw := g.c * g.h * g.w
			cols := make([]float64, g.c*g.kh*g.kw*g.oh*g.ow)
			im2col(g, values[float64](x)[:chw], cols)
			r := kRand(rng, Float64, len(cols))
			back := make([]float64, chw)
			col2im(g, values[float64](r), back)
			lhs, rhs := 0.0, 0.0
			for i, v := range cols {
				lhs += v * values[float64](r)[i]
			}
			for i, v := range back {
				rhs += v * values[float64](x)[i]
			}
			if math.Abs(lhs-rhs) > 1e-9*(1+math.Abs(lhs)) {
				t.Fatalf("%v %v: <im2col x, r> = %v, <x, col2im r> = %v", c.x, c.w, lhs, rhs)
			}
		}
	}
}

// TestConvFloat32 checks the float32 path (OpenBLAS or gonum, the bias
// folded into the product) against float64.
func TestConvFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x, w, b := kRand(rng, Float32, 3, 2, 12, 11), kRand(rng, Float32, 5, 2, 3, 3), kRand(rng, Float32, 5)
	got := Conv2d(x, w, b, 1, 0)
	want := naiveConv(x, w, b, 1, 0)
	for i, wv := range want {
		if g := got.at(i); math.Abs(g-wv) > 1e-4*(1+math.Abs(wv)) {
			t.Fatalf("[%d] = %v, want %v", i, g, wv)
		}
	}
	x.SetRequiresGrad(true)
	w.SetRequiresGrad(true)
	b.SetRequiresGrad(true)
	Conv2d(x, w, b, 1, 0).Square().Sum().Backward()
	x64, w64, b64 := x.AsType(Float64).Detach().SetRequiresGrad(true), w.AsType(Float64).Detach().SetRequiresGrad(true), b.AsType(Float64).Detach().SetRequiresGrad(true)
	Conv2d(x64, w64, b64, 1, 0).Square().Sum().Backward()
	for _, p := range [][2]*Tensor{{x, x64}, {w, w64}, {b, b64}} {
		for i := range p[0].Len() {
			g, wv := p[0].grad.at(i), p[1].grad.at(i)
			if math.Abs(g-wv) > 1e-3*(1+math.Abs(wv)) {
				t.Fatalf("gradient of shape %v [%d] = %v, want %v", p[0].shape, i, g, wv)
			}
		}
	}
}

func TestMaxPoolFastPathMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	special := []float32{0, negZero, 1, -1, nan, inf, -inf, 2, 2,
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32}
	for _, stride := range []int{1, 2, 3} {
		for trial := 0; trial < 20; trial++ {
			v := make([]float32, 2*3*7*8)
			for i := range v {
				if rng.IntN(4) == 0 {
					v[i] = special[rng.IntN(len(special))]
				} else {
					v[i] = float32(rng.IntN(5) - 2) // many ties
				}
			}
			x := FromSlice(v, 2, 3, 7, 8)
			g := newConvGeometry("test", x, 2, 2, stride, 0)
			fast, fastArg := make([]float32, g.n*g.c*g.oh*g.ow), make([]int32, g.n*g.c*g.oh*g.ow)
			maxPool2x2F32(g, v, fast, fastArg, 0, g.n*g.c)
			// The generic kernel on float64 values takes the exact comparisons.
			x64 := x.AsType(Float64)
			slow, slowArg := make([]float64, len(fast)), make([]int32, len(fast))
			maxPoolKernel(g, values[float64](x64), slow, slowArg)
			for i := range fast {
				same := fast[i] == float32(slow[i]) && math.Signbit(float64(fast[i])) == math.Signbit(slow[i]) ||
					fast[i] != fast[i] && slow[i] != slow[i]
				if !same || fastArg[i] != slowArg[i] {
					t.Fatalf("stride %d: window %d: fast %v at %d, exact %v at %d", stride, i, fast[i], fastArg[i], slow[i], slowArg[i])
				}
			}
		}
	}
}

func TestSoftmaxRowsMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x := kRand(rng, Float64, 3, 4, 5)
	for axis := 0; axis < 3; axis++ {
		sm, lsm := x.Softmax(axis), x.LogSoftmax(axis)
		outer, n, inner := rowsOf(x.shape, axis)
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				s := 0.0
				for k := 0; k < n; k++ {
					s += math.Exp(x.at((o*n+k)*inner + i))
				}
				for k := 0; k < n; k++ {
					p := (o*n+k)*inner + i
					if w := math.Exp(x.at(p)) / s; math.Abs(sm.at(p)-w) > 1e-14 {
						t.Fatalf("axis %d: softmax %v, want %v", axis, sm.at(p), w)
					}
					if w := x.at(p) - math.Log(s); math.Abs(lsm.at(p)-w) > 1e-13 {
						t.Fatalf("axis %d: log-softmax %v, want %v", axis, lsm.at(p), w)
					}
				}
			}
		}
	}
}

// TestFusedLossesMatchComposed compares CrossEntropyLogits and
// BCEWithLogits, values and gradients, with the same losses built from
// elementary ops.
func TestFusedLossesMatchComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, shape := range [][]int{{5, 4}, {2, 3, 4}, {3, 2, 2, 2}} {
		labelShape := slices.Delete(slices.Clone(shape), 1, 2)
		lv := make([]float64, numel(labelShape))
		for i := range lv {
			lv[i] = float64(rng.IntN(shape[1]))
		}
		labels := FromSlice(lv, labelShape...)
		z1 := kRand(rng, Float64, shape...).SetRequiresGrad(true)
		z2 := z1.Clone().SetRequiresGrad(true)
		fused := CrossEntropyLogits(z1, labels)
		composed := z2.LogSoftmax(1).Gather(1, labels.Unsqueeze(1)).Mean().Neg()
		if math.Abs(fused.Item()-composed.Item()) > 1e-14 {
			t.Errorf("%v: cross-entropy %v, composed %v", shape, fused.Item(), composed.Item())
		}
		fused.Backward()
		composed.Backward()
		for i := range z1.Len() {
			if math.Abs(z1.grad.at(i)-z2.grad.at(i)) > 1e-15 {
				t.Fatalf("%v: gradient [%d] %v, composed %v", shape, i, z1.grad.at(i), z2.grad.at(i))
			}
		}
	}
	z1 := kRand(rng, Float64, 6, 3).Mul(Float64.Scalar(5)).SetRequiresGrad(true)
	y1 := Float64.Rand(rng, 6, 3).SetRequiresGrad(true)
	z2, y2 := z1.Clone().SetRequiresGrad(true), y1.Clone().SetRequiresGrad(true)
	fused := BCEWithLogits(z1, y1)
	zero := Float64.Zeros(6, 3)
	composed := Stack(-1, zero, z2).LogSumExp(-1).Sub(z2.Mul(y2)).Mean()
	if math.Abs(fused.Item()-composed.Item()) > 1e-14 {
		t.Errorf("BCE %v, composed %v", fused.Item(), composed.Item())
	}
	fused.Backward()
	composed.Backward()
	for _, p := range [][2]*Tensor{{z1, z2}, {y1, y2}} {
		for i := range p[0].Len() {
			if math.Abs(p[0].grad.at(i)-p[1].grad.at(i)) > 1e-15 {
				t.Fatalf("BCE gradient [%d] %v, composed %v", i, p[0].grad.at(i), p[1].grad.at(i))
			}
		}
	}
	// Float32 scores: the loss is a float32 scalar close to the float64 one.
	z32 := z1.AsType(Float32).Detach()
	if got := BCEWithLogits(z32, y1.AsType(Float32).Detach()); got.dtype != Float32 || math.Abs(got.Item()-fused.Item()) > 1e-5 {
		t.Errorf("float32 BCE %v %v, want %v", got.dtype, got.Item(), fused.Item())
	}
}

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
	values[float64](seed)[0] = 100
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
	x := kRand(rng, Float64, 4, 3)
	w := kRand(rng, Float64, 2, 3).SetRequiresGrad(true)
	b := kRand(rng, Float64, 2)
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
	x := kRand(rng, Float32, 8, 2, 20, 20)
	w1 := kRand(rng, Float32, 6, 2, 3, 3).SetRequiresGrad(true)
	b1 := kRand(rng, Float32, 6).SetRequiresGrad(true)
	w2 := kRand(rng, Float32, 4, 6, 3, 3).SetRequiresGrad(true)
	lw := kRand(rng, Float32, 5, 4*9*9).Mul(Scalar(0.1)).SetRequiresGrad(true)
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

// naiveConvGrads returns the adjoints of the input and the filters of a
// convolution (k×k windows) for the output adjoint gy.
func naiveConvGrads(x, w, gy []float64, n, c, h, wd, o, k, stride, pad int) (gx, gw []float64) {
	oh, ow := (h+2*pad-k)/stride+1, (wd+2*pad-k)/stride+1
	gx, gw = make([]float64, len(x)), make([]float64, len(w))
	for s := 0; s < n; s++ {
		for f := 0; f < o; f++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					g := gy[((s*o+f)*oh+i)*ow+j]
					for ch := 0; ch < c; ch++ {
						for ki := 0; ki < k; ki++ {
							for kj := 0; kj < k; kj++ {
								y, xx := i*stride-pad+ki, j*stride-pad+kj
								if y < 0 || y >= h || xx < 0 || xx >= wd {
									continue
								}
								xi := ((s*c+ch)*h+y)*wd + xx
								wi := ((f*c+ch)*k+ki)*k + kj
								gw[wi] += g * x[xi]
								gx[xi] += g * w[wi]
							}
						}
					}
				}
			}
		}
	}
	return gx, gw
}

// TestConvBlocksMatchNaive runs batches that split into blocks of several
// samples (uneven ones too), in both layouts, against direct sums.
func TestConvBlocksMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, c := range []struct{ n, c, h, w, o, k, stride, pad int }{
		{20, 2, 7, 6, 3, 3, 1, 0}, // wide
		{19, 3, 8, 7, 2, 3, 2, 1}, // general
		{11, 1, 5, 5, 4, 2, 1, 1},
	} {
		x, w, b := kRand(rng, Float64, c.n, c.c, c.h, c.w), kRand(rng, Float64, c.o, c.c, c.k, c.k), kRand(rng, Float64, c.o)
		y := Conv2d(x, w, b, c.stride, c.pad)
		want := naiveConv(x, w, b, c.stride, c.pad)
		for i, wv := range want {
			if math.Abs(y.at(i)-wv) > 1e-12 {
				t.Fatalf("%+v: output [%d] = %v, want %v", c, i, y.at(i), wv)
			}
		}
		g := newConvGeometry("test", x, c.k, c.k, c.stride, c.pad)
		gy := kRand(rng, Float64, y.shape...)
		gx, gw := convBackward(g, x, w, gy, true, true, nil)
		wantX, wantW := naiveConvGrads(values[float64](x), values[float64](w), values[float64](gy), c.n, c.c, c.h, c.w, c.o, c.k, c.stride, c.pad)
		for i, wv := range wantX {
			if math.Abs(gx.at(i)-wv) > 1e-12 {
				t.Fatalf("%+v: input adjoint [%d] = %v, want %v", c, i, gx.at(i), wv)
			}
		}
		for i, wv := range wantW {
			if math.Abs(gw.at(i)-wv) > 1e-11 {
				t.Fatalf("%+v: filter adjoint [%d] = %v, want %v", c, i, gw.at(i), wv)
			}
		}
	}
}

// TestConvWideBackward checks the wide layout's adjoints against direct
// sums, also with an infinity in the input or the filters, where the wide
// layout's zero columns must not turn into NaN.
func TestConvWideBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	const n, c, h, wd, o, k = 2, 2, 7, 6, 3, 3
	for _, poison := range []string{"", "x", "w"} {
		x, w := kRand(rng, Float64, n, c, h, wd), kRand(rng, Float64, o, c, k, k)
		if poison == "x" {
			values[float64](x)[wd-1] = math.Inf(1) // the end of a row: read by the wide columns past it
		}
		if poison == "w" {
			values[float64](w)[0] = math.Inf(-1)
		}
		gy := kRand(rng, Float64, n, o, h-k+1, wd-k+1)
		g := newConvGeometry("test", x, k, k, 1, 0)
		if !g.wide() {
			t.Fatal("geometry is not wide")
		}
		gx, gw := convBackward(g, x, w, gy, true, true, nil)
		wantX, wantW := naiveConvGrads(values[float64](x), values[float64](w), values[float64](gy), n, c, h, wd, o, k, 1, 0)
		for _, p := range []struct {
			name      string
			got, want []float64
		}{{"input", values[float64](gx), wantX}, {"filters", values[float64](gw), wantW}} {
			for i, wv := range p.want {
				gv := p.got[i]
				if math.IsNaN(wv) != math.IsNaN(gv) || !math.IsNaN(wv) && math.Abs(gv-wv) > 1e-12*(1+math.Abs(wv)) && gv != wv {
					t.Fatalf("poison %q: %s adjoint [%d] = %v, want %v", poison, p.name, i, gv, wv)
				}
			}
		}
	}
}

// TestParallelSameResults runs a convolutional step on one CPU and on
// several: the results agree to the bit.
func TestParallelSameResults(t *testing.T) {
	run := func() [][]float32 {
		rng := rand.New(rand.NewPCG(11, 11))
		x := kRand(rng, Float32, 16, 2, 34, 34)
		w := kRand(rng, Float32, 6, 2, 3, 3).SetRequiresGrad(true)
		b := kRand(rng, Float32, 6).SetRequiresGrad(true)
		w2 := kRand(rng, Float32, 4, 6, 3, 3).SetRequiresGrad(true)
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

func TestPoolSpreadMatchesScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 15))
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	special := []float64{0, negZero, 1, -1, nan, inf, -inf, 2}
	for _, hw := range [][2]int{{7, 8}, {8, 7}, {7, 7}, {6, 6}, {2, 2}, {3, 3}, {130, 129}} { // the last in parallel
		for trial := 0; trial < 10; trial++ {
			x := Randn(rng, 2, 3, hw[0], hw[1]).AsType(Float64)
			g := newConvGeometry("test", x, 2, 2, 2, 0)
			arg := make([]int32, g.n*g.c*g.oh*g.ow)
			maxPoolKernel(g, values[float64](x), make([]float64, len(arg)), arg)
			gy := make([]float64, len(arg))
			for i := range gy {
				if rng.IntN(3) == 0 {
					gy[i] = special[rng.IntN(len(special))]
				} else {
					gy[i] = rng.NormFloat64()
				}
			}
			want := make([]float64, x.Len())
			poolScatter(g, want, gy, arg)
			got := make([]float64, x.Len())
			for i := range got {
				got[i] = 7 // arbitrary contents
			}
			poolSpread2x2(g, got, gy, arg)
			gy32 := make([]float32, len(gy))
			for i, v := range gy {
				gy32[i] = float32(v)
			}
			got32 := make([]float32, x.Len())
			for i := range got32 {
				got32[i] = nanF32()
			}
			poolSpread2x2(g, got32, gy32, arg)
			for i := range want {
				same := func(v, w float64) bool {
					return v == w && math.Signbit(v) == math.Signbit(w) || v != v && w != w
				}
				if !same(got[i], want[i]) || !same(float64(got32[i]), float64(float32(want[i]))) {
					t.Fatalf("%v: element %d: spread %v (float32 %v), scatter %v", hw, i, got[i], got32[i], want[i])
				}
			}
		}
	}
}

func nanF32() float32 { return float32(math.NaN()) }
