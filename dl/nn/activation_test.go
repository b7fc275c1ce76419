package nn

import (
	"math"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

func TestActivationValues(t *testing.T) {
	x := f64(-1, 0, 1, 2.5)
	nnClose(t, "GELU", GELU().Forward(x).Float64s(),
		[]float64{-0.15865525393145707, 0, 0.8413447460685429, 2.5 * 0.9937903346742238}, 1e-15)
	nnClose(t, "LeakyReLU", LeakyReLU(0.1).Forward(x).Float64s(), []float64{-0.1, 0, 1, 2.5}, 1e-15)
	nnClose(t, "ReLU", ReLU().Forward(x).Float64s(), []float64{0, 0, 1, 2.5}, 0)
	nnClose(t, "Tanh", Tanh().Forward(x).Float64s(), []float64{math.Tanh(-1), 0, math.Tanh(1), math.Tanh(2.5)}, 1e-15)
	nnClose(t, "Sigmoid", Sigmoid().Forward(f64(0)).Float64s(), []float64{0.5}, 0)
	nnClose(t, "Softplus", Softplus().Forward(x).Float64s(),
		[]float64{math.Log1p(math.Exp(-1)), math.Ln2, math.Log1p(math.E), math.Log1p(math.Exp(2.5))}, 1e-15)
	nnClose(t, "Softmax", Softmax(1).Forward(dl.FromSlice([]float64{0, 0, math.Log(2)}, 1, 3)).Float64s(), []float64{0.25, 0.25, 0.5}, 1e-15)

	// Derivatives at the kink follow PyTorch: LeakyReLU'(0) = slope,
	// ReLU'(0) = 0; GELU'(x) = Φ(x) + x·φ(x).
	v := f64(0, 1).SetRequiresGrad(true)
	LeakyReLU(0.1).Forward(v).Sum().Backward()
	nnClose(t, "LeakyReLU gradient", v.Grad().Float64s(), []float64{0.1, 1}, 0)
	g := f64(0, 1).SetRequiresGrad(true)
	GELU().Forward(g).Sum().Backward()
	nnClose(t, "GELU gradient", g.Grad().Float64s(), []float64{0.5, 0.8413447460685429 + math.Exp(-0.5)/math.Sqrt(2*math.Pi)}, 1e-15)

	// Softplus′ is the sigmoid.
	sp := f64(0, 1).SetRequiresGrad(true)
	Softplus().Forward(sp).Sum().Backward()
	nnClose(t, "Softplus gradient", sp.Grad().Float64s(), []float64{0.5, 1 / (1 + math.Exp(-1))}, 1e-15)

	// Float32 stays Float32.
	if y := GELU().Forward(dl.FromSlice([]float32{1})); y.DType() != dl.Float32 || math.Abs(y.Item()-0.8413447) > 1e-7 {
		t.Errorf("float32 GELU(1) = %v %v", y, y.DType())
	}
	if err := dl.Catch(func() { Softmax(2).Forward(dl.Zeros(2, 3)) }); err == nil ||
		err.Error() != "dl: nn.Softmax(2): axis 2 is out of range for input of shape [2 3]" {
		t.Errorf("Softmax axis error: %v", err)
	}
}
