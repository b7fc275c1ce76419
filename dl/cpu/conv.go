package cpu

import "math"

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

// im2colOne writes the receptive fields of sample img (c×h×w) as the columns
// of cols (c·kh·kw × oh·ow); positions in the padding read 0.
func im2colOne[T Float](g ConvShape, img, cols []T) { im2colAt(g, img, cols, g.OH*g.OW, 0) }

// im2colAt is im2col into the oh·ow columns from off on of a matrix with
// rows of ld elements (the columns of several samples side by side).
func im2colAt[T Float](g ConvShape, img, cols []T, ld, off int) {
	hw := g.OH * g.OW
	for ch := 0; ch < g.C; ch++ {
		plane := img[ch*g.H*g.W:][:g.H*g.W]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				row := cols[((ch*g.KH+ki)*g.KW+kj)*ld+off:][:hw]
				d := kj - g.Pad
				lo, hi := validRange(g.OW, g.Stride, d, g.W)
				for oi := 0; oi < g.OH; oi++ {
					y := oi*g.Stride - g.Pad + ki
					dst := row[oi*g.OW:][:g.OW]
					if y < 0 || y >= g.H {
						clear(dst)
						continue
					}
					src := plane[y*g.W:][:g.W]
					clear(dst[:lo])
					clear(dst[hi:])
					if g.Stride == 1 {
						copyShort(dst[lo:hi], src[lo+d:hi+d])
					} else {
						for oj := lo; oj < hi; oj++ {
							dst[oj] = src[oj*g.Stride+d]
						}
					}
				}
			}
		}
	}
}

// copyShort is copy for the short rows of im2col, where the call to
// memmove costs more than the copy.
func copyShort[T Float](dst, src []T) {
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

// col2imOne adds the columns back onto the image: the adjoint of im2col.
func col2imOne[T Float](g ConvShape, cols, img []T) { col2imAt(g, cols, img, g.OH*g.OW, 0) }

// col2imAt is col2im from the columns at off of rows of ld elements.
func col2imAt[T Float](g ConvShape, cols, img []T, ld, off int) {
	hw := g.OH * g.OW
	for ch := 0; ch < g.C; ch++ {
		plane := img[ch*g.H*g.W:][:g.H*g.W]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				row := cols[((ch*g.KH+ki)*g.KW+kj)*ld+off:][:hw]
				d := kj - g.Pad
				lo, hi := validRange(g.OW, g.Stride, d, g.W)
				if lo >= hi {
					continue
				}
				for oi := 0; oi < g.OH; oi++ {
					y := oi*g.Stride - g.Pad + ki
					if y < 0 || y >= g.H {
						continue
					}
					dst := plane[y*g.W:][:g.W]
					src := row[oi*g.OW:][:g.OW]
					if g.Stride == 1 {
						dd := dst[lo+d : hi+d]
						for j, v := range src[lo:hi] {
							dd[j] += v
						}
					} else {
						for oj := lo; oj < hi; oj++ {
							dst[oj*g.Stride+d] += src[oj]
						}
					}
				}
			}
		}
	}
}

// pointwise reports whether the window is 1×1 with stride 1 and no
// padding: then a sample's image is its own im2col matrix.
func (g ConvShape) pointwise() bool {
	return g.KH == 1 && g.KW == 1 && g.Stride == 1 && g.Pad == 0
}

