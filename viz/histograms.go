package viz

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
)

// Histograms shows how signals and gradients fare through a network's
// depth, for one batch x with targets y: the top row holds the
// distribution of each hidden layer's activations, the bottom row that of
// the gradient of the loss with respect to each layer's weights. All
// panels of a row share their horizontal axis, so shrinking (vanishing)
// or growing (exploding) gradients show as narrowing or widening
// histograms; each panel's title gives the standard deviation. Compare a
// deep sigmoid network with the same network with BatchNorm, or with
// residual blocks.
//
// A layer is a layer with weights and the layers without weights after it
// (its activation, BatchNorm, Dropout). The model must be a Sequential or a
// Builder. loss is nn.CrossEntropy for class labels (y of rank 1) and
// nn.MSE otherwise when nil. Histograms runs one forward and backward pass:
// it replaces the parameters' gradients with this batch's, as a training
// step would. For the gradient norms over a whole run, record them with
// NewGradNorms and plot them with GradNormCurve.
func Histograms(model Model, x, y *dl.Tensor, loss func(out, target *dl.Tensor) *dl.Tensor) *Figure {
	stages := stagesOf(layersOf(model))
	if len(stages) == 0 {
		panicf("Histograms", "a model of type %T is not a Sequential or Builder network", model)
	}
	if loss == nil {
		loss = nn.MSE
		if y.Rank() == 1 {
			loss = nn.CrossEntropy
		}
	}
	rows := min(len(stages), maxHistRows)
	return newFigure("histograms", "Activations and gradients per layer", 620, vgLen(float64(rows)*58+90),
		func(cfg config) *layout { return buildHistograms(stages, x, y, loss) })
}

// maxHistRows bounds the layers shown; deeper networks show layers
// spread evenly from the first to the last.
const maxHistRows = 12

func buildHistograms(stages []stage, x, y *dl.Tensor, loss func(out, target *dl.Tensor) *dl.Tensor) *layout {
	for _, s := range stages {
		for _, p := range s.params() {
			p.ZeroGrad()
		}
	}
	var acts []*dl.Tensor
	h := x
	for _, s := range stages {
		h = s.forward(h)
		acts = append(acts, h)
	}
	loss(h, y).Backward()
	var grads [][]float64
	for _, s := range stages {
		var g []float64
		for _, l := range s.layers {
			for _, w := range weightsOf(l) {
				if w.Grad() != nil {
					g = append(g, w.Grad().Float64s()...)
				}
			}
		}
		grads = append(grads, g)
	}
	show := pickColumns(len(stages), maxHistRows)
	var actVals, gradVals [][]float64
	for _, i := range show {
		if i < len(stages)-1 {
			actVals = append(actVals, acts[i].Float64s())
		} else {
			actVals = append(actVals, nil)
		}
		gradVals = append(gradVals, grads[i])
	}
	alo, ahi := rangeOf(actVals)
	glo, ghi := rangeOf(gradVals)
	var rows [][]*plot.Plot
	for r, i := range show {
		color := depthColor(i, len(stages))
		name := fmt.Sprintf("layer %d", i+1)
		if i == len(stages)-1 {
			name = "output layer"
		}
		bottom := r == len(show)-1
		var a *plot.Plot
		if actVals[r] != nil {
			label := name
			if act := stages[i].act; act != "" {
				label += " · " + act
			}
			a = histPanel(label, "σ = "+sci(stdOf(actVals[r])), actVals[r], alo, ahi, color, bottom)
		}
		g := histPanel(name, "σ = "+sci(stdOf(gradVals[r])), gradVals[r], glo, ghi, color, bottom)
		if r == 0 {
			if a != nil {
				a.Title.Text = "activations"
			}
			g.Title.Text = "gradients ∂L/∂W"
		}
		if a == nil && bottom {
			// The output layer has no activations to show: give its
			// empty tile's column an axis in the row above instead.
			if len(rows) > 0 && rows[len(rows)-1][0] != nil {
				rows[len(rows)-1][0].X.Tick.Marker = linearTicks{count: 5, noMinor: true}
			}
		}
		rows = append(rows, []*plot.Plot{a, g})
	}
	if rows[0][0] == nil && len(rows) > 0 {
		rows[0][1].Title.Text = "gradients ∂L/∂W"
	}
	return &layout{rows: rows, padX: 22, padY: 4}
}

// pickColumns returns up to m indices of n spread evenly, first and last
// included.
func pickColumns(n, m int) []int {
	if n <= m {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, m)
	for i := range out {
		out[i] = int(math.Round(float64(i) * float64(n-1) / float64(m-1)))
	}
	return out
}

