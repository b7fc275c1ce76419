package cpu

import (
	"math"
	"slices"
)

// StepKind names an optimizer's update rule.
type StepKind uint8

// The update rules, as PyTorch 1.13's single-tensor implementations
// compute them (torch/optim/*.py), operation by operation.
const (
	SGD     StepKind = iota // plain, with momentum (and dampening), or Nesterov
	Adagrad                 // a per-element sum of squared gradients
	RMSProp                 // a running mean of g², optionally centered, with momentum
	Adam                    // moment averages with bias correction, optionally AMSGrad
	AdamW                   // Adam with decoupled weight decay
	LAMB                    // Adam's update scaled per tensor by the trust ratio ‖θ‖/‖u‖
)

var stepNames = [...]string{SGD: "SGD", Adagrad: "Adagrad", RMSProp: "RMSProp", Adam: "Adam", AdamW: "AdamW", LAMB: "LAMB"}

// String names the rule, e.g. "Adam".
func (k StepKind) String() string { return stepNames[k] }

// StepRule is one optimizer update with its hyper-parameters: the one
// definition every backend runs (Step here; a device's kernel is checked
// against it). For a gradient g of parameter θ at step t (from 1):
//
//	g ← (Maximize ? −g : g) + L2·θ                      (the lecture's L2)
//	SGD:     g += WeightDecay·θ; b ← FirstStep ? g : Momentum·b + (1−Dampening)·g;
//	         d ← Nesterov ? g + Momentum·b : b (d = g without momentum); θ −= LR·d
//	Adagrad: g += WeightDecay·θ; s += g²; θ −= LR/(1 + (t−1)·LRDecay) · g/(√s + Eps)
//	RMSProp: g += WeightDecay·θ; v ← Alpha·v + (1−Alpha)g²; with Centered ḡ ← Alpha·ḡ + (1−Alpha)g,
//	         a ← √(v − ḡ²) + Eps, else √v + Eps; with momentum b ← Momentum·b + g/a, θ −= LR·b, else θ −= LR·g/a
//	Adam:    g += WeightDecay·θ; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; v̂ ← max(v̂, v) with AMSGrad;
//	         θ −= LR/(1−β₁ᵗ) · m/(√v̂/√(1−β₂ᵗ) + Eps)
//	AdamW:   θ ← θ(1 − LR·WeightDecay), then Adam without weight decay
//	LAMB:    m, v as Adam; u ← (m/(1−β₁ᵗ))/(√(v/(1−β₂ᵗ)) + Eps) + WeightDecay·θ;
//	         θ −= LR·(‖θ‖/‖u‖)·u, the ratio 1 when either norm is 0
//
// The arithmetic is float64; the parameter and the state buffers are
// rounded to their dtype once per step. States lists the buffers.
type StepRule struct {
	Kind                StepKind
	LR, WeightDecay, L2 float64
	Maximize            bool
	Step                int // t, counted from 1

	Momentum, Dampening float64 // SGD, RMSProp (Momentum)
	Nesterov, FirstStep bool    // SGD; FirstStep: the momentum buffer is filled with g
	LRDecay             float64 // Adagrad
	Alpha               float64 // RMSProp
	Centered            bool    // RMSProp
	Beta1, Beta2, Eps   float64 // Adam, AdamW, LAMB (Eps also Adagrad, RMSProp)
	AMSGrad             bool    // Adam, AdamW
}

// States returns the names (PyTorch's) of the state buffers the rule
// keeps per parameter, in the order Step takes them; each has the
// parameter's length.
func (r StepRule) States() []string {
	switch r.Kind {
	case SGD:
		if r.Momentum != 0 {
			return momentumStates
		}
	case Adagrad:
		return sumStates
	case RMSProp:
		return rmspropStates[btoi(r.Centered)*2+btoi(r.Momentum > 0)]
	case Adam, AdamW:
		if r.AMSGrad {
			return amsgradStates
		}
		return adamStates
	case LAMB:
		return adamStates
	}
	return nil
}

var (
	momentumStates = []string{"momentum_buffer"}
	sumStates      = []string{"sum"}
	adamStates     = []string{"exp_avg", "exp_avg_sq"}
	amsgradStates  = []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	rmspropStates  = [4][]string{
		{"square_avg"}, {"square_avg", "momentum_buffer"},
		{"square_avg", "grad_avg"}, {"square_avg", "grad_avg", "momentum_buffer"},
	}
)

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Elementwise reports whether each element's update depends on that
// element alone; LAMB's trust ratio needs norms over the whole tensor
// first.
func (r StepRule) Elementwise() bool { return r.Kind != LAMB }

// Step applies rule to the parameter p with gradient g and the state
// buffers state (as States names them), in place.
func Step[T, S Float](rule *StepRule, p, g []T, state [][]S) {
	g = g[:len(p)]
	if rule.Kind == LAMB {
		stepLAMB(rule, p, g, state)
		return
	}
	// Each element's update is its own: large parameters split over the
	// CPUs without changing a result, except for θ − η·g, whose one
	// multiply-add an element is bound by memory, not by the CPU.
	if !rule.plain() && parallelWorth(8*len(p)) {
		stepParallel(*rule, p, g, slices.Clone(state))
		return
	}
	stepElements(rule, p, g, state)
}

// stepParallel is Step over ranges of the elements on every CPU. It takes
// its own state list: what its goroutines capture, Step's caller keeps on
// its stack.
func stepParallel[T, S Float](rule StepRule, p, g []T, state [][]S) {
	n := len(p)
	parallelFor(n, 8*n, func(lo, hi int) {
		part := make([][]S, len(state))
		for k, s := range state {
			part[k] = s[lo:hi]
		}
		stepElements(&rule, p[lo:hi], g[lo:hi], part)
	})
}

