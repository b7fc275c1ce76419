package viz

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/optim"
)

// Surface is a loss over two parameters, for watching optimizers move on
// it with OptimizerPaths.
type Surface struct {
	Name string
	// Loss maps the parameters, a Float64 tensor of shape [2], to a scalar
	// tensor, with dl's ops so that autodiff gives the gradient.
	Loss  func(w *dl.Tensor) *dl.Tensor
	Start [2]float64 // where every optimizer starts
	X, Y  [2]float64 // the window shown: [min, max] of each parameter
	// Minimum is where the loss is least, marked on the picture; nil when
	// not known.
	Minimum []float64
	Steps   int // optimizer steps per path
	// Optimizers are the ones OptimizerPaths runs when given none: the
	// seven of the lecture, with rates that suit this surface.
	Optimizers []PathOptimizer
}

// PathOptimizer names an optimizer and makes it for the parameters it
// is given, e.g.
//
//	viz.PathOptimizer{"Adam", func(p []*dl.Tensor) optim.Optimizer { return optim.Adam(p, 0.1) }}
type PathOptimizer struct {
	Name string
	New  func(params []*dl.Tensor) optim.Optimizer
}

// Rosenbrock is the banana valley f(x, y) = (1 − x)² + 100(y − x²)², whose
// minimum (1, 1) lies at the end of a long, flat, curved valley: easy to
// find, slow to follow.
func Rosenbrock() Surface {
	return Surface{
		Name: "Rosenbrock",
		Loss: func(w *dl.Tensor) *dl.Tensor {
			x, y := w.Index(0), w.Index(1)
			a := dl.Float64.Scalar(1).Sub(x)
			b := y.Sub(x.Square())
			return a.Square().Add(b.Square().Mul(dl.Float64.Scalar(100)))
		},
		Start: [2]float64{-1.5, 2.2}, X: [2]float64{-2, 2}, Y: [2]float64{-1, 3},
		Minimum: []float64{1, 1}, Steps: 400,
		Optimizers: lectureOptimizers(0.001, 0.001, 0.5, 0.01, 0.03, 0.1),
	}
}

// Ravine is the narrow quadratic bowl f(x, y) = x²/50 + y², fifty times
// more curved across than along: plain gradient descent zig-zags across
// the ravine and crawls along it; momentum and the adaptive methods do not.
func Ravine() Surface {
	return Surface{
		Name: "Ravine",
		Loss: func(w *dl.Tensor) *dl.Tensor {
			x, y := w.Index(0), w.Index(1)
			return x.Square().Mul(dl.Float64.Scalar(0.02)).Add(y.Square())
		},
		Start: [2]float64{-9, 2.5}, X: [2]float64{-10, 4}, Y: [2]float64{-3.5, 3.5},
		Minimum: []float64{0, 0}, Steps: 60,
		Optimizers: lectureOptimizers(0.9, 0.1, 1.5, 0.1, 0.3, 0.1),
	}
}

// lectureOptimizers returns SGD, SGD with momentum 0.9, Nesterov (momentum
// 0.9), Adagrad, RMSProp, Adam and LAMB with the given rates (momentum and
// Nesterov share one), each named with its rate.
func lectureOptimizers(sgd, momentum, adagrad, rmsprop, adam, lamb float64) []PathOptimizer {
	name := func(n string, lr float64) string { return fmt.Sprintf("%s η=%g", n, lr) }
	return []PathOptimizer{
		{name("SGD", sgd), func(p []*dl.Tensor) optim.Optimizer { return optim.SGD(p, sgd) }},
		{name("momentum", momentum), func(p []*dl.Tensor) optim.Optimizer { return optim.SGD(p, momentum, optim.Momentum(0.9)) }},
		{name("Nesterov", momentum), func(p []*dl.Tensor) optim.Optimizer {
			return optim.SGD(p, momentum, optim.Momentum(0.9), optim.Nesterov())
		}},
		{name("Adagrad", adagrad), func(p []*dl.Tensor) optim.Optimizer { return optim.Adagrad(p, adagrad) }},
		{name("RMSProp", rmsprop), func(p []*dl.Tensor) optim.Optimizer { return optim.RMSProp(p, rmsprop) }},
		{name("Adam", adam), func(p []*dl.Tensor) optim.Optimizer { return optim.Adam(p, adam) }},
		{name("LAMB", lamb), func(p []*dl.Tensor) optim.Optimizer { return optim.LAMB(p, lamb) }},
	}
}

