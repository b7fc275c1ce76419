package backprop

import (
	"fmt"
	"math"

	"github.com/gradbook/gradbook/dl"
)

// Comparison holds, per layer, how far the hand-derived gradient D is from
// the one autodiff computes for the same cost J(Θ).
type Comparison struct {
	MaxAbsErr []float64 // per layer: max |D − ∂J/∂Θ (autodiff)|
	Autodiff  []*dl.Tensor
	Cost      float64 // J(Θ) as autodiff computed it
}

// tolerance for OK: both are float64 computations of the same sums.
const tolerance = 1e-10

// OK reports whether every layer agrees to 1e-10.
func (c *Comparison) OK() bool {
	for _, err := range c.MaxAbsErr {
		if !(err <= tolerance) {
			return false
		}
	}
	return true
}

// String renders the comparison as a table.
func (c *Comparison) String() string {
	t := &dl.Table{Title: "Backprop by hand vs autodiff", Header: []string{"layer", "max |D − autodiff|", "agree"}, TextHeader: true}
	for l, err := range c.MaxAbsErr {
		verdict := "yes"
		if !(err <= tolerance) {
			verdict = "NO"
		}
		t.Rows = append(t.Rows, dl.TableRow{Cells: []string{"Θ" + sup(l+1), fmt.Sprintf("%.1e", err), verdict}})
	}
	return t.String()
}

// Check computes J(Θ) for the same batch with dl's autodiff and compares
// its gradient with D.
func (e *Explanation) Check() *Comparison {
	n := len(e.Instances)
	var xs, ys []float64
	for _, in := range e.Instances {
		xs = append(xs, in.X...)
		ys = append(ys, in.Y...)
	}
	out := e.Net.Sizes[len(e.Net.Sizes)-1]
	x := dl.FromSlice(xs, n, e.Net.Sizes[0])
	y := dl.FromSlice(ys, n, out)
	theta := e.Net.Tensors()
	for _, th := range theta {
		th.SetRequiresGrad(true)
	}
	j := Cost(theta, x, y, e.Lambda)
	j.Backward()
	c := &Comparison{Cost: j.Item()}
	for l, th := range theta {
		worst := 0.0
		for i, g := range th.Grad().Float64s() {
			worst = math.Max(worst, math.Abs(g-e.D[l][i]))
		}
		c.MaxAbsErr = append(c.MaxAbsErr, worst)
		c.Autodiff = append(c.Autodiff, th.Grad())
	}
	return c
}

// Cost builds J(Θ) from dl ops, so autodiff can differentiate it: the
// forward pass with a bias unit prepended to each layer's input, the mean
// log loss summed over the outputs, and (λ/2) Σ Θ² without bias columns.
func Cost(theta []*dl.Tensor, x, y *dl.Tensor, lambda float64) *dl.Tensor {
	n := x.Shape()[0]
	ones := dl.Float64.Ones(n, 1)
	a := x.AsType(dl.Float64)
	for _, th := range theta {
		a = dl.Concat(1, ones, a).MatMul(th.T()).Sigmoid()
	}
	yt := y.AsType(dl.Float64)
	one := dl.Float64.Scalar(1)
	ll := yt.Mul(a.Log()).Add(one.Sub(yt).Mul(one.Sub(a).Log()))
	j := ll.Sum().Div(dl.Float64.Scalar(float64(-n)))
	for _, th := range theta {
		w := th.Slice(1, 1, th.Shape()[1])
		j = j.Add(w.Square().Sum().Mul(dl.Float64.Scalar(lambda / 2)))
	}
	return j
}
