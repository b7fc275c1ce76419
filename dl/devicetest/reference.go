package devicetest

import (
	"math"

	"github.com/gradbook/gradbook/dl"
)

// Reference is a Host device whose kernels are plain Go loops written
// from the Backend documentation: with it, dl's calls into a backend's
// kernels (the shapes, strides, offsets and layouts it passes) are checked
// on any machine, and a real backend has a reading of each kernel to
// follow.
type Reference struct {
	*Host
}

// NewReference returns a Reference device named name.
func NewReference(name string) *Reference {
	r := &Reference{NewHost(name)}
	r.self = r
	return r
}

// get returns m's values as float64; put writes them back rounded.
func (r *Reference) get(m *dl.DeviceMemory) []float64 {
	out := make([]float64, m.Len)
	switch d := r.block("kernel", m).data.(type) {
	case []float32:
		for i, v := range d {
			out[i] = float64(v)
		}
	case []float64:
		copy(out, d)
	}
	return out
}

func (r *Reference) put(m *dl.DeviceMemory, v []float64) {
	switch d := r.block("kernel", m).data.(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	}
}

// round rounds v to m's dtype.
func round(m *dl.DeviceMemory, v float64) float64 {
	if m.DType == dl.Float32 {
		return float64(float32(v))
	}
	return v
}

// Fill sets every element.
func (r *Reference) Fill(dst *dl.DeviceMemory, v float64) bool {
	out := make([]float64, dst.Len)
	for i := range out {
		out[i] = v
	}
	r.put(dst, out)
	return true
}

// Convert copies with a dtype conversion.
func (r *Reference) Convert(dst, src *dl.DeviceMemory) bool {
	r.put(dst, r.get(src))
	return true
}

// Unary computes dst = f(x).
func (r *Reference) Unary(op string, dst, x *dl.DeviceMemory) bool {
	v := r.get(x)
	for i, a := range v {
		switch op {
		case "neg":
			v[i] = -a
		case "exp":
			v[i] = math.Exp(a)
		case "log":
			v[i] = math.Log(a)
		case "tanh":
			v[i] = math.Tanh(a)
		case "sigmoid":
			v[i] = 1 / (1 + math.Exp(-a))
		case "relu":
			v[i] = max(a, 0)
		case "sqrt":
			v[i] = math.Sqrt(a)
		case "abs":
			v[i] = math.Abs(a)
		case "square":
			v[i] = a * a
		default:
			return false
		}
	}
	r.put(dst, v)
	return true
}

// UnaryGrad computes dst = g·f′.
func (r *Reference) UnaryGrad(op string, dst, g, v *dl.DeviceMemory) bool {
	gs, vs := r.get(g), r.get(v)
	for i, a := range vs {
		var d float64
		switch op {
		case "exp":
			d = a
		case "tanh":
			d = 1 - a*a
		case "sigmoid":
			d = a * (1 - a)
		case "relu":
			if a > 0 {
				d = 1
			}
		case "sqrt":
			gs[i] = gs[i] / (2 * a)
			continue
		case "abs":
			if a > 0 {
				d = 1
			} else if a < 0 {
				d = -1
			}
		case "square":
			d = 2 * a
		case "log":
			gs[i] = gs[i] / a
			continue
		default:
			return false
		}
		gs[i] *= d
	}
	r.put(dst, gs)
	return true
}

