package nn

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// Initialisers fill a tensor in place with random values from the
// package's generator (see Seed) and return it, as PyTorch's torch.nn.init
// functions. They record nothing for autodiff. Those that take only the
// tensor (XavierUniform, XavierNormal, HeUniform, HeNormal) can be passed
// to InitWeights directly.
//
// For a weight of shape [out in k…] the fan in is in·k… and the fan out
// out·k…, as in PyTorch.

// Uniform fills t with values drawn uniformly from [lo, hi).
func Uniform(t *dl.Tensor, lo, hi float64) *dl.Tensor {
	return fill(t, func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() })
}

// Normal fills t with values drawn from the normal distribution N(mean, std²).
func Normal(t *dl.Tensor, mean, std float64) *dl.Tensor {
	return fill(t, func(r *rand.Rand) float64 { return mean + std*r.NormFloat64() })
}

// Constant fills t with v.
func Constant(t *dl.Tensor, v float64) *dl.Tensor {
	return fill(t, func(*rand.Rand) float64 { return v })
}

// XavierUniform (Glorot) fills t from U(−b, b) with b = √(6/(fan_in+fan_out)):
// the variance of the activations and of the gradients stays about the same
// from layer to layer for tanh and sigmoid units.
func XavierUniform(t *dl.Tensor) *dl.Tensor {
	in, out := fans("XavierUniform", t)
	b := math.Sqrt(6 / float64(in+out))
	return Uniform(t, -b, b)
}

// XavierNormal (Glorot) fills t from N(0, σ²) with σ = √(2/(fan_in+fan_out)).
func XavierNormal(t *dl.Tensor) *dl.Tensor {
	in, out := fans("XavierNormal", t)
	return Normal(t, 0, math.Sqrt(2/float64(in+out)))
}

// HeUniform fills t from U(−b, b) with b = √(6/fan_in), the initialisation
// for ReLU units of He et al.: KaimingUniform(t, 0).
func HeUniform(t *dl.Tensor) *dl.Tensor { return kaiming("HeUniform", t, 0, true) }

// HeNormal fills t from N(0, σ²) with σ = √(2/fan_in): KaimingNormal(t, 0).
func HeNormal(t *dl.Tensor) *dl.Tensor { return kaiming("HeNormal", t, 0, false) }

// KaimingUniform fills t from U(−b, b) with b = gain·√(3/fan_in) and the
// leaky-ReLU gain √(2/(1+a²)), as PyTorch's kaiming_uniform_ in fan-in mode.
// Linear and Conv2d start from KaimingUniform(w, √5), which is
// U(−1/√fan_in, 1/√fan_in).
func KaimingUniform(t *dl.Tensor, a float64) *dl.Tensor { return kaiming("KaimingUniform", t, a, true) }

// KaimingNormal fills t from N(0, σ²) with σ = gain/√fan_in and the
// leaky-ReLU gain √(2/(1+a²)), as PyTorch's kaiming_normal_.
func KaimingNormal(t *dl.Tensor, a float64) *dl.Tensor { return kaiming("KaimingNormal", t, a, false) }

func kaiming(op string, t *dl.Tensor, a float64, uniform bool) *dl.Tensor {
	in, _ := fans(op, t)
	std := math.Sqrt(2/(1+a*a)) / math.Sqrt(float64(in))
	if uniform {
		b := math.Sqrt(3) * std
		return Uniform(t, -b, b)
	}
	return Normal(t, 0, std)
}

// fans returns the fan in and fan out of a weight [out in k…].
func fans(op string, t *dl.Tensor) (in, out int) {
	s := t.Shape()
	if len(s) < 2 {
		panicf(op, "tensor of shape %v has fewer than 2 dimensions, so its fan in and fan out are undefined", s)
	}
	rf := 1
	for _, d := range s[2:] {
		rf *= d
	}
	in, out = s[1]*rf, s[0]*rf
	if in == 0 {
		panicf(op, "tensor of shape %v has a fan in of 0", s)
	}
	return in, out
}

func fill(t *dl.Tensor, f func(r *rand.Rand) float64) *dl.Tensor {
	return t.Assign(newTensor(t.DType(), draw(t.Len(), f), t.Shape()...))
}

// InitWeights applies init to every weight of m with two or more axes (the
// weights of Linear and Conv2d layers, in state-dict order) and leaves
// biases and BatchNorm's parameters as they are:
//
//	nn.InitWeights(net, nn.XavierUniform)
//	nn.InitWeights(net, func(w *dl.Tensor) *dl.Tensor { return nn.KaimingNormal(w, 0.01) })
func InitWeights(m Module, init func(t *dl.Tensor) *dl.Tensor) {
	for _, n := range m.StateDict() {
		if (n.Name == "weight" || strings.HasSuffix(n.Name, ".weight")) && n.Tensor.Rank() >= 2 {
			init(n.Tensor)
		}
	}
}