// histPanel is one histogram over [lo, hi], its bars' heights the
// fraction of the values in each bin, with a label at its top left and a
// figure at its top right. Only the bottom row labels its ticks.
func histPanel(label, figure string, vals []float64, lo, hi float64, c colorNRGBA, ticks bool) *plot.Plot {
	p := newPanel("", "", "")
	p.Title.TextStyle.Font.Size = labelSize
	if ticks {
		p.X.Tick.Marker = linearTicks{count: 5, noMinor: true}
	} else {
		p.X.Tick.Marker = unlabelled{linearTicks{count: 5, noMinor: true}}
	}
	p.Y.Tick.Marker = plot.ConstantTicks{}
	p.Y.Padding = 0
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min = 0
	var vs plotter.Values
	for _, v := range vals {
		if finite(v) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 || !(hi > lo) {
		p.Add(cornerText{left: label, right: figure})
		return p
	}
	// Bins over the shared range, so widths compare across panels.
	const bins = 60
	counts := make([]float64, bins)
	for _, v := range vs {
		k := int((v - lo) / (hi - lo) * bins)
		counts[min(max(k, 0), bins-1)]++
	}
	b := bars{lo: lo, width: (hi - lo) / bins, fill: withAlpha(c, 0.8), line: c}
	top := 0.0
	for k := range counts {
		y := counts[k] / float64(len(vs))
		top = math.Max(top, y)
		b.heights = append(b.heights, y)
	}
	p.Y.Max = top * 1.35 // room for the labels
	p.Add(b, cornerText{left: label, right: figure})
	return p
}

// bars draws a histogram from its bins: bin k spans
// [lo + k·width, lo + (k+1)·width].
type bars struct {
	lo, width  float64
	heights    []float64
	fill, line colorNRGBA
}

func (b bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	// One outline for the whole histogram: along the tops of the bars,
	// down to the axis between runs of bars.
	var outline []vg.Point
	flush := func() {
		if len(outline) == 0 {
			return
		}
		var path vg.Path
		path.Move(outline[0])
		for _, q := range outline[1:] {
			path.Line(q)
		}
		path.Close()
		c.SetColor(b.fill)
		c.Fill(path)
		c.StrokeLines(draw.LineStyle{Color: b.line, Width: 0.5}, outline)
		outline = nil
	}
	for k, h := range b.heights {
		x0, x1 := trX(b.lo+float64(k)*b.width), trX(b.lo+float64(k+1)*b.width)
		if h <= 0 {
			if len(outline) > 0 {
				outline = append(outline, vg.Point{X: x0, Y: trY(0)})
			}
			flush()
			continue
		}
		if len(outline) == 0 {
			outline = append(outline, vg.Point{X: x0, Y: trY(0)})
		}
		outline = append(outline, vg.Point{X: x0, Y: trY(h)}, vg.Point{X: x1, Y: trY(h)})
	}
	if len(outline) > 0 {
		last := outline[len(outline)-1]
		outline = append(outline, vg.Point{X: last.X, Y: trY(0)})
	}
	flush()
}

func (b bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymax = 0
	for _, h := range b.heights {
		ymax = math.Max(ymax, h)
	}
	return b.lo, b.lo + b.width*float64(len(b.heights)), 0, ymax
}

// unlabelled keeps a ticker's marks and drops their labels.
type unlabelled struct{ plot.Ticker }

func (u unlabelled) Ticks(lo, hi float64) []plot.Tick {
	ts := u.Ticker.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = " "
		}
	}
	return ts
}

// cornerText writes small labels in the top corners of a panel's data area.
type cornerText struct{ left, right string }

func (t cornerText) Plot(c draw.Canvas, _ *plot.Plot) {
	ts := textStyle(tickSize, inkColor)
	ts.YAlign = draw.YTop
	h := ts.Height("Hg")
	backdrop := func(x0, x1 vg.Length) {
		c.SetColor(withAlpha(white, 0.8))
		r := vg.Rectangle{Min: vg.Point{X: x0 - 2, Y: c.Max.Y - 2 - h}, Max: vg.Point{X: x1 + 2, Y: c.Max.Y - 1}}
		c.Fill(r.Path())
	}
	if t.left != "" {
		backdrop(c.Min.X+3, c.Min.X+3+ts.Width(t.left))
		c.FillText(ts, vg.Point{X: c.Min.X + 3, Y: c.Max.Y - 2}, t.left)
	}
	if t.right != "" {
		backdrop(c.Max.X-3-ts.Width(t.right), c.Max.X-3)
		ts.XAlign = draw.XRight
		ts.Color = mutedInk
		c.FillText(ts, vg.Point{X: c.Max.X - 3, Y: c.Max.Y - 2}, t.right)
	}
}

// rangeOf is the smallest and largest finite value of the series, widened
// to be symmetric about 0 when the values take both signs.
func rangeOf(series [][]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range s {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo > hi {
		return 0, 1
	}
	if lo < 0 && hi > 0 {
		m := math.Max(-lo, hi)
		lo, hi = -m, m
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	return lo, hi
}

func stdOf(vs []float64) float64 {
	var s, s2 float64
	n := 0
	for _, v := range vs {
		if finite(v) {
			s += v
			s2 += v * v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	m := s / float64(n)
	return math.Sqrt(math.Max(0, s2/float64(n)-m*m))
}

// sci writes a positive magnitude with three significant digits.
func sci(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case v >= 1e-3 && v < 1e4:
		return minus(fmt.Sprintf("%.3g", v))
	}
	s := fmt.Sprintf("%.2e", v)
	s = minus(s)
	return s
}
