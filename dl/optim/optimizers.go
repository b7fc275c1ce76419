package optim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
	"github.com/gradbook/gradbook/internal/option"
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

// SGD returns stochastic gradient descent with learning rate lr, as
// PyTorch's torch.optim.SGD. It takes Momentum, Dampening, Nesterov,
// WeightDecay, Maximize, LectureL2 and L2Exclude. With gradient g (plus
// λθ with WeightDecay(λ)), momentum μ and dampening τ, each step is
//
//	b ← g on the first step, μb + (1 − τ)g after
//	d ← g + μb with Nesterov, b with momentum, g without
//	θ ← θ − η·d
func SGD(params []*dl.Tensor, lr float64, opts ...SGDOption) Optimizer {
	return newOptimizer(kindSGD, params, lr, opts, SGDOption.applySGD)
}

// Adagrad returns Adagrad (Duchi et al. 2011) with learning rate lr, as
// PyTorch's torch.optim.Adagrad. It takes LRDecay, WeightDecay,
// InitialAccumulator, Eps (default 1e-10), Maximize, LectureL2 and
// L2Exclude. Each element keeps the sum of its squared gradients:
//
//	s ← s + g²,   θ ← θ − η/(1 + (t−1)·lr_decay) · g/(√s + ε)
func Adagrad(params []*dl.Tensor, lr float64, opts ...AdagradOption) Optimizer {
	return newOptimizer(kindAdagrad, params, lr, opts, AdagradOption.applyAdagrad)
}

