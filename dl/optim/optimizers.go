package optim

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// kind is the update rule of an optimizer.
type kind int

const (
	kindSGD kind = iota
	kindAdagrad
	kindRMSProp
	kindAdam
	kindAdamW
	kindLAMB
)

var kindNames = [...]string{"SGD", "Adagrad", "RMSProp", "Adam", "AdamW", "LAMB"}

// acceptedOptions lists, per optimizer, the options it takes, in the order
// a message about a wrong option lists them.
var acceptedOptions = [...][]string{
	kindSGD:     {"Momentum", "Dampening", "Nesterov", "WeightDecay", "Maximize", "LectureL2", "L2Exclude"},
	kindAdagrad: {"LRDecay", "WeightDecay", "InitialAccumulator", "Eps", "Maximize", "LectureL2", "L2Exclude"},
	kindRMSProp: {"Alpha", "Eps", "WeightDecay", "Momentum", "Centered", "Maximize", "LectureL2", "L2Exclude"},
	kindAdam:    {"Betas", "Eps", "WeightDecay", "AMSGrad", "Maximize", "LectureL2", "L2Exclude"},
	kindAdamW:   {"Betas", "Eps", "WeightDecay", "AMSGrad", "Maximize", "LectureL2", "L2Exclude"},
	kindLAMB:    {"Betas", "Eps", "WeightDecay", "Maximize", "LectureL2", "L2Exclude"},
}

// SGD returns stochastic gradient descent with learning rate lr, as
// PyTorch's torch.optim.SGD. It takes Momentum, Dampening, Nesterov,
// WeightDecay, Maximize, LectureL2 and L2Exclude. With gradient g (plus
// λθ with WeightDecay(λ)), momentum μ and dampening τ, each step is
//
//	b ← g on the first step, μb + (1 − τ)g after
//	d ← g + μb with Nesterov, b with momentum, g without
//	θ ← θ − η·d
func SGD(params []*dl.Tensor, lr float64, opts ...Option) Optimizer {
	return newOptimizer(kindSGD, params, lr, opts)
}

// Adagrad returns Adagrad (Duchi et al. 2011) with learning rate lr, as
// PyTorch's torch.optim.Adagrad. It takes LRDecay, WeightDecay,
// InitialAccumulator, Eps (default 1e-10), Maximize, LectureL2 and
// L2Exclude. Each element keeps the sum of its squared gradients:
//
//	s ← s + g²,   θ ← θ − η/(1 + (t−1)·lr_decay) · g/(√s + ε)
func Adagrad(params []*dl.Tensor, lr float64, opts ...Option) Optimizer {
	return newOptimizer(kindAdagrad, params, lr, opts)
}

// RMSProp returns RMSProp (Hinton's lecture notes) with learning rate lr, as
// PyTorch's torch.optim.RMSprop. It takes Alpha (default 0.99), Eps
// (default 1e-8), WeightDecay, Momentum, Centered, Maximize, LectureL2 and
// L2Exclude. Each step is
//
//	v ← αv + (1 − α)g²                      (a running mean of g²)
//	a ← √v + ε,  or √(v − ḡ²) + ε with Centered, where ḡ ← αḡ + (1 − α)g
//	θ ← θ − η·g/a,  or with momentum μ: b ← μb + g/a,  θ ← θ − η·b
func RMSProp(params []*dl.Tensor, lr float64, opts ...Option) Optimizer {
	return newOptimizer(kindRMSProp, params, lr, opts)
}

// Adam returns Adam (Kingma and Ba 2015) with learning rate lr, as
// PyTorch's torch.optim.Adam. It takes Betas (default 0.9, 0.999), Eps
// (default 1e-8), WeightDecay (coupled: added to the gradient), AMSGrad,
// Maximize, LectureL2 and L2Exclude. At step t (from 1):
//
//	m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
//	θ ← θ − η/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
//
// With AMSGrad, v in the denominator is the largest v so far.
func Adam(params []*dl.Tensor, lr float64, opts ...Option) Optimizer {
	return newOptimizer(kindAdam, params, lr, opts)
}

