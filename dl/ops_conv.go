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

// validRange returns the output columns oj in [lo, hi) of a window
// offset d (kj − padding) whose input column oj·stride + d lies in [0, w).
func validRange(ow, stride, d, w int) (lo, hi int) {
	if d < 0 {
		lo = (-d + stride - 1) / stride
	}
	if w-1-d >= 0 {
		hi = min(ow, (w-1-d)/stride+1)
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2col writes the receptive fields of sample img (c×h×w) as the columns
// of cols (c·kh·kw × oh·ow); positions in the padding read 0.
func im2col[T float](g convGeometry, img, cols []T) { im2colAt(g, img, cols, g.oh*g.ow, 0) }

// im2colAt is im2col into the oh·ow columns from off on of a matrix with
// rows of ld elements (the columns of several samples side by side).
func im2colAt[T float](g convGeometry, img, cols []T, ld, off int) {
	hw := g.oh * g.ow
	for ch := 0; ch < g.c; ch++ {
		plane := img[ch*g.h*g.w:][:g.h*g.w]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := cols[((ch*g.kh+ki)*g.kw+kj)*ld+off:][:hw]
				d := kj - g.pad
				lo, hi := validRange(g.ow, g.stride, d, g.w)
				for oi := 0; oi < g.oh; oi++ {
					y := oi*g.stride - g.pad + ki
					dst := row[oi*g.ow:][:g.ow]
					if y < 0 || y >= g.h {
						clear(dst)
						continue
					}
					src := plane[y*g.w:][:g.w]
					clear(dst[:lo])
					clear(dst[hi:])
					if g.stride == 1 {
						copyShort(dst[lo:hi], src[lo+d:hi+d])
					} else {
						for oj := lo; oj < hi; oj++ {
							dst[oj] = src[oj*g.stride+d]
						}
					}
				}
			}
		}
	}
}

// copyShort is copy for the short rows of im2col, where the call to
// memmove costs more than the copy.
func copyShort[T float](dst, src []T) {
	n := len(dst)
	if d, ok := any(dst).([]float32); ok && n <= 64 {
		copyShort32(d, any(src).([]float32)[:n])
		return
	}
	copy(dst, src)
}

// copyShort32 copies four float32 at a time (one 16-byte move; larger
// arrays go through memmove).
func copyShort32(dst, src []float32) {
	n := len(dst)
	src = src[:n]
	j := 0
	for ; j+8 <= n; j += 8 {
		*(*[4]float32)(dst[j : j+4]) = *(*[4]float32)(src[j : j+4])
		*(*[4]float32)(dst[j+4 : j+8]) = *(*[4]float32)(src[j+4 : j+8])
	}
	for ; j+4 <= n; j += 4 {
		*(*[4]float32)(dst[j : j+4]) = *(*[4]float32)(src[j : j+4])
	}
	for ; j < n; j++ {
		dst[j] = src[j]
	}
}

// col2im adds the columns back onto the image: the adjoint of im2col.
func col2im[T float](g convGeometry, cols, img []T) { col2imAt(g, cols, img, g.oh*g.ow, 0) }

// col2imAt is col2im from the columns at off of rows of ld elements.
func col2imAt[T float](g convGeometry, cols, img []T, ld, off int) {
	hw := g.oh * g.ow
	for ch := 0; ch < g.c; ch++ {
		plane := img[ch*g.h*g.w:][:g.h*g.w]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := cols[((ch*g.kh+ki)*g.kw+kj)*ld+off:][:hw]
				d := kj - g.pad
				lo, hi := validRange(g.ow, g.stride, d, g.w)
				if lo >= hi {
					continue
				}
				for oi := 0; oi < g.oh; oi++ {
					y := oi*g.stride - g.pad + ki
					if y < 0 || y >= g.h {
						continue
					}
					dst := plane[y*g.w:][:g.w]
					src := row[oi*g.ow:][:g.ow]
					if g.stride == 1 {
						dd := dst[lo+d : hi+d]
						for j, v := range src[lo:hi] {
							dd[j] += v
						}
					} else {
						for oj := lo; oj < hi; oj++ {
							dst[oj*g.stride+d] += src[oj]
						}
					}
				}
			}
		}
	}
}

