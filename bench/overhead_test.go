package bench

import (
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// The workloads here have twins in torch/overhead.py, with the same names;
// compare.sh matches them by name. Keep the two in step.

// sink keeps results alive so that the compiler cannot drop the work.
var sink *dl.Tensor

// oneElement returns the Float32 tensor [v] of shape [1], as torch.tensor([v]).
func oneElement(v float32, requiresGrad bool) *dl.Tensor {
	return dl.FromSlice([]float32{v}, 1).SetRequiresGrad(requiresGrad)
}

// BenchmarkScalarAdd times a + b on one-element Float32 tensors: plain
// tensors (no graph is recorded) and tensors that require a gradient (the
// op also records its node for Backward).
func BenchmarkScalarAdd(b *testing.B) {
	for _, bc := range []struct {
		name string
		grad bool
	}{{"plain", false}, {"requires_grad", true}} {
		b.Run(bc.name, func(b *testing.B) {
			x, y := oneElement(1.5, bc.grad), oneElement(2.25, bc.grad)
			b.ReportAllocs()
			var out *dl.Tensor
			for b.Loop() {
				out = x.Add(y)
			}
			sink = out
		})
	}
}

// BenchmarkScalarMulSumBackward times one training-style step on
// one-element tensors that require a gradient: clear both gradients (as
// zero_grad(set_to_none=True) does), y = (a*b).Sum(), y.Backward().
func BenchmarkScalarMulSumBackward(b *testing.B) {
	x, y := oneElement(1.5, true), oneElement(2.25, true)
	b.ReportAllocs()
	for b.Loop() {
		x.ZeroGrad()
		y.ZeroGrad()
		x.Mul(y).Sum().Backward()
	}
	sink = x.Grad()
	if got := x.Grad().Item(); got != 2.25 {
		b.Fatalf("d(a*b)/da = %v, want 2.25", got)
	}
}
