package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// BenchmarkOp times single ops of a training step, forward and backward,
// on Float32 tensors of the sizes an MLP or LeNet step uses: the per-op
// view of BenchmarkStep, for comparing one version of dl with another.
// Each sub-benchmark runs the op on inputs that require a gradient and
// then its backward pass from a seed of ones.
func BenchmarkOp(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	randn := func(shape ...int) *dl.Tensor { return dl.Randn(rng, shape...).SetRequiresGrad(true) }
	labels := make([]int, 128)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	ops := []struct {
		name string
		in   []*dl.Tensor
		f    func(in []*dl.Tensor) *dl.Tensor
	}{
		{"add_bias", []*dl.Tensor{randn(128, 256), randn(256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Add(in[1]) }},
		{"mul", []*dl.Tensor{randn(128, 256), randn(128, 256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Mul(in[1]) }},
		{"relu", []*dl.Tensor{randn(128, 256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].ReLU() }},
		{"tanh", []*dl.Tensor{randn(128, 256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Tanh() }},
		{"exp", []*dl.Tensor{randn(128, 256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Exp() }},
		{"sum_rows", []*dl.Tensor{randn(128, 256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Sum(1) }},
		{"max_rows", []*dl.Tensor{randn(128, 256)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Max(1) }},
		{"softmax", []*dl.Tensor{randn(128, 10)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].Softmax(1) }},
		{"linear", []*dl.Tensor{randn(128, 784), randn(256, 784), randn(256)}, func(in []*dl.Tensor) *dl.Tensor { return dl.Linear(in[0], in[1], in[2]) }},
		{"matmul", []*dl.Tensor{randn(128, 256), randn(256, 128)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].MatMul(in[1]) }},
		{"conv", []*dl.Tensor{randn(64, 6, 15, 15), randn(16, 6, 3, 3), randn(16)}, func(in []*dl.Tensor) *dl.Tensor { return dl.Conv2d(in[0], in[1], in[2], 1, 0) }},
		{"maxpool", []*dl.Tensor{randn(64, 6, 30, 30)}, func(in []*dl.Tensor) *dl.Tensor { return in[0].MaxPool2d(2, 0) }},
		{"cross_entropy", []*dl.Tensor{randn(128, 10)}, func(in []*dl.Tensor) *dl.Tensor { return dl.CrossEntropyLogits(in[0], dl.Labels(labels...)) }},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, t := range op.in {
					t.ZeroGrad()
				}
				out := op.f(op.in)
				out.Backward(dl.Ones(out.Shape()...))
				sink = out
			}
		})
	}
}
