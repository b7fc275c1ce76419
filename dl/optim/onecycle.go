package optim

import (
	"fmt"
	"github.com/gradbook/gradbook/internal/option"
	"math"
)

// OneCycleSchedule is the 1cycle policy (Smith and Topin 2017) as
// PyTorch's OneCycleLR: the rate rises from maxLR/divFactor to maxLR over
// the first pctStart of the steps, then anneals to
// maxLR/(divFactor·finalDivFactor) at step totalSteps−1; the momentum
// moves the opposite way, between maxMomentum and baseMomentum. Make one
// with OneCycle.
type OneCycleSchedule struct {
	maxLR, pctStart, divFactor, finalDivFactor float64
	baseMomentum, maxMomentum                  float64
	totalSteps                                 int
	linear, threePhase                         bool
	phases                                     []cyclePhase
}

// cyclePhase is one of PyTorch's _schedule_phases: it ends at step end
// and anneals from (startLR, startMomentum) to (endLR, endMomentum).
type cyclePhase struct {
	end                          float64
	startLR, endLR, startM, endM float64
}

// OneCycleOption changes a OneCycle schedule's defaults: PctStart,
// DivFactor, FinalDivFactor, LinearAnneal, ThreePhase, CycleMomentum. Each
// is a value of a small type of this package, and only these options are
// OneCycleOptions: an optimizer's option passed to OneCycle does not
// compile.
type OneCycleOption interface{ applyOneCycle(*OneCycleSchedule) }

// PctStart sets the fraction p in [0, 1] of the steps spent raising the
// rate (default 0.3). For OneCycle.
func PctStart(p float64) pctStart { return pctStart(p) }

type pctStart float64

func (p pctStart) applyOneCycle(s *OneCycleSchedule) { s.pctStart = float64(p) }

// DivFactor sets the initial rate to maxLR/d, d > 0 (default 25). For
// OneCycle.
func DivFactor(d float64) divFactor { return divFactor(d) }

type divFactor float64

func (d divFactor) applyOneCycle(s *OneCycleSchedule) { s.divFactor = float64(d) }

// FinalDivFactor sets the final rate to the initial rate divided by d > 0
// (default 1e4). For OneCycle.
func FinalDivFactor(d float64) finalDivFactor { return finalDivFactor(d) }

type finalDivFactor float64

func (d finalDivFactor) applyOneCycle(s *OneCycleSchedule) { s.finalDivFactor = float64(d) }

// LinearAnneal anneals linearly instead of along a cosine
// (anneal_strategy='linear'). For OneCycle.
func LinearAnneal() linearAnneal { return linearAnneal{} }

type linearAnneal struct{}

func (linearAnneal) applyOneCycle(s *OneCycleSchedule) { s.linear = true }

// ThreePhase uses PyTorch's three-phase variant: up to maxLR, back down to
// the initial rate symmetrically, then down to the final rate. For
// OneCycle.
func ThreePhase() threePhase { return threePhase{} }

type threePhase struct{}

func (threePhase) applyOneCycle(s *OneCycleSchedule) { s.threePhase = true }

// CycleMomentum sets the momentum range, each end in [0, 1], that Momentum
// cycles through (default 0.85 and 0.95). For OneCycle.
func CycleMomentum(base, max float64) cycleMomentum { return cycleMomentum{base, max} }

type cycleMomentum struct{ base, max float64 }

func (m cycleMomentum) applyOneCycle(s *OneCycleSchedule) {
	s.baseMomentum, s.maxMomentum = m.base, m.max
}