// pointwise reports whether the window is 1×1 with stride 1 and no
// padding: then a sample's image is its own im2col matrix.
func (g convGeometry) pointwise() bool {
	return g.kh == 1 && g.kw == 1 && g.stride == 1 && g.pad == 0
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
	// On a device, the forward pass's columns are kept for the filters'
	// gradient (as PyTorch's own im2col convolution keeps them).
	out, cols := convForwardKeep(g, x, w, b, tracking(x, w, b) && w.RequiresGrad())
	if !tracking(x, w, b) {
		return out
	}
	inputs := []*Tensor{x, w}
	if b != nil {
		inputs = append(inputs, b)
	}
	return record(out, opConv2dFor(b != nil), inputs, fmt.Sprintf("stride=%d, padding=%d", stride, padding),
		func(gy *Tensor) []*Tensor {
			gx, gw := convBackward(g, x, w, gy, x.RequiresGrad(), w.RequiresGrad(), cols)
			if b == nil {
				return []*Tensor{gx, gw}
			}
			var gb *Tensor
			if b.RequiresGrad() {
				gb = convBiasGrad(g, gy, o)
			}
			return []*Tensor{gx, gw, gb}
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

// convForwardKeep is convForward that also returns, on a device and when
// keep is set, the im2col columns of x for convBackward.
func convForwardKeep(g convGeometry, x, w, b *Tensor, keep bool) (out, cols *Tensor) {
	if dev := deviceOf("Conv2d", x, w, b); dev != nil {
		return convForwardDevice(dev, g, x, w, b, keep)
	}
	return convForward(g, x, w, b), nil
}

func convForward(g convGeometry, x, w, b *Tensor) *Tensor {
	if dev := deviceOf("Conv2d", x, w, b); dev != nil {
		out, _ := convForwardDevice(dev, g, x, w, b, false)
		return out
	}
	o := w.shape[0]
	out := x.likeRaw([]int{g.n, o, g.oh, g.ow})
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
	ckk, hw, chw := g.c*g.kh*g.kw, g.oh*g.ow, g.c*g.h*g.w
	if g.pointwise() { // the image is its own im2col matrix
		for n := 0; n < g.n; n++ {
			y := out[n*o*hw:][:o*hw]
			beta := T(0)
			if b != nil {
				fillRows(y, b, hw)
				beta = 1
			}
			gemm(false, false, o, hw, ckk, 1, w, ckk, x[n*chw:][:chw], hw, beta, y, hw)
		}
		return
	}
	// With a bias, the columns get a last row of ones and the filters a
	// last column holding the bias: the product adds it.
	k, wk := ckk, w
	if b != nil {
		k = ckk + 1
		wk = getBuf[T](o * k)
		defer putBuf(wk)
		for f := 0; f < o; f++ {
			copy(wk[f*k:], w[f*ckk:(f+1)*ckk])
			wk[f*k+ckk] = b[f]
		}
	}
	// A block of samples is one product: their columns side by side.
	// Blocks are independent and run in parallel.
	wide, span := g.layout()
	blocks := g.blocks(k * span)
	maxLd := maxBlock(blocks) * span
	parallelFor(len(blocks)-1, g.n*o*span*k, func(lo, hi int) {
		colsBuf, outBuf := getBuf[T](k*maxLd), getBuf[T](o*maxLd)
		for i := lo; i < hi; i++ {
			s0, s1 := blocks[i], blocks[i+1]
			ld := (s1 - s0) * span
			cols, outB := colsBuf[:k*ld], outBuf[:o*ld]
			fillOnes(cols[ckk*ld:])
			for n := s0; n < s1; n++ {
				xn, off := x[n*chw:][:chw], (n-s0)*span
				if wide {
					im2colWide(g, xn, cols, ld, off)
				} else {
					im2colAt(g, xn, cols, ld, off)
				}
			}
			gemm(false, false, o, ld, k, 1, wk, k, cols, ld, 0, outB, ld)
			for n := s0; n < s1; n++ {
				outOf(g, wide, out[n*o*hw:][:o*hw], outB, ld, (n-s0)*span, o)
			}
		}
		putBuf(colsBuf)
		putBuf(outBuf)
	})
}

// maxBlock returns the number of samples of the largest block.
func maxBlock(blocks []int) int {
	m := 0
	for i := 1; i < len(blocks); i++ {
		m = max(m, blocks[i]-blocks[i-1])
	}
	return m
}

func fillOnes[T float](s []T) {
	for i := range s {
		s[i] = 1
	}
}

// convScratch bounds the columns of a block of samples, in elements: the
// columns stay in the first-level cache. Small images go several to a
// product, which saves calls; at LeNet's sizes a block is one sample (the
// products alone gain from four, but the copies around them lose more).
const convScratch = 1 << 13

// convMinBlocks is the number of blocks a batch is split into at least
// (when it has that many samples), so that blocks can run in parallel.
const convMinBlocks = 8

// blocks splits the batch into blocks of samples whose columns (rowLen
// elements per sample) fit convScratch, one sample at least, and at least
// convMinBlocks blocks, and returns the boundaries. The split depends on the sizes
// only, so sums over blocks come out the same on any number of CPUs.
func (g convGeometry) blocks(rowLen int) []int {
	per := max(1, convScratch/max(rowLen, 1)) // samples a block
	nb := max(convMinBlocks, (g.n+per-1)/per)
	return blocksOf(g.n, nb)
}

// layout returns whether the columns use the wide layout and how many
// columns a sample takes.
func (g convGeometry) layout() (wide bool, span int) {
	if g.wide() {
		return true, g.wideLen()
	}
	return false, g.oh * g.ow
}

// The wide layout, for stride 1 without padding. Output position (oi, oj)
// reads the input from oi·w + oj on, so the receptive fields of a whole
// output row and of the next are one run of the input plane: row r =
// (c, ki, kj) of the columns is the input plane from ki·w + kj on, l =
// (oh−1)·w + ow elements, one copy. Column t = oi·w + oj is output
// position (oi, oj) when oj < ow; the columns with oj ≥ ow read across a
// row's end and are dropped from the product (compactWide) or given a zero
// adjoint (expandWide). With those zeros, the adjoint of a column run is
// again one run to add (col2imWide); a non-finite filter or input would
// turn the zeros into NaN, so the backward pass checks first.

// wide reports whether the wide layout applies.
func (g convGeometry) wide() bool { return g.stride == 1 && g.pad == 0 && !g.pointwise() }

// wideLen is the number of columns of the wide layout.
func (g convGeometry) wideLen() int { return (g.oh-1)*g.w + g.ow }

// im2colWide writes sample img's wide columns at off of rows of ld.
func im2colWide[T float](g convGeometry, img, cols []T, ld, off int) {
	l := g.wideLen()
	for ch := 0; ch < g.c; ch++ {
		plane := img[ch*g.h*g.w:][:g.h*g.w]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				r := (ch*g.kh+ki)*g.kw + kj
				copy(cols[r*ld+off:][:l], plane[ki*g.w+kj:])
			}
		}
	}
}

// compactWide copies the o rows of a sample's wide product (at off of
// rows of ld) into dst [o oh ow], dropping the columns past each row's end.
func compactWide[T float](g convGeometry, dst, src []T, ld, off, o int) {
	for f := 0; f < o; f++ {
		row := src[f*ld+off:]
		for oi := 0; oi < g.oh; oi++ {
			copyShort(dst[(f*g.oh+oi)*g.ow:][:g.ow], row[oi*g.w:])
		}
	}
}

// expandWide spreads src [o oh ow] over a sample's o rows of the wide
// layout (at off of rows of ld), with zeros in the columns past each
// row's end.
func expandWide[T float](g convGeometry, dst, src []T, ld, off, o int) {
	l := g.wideLen()
	for f := 0; f < o; f++ {
		row := dst[f*ld+off:][:l]
		for oi := 0; oi < g.oh; oi++ {
			copyShort(row[oi*g.w:][:g.ow], src[(f*g.oh+oi)*g.ow:])
			if end := min((oi+1)*g.w, l); oi*g.w+g.ow < end {
				clear(row[oi*g.w+g.ow : end])
			}
		}
	}
}

// col2imWide adds a sample's wide columns (at off of rows of ld) back onto
// the image.
func col2imWide[T float](g convGeometry, cols, img []T, ld, off int) {
	l := g.wideLen()
	for ch := 0; ch < g.c; ch++ {
		plane := img[ch*g.h*g.w:][:g.h*g.w]
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				r := (ch*g.kh+ki)*g.kw + kj
				addSlices(plane[ki*g.w+kj:][:l], cols[r*ld+off:][:l])
			}
		}
	}
}

