package optim

import (
	"fmt"
	"math"

	"github.com/gradbook/gradbook/dl"
)

// The options of the optimizers. Each optimizer takes the options of its
// own interface type, and each option is a value of a small type that
// implements the interfaces of the optimizers it applies to, so that an
// option an optimizer does not take (Momentum for Adam, Betas for SGD) is
// a compile-time error. An option means the same thing for every
// optimizer that takes it; its value is checked when the optimizer is
// made.
type (
	// SGDOption is an option of SGD: Momentum, Dampening, Nesterov,
	// WeightDecay, Maximize, LectureL2, L2Exclude.
	SGDOption interface{ applySGD(*config) }

	// AdagradOption is an option of Adagrad: LRDecay, WeightDecay,
	// InitialAccumulator, Eps, Maximize, LectureL2, L2Exclude.
	AdagradOption interface{ applyAdagrad(*config) }

	// RMSPropOption is an option of RMSProp: Alpha, Eps, WeightDecay,
	// Momentum, Centered, Maximize, LectureL2, L2Exclude.
	RMSPropOption interface{ applyRMSProp(*config) }

	// AdamOption is an option of Adam and AdamW: Betas, Eps, WeightDecay,
	// AMSGrad, Maximize, LectureL2, L2Exclude.
	AdamOption interface{ applyAdam(*config) }

	// LAMBOption is an option of LAMB: Betas, Eps, WeightDecay, Maximize,
	// LectureL2, L2Exclude.
	LAMBOption interface{ applyLAMB(*config) }
)

// config holds every optimizer's hyper-parameters; each constructor fills
// its defaults, applies its options and validates the result.
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

// Momentum sets the momentum factor μ in [0, 1) (default 0). For SGD and
// RMSProp.
func Momentum(m float64) momentum { return momentum(m) }

type momentum float64

func (m momentum) set(c *config)          { c.momentum = float64(m) }
func (m momentum) applySGD(c *config)     { m.set(c) }
func (m momentum) applyRMSProp(c *config) { m.set(c) }

// Dampening sets the dampening τ in [0, 1] of the momentum buffer's update
// b ← μb + (1 − τ)g (default 0). For SGD.
func Dampening(d float64) dampening { return dampening(d) }

type dampening float64

func (d dampening) applySGD(c *config) { c.dampening = float64(d) }

// Nesterov turns on Nesterov momentum (needs Momentum > 0 and no
// Dampening). For SGD.
func Nesterov() nesterov { return nesterov{} }

type nesterov struct{}

func (nesterov) applySGD(c *config) { c.nesterov = true }

// WeightDecay sets the weight decay λ ≥ 0. For SGD, Adagrad, RMSProp and
// Adam it is PyTorch's coupled L2 penalty: λθ is added to every
// parameter's gradient, biases included (default 0). For AdamW it is
// decoupled: θ ← θ(1 − ηλ) before the Adam step (default 0.01). For LAMB it
// is added to the Adam update before the trust ratio (default 0). See
// LectureL2 for the lecture's penalty, which spares the biases. For every
// optimizer.
func WeightDecay(wd float64) weightDecay { return weightDecay(wd) }

type weightDecay float64

func (w weightDecay) set(c *config)          { c.weightDecay = float64(w) }
func (w weightDecay) applySGD(c *config)     { w.set(c) }
func (w weightDecay) applyAdagrad(c *config) { w.set(c) }
func (w weightDecay) applyRMSProp(c *config) { w.set(c) }
func (w weightDecay) applyAdam(c *config)    { w.set(c) }
func (w weightDecay) applyLAMB(c *config)    { w.set(c) }

// Maximize makes the optimizer climb the objective instead of descending it
// (PyTorch's maximize=True): the gradient is negated before it is used.
// For every optimizer.
func Maximize() maximize { return maximize{} }

type maximize struct{}

func (maximize) set(c *config)            { c.maximize = true }
func (m maximize) applySGD(c *config)     { m.set(c) }
func (m maximize) applyAdagrad(c *config) { m.set(c) }
func (m maximize) applyRMSProp(c *config) { m.set(c) }
func (m maximize) applyAdam(c *config)    { m.set(c) }
func (m maximize) applyLAMB(c *config)    { m.set(c) }

// LRDecay sets the learning-rate decay d ≥ 0: step t uses η/(1 + (t−1)·d)
// (default 0). For Adagrad.
func LRDecay(d float64) lrDecay { return lrDecay(d) }

type lrDecay float64

func (d lrDecay) applyAdagrad(c *config) { c.lrDecay = float64(d) }