// offsets returns, for each element of shape in row-major order, its
// offset through strides.
func offsets(shape, strides []int, base int) []int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	out := make([]int, n)
	idx := make([]int, len(shape))
	for i := range out {
		o := base
		for k, x := range idx {
			o += x * strides[k]
		}
		out[i] = o
		for k := len(idx) - 1; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// Binary computes dst = a op b through strides.
func (r *Reference) Binary(op string, dst, a, b *dl.DeviceMemory, shape, aStrides, bStrides []int) bool {
	av, bv := r.get(a), r.get(b)
	oa, ob := offsets(shape, aStrides, 0), offsets(shape, bStrides, 0)
	out := make([]float64, len(oa))
	for i := range out {
		x, y := av[oa[i]], bv[ob[i]]
		switch op {
		case "add":
			out[i] = x + y
		case "sub":
			out[i] = x - y
		case "mul":
			out[i] = x * y
		case "div":
			out[i] = x / y
		default:
			return false
		}
	}
	r.put(dst, out)
	return true
}

// AddScaled computes dst += alpha·x.
func (r *Reference) AddScaled(dst *dl.DeviceMemory, alpha float64, x *dl.DeviceMemory) bool {
	d, xv := r.get(dst), r.get(x)
	for i := range d {
		d[i] += alpha * xv[i]
	}
	r.put(dst, d)
	return true
}

// DivScalar computes dst /= c.
func (r *Reference) DivScalar(dst *dl.DeviceMemory, c float64) bool {
	d := r.get(dst)
	for i := range d {
		d[i] /= c
	}
	r.put(dst, d)
	return true
}

// Sum reduces over the masked axes.
func (r *Reference) Sum(dst, src *dl.DeviceMemory, shape []int, mask []bool) bool {
	keep := make([]int, len(shape))
	for i, s := range shape {
		keep[i] = s
		if mask[i] {
			keep[i] = 1
		}
	}
	// the output position of each input element: keep's strides, 0 on masked axes
	st := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if !mask[i] {
			st[i] = acc
		}
		acc *= keep[i]
	}
	out, sv := make([]float64, dst.Len), r.get(src)
	for i, o := range offsets(shape, st, 0) {
		out[o] += sv[i]
	}
	r.put(dst, out)
	return true
}

// Gather reads src through strides.
func (r *Reference) Gather(dst, src *dl.DeviceMemory, shape, strides []int, offset int) bool {
	s := r.get(src)
	out := make([]float64, dst.Len)
	for i, o := range offsets(shape, strides, offset) {
		out[i] = s[o]
	}
	r.put(dst, out)
	return true
}

// Scatter writes or adds src into dst through strides.
func (r *Reference) Scatter(dst, src *dl.DeviceMemory, shape, strides []int, offset int, add bool) bool {
	d, s := r.get(dst), r.get(src)
	for i, o := range offsets(shape, strides, offset) {
		if add {
			d[o] += s[i]
		} else {
			d[o] = s[i]
		}
	}
	r.put(dst, d)
	return true
}

// Gemm multiplies row-major matrices.
func (r *Reference) Gemm(tA, tB bool, m, n, k int, a *dl.DeviceMemory, aOff, lda, strideA int, b *dl.DeviceMemory, bOff, ldb, strideB int,
	beta float64, c *dl.DeviceMemory, cOff, ldc, strideC int, batch int) bool {
	av, bv, cv := r.get(a), r.get(b), r.get(c)
	for p := 0; p < batch; p++ {
		ao, bo, co := aOff+p*strideA, bOff+p*strideB, cOff+p*strideC
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for l := 0; l < k; l++ {
					var x, y float64
					if tA {
						x = av[ao+l*lda+i]
					} else {
						x = av[ao+i*lda+l]
					}
					if tB {
						y = bv[bo+j*ldb+l]
					} else {
						y = bv[bo+l*ldb+j]
					}
					s += x * y
				}
				cv[co+i*ldc+j] = s + beta*cv[co+i*ldc+j]
			}
		}
	}
	r.put(c, cv)
	return true
}

// GemmBias is one product with a bias added to every row.
func (r *Reference) GemmBias(tA, tB bool, m, n, k int, a *dl.DeviceMemory, lda int, b *dl.DeviceMemory, ldb int, bias, c *dl.DeviceMemory, ldc int) bool {
	r.Gemm(tA, tB, m, n, k, a, 0, lda, 0, b, 0, ldb, 0, 0, c, 0, ldc, 0, 1)
	cv, bv := r.get(c), r.get(bias)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			cv[i*ldc+j] += bv[j]
		}
	}
	r.put(c, cv)
	return true
}