// stepElements is Step for the elementwise rules, one loop per rule.
func stepElements[T, S Float](r *StepRule, p, g []T, state [][]S) {
	switch r.Kind {
	case SGD:
		if r.plain() { // θ − η·g, the common case
			lr := r.LR
			if r.Maximize {
				lr = -lr
			}
			for i, v := range g {
				p[i] = T(float64(p[i]) - lr*float64(v))
			}
			return
		}
		for i := range p {
			th := float64(p[i])
			p[i] = T(stepSGD(r, th, r.grad(float64(g[i]), th), state, i))
		}
	case Adagrad:
		clr := r.LR / (1 + float64(r.Step-1)*r.LRDecay)
		for i := range p {
			th := float64(p[i])
			d := r.grad(float64(g[i]), th)
			state[0][i] = S(float64(state[0][i]) + d*d)
			p[i] = T(th - clr*d/(math.Sqrt(float64(state[0][i]))+r.Eps))
		}
	case RMSProp:
		for i := range p {
			th := float64(p[i])
			p[i] = T(stepRMSProp(r, th, r.grad(float64(g[i]), th), state, i))
		}
	case Adam, AdamW:
		t := float64(r.Step)
		c1, c2 := 1-math.Pow(r.Beta1, t), 1-math.Pow(r.Beta2, t)
		stepSize, c2Sqrt := r.LR/c1, math.Sqrt(c2)
		for i := range p {
			th := float64(p[i])
			d := r.grad(float64(g[i]), th)
			if r.Kind == AdamW {
				th *= 1 - r.LR*r.WeightDecay
			}
			m, v := moments(r, d, state, i)
			if r.AMSGrad {
				state[2][i] = max(state[2][i], S(v))
				v = float64(state[2][i])
			}
			p[i] = T(th - stepSize*m/(math.Sqrt(v)/c2Sqrt+r.Eps))
		}
	}
}

// plain reports whether the rule is SGD's θ − η·g: no momentum, weight
// decay or L2.
func (r *StepRule) plain() bool {
	return r.Kind == SGD && r.Momentum == 0 && r.L2 == 0 && r.WeightDecay == 0
}

// grad is the gradient the rule follows: maximized, with the lecture's L2
// and the coupled weight decay of the rules that add it to the gradient.
func (r *StepRule) grad(g, th float64) float64 {
	if r.Maximize {
		g = -g
	}
	if r.L2 != 0 {
		g += r.L2 * th
	}
	if r.WeightDecay != 0 && r.Kind != AdamW && r.Kind != LAMB {
		g += r.WeightDecay * th
	}
	return g
}

func stepSGD[S Float](r *StepRule, th, d float64, state [][]S, i int) float64 {
	if r.Momentum != 0 {
		b := d
		if !r.FirstStep {
			b = float64(state[0][i])*r.Momentum + (1-r.Dampening)*d
		}
		state[0][i] = S(b)
		b = float64(state[0][i])
		if r.Nesterov {
			d += r.Momentum * b
		} else {
			d = b
		}
	}
	return th - r.LR*d
}

func stepRMSProp[S Float](r *StepRule, th, d float64, state [][]S, i int) float64 {
	state[0][i] = S(float64(state[0][i])*r.Alpha + (1-r.Alpha)*d*d)
	sq, k := float64(state[0][i]), 1
	var avg float64
	if r.Centered {
		state[1][i] = S(float64(state[1][i])*r.Alpha + (1-r.Alpha)*d)
		ga := float64(state[1][i])
		avg, k = math.Sqrt(sq-ga*ga), 2
	} else {
		avg = math.Sqrt(sq)
	}
	avg += r.Eps
	if r.Momentum > 0 {
		state[k][i] = S(float64(state[k][i])*r.Momentum + d/avg)
		return th - r.LR*float64(state[k][i])
	}
	return th - r.LR*d/avg
}

// moments updates Adam's moment averages of element i with d and returns
// them as stored.
func moments[S Float](r *StepRule, d float64, state [][]S, i int) (m, v float64) {
	state[0][i] = S(float64(state[0][i])*r.Beta1 + (1-r.Beta1)*d)
	state[1][i] = S(float64(state[1][i])*r.Beta2 + (1-r.Beta2)*d*d)
	return float64(state[0][i]), float64(state[1][i])
}

// stepLAMB updates the moments and measures ‖θ‖ and ‖u‖ in one pass, then
// recomputes each u from the stored moments and takes the step.
func stepLAMB[T, S Float](r *StepRule, p, g []T, state [][]S) {
	t := float64(r.Step)
	c1, c2 := 1-math.Pow(r.Beta1, t), 1-math.Pow(r.Beta2, t)
	update := func(i int, th float64) float64 {
		mHat, vHat := float64(state[0][i])/c1, float64(state[1][i])/c2
		return mHat/(math.Sqrt(vHat)+r.Eps) + r.WeightDecay*th
	}
	var wn, un float64
	for i := range p {
		th := float64(p[i])
		moments(r, r.grad(float64(g[i]), th), state, i)
		u := update(i, th)
		wn += th * th
		un += u * u
	}
	trust := 1.0
	if wn, un = math.Sqrt(wn), math.Sqrt(un); wn > 0 && un > 0 {
		trust = wn / un
	}
	for i := range p {
		th := float64(p[i])
		p[i] = T(th - r.LR*trust*update(i, th))
	}
}