// AdamW returns Adam with decoupled weight decay (Loshchilov and Hutter
// 2019) with learning rate lr, as PyTorch's torch.optim.AdamW: each step
// first shrinks the parameters, θ ← θ(1 − ηλ), with λ = WeightDecay
// (default 0.01), then takes Adam's step without weight decay. It takes
// the options Adam takes.
func AdamW(params []*dl.Tensor, lr float64, opts ...Option) Optimizer {
	return newOptimizer(kindAdamW, params, lr, opts)
}

// LAMB returns LAMB (You et al. 2019, "Large Batch Optimization for Deep
// Learning") with learning rate lr. It takes Betas (default 0.9, 0.999),
// Eps (default 1e-6, as in the paper), WeightDecay (default 0), Maximize,
// LectureL2 and L2Exclude. Per parameter tensor, at step t (from 1):
//
//	m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
//	u ← (m/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε) + λθ
//	θ ← θ − η · (‖θ‖/‖u‖) · u
//
// The trust ratio ‖θ‖/‖u‖ (Euclidean norms over the whole tensor; the
// paper's φ is the identity) is 1 when either norm is 0.
func LAMB(params []*dl.Tensor, lr float64, opts ...Option) Optimizer {
	return newOptimizer(kindLAMB, params, lr, opts)
}

// MomentumSetter is an optimizer whose momentum can change between steps,
// as OneCycle's momentum cycling needs. Every optimizer of this package
// implements it: SetMomentum sets the momentum of SGD and RMSProp and β₁
// of Adam, AdamW and LAMB; Adagrad has no momentum and panics.
type MomentumSetter interface {
	SetMomentum(m float64)
}

// optimizer is every optimizer of this package: the rule is picked by kind.
// It computes in float64 whatever the parameters' dtype: it reads a
// parameter and its gradient as float64, keeps its state (momentum
// buffers, moment averages) in float64, and writes the new values back
// with AssignFloat64s, which rounds them to the parameter's dtype. It works
// through a parameter in chunks of stepChunk elements with working buffers
// it keeps, so that a step allocates nothing.
type optimizer struct {
	kind   kind
	params []*dl.Tensor
	lr     float64
	c      config
	exempt []bool // parameters LectureL2 leaves alone
	state  []paramState

	// theta and grad are Step's working copies of a parameter's values and
	// gradient in float64, a chunk at a time (a whole parameter for LAMB),
	// kept so that a step allocates nothing.
	theta, grad []float64
}

// paramState is the state of one parameter, under PyTorch's names (see
// State); buffers are nil until a step needs them.
type paramState struct {
	step           int
	momentumBuffer []float64 // SGD, RMSProp with momentum
	sum            []float64 // Adagrad
	squareAvg      []float64 // RMSProp
	gradAvg        []float64 // RMSProp, centered
	expAvg         []float64 // Adam, AdamW, LAMB
	expAvgSq       []float64 // Adam, AdamW, LAMB
	maxExpAvgSq    []float64 // AMSGrad

	// fresh is set for the step that creates the momentum buffer: that
	// step fills it with the gradient (SGD).
	fresh bool

	// dev is the state of a parameter that lives on a device.
	dev deviceState
}

// stepChunk is how many elements of a parameter Step updates at a time:
// its float64 working copies stay in the first-level cache.
const stepChunk = 512

func (o *optimizer) name() string { return kindNames[o.kind] }
func (o *optimizer) op() string   { return "optim." + o.name() }