func conv2d[T Float](g ConvShape, x, w, b, out []T, o int, gemm gemmFunc[T]) {
	ckk, hw, chw := g.C*g.KH*g.KW, g.OH*g.OW, g.C*g.H*g.W
	if g.pointwise() { // the image is its own im2col matrix
		for n := 0; n < g.N; n++ {
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
		wk = Get[T](o * k)
		defer Put(wk)
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
	parallelFor(len(blocks)-1, g.N*o*span*k, func(lo, hi int) {
		colsBuf, outBuf := Get[T](k*maxLd), Get[T](o*maxLd)
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
		Put(colsBuf)
		Put(outBuf)
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

func fillOnes[T Float](s []T) {
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
func (g ConvShape) blocks(rowLen int) []int {
	per := max(1, convScratch/max(rowLen, 1)) // samples a block
	nb := max(convMinBlocks, (g.N+per-1)/per)
	return blocksOf(g.N, nb)
}

// layout returns whether the columns use the wide layout and how many
// columns a sample takes.
func (g ConvShape) layout() (wide bool, span int) {
	if g.wide() {
		return true, g.wideLen()
	}
	return false, g.OH * g.OW
}

// wide reports whether the wide layout applies.
func (g ConvShape) wide() bool { return g.Stride == 1 && g.Pad == 0 && !g.pointwise() }

// wideLen is the number of columns of the wide layout.
func (g ConvShape) wideLen() int { return (g.OH-1)*g.W + g.OW }

// im2colWide writes sample img's wide columns at off of rows of ld.
func im2colWide[T Float](g ConvShape, img, cols []T, ld, off int) {
	l := g.wideLen()
	for ch := 0; ch < g.C; ch++ {
		plane := img[ch*g.H*g.W:][:g.H*g.W]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				r := (ch*g.KH+ki)*g.KW + kj
				copy(cols[r*ld+off:][:l], plane[ki*g.W+kj:])
			}
		}
	}
}

// compactWide copies the o rows of a sample's wide product (at off of
// rows of ld) into dst [o oh ow], dropping the columns past each row's end.
func compactWide[T Float](g ConvShape, dst, src []T, ld, off, o int) {
	for f := 0; f < o; f++ {
		row := src[f*ld+off:]
		for oi := 0; oi < g.OH; oi++ {
			copyShort(dst[(f*g.OH+oi)*g.OW:][:g.OW], row[oi*g.W:])
		}
	}
}

// expandWide spreads src [o oh ow] over a sample's o rows of the wide
// layout (at off of rows of ld), with zeros in the columns past each
// row's end.
func expandWide[T Float](g ConvShape, dst, src []T, ld, off, o int) {
	l := g.wideLen()
	for f := 0; f < o; f++ {
		row := dst[f*ld+off:][:l]
		for oi := 0; oi < g.OH; oi++ {
			copyShort(row[oi*g.W:][:g.OW], src[(f*g.OH+oi)*g.OW:])
			if end := min((oi+1)*g.W, l); oi*g.W+g.OW < end {
				clear(row[oi*g.W+g.OW : end])
			}
		}
	}
}

// col2imWide adds a sample's wide columns (at off of rows of ld) back onto
// the image.
func col2imWide[T Float](g ConvShape, cols, img []T, ld, off int) {
	l := g.wideLen()
	for ch := 0; ch < g.C; ch++ {
		plane := img[ch*g.H*g.W:][:g.H*g.W]
		for ki := 0; ki < g.KH; ki++ {
			for kj := 0; kj < g.KW; kj++ {
				r := (ch*g.KH+ki)*g.KW + kj
				AddInto(plane[ki*g.W+kj:][:l], cols[r*ld+off:][:l])
			}
		}
	}
}

// outOf copies a sample's output [o oh ow] out of the product of its
// columns (at off of rows of ld).
func outOf[T Float](g ConvShape, wide bool, dst, src []T, ld, off, o int) {
	if wide {
		compactWide(g, dst, src, ld, off, o)
		return
	}
	hw := g.OH * g.OW
	for f := 0; f < o; f++ {
		copy(dst[f*hw:(f+1)*hw], src[f*ld+off:])
	}
}

// gradInto places a sample's output adjoint [o oh ow] in the layout of its
// columns (at off of rows of ld).
func gradInto[T Float](g ConvShape, wide bool, dst, src []T, ld, off, o int) {
	if wide {
		expandWide(g, dst, src, ld, off, o)
		return
	}
	hw := g.OH * g.OW
	for f := 0; f < o; f++ {
		copy(dst[f*ld+off:][:hw], src[f*hw:])
	}
}

// allFinite reports whether s holds no infinity or NaN.
func allFinite[T Float](s []T) bool {
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
func fillRows[T Float](y, b []T, n int) {
	for f, v := range b {
		row := y[f*n:][:n]
		for i := range row {
			row[i] = v
		}
	}
}

func conv2dGrad[T Float](g ConvShape, x, w, gy, gx, gw []T, o int, gemm gemmFunc[T]) {
	ckk, hw, chw := g.C*g.KH*g.KW, g.OH*g.OW, g.C*g.H*g.W
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
		parts = Get[T](nb * o * ckk)
		defer Put(parts)
	}
	parallelFor(nb, 2*g.N*o*ckk*span, func(lo, hi int) {
		gyBuf, colsBuf := Get[T](o*maxLd), Get[T](ckk*maxLd)
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
		Put(gyBuf)
		Put(colsBuf)
	})
	for i := 0; i < nb && gw != nil; i++ {
		AddInto(gw, parts[i*o*ckk:(i+1)*o*ckk])
	}
}

// convBackwardPointwise is conv2dGrad for 1×1 windows with stride
// 1 and no padding, where the images are their own columns.
func convBackwardPointwise[T Float](g ConvShape, x, w, gy, gx, gw []T, o int, gemm gemmFunc[T]) {
	c, hw := g.C, g.OH*g.OW
	for n := 0; n < g.N; n++ {
		gyn := gy[n*o*hw:][:o*hw]
		if gw != nil {
			gemm(false, true, o, c, hw, 1, gyn, hw, x[n*c*hw:][:c*hw], hw, 1, gw, c) // gW += gY·Xᵀ
		}
		if gx != nil {
			gemm(true, false, c, hw, o, 1, w, c, gyn, hw, 0, gx[n*c*hw:][:c*hw], hw) // gX = Wᵀ·gY
		}
	}
}

// PlaneSums writes to dst[c] the sum of the planes c of src [n c hw].
func PlaneSums[T Float](dst, src []T, n, c, hw int) {
	if parallelWorth(len(src)) {
		parallelFor(c, len(src), func(lo, hi int) { planeSumsOf(dst, src, n, c, hw, lo, hi) })
		return
	}
	planeSumsOf(dst, src, n, c, hw, 0, c)
}

// planeSumsOf is PlaneSums for the channels [lo, hi).
func planeSumsOf[T Float](dst, src []T, n, c, hw, lo, hi int) {
	for ch := lo; ch < hi; ch++ {
		acc := 0.0
		for i := 0; i < n; i++ {
			acc += sumRun(src[(i*c+ch)*hw:][:hw])
		}
		dst[ch] = T(acc)
	}
}
