// Package backprop is the lecture's backpropagation for a fully connected
// sigmoid network, written out by hand and shown step by step.
//
// The network has layers 1 … L+1 with sₗ units each. Layer l's weights
// Θ⁽ˡ⁾ form an s₍ₗ₊₁₎ × (sₗ + 1) matrix whose column 0 multiplies the bias
// unit a₀⁽ˡ⁾ = 1. For one instance (x, y):
//
//	a⁽¹⁾ = x
//	z⁽ˡ⁺¹⁾ = Θ⁽ˡ⁾ [1; a⁽ˡ⁾]                  forward
//	a⁽ˡ⁺¹⁾ = g(z⁽ˡ⁺¹⁾),  g(z) = 1/(1 + e⁻ᶻ)
//	δ⁽ᴸ⁺¹⁾ = a⁽ᴸ⁺¹⁾ − y                       output error
//	δ⁽ˡ⁾ = a⁽ˡ⁾ ⊙ (1 − a⁽ˡ⁾) ⊙ (Θ⁽ˡ⁾ᵀ δ⁽ˡ⁺¹⁾)  errors, bias row dropped
//	Δ⁽ˡ⁾ ← Δ⁽ˡ⁾ + δ⁽ˡ⁺¹⁾ [1; a⁽ˡ⁾]ᵀ            accumulated over the batch
//
// and over a batch of n instances the gradient is
//
//	D⁽ˡ⁾ᵢⱼ = Δ⁽ˡ⁾ᵢⱼ/n + λΘ⁽ˡ⁾ᵢⱼ   for j ≠ 0,   D⁽ˡ⁾ᵢ₀ = Δ⁽ˡ⁾ᵢ₀/n   (the bias column).
//
// D is the gradient of the cost the network minimises,
//
//	J(Θ) = −(1/n) Σᵢ Σₖ [yₖ log ŷₖ + (1 − yₖ) log(1 − ŷₖ)] + (λ/2) Σ Θ²  (bias columns excluded),
//
// the log loss with its sign flipped so that gradient descent goes down.
// The lecture's slides write the output error as y − a⁽ᴸ⁺¹⁾: that is the
// gradient of the log-likelihood, which is maximised; here it is minimised,
// hence a⁽ᴸ⁺¹⁾ − y.
//
// Explain runs the algorithm instance by instance, exactly as the lecture
// does, and records every vector; its tables print as text, Markdown and
// HTML. Check compares D with the gradient autodiff (package dl) computes
// for the same J.
//
// A bad argument (layer sizes that are not positive, a batch of the wrong
// width) panics with a *dl.Error naming the function and the shapes, e.g.
// "dl: backprop.Explain: tensor of shape [4 2] is not [n 1]"; dl.Catch
// turns it into an error.
package backprop
