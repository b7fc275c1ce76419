// Package optim updates a network's parameters from their gradients:
// PyTorch's torch.optim in Go, with the lecture's L2 convention and
// learning-rate schedules.
//
// # Optimizers
//
// An optimizer holds a list of parameters (leaf tensors, typically a
// network's Parameters()) and updates them in place after each backward
// pass:
//
//	opt := optim.SGD(net.Parameters(), 0.01, optim.Momentum(0.9))
//	for ... {
//		opt.ZeroGrad()
//		loss := nn.CrossEntropy(net.Forward(x), labels)
//		loss.Backward()
//		opt.Step()
//	}
//
// Hyper-parameters beyond the learning rate η are options, and each
// optimizer takes its own kind of option (SGDOption, AdamOption, ...). An
// option means the same thing for every optimizer that takes it; one it
// does not take (Momentum for Adam) does not compile, and a value out of
// range (a negative rate, momentum outside [0, 1), Nesterov without
// momentum) panics with a *dl.Error naming the optimizer and the value.
// With g the gradient of a parameter θ and t the step (from 1), the rules
// are PyTorch 1.13's:
//
//	SGD       b ← μb + (1 − τ)g  (b = g at first),  θ ← θ − η·b  (Nesterov: θ ← θ − η(g + μb))
//	Adagrad   s ← s + g²,  θ ← θ − η/(1 + (t−1)·decay) · g/(√s + ε)
//	RMSProp   v ← αv + (1 − α)g²,  θ ← θ − η·g/(√v + ε)  (momentum, centered: see RMSProp)
//	Adam      m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
//	          θ ← θ − η/(1 − β₁ᵗ) · m/(√v/√(1 − β₂ᵗ) + ε)
//	AdamW     θ ← θ(1 − ηλ), then Adam's step
//	LAMB      u ← m̂/(√v̂ + ε) + λθ,  θ ← θ − η·(‖θ‖/‖u‖)·u, per parameter tensor
//
// SGD with plain gradients is the lecture's gradient descent Θ ← Θ − η∇L.
// Momentum averages recent gradients so steps along a consistent
// direction grow and oscillating ones cancel. Adagrad, RMSProp and Adam
// divide each element's step by a running size of its gradients, so every
// parameter moves at its own scale; Adam adds momentum and corrects the
// bias of averages that start at zero. LAMB scales Adam's step per layer by
// the trust ratio ‖θ‖/‖u‖, which keeps large-batch training stable.
//
// WeightDecay(λ) is PyTorch's: coupled (g + λθ, every parameter, biases
// included) for SGD, Adagrad, RMSProp and Adam; decoupled for AdamW; added
// to the update for LAMB. Maximize negates the gradient first.
//
// A step skips the parameters whose Grad is nil. Each optimizer keeps a
// state per parameter (momentum buffer, moment averages, step count; State
// returns a copy under PyTorch's names). The arithmetic is done in float64
// whatever the parameters' dtype: the state is float64, and the new values
// are written back in place (AssignFloat64s), rounded to the parameter's
// dtype; a step allocates nothing once the state exists. Float64
// parameters therefore follow PyTorch's float64 results to rounding (the
// tests check 1e-10); Float32 ones are at least as accurate as PyTorch's
// float32 arithmetic. SetLR changes the rate between steps, SetMomentum
// (MomentumSetter) the momentum.
//
// # The lecture's L2 convention
//
// The lecture's backpropagation accumulates Δᵢⱼ⁽ˡ⁾ = Σ a_j⁽ˡ⁾δᵢ⁽ˡ⁺¹⁾ over the
// n examples of a batch and regularizes the average, except for the bias
// column j = 0:
//
//	D⁽ˡ⁾ᵢⱼ = Δ⁽ˡ⁾ᵢⱼ/n + λΘ⁽ˡ⁾ᵢⱼ   if j ≠ 0 (weights)
//	D⁽ˡ⁾ᵢⱼ = Δ⁽ˡ⁾ᵢⱼ/n             if j = 0 (bias)
//
// and gradient descent steps Θ ← Θ − ηD. D is the gradient of the mean
// loss plus (λ/2)‖Θ‖² over the weights only. LectureL2(λ) applies this
// with any optimizer: when the loss is a mean over the batch (as nn's
// losses are), Grad already holds Δ/n, and the optimizer uses D in its
// place. Layers here keep the bias as its own tensor rather than as column
// 0 of Θ, so the rule is stated per tensor: the biases are the parameters
// with fewer than two dimensions (a Linear or Conv2d bias; also the 1-D
// scales and shifts of normalization layers, which are conventionally not
// decayed either). L2Exclude names the exempt tensors explicitly instead.
// Unlike WeightDecay, which is PyTorch's and decays the biases as well,
// LectureL2 reproduces the lecture's numbers:
//
//	opt := optim.SGD(net.Parameters(), 0.5, optim.LectureL2(0.01))
//
// # Schedules
//
// A Schedule gives the learning rate of each step (from 0) as a pure
// function of the step, so Preview can show it before training; set it on
// the optimizer before each step with opt.SetLR(s.LR(step)). Constant,
// Step, MultiStep, Exponential, CosineAnnealing and OneCycle match
// PyTorch's StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and
// OneCycleLR, PyTorch's epoch counter read as the step; WarmupCosine is a
// linear warm-up from 0 followed by a cosine decay. ReduceOnPlateau
// (PyTorch's ReduceLROnPlateau) depends on the metrics it observes rather
// than on the step: feed it with Observe, and its LR returns the current
// rate.
package optim