func newOptimizer(k kind, params []*dl.Tensor, lr float64, opts []Option) *optimizer {
	o := &optimizer{kind: k, params: slices.Clone(params), lr: lr}
	op := o.op()
	checkRange(op, "learning rate", lr, 0, inf, true)
	c := &o.c
	switch k {
	case kindAdagrad:
		c.eps = 1e-10
	case kindRMSProp:
		c.alpha, c.eps = 0.99, 1e-8
	case kindAdam, kindAdamW, kindLAMB:
		c.beta1, c.beta2, c.eps = 0.9, 0.999, 1e-8
		if k == kindAdamW {
			c.weightDecay = 0.01
		}
		if k == kindLAMB {
			c.eps = 1e-6
		}
	}
	c.apply(o.name(), acceptedOptions[k], opts)

	checkRange(op, "weight decay", c.weightDecay, 0, inf, true)
	checkRange(op, "eps", c.eps, 0, inf, true)
	switch k {
	case kindSGD, kindRMSProp:
		o.checkMomentum(c.momentum)
		checkRange(op, "dampening", c.dampening, 0, 1, true)
	case kindAdagrad:
		checkRange(op, "lr decay", c.lrDecay, 0, inf, true)
		checkRange(op, "initial accumulator", c.initialAccumulator, 0, inf, true)
	case kindAdam, kindAdamW, kindLAMB:
		checkRange(op, "beta1", c.beta1, 0, 1, false)
		checkRange(op, "beta2", c.beta2, 0, 1, false)
	}
	if k == kindRMSProp {
		checkRange(op, "alpha", c.alpha, 0, 1, true)
	}
	checkRange(op, "LectureL2 lambda", c.lectureL2, 0, inf, true)
	if c.l2ExclSet && !c.l2Set {
		fail(op, "L2Exclude without LectureL2 (it names the parameters LectureL2 leaves alone)")
	}

	if len(params) == 0 {
		fail(op, "empty parameter list")
	}
	for i, p := range params {
		switch {
		case p == nil:
			fail(op, "parameter %d is nil", i)
		case !p.IsLeaf():
			fail(op, "parameter %d of shape %v was computed by %s; optimizers update leaf tensors", i, p.Shape(), p.Op())
		}
		if j := slices.Index(params[:i], p); j >= 0 {
			fail(op, "parameter %d of shape %v is parameter %d again", i, p.Shape(), j)
		}
	}
	o.exempt = make([]bool, len(params))
	for i, p := range params {
		o.exempt[i] = p.Rank() < 2
	}
	if c.l2ExclSet {
		clear(o.exempt)
		for _, x := range c.l2Exclude {
			i := slices.Index(params, x)
			if i < 0 {
				shape := "nil"
				if x != nil {
					shape = fmt.Sprint(x.Shape())
				}
				fail(op, "L2Exclude names a tensor of shape %s that is not one of the parameters", shape)
			}
			o.exempt[i] = true
		}
	}
	o.state = make([]paramState, len(params))
	return o
}

// scratch returns Step's working buffers for the parameter values and the
// gradient, of n elements each, kept between steps.
func (o *optimizer) scratch(n int) (theta, grad []float64) {
	if len(o.theta) < n {
		o.theta, o.grad = make([]float64, n), make([]float64, n)
	}
	return o.theta[:n], o.grad[:n]
}

// checkMomentum validates a momentum for SGD and RMSProp.
func (o *optimizer) checkMomentum(m float64) {
	checkRange(o.op(), "momentum", m, 0, 1, false)
	if o.c.nesterov && (m == 0 || o.c.dampening != 0) {
		fail(o.op(), "Nesterov momentum needs a momentum > 0 and no dampening, not momentum %v and dampening %v", m, o.c.dampening)
	}
}

// ZeroGrad clears the gradients of the parameters.
func (o *optimizer) ZeroGrad() {
	for _, p := range o.params {
		p.ZeroGrad()
	}
}

// LR returns the learning rate.
func (o *optimizer) LR() float64 { return o.lr }

// SetLR changes the learning rate for the following steps.
func (o *optimizer) SetLR(lr float64) {
	checkRange(o.op()+": SetLR", "learning rate", lr, 0, inf, true)
	o.lr = lr
}

// SetMomentum changes the momentum (SGD, RMSProp) or β₁ (Adam, AdamW, LAMB).
func (o *optimizer) SetMomentum(m float64) {
	switch o.kind {
	case kindSGD, kindRMSProp:
		o.checkMomentum(m)
		o.c.momentum = m
	case kindAdam, kindAdamW, kindLAMB:
		checkRange(o.op()+": SetMomentum", "beta1", m, 0, 1, false)
		o.c.beta1 = m
	default:
		fail(o.op()+": SetMomentum", "%s has no momentum", o.name())
	}
}

