package dl

import (
	"fmt"
	"math"
)

// ConvGeometry is the shape arithmetic of a 2-D convolution or pooling
// window over an input of height H and width W.
type convGeometry struct {
	n, c, h, w     int // input
	kh, kw         int // window
	stride, pad    int
	oh, ow         int // output
	opName, shapes string
}

func newConvGeometry(op string, x *Tensor, kh, kw, stride, pad int) convGeometry {
	if len(x.shape) != 4 {
		panicf(op, "input of shape %v is not [batch channels height width]", x.shape)
	}
	if stride < 1 || pad < 0 || kh < 1 || kw < 1 {
		panicf(op, "kernel %d×%d, stride %d and padding %d are not valid", kh, kw, stride, pad)
	}
	g := convGeometry{n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], kh: kh, kw: kw, stride: stride, pad: pad, opName: op}
	if g.h+2*pad < kh || g.w+2*pad < kw {
		panicf(op, "kernel %d×%d does not fit input %v with padding %d", kh, kw, x.shape, pad)
	}
	g.oh = (g.h+2*pad-kh)/stride + 1
	g.ow = (g.w+2*pad-kw)/stride + 1
	return g
}

// im2col writes the receptive fields of sample img (c×h×w) as the columns
// of cols (c·kh·kw × oh·ow); positions in the padding read 0.
func im2col[T float](g convGeometry, img, cols []T) {
	hw := g.oh * g.ow
	for ch := 0; ch < g.c; ch++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := cols[((ch*g.kh+ki)*g.kw+kj)*hw:][:hw]
				for oi := 0; oi < g.oh; oi++ {
					y := oi*g.stride - g.pad + ki
					dst := row[oi*g.ow:][:g.ow]
					if y < 0 || y >= g.h {
						clear(dst)
						continue
					}
					src := img[(ch*g.h+y)*g.w:][:g.w]
					for oj := range dst {
						if x := oj*g.stride - g.pad + kj; x >= 0 && x < g.w {
							dst[oj] = src[x]
						} else {
							dst[oj] = 0
						}
					}
				}
			}
		}
	}
}

// col2im adds the columns back onto the image: the adjoint of im2col.
func col2im[T float](g convGeometry, cols, img []T) {
	hw := g.oh * g.ow
	for ch := 0; ch < g.c; ch++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := cols[((ch*g.kh+ki)*g.kw+kj)*hw:][:hw]
				for oi := 0; oi < g.oh; oi++ {
					y := oi*g.stride - g.pad + ki
					if y < 0 || y >= g.h {
						continue
					}
					dst := img[(ch*g.h+y)*g.w:][:g.w]
					for oj, v := range row[oi*g.ow:][:g.ow] {
						if x := oj*g.stride - g.pad + kj; x >= 0 && x < g.w {
							dst[x] += v
						}
					}
				}
			}
		}
	}
}

// Conv2d returns the 2-D cross-correlation of x [N C H W] with the filters
// w [O C kh kw], plus the bias b [O] (b may be nil), as PyTorch's conv2d
// with the given stride and zero padding (dilation 1, groups 1). The
// result has shape [N O H' W'] with H' = ⌊(H + 2·padding − kh)/stride⌋ + 1.
func Conv2d(x, w, b *Tensor, stride, padding int) *Tensor {
	if len(w.shape) != 4 {
		panicf("Conv2d", "filters of shape %v are not [out in kh kw]", w.shape)
	}
	g := newConvGeometry("Conv2d", x, w.shape[2], w.shape[3], stride, padding)
	if w.shape[1] != g.c {
		panicf("Conv2d", "input %v has %d channels but filters %v expect %d", x.shape, g.c, w.shape, w.shape[1])
	}
	if x.dtype != w.dtype || (b != nil && b.dtype != x.dtype) {
		panicf("Conv2d", "input, filters and bias must share a dtype (%v, %v)", x.dtype, w.dtype)
	}
	o := w.shape[0]
	if b != nil && (len(b.shape) != 1 || b.shape[0] != o) {
		panicf("Conv2d", "bias of shape %v does not match %d filters", b.shape, o)
	}
	out := convForward(g, x, w, b)
	inputs := []*Tensor{x, w}
	if b != nil {
		inputs = append(inputs, b)
	}
	return record(out, opConv2dFor(b != nil), inputs, fmt.Sprintf("stride=%d, padding=%d", stride, padding),
		func(gy *Tensor) []*Tensor {
			gx, gw := convBackward(g, x, w, gy)
			if b == nil {
				return []*Tensor{gx, gw}
			}
			return []*Tensor{gx, gw, gy.Sum(0, 2, 3)}
		},
		func(t []*Tensor) *Tensor {
			y := convForward(g, t[0], w, nil).Add(convForward(g, x, t[1], nil))
			if b != nil {
				y = y.Add(t[2].Reshape(o, 1, 1))
			}
			return y
		})
}

func opConv2dFor(bias bool) *opDef {
	if bias {
		return opConv2dBias
	}
	return opConv2d
}

func convForward(g convGeometry, x, w, b *Tensor) *Tensor {
	o := w.shape[0]
	out := x.like([]int{g.n, o, g.oh, g.ow})
	switch xs := x.data.(type) {
	case []float32:
		convForwardKernel(g, xs, values[float32](w), biasValues[float32](b), values[float32](out), o, CurrentBLAS().Sgemm)
	case []float64:
		convForwardKernel(g, xs, values[float64](w), biasValues[float64](b), values[float64](out), o, CurrentBLAS().Dgemm)
	}
	return out
}

func biasValues[T float](b *Tensor) []T {
	if b == nil {
		return nil
	}
	return values[T](b)
}

