package dl_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
)

// The lecture's example: f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂ at (2, 5), its
// primal and adjoint traces (reverse mode) and its tangent trace for ∂/∂x₁
// (forward mode), as in Baydin et al.'s survey.
func ExampleTraceOf() {
	x1, x2 := dl.Scalar(2).Named("x1"), dl.Scalar(5).Named("x2")
	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	y.Backward()
	tr := dl.TraceOf(y)
	fmt.Print(tr.Primal(), "\n", tr.Adjoint(), "\n", tr.Tangent(x1))
	fmt.Println("\nx1.Grad() =", x1.Grad(), " x2.Grad() =", x2.Grad())
	// Output:
	// Forward primal trace
	// v₋₁  = x₁                             = 2
	// v₀   = x₂                             = 5
	// v₁   = ln v₋₁    = ln 2               = 0.693
	// v₂   = v₋₁ × v₀  = 2 × 5              = 10
	// v₃   = sin v₀    = sin 5              = −0.959
	// v₄   = v₁ + v₂   = 0.693 + 10         = 10.693
	// v₅   = v₄ − v₃   = 10.693 − (−0.959)  = 11.652
	// y    = v₅                             = 11.652
	//
	// Reverse adjoint trace
	// v̄₅   = ȳ                                    = 1
	// v̄₄   = v̄₅ ∂v₅/∂v₄         = v̄₅ × 1          = 1
	// v̄₃   = v̄₅ ∂v₅/∂v₃         = v̄₅ × (−1)       = −1
	// v̄₁   = v̄₄ ∂v₄/∂v₁         = v̄₄ × 1          = 1
	// v̄₂   = v̄₄ ∂v₄/∂v₂         = v̄₄ × 1          = 1
	// v̄₀   = v̄₃ ∂v₃/∂v₀         = v̄₃ × cos v₀     = −0.284
	// v̄₋₁  = v̄₂ ∂v₂/∂v₋₁        = v̄₂ × v₀         = 5
	// v̄₀   = v̄₀ + v̄₂ ∂v₂/∂v₀    = v̄₀ + v̄₂ × v₋₁   = 1.716
	// v̄₋₁  = v̄₋₁ + v̄₁ ∂v₁/∂v₋₁  = v̄₋₁ + v̄₁ / v₋₁  = 5.5
	// x̄₁   = v̄₋₁                                  = 5.5
	// x̄₂   = v̄₀                                   = 1.716
	//
	// Forward tangent trace
	// v̇₋₁  = ẋ₁                                    = 1
	// v̇₀   = ẋ₂                                    = 0
	// v̇₁   = v̇₋₁ / v₋₁            = 1 / 2          = 0.5
	// v̇₂   = v̇₋₁ × v₀ + v₋₁ × v̇₀  = 1 × 5 + 2 × 0  = 5
	// v̇₃   = v̇₀ × cos v₀          = 0 × cos 5      = 0
	// v̇₄   = v̇₁ + v̇₂              = 0.5 + 5        = 5.5
	// v̇₅   = v̇₄ − v̇₃              = 5.5 − 0        = 5.5
	// ẏ    = v̇₅                                    = 5.5
	//
	// x1.Grad() = 5.5  x2.Grad() = 1.71634
}
