package dl

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradbook/gradbook/dl/cpu"
)

// TestFusedLossesMatchComposed compares CrossEntropyLogits and
// BCEWithLogits, values and gradients, with the same losses built from
// elementary ops.
func TestFusedLossesMatchComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, shape := range [][]int{{5, 4}, {2, 3, 4}, {3, 2, 2, 2}} {
		labelShape := slices.Delete(slices.Clone(shape), 1, 2)
		lv := make([]float64, cpu.Numel(labelShape))
		for i := range lv {
			lv[i] = float64(rng.IntN(shape[1]))
		}
		labels := FromSlice(lv, labelShape...)
		z1 := Float64.Randn(rng, shape...).SetRequiresGrad(true)
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
	z1 := Float64.Randn(rng, 6, 3).Mul(Float64.Scalar(5)).SetRequiresGrad(true)
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
