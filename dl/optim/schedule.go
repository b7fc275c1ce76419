package optim

import (
	"fmt"
	"math"
	"slices"
)

// The schedules below are pure functions of the step, so Preview can draw
// them before training. Each matches the PyTorch scheduler of the same
// name, with PyTorch's epoch counter (last_epoch) read as the step here:
// LR(t) is the learning rate PyTorch's optimizer holds after t calls of
// scheduler.step(). Use a schedule by setting the rate before each step:
//
//	for step := range steps {
//		opt.SetLR(sched.LR(step))
//		... opt.Step()
//	}

// Preview returns s's learning rates for steps 0, 1, …, steps−1.
func Preview(s Schedule, steps int) []float64 {
	if steps < 0 {
		fail("optim.Preview", "steps %d is negative", steps)
	}
	out := make([]float64, steps)
	for i := range out {
		out[i] = s.LR(i)
	}
	return out
}

// schedule is a Schedule given by a formula.
type schedule struct {
	name string // "StepLR(lr=0.1, step_size=10, gamma=0.5)"
	op   string // "optim.Step"
	f    func(step int) float64
}

func (s *schedule) LR(step int) float64 {
	if step < 0 {
		fail(s.op, "step %d is negative", step)
	}
	return s.f(step)
}

func (s *schedule) String() string { return s.name }

func checkLR(op string, lr float64) {
	checkRange(op, "learning rate", lr, 0, inf, true)
}

// Constant returns the schedule that keeps lr at every step.
func Constant(lr float64) Schedule {
	checkLR("optim.Constant", lr)
	return &schedule{fmt.Sprintf("Constant(lr=%g)", lr), "optim.Constant",
		func(int) float64 { return lr }}
}

// Step returns lr·γ^⌊t/stepSize⌋: the rate drops by the factor gamma every
// stepSize steps, as PyTorch's StepLR.
func Step(lr float64, stepSize int, gamma float64) Schedule {
	const op = "optim.Step"
	checkLR(op, lr)
	if stepSize <= 0 {
		fail(op, "step size %d is not positive", stepSize)
	}
	checkRange(op, "gamma", gamma, 0, inf, true)
	return &schedule{fmt.Sprintf("StepLR(lr=%g, step_size=%d, gamma=%g)", lr, stepSize, gamma), op,
		func(t int) float64 { return lr * math.Pow(gamma, float64(t/stepSize)) }}
}

// MultiStep returns lr·γ^k where k is the number of milestones ≤ t (a
// milestone given twice counts twice), as PyTorch's MultiStepLR.
func MultiStep(lr float64, milestones []int, gamma float64) Schedule {
	const op = "optim.MultiStep"
	checkLR(op, lr)
	checkRange(op, "gamma", gamma, 0, inf, true)
	ms := slices.Clone(milestones)
	slices.Sort(ms)
	for _, m := range ms {
		if m < 0 {
			fail(op, "milestone %d is negative", m)
		}
	}
	return &schedule{fmt.Sprintf("MultiStepLR(lr=%g, milestones=%v, gamma=%g)", lr, ms, gamma), op,
		func(t int) float64 {
			k, _ := slices.BinarySearch(ms, t+1) // milestones ≤ t
			return lr * math.Pow(gamma, float64(k))
		}}
}

// Exponential returns lr·γᵗ, as PyTorch's ExponentialLR.
func Exponential(lr, gamma float64) Schedule {
	const op = "optim.Exponential"
	checkLR(op, lr)
	checkRange(op, "gamma", gamma, 0, inf, true)
	return &schedule{fmt.Sprintf("ExponentialLR(lr=%g, gamma=%g)", lr, gamma), op,
		func(t int) float64 { return lr * math.Pow(gamma, float64(t)) }}
}

// CosineAnnealing returns η_min + (lr − η_min)(1 + cos(πt/tMax))/2, which
// falls from lr at step 0 to etaMin at step tMax, as PyTorch's
// CosineAnnealingLR. Past tMax it rises again (the cosine's period is
// 2·tMax), as PyTorch's does.
func CosineAnnealing(lr float64, tMax int, etaMin float64) Schedule {
	const op = "optim.CosineAnnealing"
	checkLR(op, lr)
	if tMax <= 0 {
		fail(op, "tMax %d is not positive", tMax)
	}
	checkRange(op, "etaMin", etaMin, 0, inf, true)
	return &schedule{fmt.Sprintf("CosineAnnealingLR(lr=%g, T_max=%d, eta_min=%g)", lr, tMax, etaMin), op,
		func(t int) float64 {
			return etaMin + (lr-etaMin)*(1+math.Cos(math.Pi*float64(t)/float64(tMax)))/2
		}}
}

// WarmupCosine returns a linear warm-up from 0 to lr over warmupSteps steps
// followed by a cosine decay to minLR at totalSteps, after which the rate
// stays at minLR:
//
//	LR(t) = lr·t/warmupSteps                                for t < warmupSteps
//	LR(t) = minLR + (lr − minLR)(1 + cos(πp))/2,  p = (t − warmupSteps)/(totalSteps − warmupSteps)
//	LR(t) = minLR                                           for t ≥ totalSteps
//
// The first step (t = 0) has rate 0, as in Hugging Face's
// get_cosine_schedule_with_warmup (which is this schedule with minLR 0).
func WarmupCosine(lr float64, warmupSteps, totalSteps int, minLR float64) Schedule {
	const op = "optim.WarmupCosine"
	checkLR(op, lr)
	if warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps {
		fail(op, "want 0 ≤ warmupSteps ≤ totalSteps and totalSteps > 0, got %d and %d", warmupSteps, totalSteps)
	}
	checkRange(op, "minLR", minLR, 0, lr, true)
	return &schedule{fmt.Sprintf("WarmupCosine(lr=%g, warmup_steps=%d, total_steps=%d, min_lr=%g)", lr, warmupSteps, totalSteps, minLR), op,
		func(t int) float64 {
			switch {
			case t < warmupSteps:
				return lr * float64(t) / float64(warmupSteps)
			case t >= totalSteps:
				return minLR
			}
			p := float64(t-warmupSteps) / float64(totalSteps-warmupSteps)
			return minLR + (lr-minLR)*(1+math.Cos(math.Pi*p))/2
		}}
}