// String describes the optimizer with its hyper-parameters, under
// PyTorch's names.
func (o *optimizer) String() string {
	c := &o.c
	var b strings.Builder
	fmt.Fprintf(&b, "%s(lr=%g", o.name(), o.lr)
	switch o.kind {
	case kindSGD:
		fmt.Fprintf(&b, ", momentum=%g, dampening=%g, nesterov=%t", c.momentum, c.dampening, c.nesterov)
	case kindAdagrad:
		fmt.Fprintf(&b, ", lr_decay=%g, initial_accumulator_value=%g, eps=%g", c.lrDecay, c.initialAccumulator, c.eps)
	case kindRMSProp:
		fmt.Fprintf(&b, ", alpha=%g, eps=%g, momentum=%g, centered=%t", c.alpha, c.eps, c.momentum, c.centered)
	case kindAdam, kindAdamW:
		fmt.Fprintf(&b, ", betas=(%g, %g), eps=%g, amsgrad=%t", c.beta1, c.beta2, c.eps, c.amsgrad)
	case kindLAMB:
		fmt.Fprintf(&b, ", betas=(%g, %g), eps=%g", c.beta1, c.beta2, c.eps)
	}
	fmt.Fprintf(&b, ", weight_decay=%g", c.weightDecay)
	if c.maximize {
		b.WriteString(", maximize=true")
	}
	if c.l2Set {
		fmt.Fprintf(&b, ", lecture_l2=%g", c.lectureL2)
	}
	fmt.Fprintf(&b, ") over %d parameters", len(o.params))
	return b.String()
}

// Step updates every parameter that has a gradient; a parameter whose
// Grad is nil is skipped and its state (its step count too) stays as it is.
// Elementwise rules run over the parameter a chunk at a time; LAMB, whose
// update needs norms over the whole tensor, at once.
func (o *optimizer) Step() {
	var batch deviceBatch
	for i, p := range o.params {
		gt := p.Grad()
		if gt == nil {
			continue
		}
		n := p.Len()
		if gt.Len() != n {
			fail(o.op()+": Step", "gradient of shape %v does not match parameter %d of shape %v", gt.Shape(), i, p.Shape())
		}
		s := &o.state[i]
		s.step++
		if o.deviceStep(&batch, i, p, gt) {
			continue
		}
		if o.plainSGD(i) { // θ ← θ − η·g in one pass, the same arithmetic
			alpha := -o.lr
			if o.c.maximize {
				alpha = o.lr
			}
			p.AssignAddScaled(alpha, gt)
			continue
		}
		o.initState(s, n)
		chunk := stepChunk
		if o.kind == kindLAMB {
			chunk = n
		}
		for off := 0; off < n; off += chunk {
			th, g := o.scratch(min(chunk, n-off))
			p.ReadFloat64s(off, th)
			gt.ReadFloat64s(off, g)
			if o.c.maximize {
				for j := range g {
					g[j] = -g[j]
				}
			}
			if lambda := o.c.lectureL2; lambda != 0 && !o.exempt[i] {
				for j := range g {
					g[j] += lambda * th[j]
				}
			}
			switch o.kind {
			case kindSGD:
				o.sgd(th, g, s, off)
			case kindAdagrad:
				o.adagrad(th, g, s, off)
			case kindRMSProp:
				o.rmsprop(th, g, s, off)
			case kindAdam, kindAdamW:
				o.adam(th, g, s, off)
			case kindLAMB:
				o.lamb(th, g, s)
			}
			p.AssignFloat64s(off, th)
		}
	}
	batch.run()
}