// rows visits each row of x seen as [outer n inner]: the offsets of its
// n elements.
func rows(outer, n, inner int, f func(row int, at func(j int) int)) {
	for o := 0; o < outer; o++ {
		for in := 0; in < inner; in++ {
			base := o*n*inner + in
			f(o*inner+in, func(j int) int { return base + j*inner })
		}
	}
}

// Softmax computes softmax or log-softmax along rows.
func (r *Reference) Softmax(dst, x *dl.DeviceMemory, outer, n, inner int, log bool) bool {
	xv := r.get(x)
	out := make([]float64, len(xv))
	rows(outer, n, inner, func(_ int, at func(int) int) {
		m := math.Inf(-1)
		for j := 0; j < n; j++ {
			m = max(m, xv[at(j)])
		}
		s := 0.0
		for j := 0; j < n; j++ {
			s += math.Exp(xv[at(j)] - m)
		}
		for j := 0; j < n; j++ {
			if log {
				out[at(j)] = xv[at(j)] - m - math.Log(s)
			} else {
				out[at(j)] = math.Exp(xv[at(j)]-m) / s
			}
		}
	})
	r.put(dst, out)
	return true
}

// SoftmaxGrad is Softmax's adjoint.
func (r *Reference) SoftmaxGrad(dst, g, y *dl.DeviceMemory, outer, n, inner int, log bool) bool {
	gv, yv := r.get(g), r.get(y)
	out := make([]float64, len(gv))
	rows(outer, n, inner, func(_ int, at func(int) int) {
		s := 0.0
		for j := 0; j < n; j++ {
			if log {
				s += gv[at(j)]
			} else {
				s += gv[at(j)] * yv[at(j)]
			}
		}
		for j := 0; j < n; j++ {
			if log {
				out[at(j)] = gv[at(j)] - math.Exp(yv[at(j)])*s
			} else {
				out[at(j)] = yv[at(j)] * (gv[at(j)] - s)
			}
		}
	})
	r.put(dst, out)
	return true
}

// CrossEntropy computes the mean loss and each row's log Σ exp.
func (r *Reference) CrossEntropy(loss, lse, x, labels *dl.DeviceMemory, outer, n, inner int) bool {
	xv, lv := r.get(x), r.get(labels)
	l := make([]float64, lse.Len)
	total := 0.0
	rows(outer, n, inner, func(row int, at func(int) int) {
		m := math.Inf(-1)
		for j := 0; j < n; j++ {
			m = max(m, xv[at(j)])
		}
		s := 0.0
		for j := 0; j < n; j++ {
			s += math.Exp(xv[at(j)] - m)
		}
		l[row] = m + math.Log(s)
		c := int(lv[row])
		if c < 0 || c >= n {
			total = math.NaN()
			return
		}
		total += l[row] - xv[at(c)]
	})
	r.put(lse, l)
	r.put(loss, []float64{total / float64(outer*inner)})
	return true
}

// CrossEntropyGrad computes g·(softmax − onehot)/rows.
func (r *Reference) CrossEntropyGrad(dst, x, labels, lse, g *dl.DeviceMemory, outer, n, inner int) bool {
	xv, lv, sv, gv := r.get(x), r.get(labels), r.get(lse), r.get(g)
	scale := gv[0] / float64(outer*inner)
	out := make([]float64, len(xv))
	rows(outer, n, inner, func(row int, at func(int) int) {
		for j := 0; j < n; j++ {
			p := math.Exp(xv[at(j)] - sv[row])
			if j == int(lv[row]) {
				p--
			}
			out[at(j)] = scale * p
		}
	})
	r.put(dst, out)
	return true
}

// window visits each output position of each plane with the input
// offsets (within the plane; -1 in the padding) of its window.
func window(g dl.ConvShape, f func(plane, o int, in []int)) {
	in := make([]int, g.KH*g.KW)
	for p := 0; p < g.N*g.C; p++ {
		for oi := 0; oi < g.OH; oi++ {
			for oj := 0; oj < g.OW; oj++ {
				for ki := 0; ki < g.KH; ki++ {
					for kj := 0; kj < g.KW; kj++ {
						y, x := oi*g.Stride-g.Pad+ki, oj*g.Stride-g.Pad+kj
						in[ki*g.KW+kj] = -1
						if y >= 0 && y < g.H && x >= 0 && x < g.W {
							in[ki*g.KW+kj] = y*g.W + x
						}
					}
				}
				f(p, oi*g.OW+oj, in)
			}
		}
	}
}

