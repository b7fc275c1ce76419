package viz

import (
	"fmt"

	"gonum.org/v1/plot"

	"github.com/gradbook/gradbook/dl/optim"
)

// Schedule previews a learning-rate schedule over steps steps (from 0),
// as optim.Preview computes it, before any training. A schedule that also
// cycles the momentum (optim.OneCycle) gets a second panel for it. The
// title is the schedule's own description when it has one (its String
// method, under PyTorch's names). Log puts the rate on a log scale.
func Schedule(s optim.Schedule, steps int) *Figure {
	if steps < 1 {
		panicf("Schedule", "steps %d is not positive", steps)
	}
	title := "Learning-rate schedule"
	if st, ok := s.(fmt.Stringer); ok {
		title = st.String()
	}
	_, cycles := s.(interface{ Momentum(step int) float64 })
	h := 260.0
	if cycles {
		h = 400
	}
	return newFigure("schedule", title, 560, vgLen(h), func(cfg config) *layout {
		return buildSchedule(s, steps, cycles, cfg)
	})
}

func buildSchedule(s optim.Schedule, steps int, cycles bool, cfg config) *layout {
	lrs := optim.Preview(s, steps)
	xs := make([]float64, steps)
	for i := range xs {
		xs[i] = float64(i)
	}
	p := newPanel("", "step", "learning rate η")
	p.X.Tick.Marker = linearTicks{integer: true}
	p.X.Min, p.X.Max = 0, float64(steps)
	ys := lrs
	if cfg.log {
		useLog(&p.Y)
		ys = positive(lrs)
	} else {
		p.Y.Min = 0
	}
	style := lineStyle(playBlue, 2)
	addLine(p, xs, ys, style)
	if steps <= 40 {
		addPoints(p, xs, ys, dotStyle(playBlue))
	}
	rows := [][]*plot.Plot{{p}}
	if cycles {
		ms := s.(interface{ Momentum(step int) float64 })
		mv := make([]float64, steps)
		for i := range mv {
			mv[i] = ms.Momentum(i)
		}
		q := newPanel("", "step", "momentum")
		q.X.Tick.Marker = linearTicks{integer: true}
		q.X.Min, q.X.Max = p.X.Min, p.X.Max
		addLine(q, xs, mv, lineStyle(playOrange, 2))
		rows = append(rows, []*plot.Plot{q})
	}
	return &layout{rows: rows}
}
