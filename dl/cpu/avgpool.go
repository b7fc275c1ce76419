package cpu

// AvgPool writes each window's mean to out, adding the elements
// divided by the window's area in order.
func AvgPool[T Float](g ConvShape, out, x []T) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	k, st := g.KH, g.Stride
	area := float64(k * k)
	for p := 0; p < g.N*g.C; p++ {
		xp := x[p*plane:][:plane]
		op := out[p*oplane:][:oplane]
		for oi := 0; oi < g.OH; oi++ {
			for oj := 0; oj < g.OW; oj++ {
				base := oi*st*g.W + oj*st
				acc := 0.0
				for ki := 0; ki < k; ki++ {
					for _, v := range xp[base+ki*g.W:][:k] {
						acc = float64(T(acc + float64(v)/area))
					}
				}
				op[oi*g.OW+oj] = T(acc)
			}
		}
	}
}

// AvgPoolGrad spreads each element of gy over its window in gx, divided
// by the area.
func AvgPoolGrad[T Float](g ConvShape, gx, gy []T) {
	plane, oplane := g.H*g.W, g.OH*g.OW
	k, st := g.KH, g.Stride
	area := float64(k * k)
	for p := 0; p < g.N*g.C; p++ {
		gp := gx[p*plane:][:plane]
		yp := gy[p*oplane:][:oplane]
		for oi := 0; oi < g.OH; oi++ {
			for oj := 0; oj < g.OW; oj++ {
				base := oi*st*g.W + oj*st
				v := float64(yp[oi*g.OW+oj]) / area
				for ki := 0; ki < k; ki++ {
					r := gp[base+ki*g.W:][:k]
					for j := range r {
						r[j] = T(float64(r[j]) + v)
					}
				}
			}
		}
	}
}