// InitialAccumulator sets the starting value v ≥ 0 of the sum of squared
// gradients (default 0). For Adagrad.
func InitialAccumulator(v float64) initialAccumulator { return initialAccumulator(v) }

type initialAccumulator float64

func (v initialAccumulator) applyAdagrad(c *config) { c.initialAccumulator = float64(v) }

// Alpha sets the smoothing constant α in [0, 1] (default 0.99). For
// RMSProp.
func Alpha(a float64) alpha { return alpha(a) }

type alpha float64

func (a alpha) applyRMSProp(c *config) { c.alpha = float64(a) }

// Centered makes RMSProp divide by an estimate of the gradient's variance,
// E[g²] − E[g]², instead of E[g²]. For RMSProp.
func Centered() centered { return centered{} }

type centered struct{}

func (centered) applyRMSProp(c *config) { c.centered = true }

// Betas sets the decay rates β₁, β₂ in [0, 1) of the first and second
// moment averages (default 0.9 and 0.999). For Adam, AdamW and LAMB.
func Betas(beta1, beta2 float64) betas { return betas{beta1, beta2} }

type betas struct{ beta1, beta2 float64 }

func (b betas) set(c *config)       { c.beta1, c.beta2 = b.beta1, b.beta2 }
func (b betas) applyAdam(c *config) { b.set(c) }
func (b betas) applyLAMB(c *config) { b.set(c) }

// AMSGrad makes the optimizer divide by the largest second moment seen so
// far (Reddi et al. 2018). For Adam and AdamW.
func AMSGrad() amsGrad { return amsGrad{} }

type amsGrad struct{}

func (amsGrad) applyAdam(c *config) { c.amsgrad = true }

// Eps sets the ε ≥ 0 added to the denominator for numerical stability
// (defaults: Adagrad 1e-10, RMSProp, Adam and AdamW 1e-8, LAMB 1e-6). For
// Adagrad, RMSProp, Adam, AdamW and LAMB.
func Eps(e float64) eps { return eps(e) }

type eps float64

func (e eps) set(c *config)          { c.eps = float64(e) }
func (e eps) applyAdagrad(c *config) { e.set(c) }
func (e eps) applyRMSProp(c *config) { e.set(c) }
func (e eps) applyAdam(c *config)    { e.set(c) }
func (e eps) applyLAMB(c *config)    { e.set(c) }

// LectureL2 applies the lecture's L2 convention with penalty λ ≥ 0: the
// gradient an optimizer uses is D = Δ/n + λΘ for weights and D = Δ/n for
// biases, where Δ/n is the averaged gradient already in Grad (the loss is a
// mean over the batch). The biases are the parameters with fewer than two
// dimensions unless L2Exclude names them. See the package documentation.
// For every optimizer.
func LectureL2(lambda float64) lectureL2 { return lectureL2(lambda) }

type lectureL2 float64

func (l lectureL2) set(c *config)          { c.lectureL2, c.l2Set = float64(l), true }
func (l lectureL2) applySGD(c *config)     { l.set(c) }
func (l lectureL2) applyAdagrad(c *config) { l.set(c) }
func (l lectureL2) applyRMSProp(c *config) { l.set(c) }
func (l lectureL2) applyAdam(c *config)    { l.set(c) }
func (l lectureL2) applyLAMB(c *config)    { l.set(c) }

// L2Exclude names the parameters that LectureL2 leaves alone (the biases),
// replacing the default rule that exempts the parameters with fewer than
// two dimensions. Every tensor named must be one of the optimizer's
// parameters. With no tensors, LectureL2 penalizes every parameter. For
// every optimizer, with LectureL2.
func L2Exclude(params ...*dl.Tensor) l2Exclude { return l2Exclude(params) }

type l2Exclude []*dl.Tensor

func (x l2Exclude) set(c *config)          { c.l2Exclude, c.l2ExclSet = append(c.l2Exclude, x...), true }
func (x l2Exclude) applySGD(c *config)     { x.set(c) }
func (x l2Exclude) applyAdagrad(c *config) { x.set(c) }
func (x l2Exclude) applyRMSProp(c *config) { x.set(c) }
func (x l2Exclude) applyAdam(c *config)    { x.set(c) }
func (x l2Exclude) applyLAMB(c *config)    { x.set(c) }

// fail panics with a dl.Error for op (e.g. "optim.SGD").
func fail(op, format string, args ...any) {
	panic(&dl.Error{Op: op, Msg: fmt.Sprintf(format, args...)})
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
