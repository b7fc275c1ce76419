package dl

import "math"

// StepRule is one elementwise optimizer update with its hyper-parameters,
// as package optim computes them on the host, for Backend.Step:
//
//	g′ = (maximize ? −g : g) + L2·θ + WeightDecay·θ (coupled decay)
//	SGD:  b = Step1 ? g′ : Momentum·b + (1−Dampening)·g′; d = Nesterov ? g′ + Momentum·b : b (b = g′ without momentum); θ −= LR·d
//	Adam: θ ·= 1 − LR·DecoupledDecay; m = β₁m + (1−β₁)g′; v = β₂v + (1−β₂)g′²;
//	      vmax = max(vmax, v) (AMSGrad); θ −= LR·m/(1−β₁ᵗ) / (√v̂/√(1−β₂ᵗ) + Eps)
//
// state holds the rule's buffers in the parameter's dtype: [b] for SGD
// with momentum, [m v] for Adam, [m v vmax] with AMSGrad.
type StepRule struct {
	Kind                string // "sgd" or "adam"
	LR, WeightDecay, L2 float64
	Maximize            bool
	Momentum, Dampening float64
	Nesterov, FirstStep bool
	Beta1, Beta2, Eps   float64
	DecoupledDecay      float64 // AdamW's decay, applied before the step
	Step                int     // t, counted from 1
	AMSGrad             bool
}

// Step applies one optimizer update in place to the device parameter p
// with gradient g and the rule's state buffers (tensors of p's shape,
// dtype and device), by the device's fused kernel. It reports false,
// changing nothing, when p is on the CPU: the caller then computes the
// step itself. A device without the kernel computes it through main
// memory.
func Step(rule StepRule, p, g *Tensor, state []*Tensor) bool {
	return StepAll(rule, []*Tensor{p}, []*Tensor{g}, [][]*Tensor{state})
}

// StepAll is Step for several parameters under one rule, on one device
// and of one dtype: a device may update them all with one kernel, as
// PyTorch's multi-tensor optimizers do.
func StepAll(rule StepRule, ps, gs []*Tensor, states [][]*Tensor) bool {
	if len(ps) == 0 || ps[0].backend() == nil {
		return false
	}
	b, d := ps[0].backend(), ps[0].dtype
	pm, gm := make([]*DeviceMemory, 0, len(ps)), make([]*DeviceMemory, 0, len(ps))
	sm := make([][]*DeviceMemory, 0, len(ps))
	for i, p := range ps {
		g := gs[i]
		if p.backend() != b || p.dtype != d {
			panicf("Step", "parameter %v %v on %v is not on %v in %v as the first", p.shape, p.dtype, p.Device(), b, d)
		}
		deviceOf("Step", p, g)
		if g.dtype != p.dtype || g.Len() != p.Len() {
			panicf("Step", "gradient %v %v does not match parameter %v %v", g.shape, g.dtype, p.shape, p.dtype)
		}
		mems := make([]*DeviceMemory, len(states[i]))
		for j, s := range states[i] {
			if s.backend() != b || s.Len() != p.Len() || s.dtype != p.dtype {
				panicf("Step", "state %d of shape %v %v on %v does not match parameter %v %v on %v", j, s.shape, s.dtype, s.Device(), p.shape, p.dtype, p.Device())
			}
			mems[j] = s.mem()
		}
		p.hasLiteral = false
		if p.Len() == 0 {
			continue
		}
		pm, gm, sm = append(pm, p.mem()), append(gm, g.mem()), append(sm, mems)
	}
	if len(pm) > 0 && !b.Step(rule, pm, gm, sm) {
		for i, p := range ps {
			stepOnHost(rule, p, gs[i], states[i])
		}
	}
	return true
}

// stepOnHost computes rule's update on host copies and writes the
// parameter and state back: the path of a backend without the kernel.
func stepOnHost(rule StepRule, p, g *Tensor, state []*Tensor) {
	th, gv := hostOf(p).Float64s(), hostOf(g).Float64s()
	st := make([][]float64, len(state))
	for i, s := range state {
		st[i] = hostOf(s).Float64s()
	}
	round := func(v float64) float64 {
		if p.dtype == Float32 {
			return float64(float32(v))
		}
		return v
	}
	c1 := 1 - math.Pow(rule.Beta1, float64(rule.Step))
	c2 := 1 - math.Pow(rule.Beta2, float64(rule.Step))
	for i := range th {
		gi := gv[i]
		if rule.Maximize {
			gi = -gi
		}
		gi += (rule.L2 + rule.WeightDecay) * th[i]
		switch rule.Kind {
		case "sgd":
			d := gi
			if rule.Momentum != 0 {
				b := gi
				if !rule.FirstStep {
					b = rule.Momentum*st[0][i] + (1-rule.Dampening)*gi
				}
				st[0][i] = round(b)
				d = st[0][i]
				if rule.Nesterov {
					d = gi + rule.Momentum*st[0][i]
				}
			}
			th[i] -= rule.LR * d
		case "adam":
			th[i] *= 1 - rule.LR*rule.DecoupledDecay
			st[0][i] = round(rule.Beta1*st[0][i] + (1-rule.Beta1)*gi)
			st[1][i] = round(rule.Beta2*st[1][i] + (1-rule.Beta2)*gi*gi)
			v := st[1][i]
			if rule.AMSGrad {
				st[2][i] = max(st[2][i], v)
				v = st[2][i]
			}
			th[i] -= rule.LR / c1 * st[0][i] / (math.Sqrt(v)/math.Sqrt(c2) + rule.Eps)
		default:
			panicf("Step", "unknown rule %q (want sgd or adam)", rule.Kind)
		}
	}
	writeBack(p, FromSlice(th, p.shape...).AsType(p.dtype))
	for i, s := range state {
		writeBack(s, FromSlice(st[i], s.shape...).AsType(s.dtype))
	}
}
