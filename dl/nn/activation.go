package nn

import (
	"fmt"
	"math"

	"github.com/gradbook/gradbook/dl"
)

// ActivationLayer applies a function elementwise (or, for Softmax, along
// an axis); it has no parameters. The lecture's point: without a
// non-linearity between them, stacked linear layers collapse into one
// linear map.
type ActivationLayer struct {
	name string
	arg  string
	f    func(x *dl.Tensor) *dl.Tensor
	axis *int // Softmax's axis, checked against the input's rank
}

// ReLU returns the layer max(x, 0).
func ReLU() *ActivationLayer { return &ActivationLayer{name: "ReLU", f: (*dl.Tensor).ReLU} }

// Sigmoid returns the layer 1/(1 + e⁻ˣ), the lecture's g.
func Sigmoid() *ActivationLayer { return &ActivationLayer{name: "Sigmoid", f: (*dl.Tensor).Sigmoid} }

// Tanh returns the layer tanh x.
func Tanh() *ActivationLayer { return &ActivationLayer{name: "Tanh", f: (*dl.Tensor).Tanh} }

// LeakyReLU returns the layer x for x > 0 and slope·x otherwise (PyTorch's
// default slope is 0.01); the derivative at 0 is slope, as in PyTorch.
func LeakyReLU(slope float64) *ActivationLayer {
	return &ActivationLayer{name: "LeakyReLU", arg: fmt.Sprintf("%g", slope), f: func(x *dl.Tensor) *dl.Tensor {
		pos := x.Detach().Greater(x.DType().Scalar(0))
		return dl.Where(pos, x, x.Mul(x.DType().Scalar(slope)))
	}}
}

// Softplus returns the layer ln(1 + eˣ), a smooth ReLU whose derivative
// is the sigmoid (PyTorch's nn.Softplus with beta 1; computed exactly, with
// no threshold).
func Softplus() *ActivationLayer {
	return &ActivationLayer{name: "Softplus", f: (*dl.Tensor).Softplus}
}

// GELU returns the layer x·Φ(x), Φ the standard normal distribution
// function: PyTorch's default (exact, erf-based) nn.GELU.
func GELU() *ActivationLayer { return &ActivationLayer{name: "GELU", f: gelu} }

// Softmax returns the layer exp xᵢ / Σⱼ exp xⱼ along axis (1 for [N C]
// scores), as PyTorch's nn.Softmax(dim=axis). For training, prefer raw
// scores with CrossEntropy, which includes the softmax stably.
func Softmax(axis int) *ActivationLayer {
	return &ActivationLayer{name: "Softmax", arg: fmt.Sprint(axis), axis: &axis,
		f: func(x *dl.Tensor) *dl.Tensor { return x.Softmax(axis) }}
}

// gelu computes x·Φ(x) from dl ops, so its graph, traces and every order
// of derivative come from theirs.
func gelu(x *dl.Tensor) *dl.Tensor {
	// x · Φ(x) with Φ(x) = ½ (1 + erf(x/√2)), PyTorch's exact GELU.
	half, invSqrt2 := dl.Scalar(0.5), dl.Scalar(1/math.Sqrt2)
	return x.Mul(x.Mul(invSqrt2).Erf().Add(dl.Scalar(1)).Mul(half))
}

// Forward applies the activation.
func (a *ActivationLayer) Forward(x *dl.Tensor) *dl.Tensor {
	if a.axis != nil { // only Softmax's axis can be out of range
		a.outputShape(x.Shape())
	}
	return a.f(x)
}

func (a *ActivationLayer) outputShape(in []int) []int {
	if a.axis != nil && (*a.axis < -len(in) || *a.axis >= len(in)) {
		panicf(a.String(), "axis %d is out of range for input of shape %s", *a.axis, fmtShape(in))
	}
	return append([]int(nil), in...)
}

func (a *ActivationLayer) slots() []slot { return nil }

// Parameters returns nothing.
func (a *ActivationLayer) Parameters() []*dl.Tensor { return nil }

// StateDict returns nothing.
func (a *ActivationLayer) StateDict() []Named { return nil }

// SetTraining does nothing.
func (a *ActivationLayer) SetTraining(bool) {}

// Name returns the activation's name, e.g. "ReLU".
func (a *ActivationLayer) Name() string { return a.name }

// String describes the layer, e.g. "ReLU()" or "LeakyReLU(0.01)".
func (a *ActivationLayer) String() string { return a.name + "(" + a.arg + ")" }