// outOf copies a sample's output [o oh ow] out of the product of its
// columns (at off of rows of ld).
func outOf[T float](g convGeometry, wide bool, dst, src []T, ld, off, o int) {
	if wide {
		compactWide(g, dst, src, ld, off, o)
		return
	}
	hw := g.oh * g.ow
	for f := 0; f < o; f++ {
		copy(dst[f*hw:(f+1)*hw], src[f*ld+off:])
	}
}

// gradInto places a sample's output adjoint [o oh ow] in the layout of its
// columns (at off of rows of ld).
func gradInto[T float](g convGeometry, wide bool, dst, src []T, ld, off, o int) {
	if wide {
		expandWide(g, dst, src, ld, off, o)
		return
	}
	hw := g.oh * g.ow
	for f := 0; f < o; f++ {
		copy(dst[f*ld+off:][:hw], src[f*hw:])
	}
}

// allFinite reports whether s holds no infinity or NaN.
func allFinite[T float](s []T) bool {
	switch v := any(s).(type) {
	case []float32:
		var bad uint32
		for _, x := range v {
			bad |= math.Float32bits(x)&0x7f800000 + 0x00800000 // bit 31 set when the exponent is all ones
		}
		return bad>>31 == 0
	case []float64:
		var bad uint64
		for _, x := range v {
			bad |= math.Float64bits(x)&0x7ff0000000000000 + 0x0010000000000000
		}
		return bad>>63 == 0
	}
	return false
}