// Path is the way one optimizer went: the parameters before each step and
// after the last, and the loss at each.
type Path struct {
	Name string
	X, Y []float64
	Loss []float64
}

// RunPaths runs each optimizer (the surface's own when none are given)
// for s.Steps steps from s.Start on a Float64 tensor of two parameters and
// returns their paths. A path stops early if the loss stops being finite.
func RunPaths(s Surface, opts ...PathOptimizer) []Path {
	if len(opts) == 0 {
		opts = s.Optimizers
	}
	steps := s.Steps
	if steps <= 0 {
		steps = 100
	}
	var paths []Path
	for _, o := range opts {
		w := dl.FromSlice([]float64{s.Start[0], s.Start[1]}, 2).SetRequiresGrad(true)
		opt := o.New([]*dl.Tensor{w})
		p := Path{Name: o.Name}
		for i := 0; i <= steps; i++ {
			opt.ZeroGrad()
			loss := s.Loss(w)
			v := w.Float64s()
			l := loss.Item()
			p.X, p.Y, p.Loss = append(p.X, v[0]), append(p.Y, v[1]), append(p.Loss, l)
			if !finite(l) || i == steps {
				break
			}
			loss.Backward()
			opt.Step()
		}
		paths = append(paths, p)
	}
	return paths
}

// OptimizerPaths draws the contours of a two-parameter loss surface and
// the paths that optimizers take on it from the same start: by default the
// lecture's seven (SGD, momentum, Nesterov, Adagrad, RMSProp, Adam, LAMB),
// run with dl/optim. A path that leaves the window is cut at its edge and
// marked so in the legend, with each path's final loss.
func OptimizerPaths(s Surface, opts ...PathOptimizer) *Figure {
	title := "Optimizer paths"
	if s.Name != "" {
		title += ": " + s.Name
	}
	return newFigure("optimizer-paths", title, 600, 420, func(cfg config) *layout {
		return buildPaths(s, RunPaths(s, opts...), cfg)
	})
}