// OneCycle returns the 1cycle schedule over totalSteps steps peaking at
// maxLR, with PyTorch's OneCycleLR defaults: PctStart 0.3, cosine
// annealing, DivFactor 25, FinalDivFactor 1e4, momentum cycled between
// 0.95 and 0.85. Past the last step (totalSteps−1) the rate stays at its
// final value (PyTorch raises instead).
func OneCycle(maxLR float64, totalSteps int, opts ...OneCycleOption) *OneCycleSchedule {
	const op = "optim.OneCycle"
	s := &OneCycleSchedule{maxLR: maxLR, totalSteps: totalSteps, pctStart: 0.3, divFactor: 25,
		finalDivFactor: 1e4, baseMomentum: 0.85, maxMomentum: 0.95}
	option.Apply(op, s, opts, OneCycleOption.applyOneCycle)
	checkLR(op, maxLR)
	if totalSteps <= 0 {
		fail(op, "total steps %d is not positive", totalSteps)
	}
	checkRange(op, "pctStart", s.pctStart, 0, 1, true)
	if !(s.divFactor > 0) || math.IsInf(s.divFactor, 1) {
		fail(op, "div factor %v is not positive", s.divFactor)
	}
	if !(s.finalDivFactor > 0) || math.IsInf(s.finalDivFactor, 1) {
		fail(op, "final div factor %v is not positive", s.finalDivFactor)
	}
	checkRange(op, "base momentum", s.baseMomentum, 0, 1, true)
	checkRange(op, "max momentum", s.maxMomentum, 0, 1, true)

	initial := maxLR / s.divFactor
	final := initial / s.finalDivFactor
	n := float64(totalSteps)
	lo, hi := s.baseMomentum, s.maxMomentum
	if s.threePhase {
		s.phases = []cyclePhase{
			{s.pctStart*n - 1, initial, maxLR, hi, lo},
			{2*s.pctStart*n - 2, maxLR, initial, lo, hi},
			{n - 1, initial, final, hi, hi},
		}
	} else {
		s.phases = []cyclePhase{
			{s.pctStart*n - 1, initial, maxLR, hi, lo},
			{n - 1, maxLR, final, lo, hi},
		}
	}
	return s
}

// LR returns the learning rate at step t.
func (s *OneCycleSchedule) LR(step int) float64 {
	ph, pct := s.phase(step)
	return s.anneal(ph.startLR, ph.endLR, pct)
}

// Momentum returns the momentum at step t (SGD's momentum, or β₁ of the
// Adam family), as PyTorch's OneCycleLR sets it with cycle_momentum.
// Apply it with an optimizer's SetMomentum (see MomentumSetter).
func (s *OneCycleSchedule) Momentum(step int) float64 {
	ph, pct := s.phase(step)
	return s.anneal(ph.startM, ph.endM, pct)
}

// phase finds step's phase and how far into it (0 to 1) the step is,
// as PyTorch's OneCycleLR.get_lr.
func (s *OneCycleSchedule) phase(step int) (cyclePhase, float64) {
	if step < 0 {
		fail("optim.OneCycle", "step %d is negative", step)
	}
	t := float64(min(step, s.totalSteps-1))
	start := 0.0
	for i, ph := range s.phases {
		if t <= ph.end || i == len(s.phases)-1 {
			if ph.end == start { // a phase of no steps (PyTorch divides by zero)
				return ph, 1
			}
			return ph, (t - start) / (ph.end - start)
		}
		start = ph.end
	}
	panic("unreachable")
}

func (s *OneCycleSchedule) anneal(start, end, pct float64) float64 {
	if s.linear {
		return (end-start)*pct + start
	}
	return end + (start-end)/2.0*(math.Cos(math.Pi*pct)+1)
}

// String describes the schedule under PyTorch's names.
func (s *OneCycleSchedule) String() string {
	strategy := "cos"
	if s.linear {
		strategy = "linear"
	}
	return fmt.Sprintf("OneCycleLR(max_lr=%g, total_steps=%d, pct_start=%g, anneal_strategy=%s, div_factor=%g, final_div_factor=%g, three_phase=%t)",
		s.maxLR, s.totalSteps, s.pctStart, strategy, s.divFactor, s.finalDivFactor, s.threePhase)
}