// Im2col writes receptive fields as columns [c·kh·kw, n·oh·ow].
func (r *Reference) Im2col(cols, x *dl.DeviceMemory, g dl.ConvShape) bool {
	xv := r.get(x)
	out := make([]float64, cols.Len)
	hw, plane := g.OH*g.OW, g.H*g.W
	window(g, func(p, o int, in []int) {
		n, c := p/g.C, p%g.C
		for k, i := range in {
			if i >= 0 {
				out[(c*g.KH*g.KW+k)*g.N*hw+n*hw+o] = xv[p*plane+i]
			}
		}
	})
	r.put(cols, out)
	return true
}

// Col2im adds columns back onto the image.
func (r *Reference) Col2im(x, cols *dl.DeviceMemory, g dl.ConvShape) bool {
	cv := r.get(cols)
	out := make([]float64, x.Len)
	hw, plane := g.OH*g.OW, g.H*g.W
	window(g, func(p, o int, in []int) {
		n, c := p/g.C, p%g.C
		for k, i := range in {
			if i >= 0 {
				out[p*plane+i] += cv[(c*g.KH*g.KW+k)*g.N*hw+n*hw+o]
			}
		}
	})
	r.put(x, out)
	return true
}

// MaxPool writes window maxima and their places (first of equal maxima).
func (r *Reference) MaxPool(dst, arg, x *dl.DeviceMemory, g dl.ConvShape) bool {
	xv := r.get(x)
	out := make([]float64, dst.Len)
	places := make([]float32, arg.Len)
	plane, oplane := g.H*g.W, g.OH*g.OW
	window(g, func(p, o int, in []int) {
		best := -1
		for _, i := range in {
			if v := xv[p*plane+i]; best < 0 || v > xv[p*plane+best] || math.IsNaN(v) {
				best = i
			}
		}
		out[p*oplane+o] = xv[p*plane+best]
		places[p*oplane+o] = math.Float32frombits(uint32(best))
	})
	r.put(dst, out)
	copy(r.block("MaxPool", arg).data.([]float32), places)
	return true
}

// MaxPoolGrad routes gy to the places of the maxima.
func (r *Reference) MaxPoolGrad(dst, gy, arg *dl.DeviceMemory, g dl.ConvShape) bool {
	gv := r.get(gy)
	places := r.block("MaxPoolGrad", arg).data.([]float32)
	out := make([]float64, dst.Len)
	plane, oplane := g.H*g.W, g.OH*g.OW
	for p := 0; p < g.N*g.C; p++ {
		for o := 0; o < oplane; o++ {
			out[p*plane+int(math.Float32bits(places[p*oplane+o]))] += gv[p*oplane+o]
		}
	}
	r.put(dst, out)
	return true
}

// AvgPool writes window means.
func (r *Reference) AvgPool(dst, x *dl.DeviceMemory, g dl.ConvShape) bool {
	xv := r.get(x)
	out := make([]float64, dst.Len)
	plane, oplane, area := g.H*g.W, g.OH*g.OW, float64(g.KH*g.KW)
	window(g, func(p, o int, in []int) {
		s := 0.0
		for _, i := range in {
			s += xv[p*plane+i] / area
		}
		out[p*oplane+o] = s
	})
	r.put(dst, out)
	return true
}

// AvgPoolGrad spreads gy over the windows.
func (r *Reference) AvgPoolGrad(dst, gy *dl.DeviceMemory, g dl.ConvShape) bool {
	gv := r.get(gy)
	out := make([]float64, dst.Len)
	plane, oplane, area := g.H*g.W, g.OH*g.OW, float64(g.KH*g.KW)
	window(g, func(p, o int, in []int) {
		for _, i := range in {
			out[p*plane+i] += gv[p*oplane+o] / area
		}
	})
	r.put(dst, out)
	return true
}
