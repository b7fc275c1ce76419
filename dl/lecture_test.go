package dl

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestLectureGradients(t *testing.T) {
	x1, x2 := Scalar(2).Named("x1"), Scalar(5).Named("x2")
	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	y.Backward()
	fmt.Println(y, x1.Grad(), x2.Grad())
	a := Arange(0, 6, 1).Reshape(2, 3)
	fmt.Println(a, "\n", a.T(), "\n", a.MatMul(a.T()), a.Sum(1), a.Softmax(1))
}

func TestGradCheckSmoke(t *testing.T) {
	x1, x2 := Float64.Scalar(2).Named("x1"), Float64.Scalar(5).Named("x2")
	r := GradCheck(func(in ...*Tensor) *Tensor { return in[0].Log().Add(in[0].Mul(in[1])).Sub(in[1].Sin()) }, x1, x2)
	fmt.Print(r)
	a := Float64.Randn(rand.New(rand.NewPCG(3, 4)), 2, 3)
	b := Float64.Randn(rand.New(rand.NewPCG(3, 5)), 3)
	r = GradCheck(func(in ...*Tensor) *Tensor { return in[0].Mul(in[1]).Softmax(1).MatMul(in[1]).Tanh() }, a, b)
	fmt.Print(r)
}
