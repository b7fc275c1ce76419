package cpu

// MaxPool writes each window's maximum to out and its place in the
// input plane to arg. Of equal maxima the first wins; a NaN wins over
// numbers (the last NaN of the window).
func MaxPool[T Float](g ConvShape, x, out []T, arg []int32) {
	plane := g.H * g.W
	if planes := g.N * g.C; parallelWorth(planes * plane) {
		parallelFor(planes, planes*plane, func(lo, hi int) {
			maxPoolPlanes(g, x, out, arg, lo, hi)
		})
		return
	}
	maxPoolPlanes(g, x, out, arg, 0, g.N*g.C)
}

// maxPoolPlanes is MaxPool for the planes [lo, hi).
func maxPoolPlanes[T Float](g ConvShape, x, out []T, arg []int32, lo, hi int) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	k, st := g.KH, g.Stride
	if x32, ok := any(x).([]float32); ok && k == 2 {
		maxPool2x2F32(g, x32, any(out).([]float32), arg, lo, hi)
		return
	}
	for p := lo; p < hi; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		ap := arg[p*oplane:][:oplane]
		for oi := 0; oi < g.OH; oi++ {
			row := oi * st * g.W
			if k == 2 {
				r0, r1 := xp[row:][:g.W], xp[row+g.W:][:g.W]
				for oj := 0; oj < g.OW; oj++ {
					j := oj * st
					best, bv := row+j, r0[j]
					if v := r0[j+1]; v > bv || v != v {
						best, bv = row+j+1, v
					}
					if v := r1[j]; v > bv || v != v {
						best, bv = row+g.W+j, v
					}
					if v := r1[j+1]; v > bv || v != v {
						best, bv = row+g.W+j+1, v
					}
					op[oi*g.OW+oj], ap[oi*g.OW+oj] = bv, int32(best)
				}
				continue
			}
			for oj := 0; oj < g.OW; oj++ {
				base := row + oj*st
				best, bv := base, xp[base]
				for ki := 0; ki < k; ki++ {
					r := xp[base+ki*g.W:][:k]
					for kj, v := range r {
						if (ki > 0 || kj > 0) && (v > bv || v != v) {
							best, bv = base+ki*g.W+kj, v
						}
					}
				}
				op[oi*g.OW+oj], ap[oi*g.OW+oj] = bv, int32(best)
			}
		}
	}
}

// maxPool2x2F32 is MaxPool for 2×2 float32 windows. Comparing
// random values branches unpredictably, so the comparisons (in which −0 =
// 0) are turned into 0 or 1 from the flags and into index offsets by
// arithmetic. A window holding a NaN (its sum is NaN, as it is for +Inf
// and −Inf together) takes the exact comparisons instead.
func maxPool2x2F32(g ConvShape, x, out []float32, arg []int32, lo, hi int) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	w, st := g.W, g.Stride
	for p := lo; p < hi; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		ap := arg[p*oplane:][:oplane]
		for oi := 0; oi < g.OH; oi++ {
			row := oi * st * w
			r0, r1 := xp[row:][:w], xp[row+w:][:w]
			o, a := op[oi*g.OW:][:g.OW], ap[oi*g.OW:][:g.OW]
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

// MaxPoolPick writes to out the elements of x at the places arg names.
func MaxPoolPick[T Float](g ConvShape, out, x []T, arg []int32) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	for p := 0; p < g.N*g.C; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		for k, i := range arg[p*oplane:][:oplane] {
			op[k] = xp[i]
		}
	}
}

// poolScatter adds each element of gy to gx at the place arg names.
func poolScatter[T Float](g ConvShape, gx, gy []T, arg []int32) {
	if planes := g.N * g.C; parallelWorth(planes * g.OH * g.OW) {
		parallelFor(planes, planes*g.OH*g.OW, func(lo, hi int) { poolScatterPlanes(g, gx, gy, arg, lo, hi) })
		return
	}
	poolScatterPlanes(g, gx, gy, arg, 0, g.N*g.C)
}

// poolSpread2x2 is poolScatter for 2×2 windows of stride 2 into a gx of
// arbitrary contents: the windows do not overlap, so it writes each
// window's four elements (gy's element at the maximum, 0 elsewhere) and
// zeros the row and column that no window covers, in one pass.
func poolSpread2x2[T Float](g ConvShape, gx, gy []T, arg []int32) {
	if planes := g.N * g.C; parallelWorth(planes * g.H * g.W) {
		parallelFor(planes, planes*g.H*g.W, func(lo, hi int) { poolSpread2x2Planes(g, gx, gy, arg, lo, hi) })
		return
	}
	poolSpread2x2Planes(g, gx, gy, arg, 0, g.N*g.C)
}

func poolSpread2x2Planes[T Float](g ConvShape, gx, gy []T, arg []int32, lo, hi int) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	w := g.W
	for p := lo; p < hi; p++ {
		gp := gx[p*plane:][:plane]
		yp := gy[p*oplane:][:oplane]
		ap := arg[p*oplane:][:oplane]
		for oi := 0; oi < g.OH; oi++ {
			row := 2 * oi * w
			r0, r1 := gp[row:][:w], gp[row+w:][:w]
			y, a := yp[oi*g.OW:][:g.OW], ap[oi*g.OW:][:g.OW]
			for oj := range y {
				j := 2 * oj
				r0[j], r0[j+1], r1[j], r1[j+1] = 0, 0, 0, 0
				// 0 + v, as the scatter into zeros adds: −0 becomes 0.
				gp[a[oj]] = 0 + y[oj]
			}
			if 2*g.OW < w { // the odd last column
				r0[w-1], r1[w-1] = 0, 0
			}
		}
		clear(gp[2*g.OH*w:]) // the odd last row
	}
}

func poolScatterPlanes[T Float](g ConvShape, gx, gy []T, arg []int32, lo, hi int) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	for p := lo; p < hi; p++ {
		gp := gx[p*plane:][:plane]
		yp := gy[p*oplane:][:oplane]
		for k, i := range arg[p*oplane:][:oplane] {
			gp[i] += yp[k]
		}
	}
}

// MaxPoolGrad writes to gx (every element) the adjoint of MaxPool: each
// element of gy at the place arg names, added where windows overlap.
func MaxPoolGrad[T Float](g ConvShape, gx, gy []T, arg []int32) {
	if g.KH == 2 && g.KW == 2 && g.Stride == 2 { // windows tile the plane: one pass writes every element
		poolSpread2x2(g, gx, gy, arg)
		return
	}
	clear(gx)
	poolScatter(g, gx, gy, arg)
}
