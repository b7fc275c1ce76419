package optim

import "github.com/gradbook/gradbook/dl"

// On a device, SGD, Adam and AdamW step their parameters with fused
// kernels (dl.StepAll), all parameters that share a rule, device and
// dtype at once: the state lives beside the parameter, in its dtype, as
// PyTorch keeps it, and nothing comes back to main memory. The other rules
// (Adagrad, RMSProp, LAMB) take the host path, reading and writing the
// parameter through main memory.

// deviceState is a parameter's state on its device, by PyTorch's names.
type deviceState struct {
	momentumBuffer, expAvg, expAvgSq, maxExpAvgSq *dl.Tensor
}

// deviceBatch collects one Step's parameters that step on a device, by
// rule, device and dtype, in order of first appearance.
type deviceBatch struct {
	keys   []deviceKey
	groups map[deviceKey]*deviceGroup
}

type deviceKey struct {
	rule  dl.StepRule
	dev   dl.Device
	dtype dl.DType
}

type deviceGroup struct {
	ps, gs []*dl.Tensor
	states [][]*dl.Tensor
}

func (b *deviceBatch) add(rule dl.StepRule, p, g *dl.Tensor, state []*dl.Tensor) {
	k := deviceKey{rule, p.Device(), p.DType()}
	if b.groups == nil {
		b.groups = map[deviceKey]*deviceGroup{}
	}
	grp := b.groups[k]
	if grp == nil {
		grp = &deviceGroup{}
		b.groups[k] = grp
		b.keys = append(b.keys, k)
	}
	grp.ps, grp.gs, grp.states = append(grp.ps, p), append(grp.gs, g), append(grp.states, state)
}

// run steps every group.
func (b *deviceBatch) run() {
	for _, k := range b.keys {
		grp := b.groups[k]
		dl.StepAll(k.rule, grp.ps, grp.gs, grp.states)
	}
}

// deviceStep adds parameter i to batch when it steps on its device, and
// reports whether it does.
func (o *optimizer) deviceStep(batch *deviceBatch, i int, p, g *dl.Tensor) bool {
	if !p.OnDevice() || !(o.kind == kindSGD || o.kind == kindAdam || o.kind == kindAdamW) {
		return false
	}
	c, s := &o.c, &o.state[i]
	if g.Device() != p.Device() {
		fail(o.op()+": Step", "gradient on %v for parameter %d of shape %v on %v", g.Device(), i, p.Shape(), p.Device())
	}
	// from makes a state buffer on p's device: zeros, or the host state
	// that steps taken before p moved there left.
	from := func(host []float64) *dl.Tensor {
		if host == nil {
			return p.DType().Zeros(p.Shape()...).MoveTo(p.Device())
		}
		return dl.FromSlice(host, p.Shape()...).AsType(p.DType()).MoveTo(p.Device())
	}
	ds := &s.dev
	rule := dl.StepRule{LR: o.lr, Maximize: c.maximize, Step: s.step}
	if lambda := c.lectureL2; lambda != 0 && !o.exempt[i] {
		rule.L2 = lambda
	}
	var state []*dl.Tensor
	switch o.kind {
	case kindSGD:
		rule.Kind, rule.WeightDecay = "sgd", c.weightDecay
		rule.Momentum, rule.Dampening, rule.Nesterov = c.momentum, c.dampening, c.nesterov
		if c.momentum != 0 {
			if ds.momentumBuffer == nil {
				ds.momentumBuffer, rule.FirstStep = from(s.momentumBuffer), s.momentumBuffer == nil
				s.momentumBuffer = nil
			}
			state = []*dl.Tensor{ds.momentumBuffer}
		}
	default:
		rule.Kind, rule.Beta1, rule.Beta2, rule.Eps = "adam", c.beta1, c.beta2, c.eps
		if o.kind == kindAdamW {
			rule.DecoupledDecay = c.weightDecay
		} else {
			rule.WeightDecay = c.weightDecay
		}
		if ds.expAvg == nil {
			ds.expAvg, ds.expAvgSq = from(s.expAvg), from(s.expAvgSq)
			s.expAvg, s.expAvgSq = nil, nil
		}
		state = []*dl.Tensor{ds.expAvg, ds.expAvgSq}
		if c.amsgrad {
			if ds.maxExpAvgSq == nil {
				ds.maxExpAvgSq = from(s.maxExpAvgSq)
				s.maxExpAvgSq = nil
			}
			state = append(state, ds.maxExpAvgSq)
			rule.AMSGrad = true
		}
	}
	batch.add(rule, p, g, state)
	return true
}