// fillRows sets row f of y (rows of n) to b[f].
func fillRows[T float](y, b []T, n int) {
	for f, v := range b {
		row := y[f*n:][:n]
		for i := range row {
			row[i] = v
		}
	}
}

// convBackward returns the adjoints of the input and the filters, each
// only when asked for (nil otherwise).
// convBackward returns the adjoints of x and w (each when asked for) of
// conv(x, w) for the output adjoint gy; cols, when not nil, are x's
// columns kept from the forward pass on a device.
func convBackward(g convGeometry, x, w, gy *Tensor, needX, needW bool, cols *Tensor) (gx, gw *Tensor) {
	if !needX && !needW {
		return nil, nil
	}
	if dev := deviceOf("Conv2d", x, w, gy); dev != nil {
		return convBackwardDevice(dev, g, x, w, gy, needX, needW, cols)
	}
	if needX {
		gx = x.like(x.Shape())
	}
	if needW {
		gw = w.like(w.Shape())
	}
	o := w.shape[0]
	switch xs := x.data.(type) {
	case []float32:
		convBackwardKernel(g, xs, values[float32](w), values[float32](gy), optValues[float32](gx), optValues[float32](gw), o, CurrentBLAS().Sgemm)
	case []float64:
		convBackwardKernel(g, xs, values[float64](w), values[float64](gy), optValues[float64](gx), optValues[float64](gw), o, CurrentBLAS().Dgemm)
	}
	return gx, gw
}

// optValues is values for a tensor that may be nil.
func optValues[T float](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return values[T](t)
}

