package dl

import (
	"slices"
)

// MatMul returns the matrix product x @ y with NumPy's rules: two matrices
// multiply as usual; leading axes are batch axes and broadcast; a 1-D
// operand is a row (left) or column (right) vector and its axis is dropped
// from the result.
func (x *Tensor) MatMul(y *Tensor) *Tensor {
	a, b := binaryOperands("MatMul", x, y)
	if len(a.shape) == 0 || len(b.shape) == 0 {
		panicf("MatMul", "shapes %v and %v: scalars have no matrix product (use Mul)", a.shape, b.shape)
	}
	if len(a.shape) == 1 {
		return a.Unsqueeze(0).MatMul(b).Squeeze(-2)
	}
	if len(b.shape) == 1 {
		return a.MatMul(b.Unsqueeze(1)).Squeeze(-1)
	}
	k, k2 := a.shape[len(a.shape)-1], b.shape[len(b.shape)-2]
	if k != k2 {
		panicf("MatMul", "shapes %v and %v do not match (%d != %d)", a.shape, b.shape, k, k2)
	}
	out := gemm(a, b, false, false)
	return record(out, opMatMul, []*Tensor{a, b}, "",
		func(g *Tensor) []*Tensor {
			return []*Tensor{sumTo(gemm(g, b, false, true), a.shape), sumTo(gemm(a, g, true, false), b.shape)}
		},
		func(t []*Tensor) *Tensor { return gemm(t[0], b, false, false).Add(gemm(a, t[1], false, false)) })
}

// MatMul returns the matrix product x @ y; see Tensor.MatMul.
func MatMul(x, y *Tensor) *Tensor { return x.MatMul(y) }

// gemm multiplies op(a) by op(b) over broadcast batch axes, where op
// transposes the last two axes when asked. Both have rank ≥ 2 and one dtype.
func gemm(a, b *Tensor, ta, tb bool) *Tensor {
	ra, rb := len(a.shape), len(b.shape)
	m, k := a.shape[ra-2], a.shape[ra-1]
	if ta {
		m, k = k, m
	}
	n := b.shape[rb-1]
	if tb {
		n = b.shape[rb-2]
	}
	batch := broadcastShapes("MatMul", a.shape[:ra-2], b.shape[:rb-2])
	shape := append(slices.Clone(batch), m, n)
	out := a.like(shape)
	as := broadcastStrides(a.shape[:ra-2], batch)
	bs := broadcastStrides(b.shape[:rb-2], batch)
	sa, sb, sc := a.shape[ra-2]*a.shape[ra-1], b.shape[rb-2]*b.shape[rb-1], m*n
	lda, ldb := a.shape[ra-1], b.shape[rb-1]
	impl := CurrentBLAS()
	forEachIndex(batch, func(i int, idx []int) {
		oa, ob := 0, 0
		for d, v := range idx {
			oa += v * as[d]
			ob += v * bs[d]
		}
		oa, ob = oa*sa, ob*sb
		if m == 0 || n == 0 {
			return
		}
		switch s := a.data.(type) {
		case []float32:
			c := values[float32](out)[i*sc : (i+1)*sc]
			if k == 0 {
				return
			}
			impl.Sgemm(ta, tb, m, n, k, 1, s[oa:oa+sa], lda, values[float32](b)[ob:ob+sb], ldb, 0, c, n)
		case []float64:
			c := values[float64](out)[i*sc : (i+1)*sc]
			if k == 0 {
				return
			}
			impl.Dgemm(ta, tb, m, n, k, 1, s[oa:oa+sa], lda, values[float64](b)[ob:ob+sb], ldb, 0, c, n)
		}
	})
	return out
}
