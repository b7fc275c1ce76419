package viz

import (
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
)

// plane is a square grid of n×n points over a rectangle of the input
// plane, the points at the centres of the cells. Point k = r·n + c is in
// row r from the top and column c from the left.
type plane struct {
	xmin, xmax, ymin, ymax float64
	n                      int
}

// defaultResolution is the grid of a map over the plane.
const defaultResolution = 100

// planeFor returns a square grid around the points of ds, symmetric about
// the origin as the Playground's: [−6, 6]² for its data sets.
func planeFor(op string, ds *data.Dataset, n int) plane {
	if n <= 0 {
		n = defaultResolution
	}
	if ds.X.Rank() != 2 || ds.X.Dim(1) != 2 {
		panicf(op, "data set %q has X of shape %v, not points in the plane [n 2]", ds.Name, ds.X.Shape())
	}
	lim := 0.0
	for _, v := range ds.X.Float64s() {
		if finite(v) {
			lim = math.Max(lim, math.Abs(v))
		}
	}
	if lim == 0 {
		lim = 1
	}
	lim = niceCeil(lim * 1.04)
	return plane{-lim, lim, -lim, lim, n}
}

// niceCeil rounds v up to a round number (steps of 0.5 times a power of ten).
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	return math.Ceil(v/(p/2)) * (p / 2)
}

func (p plane) x(c int) float64 { return p.xmin + (float64(c)+0.5)*(p.xmax-p.xmin)/float64(p.n) }
func (p plane) y(r int) float64 { return p.ymax - (float64(r)+0.5)*(p.ymax-p.ymin)/float64(p.n) }

// batch returns the grid's points as a batch [n² 2] of dtype d.
func (p plane) batch(d dl.DType) *dl.Tensor {
	xs := make([]float64, 0, 2*p.n*p.n)
	for r := range p.n {
		for c := range p.n {
			xs = append(xs, p.x(c), p.y(r))
		}
	}
	t := dl.FromSlice(xs, p.n*p.n, 2)
	return t.AsType(d)
}

// image paints one pixel per grid point.
func (p plane) image(colorAt func(k int) color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, p.n, p.n))
	for r := range p.n {
		for c := range p.n {
			img.SetNRGBA(c, r, colorAt(r*p.n+c))
		}
	}
	return img
}

// imagePlotter returns the picture placed over the plane's rectangle.
func (p plane) imagePlotter(img image.Image) *plotter.Image {
	return plotter.NewImage(img, p.xmin, p.ymin, p.xmax, p.ymax)
}

// grid is the grid's values as gonum's GridXYZ, for contour lines.
type grid struct {
	p    plane
	vals []float64
}

func (g grid) Dims() (c, r int)   { return g.p.n, g.p.n }
func (g grid) Z(c, r int) float64 { return g.vals[(g.p.n-1-r)*g.p.n+c] }
func (g grid) X(c int) float64    { return g.p.x(c) }
func (g grid) Y(r int) float64    { return g.p.y(g.p.n - 1 - r) }

// outputScore turns a model's outputs for a batch into the Playground's
// scale [−1, 1] (−1 for label 0, +1 for label 1) when there are one or two
// outputs, and into class probabilities when there are more. last is the
// name of the model's final activation ("Sigmoid", "Tanh", or "" for
// scores (logits)); regression keeps the outputs as they are, clipped.
type outputScore struct {
	score []float64   // in [−1, 1], for one or two outputs
	probs [][]float64 // per point, for three or more classes
}

func scoreOutputs(op string, out *dl.Tensor, last string, regression bool) outputScore {
	n := out.Dim(0)
	k := 1
	if out.Rank() == 2 {
		k = out.Dim(1)
	} else if out.Rank() != 1 {
		panicf(op, "the model's outputs of shape %v are not [n] or [n k]", out.Shape())
	}
	v := out.Float64s()
	var s outputScore
	switch {
	case k == 1:
		s.score = make([]float64, n)
		for i, x := range v {
			switch {
			case regression || last == "Tanh":
				s.score[i] = math.Max(-1, math.Min(1, x))
			case last == "Sigmoid":
				s.score[i] = 2*x - 1
			default: // a logit: 2σ(x) − 1
				s.score[i] = math.Tanh(x / 2)
			}
		}
	case k == 2:
		s.score = make([]float64, n)
		for i := range n {
			a, b := v[2*i], v[2*i+1]
			if last == "Softmax" || last == "Sigmoid" {
				s.score[i] = b - a // probabilities: p₁ − p₀
			} else {
				s.score[i] = math.Tanh((b - a) / 2) // softmax: p₁ − p₀ = tanh((z₁ − z₀)/2)
			}
		}
	default:
		s.probs = make([][]float64, n)
		for i := range n {
			row := v[i*k : (i+1)*k]
			p := make([]float64, k)
			if last == "Softmax" {
				copy(p, row)
			} else {
				m := math.Inf(-1)
				for _, x := range row {
					m = math.Max(m, x)
				}
				sum := 0.0
				for j, x := range row {
					p[j] = math.Exp(x - m)
					sum += p[j]
				}
				for j := range p {
					p[j] /= sum
				}
			}
			s.probs[i] = p
		}
	}
	return s
}