func convBackwardKernel[T float](g convGeometry, x, w, gy, gx, gw []T, o int, gemm gemmFunc[T]) {
	ckk, hw, chw := g.c*g.kh*g.kw, g.oh*g.ow, g.c*g.h*g.w
	if g.pointwise() {
		convBackwardPointwise(g, x, w, gy, gx, gw, o, gemm)
		return
	}
	wide, span := g.layout()
	if wide && (gw != nil && !allFinite(x) || gx != nil && !allFinite(w)) {
		wide, span = false, hw // the wide layout's zeros would meet infinities
	}
	// A block of samples is one product per adjoint, the samples' columns
	// side by side. Blocks run in parallel; each block's filter adjoint is
	// kept apart and the blocks' are added in order.
	blocks := g.blocks((ckk + o) * span)
	nb, maxLd := len(blocks)-1, maxBlock(blocks)*span
	var parts []T // each block's filter adjoint
	if gw != nil {
		parts = getBuf[T](nb * o * ckk)
		defer putBuf(parts)
	}
	parallelFor(nb, 2*g.n*o*ckk*span, func(lo, hi int) {
		gyBuf, colsBuf := getBuf[T](o*maxLd), getBuf[T](ckk*maxLd)
		for i := lo; i < hi; i++ {
			s0, s1 := blocks[i], blocks[i+1]
			ld := (s1 - s0) * span
			gyB, cols := gyBuf[:o*ld], colsBuf[:ckk*ld]
			for n := s0; n < s1; n++ {
				gradInto(g, wide, gyB, gy[n*o*hw:][:o*hw], ld, (n-s0)*span, o)
			}
			if gw != nil {
				for n := s0; n < s1; n++ {
					xn, off := x[n*chw:][:chw], (n-s0)*span
					if wide {
						im2colWide(g, xn, cols, ld, off)
					} else {
						im2colAt(g, xn, cols, ld, off)
					}
				}
				gemm(false, true, o, ckk, ld, 1, gyB, ld, cols, ld, 0, parts[i*o*ckk:(i+1)*o*ckk], ckk) // gW = gY·colsᵀ
			}
			if gx != nil {
				gemm(true, false, ckk, ld, o, 1, w, ckk, gyB, ld, 0, cols, ld) // gCols = Wᵀ·gY
				for n := s0; n < s1; n++ {
					gxn, off := gx[n*chw:][:chw], (n-s0)*span
					if wide {
						col2imWide(g, cols, gxn, ld, off)
					} else {
						col2imAt(g, cols, gxn, ld, off)
					}
				}
			}
		}
		putBuf(gyBuf)
		putBuf(colsBuf)
	})
	for i := 0; i < nb && gw != nil; i++ {
		addSlices(gw, parts[i*o*ckk:(i+1)*o*ckk])
	}
}

// convBackwardPointwise is convBackwardKernel for 1×1 windows with stride
// 1 and no padding, where the images are their own columns.
func convBackwardPointwise[T float](g convGeometry, x, w, gy, gx, gw []T, o int, gemm gemmFunc[T]) {
	c, hw := g.c, g.oh*g.ow
	for n := 0; n < g.n; n++ {
		gyn := gy[n*o*hw:][:o*hw]
		if gw != nil {
			gemm(false, true, o, c, hw, 1, gyn, hw, x[n*c*hw:][:c*hw], hw, 1, gw, c) // gW += gY·Xᵀ
		}
		if gx != nil {
			gemm(true, false, c, hw, o, 1, w, c, gyn, hw, 0, gx[n*c*hw:][:c*hw], hw) // gX = Wᵀ·gY
		}
	}
}

// convBiasGrad returns the bias adjoint: gy [N O H' W'] summed over all
// but the channel axis.
func convBiasGrad(g convGeometry, gy *Tensor, o int) *Tensor {
	if gy.backend() != nil {
		return withShape(sumAxes(withShape(gy, []int{g.n, o, g.oh * g.ow}), []bool{true, false, true}), []int{o})
	}
	gb := gy.like([]int{o})
	switch s := gy.data.(type) {
	case []float32:
		planeSums(values[float32](gb), s, g.n, o, g.oh*g.ow)
	case []float64:
		planeSums(values[float64](gb), s, g.n, o, g.oh*g.ow)
	}
	return gb
}

// planeSums writes to dst[c] the sum of the planes c of src [n c hw].
func planeSums[T float](dst, src []T, n, c, hw int) {
	if parallelWorth(len(src)) {
		parallelFor(c, len(src), func(lo, hi int) { planeSumsOf(dst, src, n, c, hw, lo, hi) })
		return
	}
	planeSumsOf(dst, src, n, c, hw, 0, c)
}

