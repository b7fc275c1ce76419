package viz

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
)

// DecisionBoundary draws the TensorFlow Playground's picture of a model
// trained on points in the plane: the model's output over the plane as a
// colour map (orange where it predicts label 0, the Playground's −1, blue
// for label 1, +1, pale where it is unsure), the boundary where it changes
// its mind as a line, and the data points on top.
//
// The model takes batches [n 2] and returns [n 1] or [n] (a logit, or a
// probability when its last layer is a Sigmoid, or a value in [−1, 1] after
// a Tanh), [n 2] (two class scores), or [n k] for k classes (each class its
// colour, as strong as the model is sure). For regression data (targets
// that are not labels, as data.Plane's) the output is shown on the same
// scale, clipped to [−1, 1]. The map spans a square around the data,
// [−6, 6]² for the Playground's sets, on a 100×100 grid (Resolution).
//
// The model runs in evaluation mode when it has BatchNorm layers (and is
// put back), without recording gradients.
func DecisionBoundary(model Model, ds *data.Dataset) *Figure {
	title := "Decision boundary"
	if isRegression(ds) {
		title = "Model output"
	}
	if ds.Name != "" {
		title += ": " + ds.Name
	}
	return newFigure("decision-boundary", title, 470, 380, func(cfg config) *layout {
		return buildBoundary(model, ds, cfg)
	})
}

func buildBoundary(model Model, ds *data.Dataset, cfg config) *layout {
	pl := planeFor("DecisionBoundary", ds, cfg.resolution)
	var out *dl.Tensor
	inEvalMode(model, func() {
		dl.NoGrad(func() { out = model.Forward(pl.batch(ds.X.DType())) })
	})
	reg := isRegression(ds)
	s := scoreOutputs("DecisionBoundary", out, outputActivation(model, out), reg)
	p := newMapPanel("", true)
	p.X.Label.Text, p.Y.Label.Text = "x₁", "x₂"
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	p.X.Padding, p.Y.Padding = 2, 2
	p.Add(pl.imagePlotter(pl.image(s.colorAt)))
	boundary := lineStyle(rgb(0x44, 0x44, 0x44), 1.2)
	if s.score != nil && !reg {
		addContour(p, grid{pl, s.score}, []float64{0}, boundary)
	}
	addDataPoints(p, ds, 2.6)

	var legend []legendEntry
	if reg {
		legend = append(legend, legendEntry{label: "value"})
		for _, v := range []float64{1, 0.5, 0, -0.5, -1} {
			g := draw.GlyphStyle{Color: diverging(v), Radius: 3.5, Shape: draw.CircleGlyph{}}
			legend = append(legend, legendEntry{label: minus(fmt.Sprintf("%+.1f", v)), glyph: &g})
		}
	} else {
		legend = append(legend, legendEntry{label: "data"})
		classes := max(2, len(ds.Classes))
		if s.probs != nil {
			classes = len(s.probs[0])
		}
		for k := range classes {
			c := seriesColor(k)
			if classes == 2 {
				c = []colorNRGBA{playOrange, playBlue}[k]
			}
			g := draw.GlyphStyle{Color: c, Radius: 3.2, Shape: draw.CircleGlyph{}}
			name := fmt.Sprintf("label %d", k)
			if k < len(ds.Classes) && ds.Classes[k] != fmt.Sprint(k) {
				name += " (" + minus(ds.Classes[k]) + ")"
			}
			legend = append(legend, legendEntry{label: name, glyph: &g})
		}
		if s.score != nil {
			legend = append(legend, legendEntry{label: ""}, legendEntry{label: "model"},
				legendEntry{label: "predicts 1", swatch: mix(playBlue, white, 0.3)},
				legendEntry{label: "predicts 0", swatch: mix(playOrange, white, 0.3)},
				legendEntry{label: "boundary", line: &boundary})
		}
	}
	return &layout{rows: [][]*plot.Plot{{p}}, legend: legend}
}
