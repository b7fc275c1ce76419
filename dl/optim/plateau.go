package optim

import (
	"fmt"
	"github.com/gradbook/gradbook/internal/option"
	"math"
)

// PlateauSchedule lowers the learning rate when a metric stops improving,
// as PyTorch's ReduceLROnPlateau. It is the one schedule that is not a
// function of the step: it depends on the metrics it has observed. LR(step)
// returns the current rate whatever the step, so Preview shows a constant;
// feed it a metric with Observe after each step or epoch. Make one with
// ReduceOnPlateau.
type PlateauSchedule struct {
	lr, factor         float64
	patience, cooldown int
	maximize, absolute bool
	threshold          float64
	minLR, eps         float64

	best            float64
	badSteps        int
	cooldownCounter int
}

// PlateauOption changes a ReduceOnPlateau schedule's defaults: PlateauMax,
// PlateauThreshold, PlateauAbsThreshold, PlateauCooldown, PlateauMinLR,
// PlateauEps. Each is a value of a small type of this package, and only
// these options are PlateauOptions: an optimizer's option passed to
// ReduceOnPlateau does not compile.
type PlateauOption interface{ applyPlateau(*PlateauSchedule) }

// PlateauMax makes the schedule wait for the metric to stop rising
// (mode='max', for an accuracy) rather than falling (the default, for a
// loss). For ReduceOnPlateau.
func PlateauMax() plateauMax { return plateauMax{} }

type plateauMax struct{}

func (plateauMax) applyPlateau(s *PlateauSchedule) { s.maximize = true }

// PlateauThreshold sets the relative improvement t ≥ 0 that counts: a loss
// must fall below best·(1 − t), an accuracy rise above best·(1 + t)
// (threshold_mode='rel'; default t = 1e-4). For ReduceOnPlateau.
func PlateauThreshold(t float64) plateauThreshold { return plateauThreshold{t, false} }

// PlateauAbsThreshold sets an absolute improvement t ≥ 0 that counts: a
// loss must fall below best − t, an accuracy rise above best + t
// (threshold_mode='abs'). For ReduceOnPlateau.
func PlateauAbsThreshold(t float64) plateauThreshold { return plateauThreshold{t, true} }

type plateauThreshold struct {
	t        float64
	absolute bool
}

func (t plateauThreshold) applyPlateau(s *PlateauSchedule) { s.threshold, s.absolute = t.t, t.absolute }

// PlateauCooldown sets the number n ≥ 0 of observations after a reduction
// during which bad ones are not counted (default 0). For ReduceOnPlateau.
func PlateauCooldown(n int) plateauCooldown { return plateauCooldown(n) }

type plateauCooldown int

func (n plateauCooldown) applyPlateau(s *PlateauSchedule) { s.cooldown = int(n) }

// PlateauMinLR sets the rate lr ≥ 0 below which the schedule does not go
// (default 0). For ReduceOnPlateau.
func PlateauMinLR(lr float64) plateauMinLR { return plateauMinLR(lr) }

type plateauMinLR float64

func (lr plateauMinLR) applyPlateau(s *PlateauSchedule) { s.minLR = float64(lr) }

// PlateauEps sets the smallest change of rate worth making: a reduction
// smaller than eps ≥ 0 is skipped (default 1e-8). For ReduceOnPlateau.
func PlateauEps(eps float64) plateauEps { return plateauEps(eps) }

type plateauEps float64

func (e plateauEps) applyPlateau(s *PlateauSchedule) { s.eps = float64(e) }

// ReduceOnPlateau returns a schedule that starts at lr and multiplies the
// rate by factor (in [0, 1)) when the metric has not improved for more
// than patience observations in a row, as PyTorch's ReduceLROnPlateau
// with its defaults (mode 'min', threshold 1e-4 relative, cooldown 0,
// min_lr 0, eps 1e-8; PyTorch's own defaults for factor and patience are
// 0.1 and 10).
func ReduceOnPlateau(lr, factor float64, patience int, opts ...PlateauOption) *PlateauSchedule {
	const op = "optim.ReduceOnPlateau"
	s := &PlateauSchedule{lr: lr, factor: factor, patience: patience, threshold: 1e-4, eps: 1e-8}
	option.Apply(op, s, opts, PlateauOption.applyPlateau)
	checkLR(op, lr)
	checkRange(op, "factor", factor, 0, 1, false)
	if patience < 0 {
		fail(op, "patience %d is negative", patience)
	}
	if s.cooldown < 0 {
		fail(op, "cooldown %d is negative", s.cooldown)
	}
	checkRange(op, "threshold", s.threshold, 0, inf, true)
	checkRange(op, "min LR", s.minLR, 0, inf, true)
	checkRange(op, "eps", s.eps, 0, inf, true)
	s.best = math.Inf(1)
	if s.maximize {
		s.best = math.Inf(-1)
	}
	return s
}

// LR returns the current learning rate, whatever the step.
func (s *PlateauSchedule) LR(step int) float64 {
	if step < 0 {
		fail("optim.ReduceOnPlateau", "step %d is negative", step)
	}
	return s.lr
}

// Best returns the best metric observed so far (+Inf, or −Inf with
// PlateauMax, before any).
func (s *PlateauSchedule) Best() float64 { return s.best }

// Observe records a metric (a validation loss, say) and lowers the rate
// when it has not improved for more than patience observations, exactly
// as PyTorch's ReduceLROnPlateau.step(metric). A NaN metric counts as no
// improvement.
func (s *PlateauSchedule) Observe(metric float64) {
	if s.better(metric) {
		s.best, s.badSteps = metric, 0
	} else {
		s.badSteps++
	}
	if s.cooldownCounter > 0 {
		s.cooldownCounter--
		s.badSteps = 0
	}
	if s.badSteps > s.patience {
		if lr := max(s.lr*s.factor, s.minLR); s.lr-lr > s.eps {
			s.lr = lr
		}
		s.cooldownCounter, s.badSteps = s.cooldown, 0
	}
}

func (s *PlateauSchedule) better(a float64) bool {
	switch {
	case !s.maximize && !s.absolute:
		return a < s.best*(1-s.threshold)
	case !s.maximize:
		return a < s.best-s.threshold
	case !s.absolute:
		return a > s.best*(s.threshold+1)
	}
	return a > s.best+s.threshold
}

// String describes the schedule and its state under PyTorch's names.
func (s *PlateauSchedule) String() string {
	mode, tmode := "min", "rel"
	if s.maximize {
		mode = "max"
	}
	if s.absolute {
		tmode = "abs"
	}
	return fmt.Sprintf("ReduceLROnPlateau(lr=%g, mode=%s, factor=%g, patience=%d, threshold=%g, threshold_mode=%s, cooldown=%d, min_lr=%g, best=%g)",
		s.lr, mode, s.factor, s.patience, s.threshold, tmode, s.cooldown, s.minLR, s.best)
}