// planeSumsOf is planeSums for the channels [lo, hi).
func planeSumsOf[T float](dst, src []T, n, c, hw, lo, hi int) {
	for ch := lo; ch < hi; ch++ {
		acc := 0.0
		for i := 0; i < n; i++ {
			acc += sumRun(src[(i*c+ch)*hw:][:hw])
		}
		dst[ch] = T(acc)
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
	out := x.likeRaw([]int{g.n, g.c, g.oh, g.ow})
	if dev := x.backend(); dev != nil {
		return maxPoolDevice(dev, g, x, out, kernel, stride)
	}
	arg := make([]int32, out.Len()) // where in its plane each window's max is
	switch s := x.data.(type) {
	case []float32:
		maxPoolKernel(g, s, values[float32](out), arg)
	case []float64:
		maxPoolKernel(g, s, values[float64](out), arg)
	}
	if !tracking(x) {
		return out
	}
	// route writes t's elements at the maxima (pick) or adds them there
	// (the adjoint, scatter).
	pick := func(t *Tensor) *Tensor {
		o := t.like([]int{g.n, g.c, g.oh, g.ow})
		switch s := t.data.(type) {
		case []float32:
			poolGather(g, values[float32](o), s, arg)
		case []float64:
			poolGather(g, values[float64](o), s, arg)
		}
		return o
	}
	return record(out, opMaxPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			if g.kh == 2 && g.stride == 2 { // windows tile the plane: one pass writes every element
				gx := x.likeRaw(x.Shape())
				switch s := gy.data.(type) {
				case []float32:
					poolSpread2x2(g, values[float32](gx), s, arg)
				case []float64:
					poolSpread2x2(g, values[float64](gx), s, arg)
				}
				return []*Tensor{gx}
			}
			gx := x.like(x.Shape())
			switch s := gy.data.(type) {
			case []float32:
				poolScatter(g, values[float32](gx), s, arg)
			case []float64:
				poolScatter(g, values[float64](gx), s, arg)
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor { return pick(t[0]) })
}

// maxPoolKernel writes each window's maximum to out and its place in the
// input plane to arg. Of equal maxima the first wins; a NaN wins over
// numbers (the last NaN of the window).
func maxPoolKernel[T float](g convGeometry, x, out []T, arg []int32) {
	plane := g.h * g.w
	if planes := g.n * g.c; parallelWorth(planes * plane) {
		parallelFor(planes, planes*plane, func(lo, hi int) {
			maxPoolPlanes(g, x, out, arg, lo, hi)
		})
		return
	}
	maxPoolPlanes(g, x, out, arg, 0, g.n*g.c)
}

// maxPoolPlanes is maxPoolKernel for the planes [lo, hi).
func maxPoolPlanes[T float](g convGeometry, x, out []T, arg []int32, lo, hi int) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	k, st := g.kh, g.stride
	if x32, ok := any(x).([]float32); ok && k == 2 {
		maxPool2x2F32(g, x32, any(out).([]float32), arg, lo, hi)
		return
	}
	for p := lo; p < hi; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		ap := arg[p*oplane:][:oplane]
		for oi := 0; oi < g.oh; oi++ {
			row := oi * st * g.w
			if k == 2 {
				r0, r1 := xp[row:][:g.w], xp[row+g.w:][:g.w]
				for oj := 0; oj < g.ow; oj++ {
					j := oj * st
					best, bv := row+j, r0[j]
					if v := r0[j+1]; v > bv || v != v {
						best, bv = row+j+1, v
					}
					if v := r1[j]; v > bv || v != v {
						best, bv = row+g.w+j, v
					}
					if v := r1[j+1]; v > bv || v != v {
						best, bv = row+g.w+j+1, v
					}
					op[oi*g.ow+oj], ap[oi*g.ow+oj] = bv, int32(best)
				}
				continue
			}
			for oj := 0; oj < g.ow; oj++ {
				base := row + oj*st
				best, bv := base, xp[base]
				for ki := 0; ki < k; ki++ {
					r := xp[base+ki*g.w:][:k]
					for kj, v := range r {
						if (ki > 0 || kj > 0) && (v > bv || v != v) {
							best, bv = base+ki*g.w+kj, v
						}
					}
				}
				op[oi*g.ow+oj], ap[oi*g.ow+oj] = bv, int32(best)
			}
		}
	}
}

