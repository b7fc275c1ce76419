package viz

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl/train"
)

// LossCurve plots training runs: the loss per step (faint) with its moving
// average, and the validation loss after each epoch (dashed, with dots);
// beside it the accuracy, the same way, when the runs measured one. Several
// runs are overlaid in distinct colours and named in the legend by their
// History.Name, for comparing step sizes, batch sizes or optimizers.
//
// The horizontal axis counts epochs, so runs with different batch sizes
// line up; ByStep counts optimizer steps instead. Log puts the loss on a
// log scale.
func LossCurve(runs ...*train.History) *Figure {
	return lossCurve(runs, 0)
}

// lossCurve is LossCurve with the number of steps per epoch known from
// elsewhere (the live view knows it before the first epoch ends); 0 when
// unknown.
func lossCurve(runs []*train.History, stepsPerEpoch int) *Figure {
	acc := false
	for _, h := range runs {
		acc = acc || hasAccuracy(h)
	}
	w, ht := 520.0, 270.0
	if acc {
		w = 800
	}
	f := newFigure("loss-curve", "", 0, 0, func(cfg config) *layout {
		return buildLossCurve(runs, stepsPerEpoch, acc, cfg)
	})
	if len(runs) == 1 && runs[0] != nil && runs[0].Name != "" {
		f.title = runs[0].Name
		ht += 18
	}
	return f.Size(w, ht)
}

func hasAccuracy(h *train.History) bool {
	if h == nil {
		return false
	}
	for _, e := range h.Epochs {
		if e.HasAccuracy {
			return true
		}
	}
	if len(h.Epochs) == 0 {
		for _, s := range h.Steps {
			if s.Accuracy != 0 {
				return true
			}
		}
	}
	return false
}

// maxCurvePoints bounds the points of a per-step curve; longer runs are
// averaged in buckets, which keeps the SVG small and the live view fast.
const maxCurvePoints = 500

func buildLossCurve(runs []*train.History, hint int, acc bool, cfg config) *layout {
	byStep := cfg.byStep
	for _, h := range runs {
		if h != nil && len(h.Epochs) == 0 && hint == 0 && len(h.Steps) > 0 && h.Steps[len(h.Steps)-1].Epoch == 0 {
			byStep = true // epochs cannot be placed before the first one ends
		}
	}
	xLabel := "epoch"
	if byStep {
		xLabel = "step"
	}
	loss := newPanel("", xLabel, "loss")
	var accP *plot.Plot
	if acc {
		accP = newPanel("", xLabel, "accuracy")
		accP.Y.Tick.Marker = linearTicks{percent: true}
		accP.Y.Max = 1
	}
	if cfg.log {
		useLog(&loss.Y)
	} else {
		loss.Y.Min = 0
	}
	for _, p := range []*plot.Plot{loss, accP} {
		if p != nil {
			p.X.Min = 0
			if byStep {
				p.X.Tick.Marker = linearTicks{integer: true}
			}
		}
	}
	var legend []legendEntry
	named := len(runs) > 1
	hasVal, manySteps := false, false
	for i, h := range runs {
		if h == nil {
			continue
		}
		c := seriesColor(i)
		xs := stepPositions(h, hint, byStep)
		value := func(get func(train.StepRecord) float64) []float64 {
			v := make([]float64, len(h.Steps))
			for k, s := range h.Steps {
				v[k] = get(s)
			}
			return v
		}
		losses := value(func(s train.StepRecord) float64 { return s.Loss })
		if cfg.log {
			losses = positive(losses)
		}
		manySteps = drawSteps(loss, xs, losses, c) || manySteps
		if acc && hasAccuracy(h) {
			drawSteps(accP, xs, value(func(s train.StepRecord) float64 { return s.Accuracy }), c)
		}
		// Validation after each epoch.
		var ex, vl, va []float64
		for _, e := range h.Epochs {
			if !e.Validated {
				continue
			}
			ex = append(ex, epochEnd(h, e.Epoch, byStep))
			vl = append(vl, e.ValLoss)
			va = append(va, e.ValAccuracy)
		}
		if len(ex) > 0 {
			hasVal = true
			if cfg.log {
				vl = positive(vl)
			}
			drawValidation(loss, ex, vl, c)
			if acc && hasAccuracy(h) {
				drawValidation(accP, ex, va, c)
			}
		}
		if h.Name != "" && len(runs) == 1 {
			named = false // the title names it
		}
		if named {
			name := h.Name
			if name == "" {
				name = "run " + itoa(i+1)
			}
			ls := lineStyle(c, 2.2)
			legend = append(legend, legendEntry{label: name, line: &ls})
		}
	}
	if hasVal || manySteps {
		if len(legend) > 0 {
			legend = append(legend, legendEntry{label: ""}, legendEntry{label: "curves"})
		}
		grey := inkColor
		if manySteps {
			raw := lineStyle(withAlpha(grey, 0.35), 0.8)
			avg := lineStyle(grey, 1.6)
			legend = append(legend, legendEntry{label: "training, per step", line: &raw},
				legendEntry{label: "training, moving average", line: &avg})
		} else {
			tr := lineStyle(grey, 1.6)
			legend = append(legend, legendEntry{label: "training", line: &tr})
		}
		if hasVal {
			v := lineStyle(grey, 1.6, 5, 3)
			g := dotStyle(grey)
			legend = append(legend, legendEntry{label: "validation", line: &v, glyph: &g})
		}
	}
	row := []*plot.Plot{loss}
	if accP != nil {
		row = append(row, accP)
	}
	return &layout{rows: [][]*plot.Plot{row}, legend: legend, padX: 24}
}

