package dl

import (
	"math/rand/v2"
	"testing"
)

// Benchmarks of the fixed cost per op and of a small MLP's training step
// built from dl ops alone; bench/ compares whole steps with PyTorch.

func BenchmarkScalarMulSumBackward(b *testing.B) {
	x, y := Scalar(1.5).SetRequiresGrad(true), Scalar(2.25).SetRequiresGrad(true)
	b.ReportAllocs()
	for b.Loop() {
		x.ZeroGrad()
		y.ZeroGrad()
		x.Mul(y).Sum().Backward()
	}
}

func BenchmarkMLPStep(b *testing.B) {
	for _, c := range []struct {
		name           string
		batch, in, hid int
	}{{"playground", 10, 2, 8}, {"mnist", 128, 784, 256}} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			x := Randn(rng, c.batch, c.in)
			w1 := Randn(rng, c.hid, c.in).SetRequiresGrad(true)
			b1 := Zeros(c.hid).SetRequiresGrad(true)
			w2 := Randn(rng, 10, c.hid).SetRequiresGrad(true)
			b2 := Zeros(10).SetRequiresGrad(true)
			labels := Zeros(c.batch)
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range []*Tensor{w1, b1, w2, b2} {
					p.ZeroGrad()
				}
				h := Linear(x, w1, b1).Tanh()
				loss := Linear(h, w2, b2).LogSoftmax(1).Gather(1, labels.Reshape(-1, 1)).Mean().Neg()
				loss.Backward()
			}
		})
	}
}
