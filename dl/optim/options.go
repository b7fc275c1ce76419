package optim

import (
	"fmt"
	"math"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// Option sets a hyper-parameter of an optimizer. The same option means the
// same thing for every optimizer that takes it; passing an optimizer an
// option it does not take (Momentum to Adam, say) panics with a message
// that names both.
type Option struct {
	name string
	set  func(*config)
}

// config holds every optimizer's hyper-parameters; each constructor fills
// its defaults, applies the options it accepts and validates the result.
type config struct {
	momentum, dampening float64
	nesterov            bool
	weightDecay         float64
	maximize            bool

	lrDecay, initialAccumulator float64 // Adagrad
	alpha                       float64 // RMSProp
	centered                    bool    // RMSProp
	beta1, beta2                float64 // Adam, AdamW, LAMB
	amsgrad                     bool    // Adam, AdamW
	eps                         float64

	lectureL2 float64      // the lecture's λ (0: off)
	l2Set     bool         // LectureL2 was given
	l2Exclude []*dl.Tensor // explicit exemptions from LectureL2
	l2ExclSet bool         // L2Exclude was given
}

// Momentum sets the momentum factor μ in [0, 1) (SGD, RMSProp; default 0).
func Momentum(m float64) Option {
	return Option{"Momentum", func(c *config) { c.momentum = m }}
}

// Dampening sets SGD's dampening τ in [0, 1] of the momentum buffer's
// update b ← μb + (1 − τ)g (default 0).
func Dampening(d float64) Option {
	return Option{"Dampening", func(c *config) { c.dampening = d }}
}

// Nesterov turns on Nesterov momentum for SGD (needs Momentum > 0 and no
// Dampening).
func Nesterov() Option {
	return Option{"Nesterov", func(c *config) { c.nesterov = true }}
}

// WeightDecay sets the weight decay λ ≥ 0. For SGD, Adagrad, RMSProp and
// Adam it is PyTorch's coupled L2 penalty: λθ is added to every
// parameter's gradient, biases included (default 0). For AdamW it is
// decoupled: θ ← θ(1 − ηλ) before the Adam step (default 0.01). For LAMB it
// is added to the Adam update before the trust ratio (default 0). See
// LectureL2 for the lecture's penalty, which spares the biases.
func WeightDecay(wd float64) Option {
	return Option{"WeightDecay", func(c *config) { c.weightDecay = wd }}
}

// Maximize makes the optimizer climb the objective instead of descending it
// (PyTorch's maximize=True): the gradient is negated before it is used.
func Maximize() Option {
	return Option{"Maximize", func(c *config) { c.maximize = true }}
}

// LRDecay sets Adagrad's learning-rate decay: step t uses η/(1 + (t−1)·d)
// (default 0).
func LRDecay(d float64) Option {
	return Option{"LRDecay", func(c *config) { c.lrDecay = d }}
}

// InitialAccumulator sets the starting value of Adagrad's sum of squared
// gradients (default 0).
func InitialAccumulator(v float64) Option {
	return Option{"InitialAccumulator", func(c *config) { c.initialAccumulator = v }}
}

// Alpha sets RMSProp's smoothing constant α in [0, 1] (default 0.99).
func Alpha(a float64) Option {
	return Option{"Alpha", func(c *config) { c.alpha = a }}
}

// Centered makes RMSProp divide by an estimate of the gradient's variance,
// E[g²] − E[g]², instead of E[g²].
func Centered() Option {
	return Option{"Centered", func(c *config) { c.centered = true }}
}

// Betas sets the decay rates β₁, β₂ in [0, 1) of the first and second
// moment averages (Adam, AdamW, LAMB; default 0.9 and 0.999).
func Betas(beta1, beta2 float64) Option {
	return Option{"Betas", func(c *config) { c.beta1, c.beta2 = beta1, beta2 }}
}

// AMSGrad makes Adam and AdamW divide by the largest second moment seen so
// far (Reddi et al. 2018).
func AMSGrad() Option {
	return Option{"AMSGrad", func(c *config) { c.amsgrad = true }}
}

// Eps sets the ε ≥ 0 added to the denominator for numerical stability
// (defaults: Adagrad 1e-10, RMSProp, Adam and AdamW 1e-8, LAMB 1e-6).
func Eps(eps float64) Option {
	return Option{"Eps", func(c *config) { c.eps = eps }}
}

// LectureL2 applies the lecture's L2 convention with penalty λ ≥ 0: the
// gradient an optimizer uses is D = Δ/n + λΘ for weights and D = Δ/n for
// biases, where Δ/n is the averaged gradient already in Grad (the loss is a
// mean over the batch). The biases are the parameters with fewer than two
// dimensions unless L2Exclude names them. Every optimizer takes it; see the
// package documentation.
func LectureL2(lambda float64) Option {
	return Option{"LectureL2", func(c *config) { c.lectureL2, c.l2Set = lambda, true }}
}

// L2Exclude names the parameters that LectureL2 leaves alone (the biases),
// replacing the default rule that exempts the parameters with fewer than
// two dimensions. Every tensor named must be one of the optimizer's
// parameters. With no tensors, LectureL2 penalizes every parameter.
func L2Exclude(params ...*dl.Tensor) Option {
	return Option{"L2Exclude", func(c *config) {
		c.l2Exclude, c.l2ExclSet = append(c.l2Exclude, params...), true
	}}
}

// fail panics with a dl.Error for op (e.g. "optim.SGD").
func fail(op, format string, args ...any) {
	panic(&dl.Error{Op: op, Msg: fmt.Sprintf(format, args...)})
}

// apply runs the options accepted by optimizer name, panicking on others.
func (c *config) apply(name string, accepted []string, opts []Option) {
	for _, o := range opts {
		if o.set == nil {
			fail("optim."+name, "zero Option (make options with the functions of package optim)")
		}
		ok := false
		for _, a := range accepted {
			ok = ok || a == o.name
		}
		if !ok {
			fail("optim."+name, "option %s does not apply to %s (it takes %s)", o.name, name, strings.Join(accepted, ", "))
		}
		o.set(c)
	}
}

// checkRange panics unless lo ≤ v < hi (or ≤ hi when closed).
func checkRange(op, what string, v, lo, hi float64, closed bool) {
	if math.IsNaN(v) {
		fail(op, "%s is NaN", what)
	}
	if v < lo || v > hi || (!closed && v == hi) {
		br := ")"
		if closed {
			br = "]"
		}
		if math.IsInf(hi, 1) {
			fail(op, "%s %v is negative", what, v)
		}
		fail(op, "%s %v is outside [%v, %v%s", what, v, lo, hi, br)
	}
}

var inf = math.Inf(1)