// maxPool2x2F32 is maxPoolKernel for 2×2 float32 windows. Comparing
// random values branches unpredictably, so the comparisons (in which −0 =
// 0) are turned into 0 or 1 from the flags and into index offsets by
// arithmetic. A window holding a NaN (its sum is NaN, as it is for +Inf
// and −Inf together) takes the exact comparisons instead.
func maxPool2x2F32(g convGeometry, x, out []float32, arg []int32, lo, hi int) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	w, st := g.w, g.stride
	for p := lo; p < hi; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		ap := arg[p*oplane:][:oplane]
		for oi := 0; oi < g.oh; oi++ {
			row := oi * st * w
			r0, r1 := xp[row:][:w], xp[row+w:][:w]
			o, a := op[oi*g.ow:][:g.ow], ap[oi*g.ow:][:g.ow]
			for oj := range o {
				j := oj * st
				x0, x1, x2, x3 := r0[j], r0[j+1], r1[j], r1[j+1]
				var best int
				if s := x0 + x1 + x2 + x3; s == s {
					d01, d23 := oneIf(x1 > x0), w+oneIf(x3 > x2)
					best = row + j + d01 + oneIf(max(x2, x3) > max(x0, x1))*(d23-d01)
				} else {
					best = row + j
					for _, i := range [3]int{row + j + 1, row + w + j, row + w + j + 1} {
						if v := xp[i]; v > xp[best] || v != v {
							best = i
						}
					}
				}
				o[oj], a[oj] = xp[best], int32(best)
			}
		}
	}
}

// oneIf returns 1 when b holds and 0 otherwise; the compiler sets it from
// the flags (SETcc) without a branch.
func oneIf(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// poolGather writes to out the elements of x at the places arg names.
func poolGather[T float](g convGeometry, out, x []T, arg []int32) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	for p := 0; p < g.n*g.c; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		for k, i := range arg[p*oplane:][:oplane] {
			op[k] = xp[i]
		}
	}
}

// poolScatter adds each element of gy to gx at the place arg names.
func poolScatter[T float](g convGeometry, gx, gy []T, arg []int32) {
	if planes := g.n * g.c; parallelWorth(planes * g.oh * g.ow) {
		parallelFor(planes, planes*g.oh*g.ow, func(lo, hi int) { poolScatterPlanes(g, gx, gy, arg, lo, hi) })
		return
	}
	poolScatterPlanes(g, gx, gy, arg, 0, g.n*g.c)
}

// poolSpread2x2 is poolScatter for 2×2 windows of stride 2 into a gx of
// arbitrary contents: the windows do not overlap, so it writes each
// window's four elements (gy's element at the maximum, 0 elsewhere) and
// zeros the row and column that no window covers, in one pass.
func poolSpread2x2[T float](g convGeometry, gx, gy []T, arg []int32) {
	if planes := g.n * g.c; parallelWorth(planes * g.h * g.w) {
		parallelFor(planes, planes*g.h*g.w, func(lo, hi int) { poolSpread2x2Planes(g, gx, gy, arg, lo, hi) })
		return
	}
	poolSpread2x2Planes(g, gx, gy, arg, 0, g.n*g.c)
}

func poolSpread2x2Planes[T float](g convGeometry, gx, gy []T, arg []int32, lo, hi int) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	w := g.w
	for p := lo; p < hi; p++ {
		gp := gx[p*plane:][:plane]
		yp := gy[p*oplane:][:oplane]
		ap := arg[p*oplane:][:oplane]
		for oi := 0; oi < g.oh; oi++ {
			row := 2 * oi * w
			r0, r1 := gp[row:][:w], gp[row+w:][:w]
			y, a := yp[oi*g.ow:][:g.ow], ap[oi*g.ow:][:g.ow]
			for oj := range y {
				j := 2 * oj
				r0[j], r0[j+1], r1[j], r1[j+1] = 0, 0, 0, 0
				// 0 + v, as the scatter into zeros adds: −0 becomes 0.
				gp[a[oj]] = 0 + y[oj]
			}
			if 2*g.ow < w { // the odd last column
				r0[w-1], r1[w-1] = 0, 0
			}
		}
		clear(gp[2*g.oh*w:]) // the odd last row
	}
}

