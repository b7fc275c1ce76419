package nn

import (
	"fmt"
	"math"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/internal/option"
)

// LinearLayer is a fully connected layer y = x·Wᵀ + b, PyTorch's nn.Linear.
// The lecture's Θ⁽ʲ⁾ of size s_{j+1} × (s_j + 1) is Weight with Bias as an
// extra first column, the weight of the bias unit x₀ = 1.
type LinearLayer struct {
	In, Out int
	Weight  *dl.Tensor // [Out In]
	Bias    *dl.Tensor // [Out], nil when made with NoBias
}

// Linear returns a fully connected layer from in to out features. It acts
// on the last axis of its input: [N in] → [N out], or [N … in] → [N … out].
// The weight and bias start uniform in (−1/√in, 1/√in), as PyTorch's
// default (kaiming_uniform_ with a = √5). Option: NoBias.
func Linear(in, out int, opts ...LinearOption) *LinearLayer {
	l := &LinearLayer{In: in, Out: out}
	var o options
	option.Apply("nn."+l.String(), &o, opts, LinearOption.applyLinear)
	if in <= 0 || out <= 0 {
		panicf(l.String(), "numbers of features must be positive")
	}
	l.Weight = KaimingUniform(dl.Zeros(out, in), math.Sqrt(5)).SetRequiresGrad(true)
	if !o.noBias {
		b := 1 / math.Sqrt(float64(in))
		l.Bias = Uniform(dl.Zeros(out), -b, b).SetRequiresGrad(true)
	}
	return l
}

// Forward returns x·Wᵀ + b.
func (l *LinearLayer) Forward(x *dl.Tensor) *dl.Tensor {
	if x.Rank() == 0 || x.Dim(-1) != l.In {
		l.outputShape(x.Shape()) // panics with the shapes
	}
	checkDType(l, x, l.Weight)
	return dl.Linear(x, l.Weight, l.Bias)
}

func (l *LinearLayer) outputShape(in []int) []int {
	if len(in) == 0 || in[len(in)-1] != l.In {
		panicf(l.String(), "input of shape %s does not end in %d features", fmtShape(in), l.In)
	}
	out := append([]int(nil), in...)
	out[len(out)-1] = l.Out
	return out
}

func (l *LinearLayer) slots() []slot {
	return []slot{{"weight", &l.Weight, true}, {"bias", &l.Bias, true}}
}

// Parameters returns the weight and the bias.
func (l *LinearLayer) Parameters() []*dl.Tensor { return parametersOf(l.slots()) }

// StateDict returns "weight" and "bias".
func (l *LinearLayer) StateDict() []Named { return stateDictOf(l.slots()) }

// SetTraining does nothing: a linear layer acts the same in both modes.
func (l *LinearLayer) SetTraining(bool) {}

// String describes the layer, e.g. "Linear(576, 120)".
func (l *LinearLayer) String() string {
	s := fmt.Sprintf("Linear(%d, %d", l.In, l.Out)
	if l.Weight != nil && l.Bias == nil {
		s += ", bias=false"
	}
	return s + ")"
}
