package viz

import (
	"fmt"
	"math"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
)

// NeuronMaps draws what each hidden unit of a network computes over the
// input plane, as the TensorFlow Playground shows its neurons: one small
// map per unit, a row per layer, and the network's output last. The colours
// are the Playground's: blue for positive outputs, orange for negative (a
// sigmoid's ½ is the neutral grey, a ReLU's 0 too), each map scaled to its
// own largest value unless the activation fixes the range (sigmoid, tanh).
//
// The model must be a Sequential or a Builder taking points [n 2] (as
// DecisionBoundary's); a unit is a column of the output of a layer with
// weights and the activation after it. At most 32 units of a layer are
// shown, 8 to a row.
func NeuronMaps(model Model, ds *data.Dataset) *Figure {
	stages := stagesOf(layersOf(model))
	if len(stages) == 0 {
		panicf("NeuronMaps", "a model of type %T is not a Sequential or Builder network", model)
	}
	f := newFigure("neuron-maps", "Hidden units", 0, 0, func(cfg config) *layout {
		return buildNeuronMaps(model, stages, ds, cfg)
	})
	// Size from the layout: tiles of about 76 points.
	l := f.layout()
	rows, cols := len(l.rows), 0
	for _, r := range l.rows {
		cols = max(cols, len(r))
	}
	return f.Size(float64(cols)*80+20, float64(rows)*82+40)
}

const (
	mapsPerRow    = 8
	maxMapsPerRow = 32
)

func buildNeuronMaps(model Model, stages []stage, ds *data.Dataset, cfg config) *layout {
	res := cfg.resolution
	if res <= 0 {
		res = 48 // small maps need fewer points
	}
	pl := planeFor("NeuronMaps", ds, res)
	var outs []*dl.Tensor
	inEvalMode(model, func() {
		dl.NoGrad(func() {
			x := pl.batch(ds.X.DType())
			for _, s := range stages {
				x = s.forward(x)
				outs = append(outs, x)
			}
		})
	})
	var rows [][]*plot.Plot
	for i, s := range stages[:len(stages)-1] {
		out := outs[i]
		if out.Rank() != 2 {
			panicf("NeuronMaps", "layer %d (%s) gives outputs of shape %v, not [n units]", i+1, s.label(), out.Shape())
		}
		units := min(out.Dim(1), maxMapsPerRow)
		v := out.Float64s()
		for start := 0; start < units; start += mapsPerRow {
			label := ""
			if start == 0 {
				label = fmt.Sprintf("layer %d\n%s", i+1, strings.ReplaceAll(s.label(), ", ", "\n"))
				if out.Dim(1) > units {
					label += fmt.Sprintf("\n(%d of %d)", units, out.Dim(1))
				}
			}
			row := []*plot.Plot{textPanel(label)}
			for u := start; u < min(start+mapsPerRow, units); u++ {
				vals := column(v, out.Dim(1), u)
				row = append(row, unitMap(pl, fmt.Sprintf("unit %d", u+1), vals, s.act))
			}
			rows = append(rows, row)
		}
	}
	// The output, on DecisionBoundary's scale.
	last := outs[len(outs)-1]
	sc := scoreOutputs("NeuronMaps", last, stages[len(stages)-1].act, isRegression(ds))
	p := newMapPanel("output", false)
	p.Add(pl.imagePlotter(pl.image(sc.colorAt)))
	addDataPoints(p, ds, 1.3)
	rows = append(rows, []*plot.Plot{textPanel("output\n" + strings.ReplaceAll(stages[len(stages)-1].label(), ", ", "\n")), p})
	return &layout{rows: rows, padX: 6, padY: 8}
}

// column returns column u of a row-major [n k] matrix.
func column(v []float64, k, u int) []float64 {
	out := make([]float64, len(v)/k)
	for i := range out {
		out[i] = v[i*k+u]
	}
	return out
}

// unitMap is one unit's map: its activation over the plane on the
// Playground's scale.
func unitMap(pl plane, title string, vals []float64, act string) *plot.Plot {
	scaled := make([]float64, len(vals))
	switch act {
	case "Sigmoid":
		for i, v := range vals {
			scaled[i] = 2*v - 1
		}
	case "Tanh":
		copy(scaled, vals)
	default:
		m := 0.0
		for _, v := range vals {
			m = math.Max(m, math.Abs(v))
		}
		if m == 0 {
			m = 1
		}
		for i, v := range vals {
			scaled[i] = v / m
		}
	}
	p := newMapPanel(title, false)
	p.Add(pl.imagePlotter(pl.image(func(k int) colorNRGBA { return diverging(scaled[k]) })))
	return p
}

// textPanel is a tile holding lines of text, left-aligned and centred
// vertically: the row labels of a grid of maps.
func textPanel(s string) *plot.Plot {
	p := newMapPanel("", false)
	p.Title.Text = " " // keeps the tile's data area level with its neighbours'
	p.Add(textPlotter{s})
	return p
}

type textPlotter struct{ text string }

func (t textPlotter) Plot(c draw.Canvas, _ *plot.Plot) {
	if t.text == "" {
		return
	}
	lines := strings.Split(t.text, "\n")
	ts := textStyle(tickSize, inkColor)
	lh := ts.Height("Hg") + 1
	y := (c.Min.Y+c.Max.Y)/2 + lh*vg.Length(len(lines))/2
	for i, line := range lines {
		s := ts
		if i == 0 {
			s = textStyle(labelSize, inkColor)
			s.Font.Weight = xfont.WeightBold
		}
		s.YAlign = draw.YTop
		c.FillText(s, vg.Point{X: c.Min.X, Y: y}, line)
		y -= lh
	}
}
