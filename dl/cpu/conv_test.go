package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveConv computes the cross-correlation of x [n c h w] with w
// [o c kh kw] plus b (nil for none) directly.
func naiveConv(x, w, b []float64, xs, ws []int, stride, pad int) []float64 {
	n, c, h, wd := xs[0], xs[1], xs[2], xs[3]
	o, kh, kw := ws[0], ws[2], ws[3]
	oh, ow := (h+2*pad-kh)/stride+1, (wd+2*pad-kw)/stride+1
	out := make([]float64, n*o*oh*ow)
	for s := 0; s < n; s++ {
		for f := 0; f < o; f++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					acc := 0.0
					if b != nil {
						acc = b[f]
					}
					for ch := 0; ch < c; ch++ {
						for ki := 0; ki < kh; ki++ {
							for kj := 0; kj < kw; kj++ {
								y, xx := i*stride-pad+ki, j*stride-pad+kj
								if y < 0 || y >= h || xx < 0 || xx >= wd {
									continue
								}
								acc += x[((s*c+ch)*h+y)*wd+xx] * w[((f*c+ch)*kh+ki)*kw+kj]
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

func dot(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		s += v * b[i]
	}
	return s
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
			x, w := randn(rng, Numel(c.x)), randn(rng, Numel(c.w))
			var b []float64
			if bias {
				b = randn(rng, c.w[0])
			}
			g := convShapeOf(c.x, c.w[2], c.w[3], c.stride, c.pad)
			got := filled(g.N*c.w[0]*g.OH*g.OW, math.NaN())
			Conv2d(g, x, w, b, got, c.w[0])
			want := naiveConv(x, w, b, c.x, c.w, c.stride, c.pad)
			for i, wv := range want {
				if gv := got[i]; !(math.Abs(gv-wv) <= 1e-12) {
					t.Fatalf("%v %v stride %d pad %d bias %v: [%d] = %v, want %v", c.x, c.w, c.stride, c.pad, bias, i, gv, wv)
				}
			}
			// col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>,
			// for one image and for the whole batch.
			chw, ckk, hw := g.C*g.H*g.W, g.C*g.KH*g.KW, g.OH*g.OW
			cols := make([]float64, ckk*hw)
			im2colOne(g, x[:chw], cols)
			r := randn(rng, len(cols))
			back := make([]float64, chw)
			col2imOne(g, r, back)
			if lhs, rhs := dot(cols, r), dot(back, x[:chw]); !(math.Abs(lhs-rhs) <= 1e-9*(1+math.Abs(lhs))) {
				t.Fatalf("%v %v: <im2col x, r> = %v, <x, col2im r> = %v", c.x, c.w, lhs, rhs)
			}
			cols = filled(ckk*g.N*hw, math.NaN())
			Im2col(g, x, cols)
			r = randn(rng, len(cols))
			back = filled(len(x), math.NaN())
			Col2im(g, r, back)
			if lhs, rhs := dot(cols, r), dot(back, x); !(math.Abs(lhs-rhs) <= 1e-9*(1+math.Abs(lhs))) {
				t.Fatalf("%v %v: batch <Im2col x, r> = %v, <x, Col2im r> = %v", c.x, c.w, lhs, rhs)
			}
		}
	}
}

// TestConvFloat32 checks the float32 path (OpenBLAS or gonum, the bias
// folded into the product) against float64, and its adjoints (of the sum
// of the squared outputs) against the float64 ones.
func TestConvFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	xs, ws := []int{3, 2, 12, 11}, []int{5, 2, 3, 3}
	x, w, b := randn32(rng, Numel(xs)), randn32(rng, Numel(ws)), randn32(rng, ws[0])
	g := convShapeOf(xs, ws[2], ws[3], 1, 0)
	o, hw := ws[0], g.OH*g.OW
	got := filled(g.N*o*hw, float32(math.NaN()))
	Conv2d(g, x, w, b, got, o)
	want := naiveConv(toF64(x), toF64(w), toF64(b), xs, ws, 1, 0)
	for i, wv := range want {
		if gv := float64(got[i]); !(math.Abs(gv-wv) <= 1e-4*(1+math.Abs(wv))) {
			t.Fatalf("[%d] = %v, want %v", i, gv, wv)
		}
	}
	// The adjoint of Σ y² is 2y, in each dtype.
	grads := func(y, x, w []float64) (gx, gw, gb []float64) {
		gy := make([]float64, len(y))
		for i, v := range y {
			gy[i] = 2 * v
		}
		gx, gw, gb = make([]float64, len(x)), make([]float64, len(w)), make([]float64, o)
		Conv2dGrad(g, x, w, gy, gx, gw, o)
		PlaneSums(gb, gy, g.N, o, hw)
		return gx, gw, gb
	}
	gy32 := make([]float32, len(got))
	for i, v := range got {
		gy32[i] = 2 * v
	}
	gx32, gw32, gb32 := make([]float32, len(x)), make([]float32, len(w)), make([]float32, o)
	Conv2dGrad(g, x, w, gy32, gx32, gw32, o)
	PlaneSums(gb32, gy32, g.N, o, hw)
	y64 := make([]float64, len(got))
	Conv2d(g, toF64(x), toF64(w), toF64(b), y64, o)
	gx64, gw64, gb64 := grads(y64, toF64(x), toF64(w))
	for _, p := range []struct {
		name string
		got  []float32
		want []float64
	}{{"input", gx32, gx64}, {"filters", gw32, gw64}, {"bias", gb32, gb64}} {
		for i, wv := range p.want {
			if gv := float64(p.got[i]); !(math.Abs(gv-wv) <= 1e-3*(1+math.Abs(wv))) {
				t.Fatalf("%s gradient [%d] = %v, want %v", p.name, i, gv, wv)
			}
		}
	}
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
		xs, ws := []int{c.n, c.c, c.h, c.w}, []int{c.o, c.c, c.k, c.k}
		x, w, b := randn(rng, Numel(xs)), randn(rng, Numel(ws)), randn(rng, c.o)
		g := convShapeOf(xs, c.k, c.k, c.stride, c.pad)
		y := filled(c.n*c.o*g.OH*g.OW, math.NaN())
		Conv2d(g, x, w, b, y, c.o)
		want := naiveConv(x, w, b, xs, ws, c.stride, c.pad)
		for i, wv := range want {
			if !(math.Abs(y[i]-wv) <= 1e-12) {
				t.Fatalf("%+v: output [%d] = %v, want %v", c, i, y[i], wv)
			}
		}
		gy := randn(rng, len(y))
		gx, gw := make([]float64, len(x)), make([]float64, len(w))
		Conv2dGrad(g, x, w, gy, gx, gw, c.o)
		wantX, wantW := naiveConvGrads(x, w, gy, c.n, c.c, c.h, c.w, c.o, c.k, c.stride, c.pad)
		for i, wv := range wantX {
			if !(math.Abs(gx[i]-wv) <= 1e-12) {
				t.Fatalf("%+v: input adjoint [%d] = %v, want %v", c, i, gx[i], wv)
			}
		}
		for i, wv := range wantW {
			if !(math.Abs(gw[i]-wv) <= 1e-11) {
				t.Fatalf("%+v: filter adjoint [%d] = %v, want %v", c, i, gw[i], wv)
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
		x, w := randn(rng, n*c*h*wd), randn(rng, o*c*k*k)
		if poison == "x" {
			x[wd-1] = math.Inf(1) // the end of a row: read by the wide columns past it
		}
		if poison == "w" {
			w[0] = math.Inf(-1)
		}
		gy := randn(rng, n*o*(h-k+1)*(wd-k+1))
		g := convShapeOf([]int{n, c, h, wd}, k, k, 1, 0)
		if !g.wide() {
			t.Fatal("geometry is not wide")
		}
		gx, gw := make([]float64, len(x)), make([]float64, len(w))
		Conv2dGrad(g, x, w, gy, gx, gw, o)
		wantX, wantW := naiveConvGrads(x, w, gy, n, c, h, wd, o, k, 1, 0)
		for _, p := range []struct {
			name      string
			got, want []float64
		}{{"input", gx, wantX}, {"filters", gw, wantW}} {
			for i, wv := range p.want {
				gv := p.got[i]
				if math.IsNaN(wv) != math.IsNaN(gv) || !math.IsNaN(wv) && math.Abs(gv-wv) > 1e-12*(1+math.Abs(wv)) && gv != wv {
					t.Fatalf("poison %q: %s adjoint [%d] = %v, want %v", poison, p.name, i, gv, wv)
				}
			}
		}
	}
}
