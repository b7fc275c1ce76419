package dl

import (
	"math/rand/v2"
	"testing"

	"github.com/gradbook/gradbook/dl/cpu"
)

// The pure-Go path stays tested where OpenBLAS is the default: the
// op-level checks run once more on it.
func TestMatMulAndConvOnGonum(t *testing.T) {
	prev := cpu.SetBLAS(cpu.GonumBLAS{})
	defer cpu.SetBLAS(prev)
	rng := rand.New(rand.NewPCG(2, 2))
	a, b := Float64.Randn(rng, 3, 20, 30), Float64.Randn(rng, 30, 25)
	if r := GradCheck(func(in ...*Tensor) *Tensor { return in[0].MatMul(in[1]) }, a, b); !r.OK() {
		t.Errorf("MatMul on gonum:\n%s", r)
	}
	x, w := Float64.Randn(rng, 2, 3, 9, 9), Float64.Randn(rng, 4, 3, 3, 3)
	if r := GradCheck(func(in ...*Tensor) *Tensor { return Conv2d(in[0], in[1], nil, 1, 1) }, x, w); !r.OK() {
		t.Errorf("Conv2d on gonum:\n%s", r)
	}
}
