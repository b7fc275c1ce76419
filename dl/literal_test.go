package dl

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestScalarKeepsItsLiteral(t *testing.T) {
	x := Float64.Scalar(1)
	if got := x.Mul(Scalar(0.1)).Item(); got != 0.1 {
		t.Errorf("float64 1 × Scalar(0.1) = %.17g, want 0.1 exactly", got)
	}
	s := Scalar(0.1)
	s.Assign(Scalar(0.3))
	if got := x.Mul(s).Item(); got != float64(float32(0.3)) {
		t.Errorf("after Assign: %.17g, want the assigned float32 value", got)
	}
	v := Scalar(0.1).Named("v") // a variable converts by its float32 value, recorded
	if got := x.Mul(v); got.Item() != float64(float32(0.1)) || got.Op() != "Mul" {
		t.Errorf("variable scalar: %.17g via %s", got.Item(), got.Op())
	}
}

func TestErf(t *testing.T) {
	x := FromSlice([]float64{-2, -0.5, 0, 0.3, 1.7})
	for i, v := range x.Erf().Float64s() {
		if want := math.Erf(x.At(i)); v != want {
			t.Errorf("erf(%g) = %g, want %g", x.At(i), v, want)
		}
	}
	r := GradCheck(func(in ...*Tensor) *Tensor { return in[0].Erf() }, Float64.Randn(rand.New(rand.NewPCG(1, 9)), 3, 4))
	if !r.OK() {
		t.Errorf("Erf gradient:\n%s", r)
	}
}