// colorAt is the map's colour at point i: the Playground's scale lightened
// (so the data points stand out), or the likeliest class's colour as
// strong as the model is sure of it.
func (s outputScore) colorAt(i int) color.NRGBA {
	if s.score != nil {
		return mix(diverging(s.score[i]), white, 0.3)
	}
	p := s.probs[i]
	best := 0
	for j := range p {
		if p[j] > p[best] {
			best = j
		}
	}
	k := float64(len(p))
	conf := (p[best] - 1/k) / (1 - 1/k)
	return mix(white, seriesColor(best), 0.15+0.55*conf)
}

// outputActivation names what the model's outputs are: its final
// activation layer's name ("Sigmoid", "Softmax", "Tanh"), or "" for raw
// scores (logits). For a model that is not a Sequential or a Builder (a
// ModelFunc, a bare layer) it is read off the outputs: values all in
// [0, 1] are probabilities (from a softmax when each row sums to 1).
func outputActivation(m Model, out *dl.Tensor) string {
	if last := lastActivation(m); last != "" || layersOf(m) != nil {
		return last
	}
	v := out.Float64s()
	for _, x := range v {
		if !(x >= 0 && x <= 1) {
			return ""
		}
	}
	if out.Rank() == 2 && out.Dim(1) > 1 {
		k := out.Dim(1)
		for i := 0; i+k <= len(v); i += k {
			sum := 0.0
			for _, x := range v[i : i+k] {
				sum += x
			}
			if math.Abs(sum-1) > 1e-3 {
				return "Sigmoid"
			}
		}
		return "Softmax"
	}
	return "Sigmoid"
}

// lastActivation names the model's final layer when it is an activation.
func lastActivation(m Model) string {
	ls := layersOf(m)
	if len(ls) == 0 {
		return ""
	}
	if a, ok := ls[len(ls)-1].(*nn.ActivationLayer); ok {
		return a.Name()
	}
	return ""
}

// isRegression reports whether ds holds regression targets rather than
// class labels.
func isRegression(ds *data.Dataset) bool {
	if ds.Classes != nil || ds.Y == nil || ds.Y.Rank() < 2 {
		return false
	}
	for _, v := range ds.Y.Float64s() {
		if v != 0 && v != 1 {
			return true
		}
	}
	return false
}

// addDataPoints draws the data set's points as the Playground does: filled
// with their class colour (or their target on the diverging scale) and
// ringed in white.
func addDataPoints(pl *plot.Plot, ds *data.Dataset, radius float64) {
	x := ds.X.Float64s()
	y := ds.Y.Float64s()
	reg := isRegression(ds)
	n := ds.X.Dim(0)
	classes := 0
	if !reg {
		for _, v := range y {
			classes = max(classes, int(v)+1)
		}
	}
	var ring plotter.XYs
	for i := range n {
		ring = append(ring, plotter.XY{X: x[2*i], Y: x[2*i+1]})
	}
	rs, _ := plotter.NewScatter(ring)
	ringColor := white
	if reg {
		ringColor = rgb(0x55, 0x55, 0x55) // pale values would vanish in white
	}
	rs.GlyphStyle = draw.GlyphStyle{Color: ringColor, Radius: vgLen(radius + max(0.5, 0.35*radius)), Shape: draw.CircleGlyph{}}
	pl.Add(rs)
	fill, _ := plotter.NewScatter(ring)
	fill.GlyphStyle = draw.GlyphStyle{Radius: vgLen(radius), Shape: draw.CircleGlyph{}}
	fill.GlyphStyleFunc = func(i int) draw.GlyphStyle {
		gs := fill.GlyphStyle
		gs.Color = pointColor(y, i, ds.Y.Len()/n, reg, classes)
		return gs
	}
	pl.Add(fill)
}

func pointColor(y []float64, i, width int, reg bool, classes int) color.NRGBA {
	v := y[i*width]
	switch {
	case reg:
		return diverging(math.Max(-1, math.Min(1, v)))
	case classes <= 2:
		if v >= 0.5 {
			return playBlue
		}
		return playOrange
	}
	return seriesColor(int(v))
}