// plainSGD reports whether parameter i's step is SGD without momentum,
// weight decay or L2 term: θ − η·g (θ + η·g to maximize), which
// AssignAddScaled computes as the general path does, in float64.
func (o *optimizer) plainSGD(i int) bool {
	c := &o.c
	return o.kind == kindSGD && c.momentum == 0 && c.weightDecay == 0 && (c.lectureL2 == 0 || o.exempt[i])
}

// initState makes the state buffers of a parameter of n elements that
// this step needs and does not have yet.
func (o *optimizer) initState(s *paramState, n int) {
	c := &o.c
	s.fresh = false
	switch o.kind {
	case kindSGD:
		if c.momentum != 0 && s.momentumBuffer == nil {
			s.momentumBuffer, s.fresh = make([]float64, n), true
		}
	case kindAdagrad:
		if s.sum == nil {
			s.sum = filled(n, c.initialAccumulator)
		}
	case kindRMSProp:
		if s.squareAvg == nil {
			s.squareAvg = make([]float64, n)
		}
		if c.centered && s.gradAvg == nil {
			s.gradAvg = make([]float64, n)
		}
		if c.momentum > 0 && s.momentumBuffer == nil {
			s.momentumBuffer = make([]float64, n)
		}
	case kindAdam, kindAdamW, kindLAMB:
		if s.expAvg == nil {
			s.expAvg, s.expAvgSq = make([]float64, n), make([]float64, n)
		}
		if c.amsgrad && s.maxExpAvgSq == nil {
			s.maxExpAvgSq = make([]float64, n)
		}
	}
}

// The rules below follow PyTorch 1.13's single-tensor implementations
// (torch/optim/*.py, _single_tensor_*) operation by operation, so that
// float64 results agree to rounding.

func (o *optimizer) sgd(th, g []float64, s *paramState, off int) {
	c, lr := &o.c, o.lr
	var buf []float64
	if c.momentum != 0 {
		buf = s.momentumBuffer[off : off+len(th)]
	}
	for j := range th {
		d := g[j]
		if c.weightDecay != 0 {
			d += c.weightDecay * th[j]
		}
		if c.momentum != 0 {
			b := &buf[j]
			if s.fresh {
				*b = d
			} else {
				*b = *b*c.momentum + (1-c.dampening)*d
			}
			if c.nesterov {
				d += c.momentum * *b
			} else {
				d = *b
			}
		}
		th[j] -= lr * d
	}
}

func (o *optimizer) adagrad(th, g []float64, s *paramState, off int) {
	c := &o.c
	sum := s.sum[off : off+len(th)]
	clr := o.lr / (1 + float64(s.step-1)*c.lrDecay)
	for j := range th {
		d := g[j]
		if c.weightDecay != 0 {
			d += c.weightDecay * th[j]
		}
		sum[j] += d * d
		std := math.Sqrt(sum[j]) + c.eps
		th[j] -= clr * d / std
	}
}

func (o *optimizer) rmsprop(th, g []float64, s *paramState, off int) {
	c, lr := &o.c, o.lr
	n := len(th)
	sq := s.squareAvg[off : off+n]
	var ga, mb []float64
	if c.centered {
		ga = s.gradAvg[off : off+n]
	}
	if c.momentum > 0 {
		mb = s.momentumBuffer[off : off+n]
	}
	for j := range th {
		d := g[j]
		if c.weightDecay != 0 {
			d += c.weightDecay * th[j]
		}
		sq[j] = sq[j]*c.alpha + (1-c.alpha)*d*d
		var avg float64
		if c.centered {
			ga[j] = ga[j]*c.alpha + (1-c.alpha)*d
			avg = math.Sqrt(sq[j] - ga[j]*ga[j])
		} else {
			avg = math.Sqrt(sq[j])
		}
		avg += c.eps
		if c.momentum > 0 {
			mb[j] = mb[j]*c.momentum + d/avg
			th[j] -= lr * mb[j]
		} else {
			th[j] -= lr * d / avg
		}
	}
}