type gemmFunc[T float] func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

func convForwardKernel[T float](g convGeometry, x, w, b, out []T, o int, gemm gemmFunc[T]) {
	ckk, hw := g.c*g.kh*g.kw, g.oh*g.ow
	cols := make([]T, ckk*hw)
	for n := 0; n < g.n; n++ {
		im2col(g, x[n*g.c*g.h*g.w:][:g.c*g.h*g.w], cols)
		y := out[n*o*hw:][:o*hw]
		for f := 0; f < o && b != nil; f++ {
			row := y[f*hw:][:hw]
			for i := range row {
				row[i] = b[f]
			}
		}
		beta := T(0)
		if b != nil {
			beta = 1
		}
		gemm(false, false, o, hw, ckk, 1, w, ckk, cols, hw, beta, y, hw)
	}
}

// convBackward returns the adjoints of the input and the filters.
func convBackward(g convGeometry, x, w, gy *Tensor) (gx, gw *Tensor) {
	gx, gw = x.like(x.Shape()), w.like(w.Shape())
	o := w.shape[0]
	switch xs := x.data.(type) {
	case []float32:
		convBackwardKernel(g, xs, values[float32](w), values[float32](gy), values[float32](gx), values[float32](gw), o, CurrentBLAS().Sgemm)
	case []float64:
		convBackwardKernel(g, xs, values[float64](w), values[float64](gy), values[float64](gx), values[float64](gw), o, CurrentBLAS().Dgemm)
	}
	return gx, gw
}

func convBackwardKernel[T float](g convGeometry, x, w, gy, gx, gw []T, o int, gemm gemmFunc[T]) {
	ckk, hw, chw := g.c*g.kh*g.kw, g.oh*g.ow, g.c*g.h*g.w
	cols := make([]T, ckk*hw)
	gcols := make([]T, ckk*hw)
	for n := 0; n < g.n; n++ {
		im2col(g, x[n*chw:][:chw], cols)
		gyn := gy[n*o*hw:][:o*hw]
		gemm(false, true, o, ckk, hw, 1, gyn, hw, cols, hw, 1, gw, ckk) // gW += gY·colsᵀ
		gemm(true, false, ckk, hw, o, 1, w, ckk, gyn, hw, 0, gcols, hw) // gCols = Wᵀ·gY
		col2im(g, gcols, gx[n*chw:][:chw])
	}
}

// MaxPool2d returns the maximum over each kernel×kernel window of x
// [N C H W], moving by stride (the kernel size when stride is 0), without
// padding and rounding the output size down, as PyTorch's max_pool2d. The
// gradient goes to the first maximum of each window.
func (x *Tensor) MaxPool2d(kernel, stride int) *Tensor {
	if stride == 0 {
		stride = kernel
	}
	g := newConvGeometry("MaxPool2d", x, kernel, kernel, stride, 0)
	out := x.like([]int{g.n, g.c, g.oh, g.ow})
	arg := make([]int, out.Len()) // flat input index of each window's max
	plane := g.h * g.w
	for p := 0; p < g.n*g.c; p++ {
		for oi := 0; oi < g.oh; oi++ {
			for oj := 0; oj < g.ow; oj++ {
				best, bestV := -1, math.Inf(-1)
				for ki := 0; ki < kernel; ki++ {
					for kj := 0; kj < kernel; kj++ {
						i := p*plane + (oi*stride+ki)*g.w + oj*stride + kj
						if v := x.at(i); v > bestV || best < 0 || math.IsNaN(v) {
							best, bestV = i, v
						}
					}
				}
				k := (p*g.oh+oi)*g.ow + oj
				arg[k] = best
				out.set(k, bestV)
			}
		}
	}
	pick := func(t *Tensor) *Tensor {
		o := t.like([]int{g.n, g.c, g.oh, g.ow})
		for k, i := range arg {
			o.set(k, t.at(i))
		}
		return o
	}
	return record(out, opMaxPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			gx := x.like(x.Shape())
			for k, i := range arg {
				gx.set(i, gx.at(i)+gy.at(k))
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor { return pick(t[0]) })
}

// AvgPool2d returns the mean over each kernel×kernel window of x
// [N C H W], moving by stride (the kernel size when stride is 0), without
// padding and rounding the output size down, as PyTorch's avg_pool2d.
func (x *Tensor) AvgPool2d(kernel, stride int) *Tensor {
	if stride == 0 {
		stride = kernel
	}
	g := newConvGeometry("AvgPool2d", x, kernel, kernel, stride, 0)
	area := float64(kernel * kernel)
	plane := g.h * g.w
	// windows calls f(output index, input index) for every window element.
	windows := func(f func(k, i int)) {
		for p := 0; p < g.n*g.c; p++ {
			for oi := 0; oi < g.oh; oi++ {
				for oj := 0; oj < g.ow; oj++ {
					k := (p*g.oh+oi)*g.ow + oj
					for ki := 0; ki < kernel; ki++ {
						for kj := 0; kj < kernel; kj++ {
							f(k, p*plane+(oi*stride+ki)*g.w+oj*stride+kj)
						}
					}
				}
			}
		}
	}
	pool := func(t *Tensor) *Tensor {
		o := t.like([]int{g.n, g.c, g.oh, g.ow})
		windows(func(k, i int) { o.set(k, o.at(k)+t.at(i)/area) })
		return o
	}
	out := pool(x)
	return record(out, opAvgPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			gx := x.like(x.Shape())
			windows(func(k, i int) { gx.set(i, gx.at(i)+gy.at(k)/area) })
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor { return pool(t[0]) })
}
