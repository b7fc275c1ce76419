package viz

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"

	"github.com/gradbook/gradbook/dl/train"
)

// GradNorms records the norm of the gradient of each layer of a network
// during training: ‖∂L/∂θ‖ over the layer's parameters, after every step.
// A layer is as Histograms counts them. Feed it from train.Fit with
// Callback, or call Record after Backward in a hand-written loop; plot it
// with GradNormCurve.
type GradNorms struct {
	Name   string      // labels the run in GradNormCurve
	Layers []string    // what each layer is, e.g. "Linear 2→8, Tanh"
	Steps  []int       // the steps recorded (0-based)
	Norms  [][]float64 // Norms[i][l]: layer l's gradient norm at Steps[i]
	stages []stage
}

// NewGradNorms returns a recorder for model, a Sequential or a Builder.
func NewGradNorms(model Model, name string) *GradNorms {
	stages := stagesOf(layersOf(model))
	if len(stages) == 0 {
		panicf("NewGradNorms", "a model of type %T is not a Sequential or Builder network", model)
	}
	g := &GradNorms{Name: name, stages: stages}
	for _, s := range stages {
		g.Layers = append(g.Layers, s.label())
	}
	return g
}

// Record appends the current gradient norms as step step. Parameters
// without a gradient count as 0.
func (g *GradNorms) Record(step int) {
	norms := make([]float64, len(g.stages))
	for l, s := range g.stages {
		var sum float64
		for _, p := range s.params() {
			if gr := p.Grad(); gr != nil {
				for _, v := range gr.Float64s() {
					sum += v * v
				}
			}
		}
		norms[l] = math.Sqrt(sum)
	}
	g.Steps = append(g.Steps, step)
	g.Norms = append(g.Norms, norms)
}

// Callback returns a train callback that records after every optimizer
// step (the gradients are still those of the step then).
func (g *GradNorms) Callback() train.Callback {
	return func(e train.Event) {
		if e.Kind == train.StepEnd {
			g.Record(e.Step - 1)
		}
	}
}

// GradNormCurve plots recorded gradient norms: one panel per run, side by
// side on the same log scale, one line per layer coloured from the input
// side (dark) to the output (light). Vanishing gradients show as the first
// layers' lines far below the last ones'; exploding ones as lines climbing
// off the top.
func GradNormCurve(runs ...*GradNorms) *Figure {
	if len(runs) == 0 {
		panicf("GradNormCurve", "no runs to plot")
	}
	w := 140 + 330*float64(len(runs))
	return newFigure("grad-norms", "Gradient norm per layer", vgLen(w), 300, func(cfg config) *layout {
		return buildGradNorms(runs)
	})
}

func buildGradNorms(runs []*GradNorms) *layout {
	lo, hi := math.Inf(1), math.Inf(-1)
	layers := 0
	for _, r := range runs {
		layers = max(layers, len(r.Layers))
		for _, ns := range r.Norms {
			for _, v := range ns {
				if v > 0 && finite(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	var row []*plot.Plot
	for _, r := range runs {
		p := newPanel(r.Name, "step", "")
		useLog(&p.Y)
		p.X.Tick.Marker = linearTicks{integer: true}
		if lo <= hi {
			p.Y.Min, p.Y.Max = lo, hi
		}
		xs := make([]float64, len(r.Steps))
		for i, s := range r.Steps {
			xs[i] = float64(s + 1)
		}
		for l := range r.Layers {
			ys := make([]float64, len(r.Norms))
			for i := range r.Norms {
				ys[i] = r.Norms[i][l]
			}
			bx, by := bucketMeans(xs, positive(ys), maxCurvePoints)
			addLine(p, bx, by, lineStyle(depthColor(l, layers), 1.4))
		}
		row = append(row, p)
	}
	row[0].Y.Label.Text = "‖∂L/∂θ‖"
	var legend []legendEntry
	legend = append(legend, legendEntry{label: "layer"})
	for l := range layers {
		ls := lineStyle(depthColor(l, layers), 2)
		name := fmt.Sprint(l + 1)
		switch {
		case l == 0:
			name += " (input side)"
		case l == layers-1:
			name += " (output)"
		}
		legend = append(legend, legendEntry{label: name, line: &ls})
	}
	return &layout{rows: [][]*plot.Plot{row}, legend: legend}
}
