package dl

import (
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// MatMul returns the matrix product x @ y with NumPy's rules: two matrices
// multiply as usual; leading axes are batch axes and broadcast; a 1-D
// operand is a row (left) or column (right) vector and its axis is dropped
// from the result.
func (x *Tensor) MatMul(y *Tensor) *Tensor {
	a, b := binaryOperands("MatMul", x, y)
	ra, rb := len(a.shape), len(b.shape)
	if ra == 0 || rb == 0 {
		panicf("MatMul", "shapes %v and %v: scalars have no matrix product (use Mul)", a.shape, b.shape)
	}
	// Checked here, before vectors become matrices, so that errors name
	// the shapes the caller passed.
	k, k2 := a.shape[ra-1], b.shape[max(rb-2, 0)]
	if k != k2 {
		panicf("MatMul", "shapes %v and %v do not match (%d != %d)", a.shape, b.shape, k, k2)
	}
	for i := 3; i <= min(ra, rb); i++ {
		if da, db := a.shape[ra-i], b.shape[rb-i]; da != db && da != 1 && db != 1 {
			panicf("MatMul", "shapes %v and %v: batch dimensions %v and %v do not broadcast (%d != %d)",
				a.shape, b.shape, a.shape[:ra-2], b.shape[:rb-2], da, db)
		}
	}
	if ra == 1 {
		out := a.Unsqueeze(0).MatMul(b)
		if rb == 1 {
			return out.Squeeze(0) // vector · vector: [1] to a scalar
		}
		return out.Squeeze(-2)
	}
	if rb == 1 {
		return a.MatMul(b.Unsqueeze(1)).Squeeze(-1)
	}
	out := gemm(a, b, false, false)
	if !tracking(a, b) {
		return out
	}
	return record(out, opMatMul, []*Tensor{a, b}, "",
		func(g *Tensor) []*Tensor {
			var ga, gb *Tensor
			if a.RequiresGrad() {
				ga = sumTo(gemm(g, b, false, true), a.shape)
			}
			if b.RequiresGrad() {
				gb = sumTo(gemm(a, g, true, false), b.shape)
			}
			return []*Tensor{ga, gb}
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
	out := a.likeRaw(shape) // every product writes its part (beta 0: zeros when k = 0)
	as := cpu.BroadcastStrides(a.shape[:ra-2], batch)
	bs := cpu.BroadcastStrides(b.shape[:rb-2], batch)
	sa, sb, sc := a.shape[ra-2]*a.shape[ra-1], b.shape[rb-2]*b.shape[rb-1], m*n
	lda, ldb := a.shape[ra-1], b.shape[rb-1]
	dev := deviceOf("MatMul", a, b)
	if out.Len() == 0 {
		return out
	}
	nb := cpu.Numel(batch)
	strideA, okA := batchStride(as, batch)
	strideB, okB := batchStride(bs, batch)
	if okA && okB { // one strided batched product
		run(dev).Gemm(ta, tb, m, n, k, a.data, 0, lda, strideA*sa, b.data, 0, ldb, strideB*sb, 0, out.data, 0, n, sc, nb)
		return out
	}
	forEachIndex(batch, func(i int, idx []int) {
		oa, ob := 0, 0
		for d, v := range idx {
			oa += v * as[d]
			ob += v * bs[d]
		}
		run(dev).Gemm(ta, tb, m, n, k, a.data, oa*sa, lda, 0, b.data, ob*sb, ldb, 0, 0, out.data, i*sc, n, 0, 1)
	})
	return out
}

// batchStride returns the one stride (in matrices) that walks the batch
// index space with the given strides, when there is one: every axis
// broadcast (0), or the strides row-major over the whole batch (1).
func batchStride(strides, batch []int) (int, bool) {
	zero := true
	for _, s := range strides {
		zero = zero && s == 0
	}
	if zero {
		return 0, true
	}
	want := cpu.Strides(batch)
	for i, s := range strides {
		if s != want[i] && batch[i] != 1 {
			return 0, false
		}
	}
	return 1, true
}
