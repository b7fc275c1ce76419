package dl

import (
	"sync"

	"github.com/gradbook/gradbook/dl/cpu"
)

// StepRule is an optimizer's update with its hyper-parameters; package
// cpu defines each rule once (cpu.StepRule) and every backend runs it.
type StepRule = cpu.StepRule

// StepAll applies rule's update in place to the parameters ps with
// gradients gs and state buffers states (rule.States() names them; each
// has its parameter's shape, dtype and device), all on one device and of
// one dtype: a device may update them all with one kernel, as PyTorch's
// multi-tensor optimizers do. Package optim calls it.
func StepAll(rule StepRule, ps, gs []*Tensor, states [][]*Tensor) {
	if len(ps) == 0 {
		return
	}
	b, d := ps[0].backend(), ps[0].dtype
	want := len(rule.States())
	sc := stepScratch.Get().(*stepLists)
	defer stepScratch.Put(sc)
	pm, gm, sm := sc.ps[:0], sc.gs[:0], sc.states[:0]
	sc.used = 0
	for i, p := range ps {
		g := gs[i]
		if !same(p.backend(), b) || p.dtype != d {
			panicf("Step", "parameter %v %v on %v is not on %v in %v as the first", p.shape, p.dtype, p.Device(), b, d)
		}
		if !same(g.backend(), b) {
			panicf("Step", "gradient %v on %v for parameter %v on %v", g.shape, g.Device(), p.shape, b)
		}
		if g.dtype != p.dtype || g.Len() != p.Len() {
			panicf("Step", "gradient %v %v does not match parameter %v %v", g.shape, g.dtype, p.shape, p.dtype)
		}
		if len(states[i]) != want {
			panicf("Step", "%d state buffers for %v, which keeps %d", len(states[i]), rule.Kind, want)
		}
		mems := sc.take(len(states[i]))
		for j, s := range states[i] {
			if !same(s.backend(), b) || s.Len() != p.Len() || s.dtype != p.dtype {
				panicf("Step", "state %d of shape %v %v on %v does not match parameter %v %v on %v", j, s.shape, s.dtype, s.Device(), p.shape, p.dtype, p.Device())
			}
			mems[j] = s.data
		}
		p.hasLiteral = false
		if p.Len() == 0 {
			continue
		}
		pm, gm, sm = append(pm, p.data), append(gm, g.data), append(sm, mems)
	}
	if len(pm) > 0 {
		run(b).Step(rule, pm, gm, sm)
	}
	clear(pm)
	clear(gm)
	clear(sm)
	clear(sc.flat) // hold no memory between steps
	sc.ps, sc.gs, sc.states = pm, gm, sm
}

// stepLists is StepAll's scratch, recycled so that a step allocates
// nothing once its lists have grown.
type stepLists struct {
	ps, gs []*Memory
	states [][]*Memory
	flat   []*Memory // the states' memories, end to end
	used   int
}

// take returns the next n elements of flat for one parameter's states.
func (s *stepLists) take(n int) []*Memory {
	if s.used+n > len(s.flat) {
		s.flat = make([]*Memory, 2*(s.used+n))
		s.used = 0
	}
	m := s.flat[s.used : s.used+n : s.used+n]
	s.used += n
	return m
}

var stepScratch = sync.Pool{New: func() any { return new(stepLists) }}