// drawSteps draws a per-step series: with many steps the raw values faint
// and a moving average over them, else the values themselves. It reports
// whether it drew the faint and averaged pair.
func drawSteps(p *plot.Plot, xs, ys []float64, c colorNRGBA) bool {
	xs, ys = bucketMeans(xs, ys, maxCurvePoints)
	if len(ys) < 12 {
		addLine(p, xs, ys, lineStyle(c, 1.6))
		if len(ys) <= 2 {
			addPoints(p, xs, ys, dotStyle(c))
		}
		return false
	}
	addLine(p, xs, ys, lineStyle(withAlpha(c, 0.25), 0.8))
	addLine(p, xs, movingAverage(ys, max(2, len(ys)/20)), lineStyle(c, 1.6))
	return true
}

func drawValidation(p *plot.Plot, xs, ys []float64, c colorNRGBA) {
	addLine(p, xs, ys, lineStyle(c, 1.6, 5, 3))
	addPoints(p, xs, ys, dotStyle(c))
}

func dotStyle(c colorNRGBA) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: 2.4, Shape: draw.CircleGlyph{}}
}

// stepPositions places each step on the horizontal axis: its number from 1,
// or its epoch as a fraction (step k of n in epoch e at e + k/n).
func stepPositions(h *train.History, hint int, byStep bool) []float64 {
	xs := make([]float64, len(h.Steps))
	if byStep {
		for i, s := range h.Steps {
			xs[i] = float64(s.Step + 1)
		}
		return xs
	}
	counts := map[int]int{}
	for _, s := range h.Steps {
		counts[s.Epoch]++
	}
	last := 0
	for _, e := range h.Epochs {
		if n := counts[e.Epoch]; n > 0 {
			last = n
		}
	}
	inEpoch := map[int]int{}
	for i, s := range h.Steps {
		n := counts[s.Epoch]
		if !epochDone(h, s.Epoch) {
			switch {
			case hint > 0:
				n = hint
			case last > 0:
				n = last
			}
			n = max(n, counts[s.Epoch])
		}
		inEpoch[s.Epoch]++
		xs[i] = float64(s.Epoch) + float64(inEpoch[s.Epoch])/float64(n)
	}
	return xs
}

func epochDone(h *train.History, epoch int) bool {
	for _, e := range h.Epochs {
		if e.Epoch == epoch {
			return true
		}
	}
	return false
}

// epochEnd is where epoch e ends on the horizontal axis.
func epochEnd(h *train.History, e int, byStep bool) float64 {
	if !byStep {
		return float64(e + 1)
	}
	last := 0
	for _, s := range h.Steps {
		if s.Epoch <= e {
			last = s.Step + 1
		}
	}
	return float64(last)
}

// bucketMeans shortens a series to at most n points by averaging
// consecutive runs of points (and their positions).
func bucketMeans(xs, ys []float64, n int) ([]float64, []float64) {
	if len(xs) <= n {
		return xs, ys
	}
	k := (len(xs) + n - 1) / n
	var ox, oy []float64
	for i := 0; i < len(xs); i += k {
		j := min(i+k, len(xs))
		var sx, sy float64
		cnt := 0
		for t := i; t < j; t++ {
			if finite(ys[t]) {
				sy += ys[t]
				cnt++
			}
			sx += xs[t]
		}
		ox = append(ox, sx/float64(j-i))
		if cnt == 0 {
			oy = append(oy, math.NaN())
		} else {
			oy = append(oy, sy/float64(cnt))
		}
	}
	return ox, oy
}

// movingAverage returns the centred moving average over w points (fewer
// at the ends), skipping non-finite values.
func movingAverage(ys []float64, w int) []float64 {
	out := make([]float64, len(ys))
	h := w / 2
	for i := range ys {
		var s float64
		n := 0
		for j := max(0, i-h); j <= min(len(ys)-1, i+h); j++ {
			if finite(ys[j]) {
				s += ys[j]
				n++
			}
		}
		if n == 0 {
			out[i] = math.NaN()
		} else {
			out[i] = s / float64(n)
		}
	}
	return out
}
