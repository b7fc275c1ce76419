package backprop_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/backprop"
)

// The lecture's algorithm on a 2-2-1 sigmoid network and the XOR batch:
// instance 2's steps, the gradient D, and the check against autodiff.
func ExampleExplain() {
	net := backprop.FromTheta(
		dl.FromSlice([]float64{-1, 2, 2, 3, -2, -2}, 2, 3), // Θ⁽¹⁾: 2 units × (bias + 2 inputs)
		dl.FromSlice([]float64{1, -2, -2}, 1, 3),           // Θ⁽²⁾: 1 output × (bias + 2 units)
	)
	x := dl.FromSlice([]float64{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	y := dl.FromSlice([]float64{0, 1, 1, 0}, 4)
	e := backprop.Explain(net, x, y, 0.1)
	fmt.Print(e.Steps(1), "\n", e.Gradients(), "\n")
	fmt.Println("hand-derived D equals autodiff:", e.Check().OK())
	// Output:
	// Backprop, instance 2 of 4
	// a⁽¹⁾  = x                                 [0 1]
	// z⁽²⁾  = Θ⁽¹⁾ [1; a⁽¹⁾]                    [1 1]
	// a⁽²⁾  = g(z⁽²⁾)                           [0.731 0.731]
	// z⁽³⁾  = Θ⁽²⁾ [1; a⁽²⁾]                    [−1.924]
	// a⁽³⁾  = g(z⁽³⁾)                           [0.127]
	// y                                         [1]
	// δ⁽³⁾  = a⁽³⁾ − y                          [−0.873]
	// δ⁽²⁾  = a⁽²⁾ ⊙ (1 − a⁽²⁾) ⊙ (Θ⁽²⁾ᵀ δ⁽³⁾)  [0.343 0.343]
	// Δ⁽²⁾  += δ⁽³⁾ [1; a⁽²⁾]ᵀ                  [[−0.873 −0.638 −0.638]]
	// Δ⁽¹⁾  += δ⁽²⁾ [1; a⁽¹⁾]ᵀ                  [[0.343 0 0.343] [0.343 0 0.343]]
	//
	// Gradient over 4 instances, λ = 0.1
	// layer  Δ/n                                        λΘ (j ≠ 0)                   D = ∂J/∂Θ
	// Θ⁽¹⁾   [[0.148 0.081 0.081] [0.148 0.067 0.067]]  [[0 0.2 0.2] [0 −0.2 −0.2]]  [[0.148 0.281 0.281] [0.148 −0.133 −0.133]]
	// Θ⁽²⁾   [[−0.341 −0.261 −0.261]]                   [[0 −0.2 −0.2]]              [[−0.341 −0.461 −0.461]]
	//
	// hand-derived D equals autodiff: true
}