// RMSProp returns RMSProp (Hinton's lecture notes) with learning rate lr, as
// PyTorch's torch.optim.RMSprop. It takes Alpha (default 0.99), Eps
// (default 1e-8), WeightDecay, Momentum, Centered, Maximize, LectureL2 and
// L2Exclude. Each step is
//
//	v ← αv + (1 − α)g²                      (a running mean of g²)
//	a ← √v + ε,  or √(v − ḡ²) + ε with Centered, where ḡ ← αḡ + (1 − α)g
//	θ ← θ − η·g/a,  or with momentum μ: b ← μb + g/a,  θ ← θ − η·b
func RMSProp(params []*dl.Tensor, lr float64, opts ...RMSPropOption) Optimizer {
	return newOptimizer(kindRMSProp, params, lr, opts, RMSPropOption.applyRMSProp)
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
func Adam(params []*dl.Tensor, lr float64, opts ...AdamOption) Optimizer {
	return newOptimizer(kindAdam, params, lr, opts, AdamOption.applyAdam)
}

// AdamW returns Adam with decoupled weight decay (Loshchilov and Hutter
// 2019) with learning rate lr, as PyTorch's torch.optim.AdamW: each step
// first shrinks the parameters, θ ← θ(1 − ηλ), with λ = WeightDecay
// (default 0.01), then takes Adam's step without weight decay. It takes
// the options Adam takes.
func AdamW(params []*dl.Tensor, lr float64, opts ...AdamOption) Optimizer {
	return newOptimizer(kindAdamW, params, lr, opts, AdamOption.applyAdam)
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
func LAMB(params []*dl.Tensor, lr float64, opts ...LAMBOption) Optimizer {
	return newOptimizer(kindLAMB, params, lr, opts, LAMBOption.applyLAMB)
}

// MomentumSetter is an optimizer whose momentum can change between steps,
// as OneCycle's momentum cycling needs. Every optimizer of this package
// implements it: SetMomentum sets the momentum of SGD and RMSProp and β₁
// of Adam, AdamW and LAMB; Adagrad has no momentum and panics.
type MomentumSetter interface {
	SetMomentum(m float64)
}

// optimizer is every optimizer of this package: the rule is picked by kind
// and defined once, in package cpu (cpu.StepRule), which every backend
// runs. The state (momentum buffers, moment averages) lives beside each
// parameter, on its device and in its dtype, as PyTorch keeps it; the
// arithmetic of a step is float64, rounded to the dtype once.
type optimizer struct {
	kind   kind
	params []*dl.Tensor
	lr     float64
	c      config
	exempt []bool // parameters LectureL2 leaves alone
	state  []paramState
	groups []*stepGroup // Step's, kept between steps
}

// paramState is the state of one parameter: its step count and its
// buffers, in the order its rule's States names them; nil until a step
// needs them.
type paramState struct {
	step    int
	buffers []*dl.Tensor
}

func (o *optimizer) name() string { return kindNames[o.kind] }
func (o *optimizer) op() string   { return "optim." + o.name() }

// newOptimizer makes an optimizer of kind k: it fills the kind's defaults,
// applies opts with apply and validates the result.
func newOptimizer[O any](k kind, params []*dl.Tensor, lr float64, opts []O, apply func(O, *config)) *optimizer {
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
	option.Apply(op, c, opts, apply)

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
// The parameters that share a rule, a device and a dtype step together:
// a device may update them all with one kernel.
func (o *optimizer) Step() {
	for _, grp := range o.groups {
		grp.ps, grp.gs, grp.states = grp.ps[:0], grp.gs[:0], grp.states[:0]
	}
	base := o.hyper()
	nstates := len(base.States())
	for i, p := range o.params {
		g := p.Grad()
		if g == nil {
			continue
		}
		if g.Len() != p.Len() {
			fail(o.op()+": Step", "gradient of shape %v does not match parameter %d of shape %v", g.Shape(), i, p.Shape())
		}
		dev := p.Device() // dl.StepAll checks that g is there too
		s := &o.state[i]
		s.step++
		k := o.keyOf(i, s, dev, p.DType())
		var states []*dl.Tensor
		if nstates > 0 {
			states = o.buffers(nstates, p, dev, s)
		}
		o.groupOf(&base, k).add(p, g, states)
	}
	for _, grp := range o.groups {
		if len(grp.ps) > 0 {
			dl.StepAll(grp.rule, grp.ps, grp.gs, grp.states)
		}
		clear(grp.ps[:cap(grp.ps)]) // hold no tensors between steps
		clear(grp.gs[:cap(grp.gs)])
		clear(grp.states[:cap(grp.states)])
	}
}

// stepKey is what tells the rules of one step's parameters apart: they
// share the hyper-parameters, not their step count, the lecture's L2 (not
// for biases) or whether SGD fills a new momentum buffer; and the
// parameters that step together share a device and a dtype.
type stepKey struct {
	step      int
	l2        float64
	firstStep bool
	dev       dl.Device
	dtype     dl.DType
}

// keyOf returns parameter i's key for its next step.
func (o *optimizer) keyOf(i int, s *paramState, dev dl.Device, dtype dl.DType) stepKey {
	k := stepKey{step: s.step, firstStep: s.buffers == nil, dev: dev, dtype: dtype}
	if lambda := o.c.lectureL2; lambda != 0 && !o.exempt[i] {
		k.l2 = lambda
	}
	return k
}

// stepGroup is the parameters of one step that share a rule, a device
// and a dtype. The groups are kept between steps, so that a step
// allocates nothing once they have grown.
type stepGroup struct {
	key    stepKey
	rule   cpu.StepRule
	ps, gs []*dl.Tensor
	states [][]*dl.Tensor
}

func (g *stepGroup) add(p, grad *dl.Tensor, states []*dl.Tensor) {
	g.ps, g.gs, g.states = append(g.ps, p), append(g.gs, grad), append(g.states, states)
}

// groupOf returns the group of this step for key, whose rule is base
// with the key's fields.
func (o *optimizer) groupOf(base *cpu.StepRule, k stepKey) *stepGroup {
	var free *stepGroup
	for _, g := range o.groups {
		if len(g.ps) > 0 && g.key == k {
			return g
		}
		if len(g.ps) == 0 && free == nil {
			free = g
		}
	}
	if free == nil {
		free = &stepGroup{}
		o.groups = append(o.groups, free)
	}
	free.key, free.rule = k, ruleFor(base, k)
	return free
}

// ruleFor returns base with the fields of key k.
func ruleFor(base *cpu.StepRule, k stepKey) cpu.StepRule {
	r := *base
	r.Step, r.L2 = k.step, k.l2
	r.FirstStep = k.firstStep && r.Kind == cpu.SGD && r.Momentum != 0
	return r
}

// rule returns parameter i's update rule for its next step.
func (o *optimizer) rule(i int, s *paramState) cpu.StepRule {
	base := o.hyper()
	return ruleFor(&base, o.keyOf(i, s, nil, 0))
}

// hyper returns the optimizer's rule with its hyper-parameters, the same
// for every parameter.
func (o *optimizer) hyper() cpu.StepRule {
	c := &o.c
	r := cpu.StepRule{LR: o.lr, WeightDecay: c.weightDecay, Maximize: c.maximize, Eps: c.eps}
	switch o.kind {
	case kindSGD:
		r.Kind, r.Momentum, r.Dampening, r.Nesterov = cpu.SGD, c.momentum, c.dampening, c.nesterov
		r.Eps = 0
	case kindAdagrad:
		r.Kind, r.LRDecay = cpu.Adagrad, c.lrDecay
	case kindRMSProp:
		r.Kind, r.Alpha, r.Centered, r.Momentum = cpu.RMSProp, c.alpha, c.centered, c.momentum
	case kindAdam, kindAdamW:
		r.Kind, r.Beta1, r.Beta2, r.AMSGrad = cpu.Adam, c.beta1, c.beta2, c.amsgrad
		if o.kind == kindAdamW {
			r.Kind = cpu.AdamW
		}
	case kindLAMB:
		r.Kind, r.Beta1, r.Beta2 = cpu.LAMB, c.beta1, c.beta2
	}
	return r
}

// buffers returns p's n state buffers, made on first use (zeros;
// Adagrad's sum starts at InitialAccumulator) and moved to p's device if p
// has moved since.
func (o *optimizer) buffers(n int, p *dl.Tensor, dev dl.Device, s *paramState) []*dl.Tensor {
	if s.buffers == nil {
		init := 0.0
		if o.kind == kindAdagrad {
			init = o.c.initialAccumulator
		}
		for range n {
			s.buffers = append(s.buffers, p.DType().Full(init, p.Shape()...).MoveTo(dev))
		}
	}
	for _, b := range s.buffers {
		b.MoveTo(dev)
	}
	return s.buffers
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
	for j, name := range o.rule(i, s).States() {
		if j < len(s.buffers) {
			m[name] = s.buffers[j].To(dl.CPU).AsType(dl.Float64).Detach()
		}
	}
	return m
}