func poolScatterPlanes[T float](g convGeometry, gx, gy []T, arg []int32, lo, hi int) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	for p := lo; p < hi; p++ {
		gp := gx[p*plane:][:plane]
		yp := gy[p*oplane:][:oplane]
		for k, i := range arg[p*oplane:][:oplane] {
			gp[i] += yp[k]
		}
	}
}

// AvgPool2d returns the mean over each kernel×kernel window of x
// [N C H W], moving by stride (the kernel size when stride is 0), without
// padding and rounding the output size down, as PyTorch's avg_pool2d.
func (x *Tensor) AvgPool2d(kernel, stride int) *Tensor {
	if stride == 0 {
		stride = kernel
	}
	g := newConvGeometry("AvgPool2d", x, kernel, kernel, stride, 0)
	var pool func(t *Tensor) *Tensor
	pool = func(t *Tensor) *Tensor {
		o := t.like([]int{g.n, g.c, g.oh, g.ow})
		if dev := t.backend(); dev != nil {
			if !dev.AvgPool(o.mem(), t.mem(), g.public()) {
				writeBack(o, pool(hostOf(t)))
			}
			return o
		}
		switch s := t.data.(type) {
		case []float32:
			avgPoolKernel(g, values[float32](o), s)
		case []float64:
			avgPoolKernel(g, values[float64](o), s)
		}
		return o
	}
	out := pool(x)
	if !tracking(x) {
		return out
	}
	return record(out, opAvgPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			return []*Tensor{avgPoolAdjoint(g, x, gy)}
		},
		func(t []*Tensor) *Tensor { return pool(t[0]) })
}

// avgPoolAdjoint returns the adjoint of x for the pooled output's
// adjoint gy.
func avgPoolAdjoint(g convGeometry, x, gy *Tensor) *Tensor {
	gx := x.like(x.Shape())
	if dev := deviceOf("AvgPool2d", x, gy); dev != nil {
		if !dev.AvgPoolGrad(gx.mem(), gy.mem(), g.public()) {
			writeBack(gx, avgPoolAdjoint(g, hostOf(x), hostOf(gy)))
		}
		return gx
	}
	switch s := gy.data.(type) {
	case []float32:
		avgPoolGrad(g, values[float32](gx), s)
	case []float64:
		avgPoolGrad(g, values[float64](gx), s)
	}
	return gx
}

// avgPoolKernel writes each window's mean to out, adding the elements
// divided by the window's area in order.
func avgPoolKernel[T float](g convGeometry, out, x []T) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	k, st := g.kh, g.stride
	area := float64(k * k)
	for p := 0; p < g.n*g.c; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		for oi := 0; oi < g.oh; oi++ {
			for oj := 0; oj < g.ow; oj++ {
				base := oi*st*g.w + oj*st
				acc := 0.0
				for ki := 0; ki < k; ki++ {
					for _, v := range xp[base+ki*g.w:][:k] {
						acc = float64(T(acc + float64(v)/area))
					}
				}
				op[oi*g.ow+oj] = T(acc)
			}
		}
	}
}

// avgPoolGrad spreads each element of gy over its window in gx, divided
// by the area.
func avgPoolGrad[T float](g convGeometry, gx, gy []T) {
	plane, oplane := g.h*g.w, g.oh*g.ow
	k, st := g.kh, g.stride
	area := float64(k * k)
	for p := 0; p < g.n*g.c; p++ {
		gp := gx[p*plane:][:plane]
		yp := gy[p*oplane:][:oplane]
		for oi := 0; oi < g.oh; oi++ {
			for oj := 0; oj < g.ow; oj++ {
				base := oi*st*g.w + oj*st
				v := float64(yp[oi*g.ow+oj]) / area
				for ki := 0; ki < k; ki++ {
					r := gp[base+ki*g.w:][:k]
					for j := range r {
						r[j] = T(float64(r[j]) + v)
					}
				}
			}
		}
	}
}