// moments updates Adam's moment averages of the elements from off on with
// d and returns them and the bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ.
func (o *optimizer) moments(d []float64, s *paramState, off int) (m, v []float64, bc1, bc2 float64) {
	c := &o.c
	m, v = s.expAvg[off:off+len(d)], s.expAvgSq[off:off+len(d)]
	for j, g := range d {
		m[j] = m[j]*c.beta1 + (1-c.beta1)*g
		v[j] = v[j]*c.beta2 + (1-c.beta2)*g*g
	}
	t := float64(s.step)
	return m, v, 1 - math.Pow(c.beta1, t), 1 - math.Pow(c.beta2, t)
}

func (o *optimizer) adam(th, g []float64, s *paramState, off int) {
	c, lr := &o.c, o.lr
	if o.kind == kindAdamW {
		f := 1 - lr*c.weightDecay
		for j := range th {
			th[j] *= f
		}
	} else if c.weightDecay != 0 {
		for j := range g {
			g[j] += c.weightDecay * th[j]
		}
	}
	m, v, bc1, bc2 := o.moments(g, s, off)
	stepSize, bc2Sqrt := lr/bc1, math.Sqrt(bc2)
	if c.amsgrad {
		mx := s.maxExpAvgSq[off : off+len(th)]
		for j := range v {
			mx[j] = max(mx[j], v[j])
		}
		v = mx
	}
	for j := range th {
		denom := math.Sqrt(v[j])/bc2Sqrt + c.eps
		th[j] -= stepSize * m[j] / denom
	}
}

// lamb updates the whole parameter at once: the trust ratio needs the
// norms of the parameter and of the update. The update is built in g.
func (o *optimizer) lamb(th, g []float64, s *paramState) {
	c := &o.c
	m, v, bc1, bc2 := o.moments(g, s, 0)
	u := g
	for j := range th {
		mHat, vHat := m[j]/bc1, v[j]/bc2
		u[j] = mHat/(math.Sqrt(vHat)+c.eps) + c.weightDecay*th[j]
	}
	trust := 1.0
	if wn, un := norm(th), norm(u); wn > 0 && un > 0 {
		trust = wn / un
	}
	for j := range th {
		th[j] -= o.lr * trust * u[j]
	}
}

func norm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

func filled(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// State returns a copy of opt's state for parameter p as Float64 tensors of
// p's shape under PyTorch's state names: "step" (a scalar), and as the rule
// needs them "momentum_buffer" (SGD, RMSProp), "sum" (Adagrad),
// "square_avg" and "grad_avg" (RMSProp), "exp_avg", "exp_avg_sq" and
// "max_exp_avg_sq" (Adam, AdamW, LAMB). It returns nil when p has no state
// yet (no step has updated it), when p is not one of opt's parameters, or
// when opt does not come from this package.
func State(opt Optimizer, p *dl.Tensor) map[string]*dl.Tensor {
	o, ok := opt.(*optimizer)
	if !ok {
		return nil
	}
	i := slices.Index(o.params, p)
	if i < 0 || o.state[i].step == 0 {
		return nil
	}
	s := &o.state[i]
	m := map[string]*dl.Tensor{"step": dl.Float64.Scalar(float64(s.step))}
	for name, t := range map[string]*dl.Tensor{
		"momentum_buffer": s.dev.momentumBuffer, "exp_avg": s.dev.expAvg,
		"exp_avg_sq": s.dev.expAvgSq, "max_exp_avg_sq": s.dev.maxExpAvgSq,
	} {
		if t != nil {
			m[name] = t.To(dl.CPU).AsType(dl.Float64)
		}
	}
	for name, buf := range map[string][]float64{
		"momentum_buffer": s.momentumBuffer, "sum": s.sum,
		"square_avg": s.squareAvg, "grad_avg": s.gradAvg,
		"exp_avg": s.expAvg, "exp_avg_sq": s.expAvgSq, "max_exp_avg_sq": s.maxExpAvgSq,
	} {
		if buf == nil {
			continue
		}
		if p.Rank() == 0 {
			m[name] = dl.Float64.Scalar(buf[0])
		} else {
			m[name] = dl.FromSlice(slices.Clone(buf), p.Shape()...)
		}
	}
	return m
}