func buildPaths(s Surface, paths []Path, cfg config) *layout {
	res := cfg.resolution
	if res <= 0 {
		res = 120
	}
	pl := plane{s.X[0], s.X[1], s.Y[0], s.Y[1], res}
	vals := make([]float64, res*res)
	dl.NoGrad(func() {
		w := make([]float64, 2)
		for r := range res {
			for c := range res {
				w[0], w[1] = pl.x(c), pl.y(r)
				vals[r*res+c] = s.Loss(dl.FromSlice(w, 2)).Item()
			}
		}
	})
	// Colour and contour the log of the loss above its least value, so
	// steep walls and the flat floor both show.
	lo := math.Inf(1)
	for _, v := range vals {
		lo = math.Min(lo, v)
	}
	logv := make([]float64, len(vals))
	for i, v := range vals {
		logv[i] = math.Log10(v - lo + 1e-3)
	}
	llo, lhi := math.Inf(1), math.Inf(-1)
	for _, v := range logv {
		llo, lhi = math.Min(llo, v), math.Max(lhi, v)
	}
	p := newMapPanel("", true)
	p.X.Label.Text, p.Y.Label.Text = "w₁", "w₂"
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	p.Add(pl.imagePlotter(pl.image(func(k int) colorNRGBA {
		return ramp(surfaceStops, (logv[k]-llo)/(lhi-llo))
	})))
	var levels []float64
	sorted := slices.Clone(logv)
	slices.Sort(sorted)
	for i := 1; i <= 11; i++ {
		q := sorted[int(float64(len(sorted)-1)*math.Pow(float64(i)/12, 1.6))]
		if len(levels) == 0 || q > levels[len(levels)-1]+1e-9 {
			levels = append(levels, q)
		}
	}
	addContour(p, grid{pl, logv}, levels, lineStyle(withAlpha(rgb(0x5a, 0x6b, 0x80), 0.4), 0.6))

	var legend []legendEntry
	for i, path := range paths {
		c := seriesColor(i)
		xs, ys, left := clipPath(path.X, path.Y, s.X, s.Y)
		addLine(p, xs, ys, lineStyle(c, 1.7))
		addPoints(p, xs[len(xs)-1:], ys[len(ys)-1:], draw.GlyphStyle{Color: c, Radius: 3, Shape: draw.CircleGlyph{}})
		ls := lineStyle(c, 2.2)
		label := path.Name
		switch {
		case left:
			label += ": left the window"
		case !finite(path.Loss[len(path.Loss)-1]):
			label += ": diverged"
		default:
			label += ": " + formatLoss(path.Loss[len(path.Loss)-1])
		}
		legend = append(legend, legendEntry{label: label, line: &ls})
	}
	start := draw.GlyphStyle{Color: inkColor, Radius: 4, Shape: draw.RingGlyph{}}
	addPoints(p, []float64{s.Start[0]}, []float64{s.Start[1]}, start)
	legend = append(legend, legendEntry{label: ""}, legendEntry{label: "start", glyph: &start})
	if len(s.Minimum) == 2 {
		m := draw.GlyphStyle{Color: inkColor, Radius: 4.5, Shape: draw.CrossGlyph{}}
		addPoints(p, s.Minimum[:1], s.Minimum[1:], m)
		legend = append(legend, legendEntry{label: "minimum", glyph: &m})
	}
	steps := 0
	for _, path := range paths {
		steps = max(steps, len(path.X)-1)
	}
	legend = append(legend, legendEntry{label: fmt.Sprintf("%d steps; final loss", steps), note: true})
	return &layout{rows: [][]*plot.Plot{{p}}, legend: legend}
}

// surfaceStops colour a loss surface from its floor (white) up its walls
// (grey-blue), light enough for the paths to stand out.
var surfaceStops = []colorNRGBA{rgb(0xff, 0xff, 0xff), rgb(0xee, 0xf3, 0xf8), rgb(0xdb, 0xe5, 0xef), rgb(0xc2, 0xd2, 0xe3)}

// clipPath cuts a path where it first leaves the window [x0, x1]×[y0, y1],
// at the window's edge, and reports whether it did.
func clipPath(xs, ys []float64, wx, wy [2]float64) ([]float64, []float64, bool) {
	inside := func(x, y float64) bool {
		return finite(x) && finite(y) && x >= wx[0] && x <= wx[1] && y >= wy[0] && y <= wy[1]
	}
	for i := range xs {
		if inside(xs[i], ys[i]) {
			continue
		}
		if i == 0 {
			return xs[:1], ys[:1], true
		}
		// Move along the last segment to the edge.
		x0, y0, x1, y1 := xs[i-1], ys[i-1], xs[i], ys[i]
		t := 1.0
		if finite(x1) && finite(y1) {
			for _, e := range []struct{ p0, p1, lo, hi float64 }{{x0, x1, wx[0], wx[1]}, {y0, y1, wy[0], wy[1]}} {
				if e.p1 < e.lo {
					t = math.Min(t, (e.lo-e.p0)/(e.p1-e.p0))
				}
				if e.p1 > e.hi {
					t = math.Min(t, (e.hi-e.p0)/(e.p1-e.p0))
				}
			}
		} else {
			t = 0
		}
		ox := append(slices.Clone(xs[:i]), x0+t*(x1-x0))
		oy := append(slices.Clone(ys[:i]), y0+t*(y1-y0))
		return ox, oy, true
	}
	return xs, ys, false
}

// formatLoss writes a final loss: "0.0123", "3.2e−07".
func formatLoss(v float64) string {
	a := math.Abs(v)
	if a != 0 && (a < 1e-3 || a >= 1e5) {
		return minus(strings.Replace(fmt.Sprintf("%.2g", v), "e-0", "e-", 1))
	}
	return minus(fmt.Sprintf("%.3g", v))
}
