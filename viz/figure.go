package viz

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is a picture made of one or more gonum/plot panels, with an
// optional title above them and a legend on their right. The functions of
// this package return one; Show displays it, SVG and PNG render it, Save
// writes it to a file.
//
// A figure is built when it is first rendered. The methods that change it
// (Log, ByStep, Size, Titled, Resolution) return the figure itself, so they
// chain: viz.Show(viz.LossCurve(a, b).Log()). Panels returns the gonum/plot
// panels for changes beyond those.
type Figure struct {
	name          string // file name without extension, for Show
	title         string
	width, height vg.Length
	cfg           config
	build         func(cfg config) *layout
	built         *layout
	pixelated     bool // images are drawn with crisp pixels
}

// config holds the settings a figure's builder reads.
type config struct {
	log        bool
	byStep     bool
	resolution int
}

// layout is a built figure: rows of panels (nil leaves a tile empty) and
// the legend drawn on the right.
type layout struct {
	rows   [][]*plot.Plot
	legend []legendEntry
	// padX and padY separate the tiles (defaults when zero).
	padX, padY vg.Length
}

// legendEntry is one line of a figure's legend: a sample of a line and/or
// a marker, and its label. An entry with neither is a heading.
type legendEntry struct {
	label  string
	line   *draw.LineStyle
	glyph  *draw.GlyphStyle
	swatch color.Color // a filled square instead of a line
	note   bool        // plain text under the entries, not a heading
}

func newFigure(name, title string, w, h vg.Length, build func(cfg config) *layout) *Figure {
	return &Figure{name: name, title: title, width: w, height: h, build: build}
}

// Log puts the figure's value axis on a log scale: the loss of LossCurve,
// the learning rate of Schedule. Other figures ignore it (GradNormCurve is
// always on a log scale).
func (f *Figure) Log() *Figure { f.cfg.log = true; f.built = nil; return f }

// ByStep measures LossCurve's horizontal axis in optimizer steps instead of
// epochs. Other figures ignore it.
func (f *Figure) ByStep() *Figure { f.cfg.byStep = true; f.built = nil; return f }

// Resolution sets the number of grid points along each axis for the
// figures that evaluate a function over the plane (DecisionBoundary,
// NeuronMaps, OptimizerPaths).
func (f *Figure) Resolution(n int) *Figure {
	if n < 2 {
		panicf("Figure.Resolution", "resolution %d is less than 2 points", n)
	}
	f.cfg.resolution = n
	f.built = nil
	return f
}

// Size sets the figure's size in points (1/72 inch; a notebook shows a
// point as 4/3 pixel).
func (f *Figure) Size(width, height float64) *Figure {
	if !(width > 0 && height > 0) {
		panicf("Figure.Size", "width %g and height %g must be positive", width, height)
	}
	f.width, f.height = vg.Length(width), vg.Length(height)
	return f
}

// Titled sets the title drawn above the figure ("" for none).
func (f *Figure) Titled(title string) *Figure { f.title = title; return f }

// Title returns the figure's title.
func (f *Figure) Title() string { return f.title }

// Panels returns the figure's gonum/plot panels, row by row (an entry may
// be nil), built if need be. Changes to them show in later renderings.
func (f *Figure) Panels() [][]*plot.Plot { return f.layout().rows }

func (f *Figure) layout() *layout {
	if f.built == nil {
		f.built = f.build(f.cfg)
	}
	return f.built
}

// String describes the figure in one line.
func (f *Figure) String() string {
	n := 0
	for _, r := range f.layout().rows {
		for _, p := range r {
			if p != nil {
				n++
			}
		}
	}
	t := f.title
	if t == "" {
		t = f.name
	}
	return fmt.Sprintf("figure %q: %d panel(s), %g×%g pt", t, n, float64(f.width), float64(f.height))
}

// SVG renders the figure as a standalone SVG document. Text uses Liberation
// Sans, which falls back to the metrically identical Arial. It panics with
// a *dl.Error if the figure cannot be rendered (Save returns the error).
func (f *Figure) SVG() string {
	s, err := f.renderSVG()
	if err != nil {
		panicf("Figure.SVG", "%v", err)
	}
	return s
}

// PNG renders the figure as a PNG image at 144 dots per inch (twice a
// notebook's pixel density, so it stays sharp on high-density screens). It
// panics with a *dl.Error if the figure cannot be rendered, as one sized
// below a pixel (Save returns the error).
func (f *Figure) PNG() []byte {
	b, err := f.renderPNG()
	if err != nil {
		panicf("Figure.PNG", "%v", err)
	}
	return b
}

func (f *Figure) renderSVG() (string, error) {
	c := vgsvg.New(f.width, f.height)
	f.draw(c)
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return "", f.renderError(err)
	}
	return fixSVG(b.String(), f.pixelated), nil
}

func (f *Figure) renderPNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.width, f.height), vgimg.UseDPI(144))
	f.draw(c)
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, f.renderError(err)
	}
	return b.Bytes(), nil
}

// renderError describes a failure to render the figure.
func (f *Figure) renderError(err error) error {
	return fmt.Errorf("rendering the %g×%g pt figure %q: %w", float64(f.width), float64(f.height), f.name, err)
}

// Save writes the figure to path as SVG or PNG, by the path's extension.
func (f *Figure) Save(path string) error {
	var data []byte
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		s, err := f.renderSVG()
		if err != nil {
			return fmt.Errorf("viz: Save %s: %w", path, err)
		}
		data = []byte(s)
	case ".png":
		b, err := f.renderPNG()
		if err != nil {
			return fmt.Errorf("viz: Save %s: %w", path, err)
		}
		data = b
	default:
		return fmt.Errorf("viz: Save %s: want a .svg or .png file", path)
	}
	return writeFileAtomic(path, data)
}

func (f *Figure) baseName() string { return f.name }

// fixSVG makes gonum/plot's SVG portable: font families with fallbacks
// (Liberation Sans is metrically identical to Arial), and crisp pixels for
// images that show pixels.
func fixSVG(s string, pixelated bool) string {
	s = strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	s = strings.ReplaceAll(s, "font-family:Liberation Mono;", "font-family:'Liberation Mono','DejaVu Sans Mono',Menlo,Consolas,monospace;")
	s = strings.Replace(s, "<!-- Generated by SVGo and Plotinum VG -->\n", "", 1)
	s = strings.ReplaceAll(s, "<image ", `<image preserveAspectRatio="none" `)
	if pixelated {
		s = strings.ReplaceAll(s, "<image ", `<image style="image-rendering:pixelated;image-rendering:crisp-edges" `)
		s = strings.ReplaceAll(s, "data:image/jpg;base64,", "data:image/png;base64,")
	} else {
		s = strings.ReplaceAll(s, "data:image/jpg;base64,", "data:image/png;base64,")
	}
	return s
}

// The font and sizes of every figure.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

const (
	titleSize  = 13
	panelSize  = 11
	labelSize  = 10
	tickSize   = 9
	legendSize = 9.5
)

func textStyle(size float64, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(sansFont, vg.Length(size)),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// newPanel returns a plot in the package's style: sans-serif text, grey
// axes, a light grid behind the data.
func newPanel(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, panelSize)
	p.Title.TextStyle.Color = inkColor
	p.Title.Padding = 6
	styleAxes(p, 2)
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = linearTicks{}, linearTicks{}
	p.Legend.TextStyle.Font = font.From(sansFont, legendSize)
	p.Legend.TextStyle.Color = inkColor
	p.Add(newGrid())
	return p
}

// styleAxes gives both axes the package's text and line style.
func styleAxes(p *plot.Plot, padding vg.Length) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, labelSize)
		a.Label.TextStyle.Color = inkColor
		a.Tick.Label.Font = font.From(sansFont, tickSize)
		a.Tick.Label.Color = inkColor
		a.LineStyle.Color = axisColor
		a.Tick.LineStyle.Color = axisColor
		a.Padding = padding
	}
}

func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	g.Vertical.Width, g.Horizontal.Width = 0.5, 0.5
	return g
}

// newMapPanel returns a panel for a picture over a data rectangle: no grid,
// axes with ticks only when ticks is true.
func newMapPanel(title string, ticks bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, tickSize)
	p.Title.TextStyle.Color = inkColor
	p.Title.Padding = 3
	styleAxes(p, 0)
	if !ticks {
		p.HideAxes()
	}
	return p
}

// lineStyle returns a solid line of the given colour and width.
func lineStyle(c color.Color, width float64, dashes ...float64) draw.LineStyle {
	ls := draw.LineStyle{Color: c, Width: vg.Length(width)}
	for _, d := range dashes {
		ls.Dashes = append(ls.Dashes, vg.Length(d))
	}
	return ls
}

// addLine adds the polyline through xs, ys to p, skipping non-finite points
// (they break the line).
func addLine(p *plot.Plot, xs, ys []float64, ls draw.LineStyle) {
	var pts plotter.XYs
	flush := func() {
		if len(pts) > 0 {
			l, err := plotter.NewLine(pts)
			if err == nil {
				l.LineStyle = ls
				p.Add(l)
			}
			pts = nil
		}
	}
	for i := range xs {
		if !finite(xs[i]) || !finite(ys[i]) {
			flush()
			continue
		}
		pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
	}
	flush()
}

// addPoints adds markers at the finite points.
func addPoints(p *plot.Plot, xs, ys []float64, gs draw.GlyphStyle) {
	var pts plotter.XYs
	for i := range xs {
		if finite(xs[i]) && finite(ys[i]) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	if len(pts) == 0 {
		return
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return
	}
	s.GlyphStyle = gs
	p.Add(s)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Layout constants of the figure frame.
const (
	framePad     = vg.Length(8)
	legendSample = vg.Length(22)
	legendGap    = vg.Length(6)
)

// draw renders the figure on c.
func (f *Figure) draw(c vg.CanvasSizer) {
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	l := f.layout()

	area := dc
	area.Min.X += framePad
	area.Min.Y += framePad / 2
	area.Max.X -= framePad
	area.Max.Y -= framePad
	var titleH vg.Length
	ts := textStyle(titleSize, inkColor)
	title := wrapText(ts, f.title, area.Max.X-area.Min.X)
	if title != "" {
		titleH = ts.Height(title) + 6
	}
	if len(l.legend) > 0 {
		la := area
		la.Max.Y -= titleH
		w := drawLegend(la, l.legend)
		area.Max.X -= w + 10
	}
	if title != "" {
		ts.XAlign, ts.YAlign = draw.XCenter, draw.YTop
		cx := (area.Min.X + area.Max.X) / 2
		if strings.Contains(title, "\n") {
			cx = (area.Min.X + dc.Max.X - framePad) / 2 // a long title spans the legend too
		}
		dc.FillText(ts, vg.Point{X: cx, Y: area.Max.Y}, title)
		area.Max.Y -= titleH
	}
	rows := len(l.rows)
	if rows == 0 {
		return
	}
	cols := 0
	for _, r := range l.rows {
		cols = max(cols, len(r))
	}
	grid := make([][]*plot.Plot, rows)
	for j, r := range l.rows {
		grid[j] = make([]*plot.Plot, cols)
		copy(grid[j], r)
	}
	padX, padY := l.padX, l.padY
	if padX == 0 {
		padX = 18
	}
	if padY == 0 {
		padY = 14
	}
	equalizeLabels(grid)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: padX, PadY: padY}
	canvases := plot.Align(grid, tiles, area)
	for j := range grid {
		for i, p := range grid[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
}

// drawLegend draws the entries in a column at the right of area, from its
// top, and returns the column's width.
func drawLegend(area draw.Canvas, entries []legendEntry) vg.Length {
	ts := textStyle(legendSize, inkColor)
	hs := ts
	hs.Font.Weight = xfont.WeightBold // headings in bold
	var textW vg.Length
	for _, e := range entries {
		s := ts
		w := s.Width(e.label)
		if e.line == nil && e.glyph == nil && e.swatch == nil && !e.note {
			w = hs.Width(e.label) - legendSample - legendGap
		}
		textW = max(textW, w)
	}
	width := legendSample + legendGap + textW
	x0 := area.Max.X - width
	lineH := ts.Height("Hg") + 5
	y := area.Max.Y - 4
	for _, e := range entries {
		mid := y - lineH/2
		heading := e.line == nil && e.glyph == nil && e.swatch == nil && !e.note
		if e.swatch != nil {
			area.SetColor(e.swatch)
			r := vg.Rectangle{Min: vg.Point{X: x0 + 4, Y: mid - 4}, Max: vg.Point{X: x0 + legendSample - 4, Y: mid + 4}}
			area.Fill(r.Path())
		}
		if e.line != nil {
			area.StrokeLine2(*e.line, x0, mid, x0+legendSample, mid)
		}
		if e.glyph != nil {
			area.DrawGlyph(*e.glyph, vg.Point{X: x0 + legendSample/2, Y: mid})
		}
		s := ts
		tx := x0 + legendSample + legendGap
		if heading {
			s = hs
			tx = x0
		}
		s.YAlign = draw.YCenter
		area.FillText(s, vg.Point{X: tx, Y: mid}, e.label)
		y -= lineH
	}
	return width
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder, so that a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".viz-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func vgLen(v float64) vg.Length { return vg.Length(v) }

// equalizeLabels gives the panels of a row without a y-axis label the
// label of the row's first labelled panel in the background colour: gonum's
// alignment otherwise places a labelled panel's title higher than its
// neighbours'.
func equalizeLabels(grid [][]*plot.Plot) {
	for _, row := range grid {
		var label *plot.Plot
		for _, p := range row {
			if p != nil && p.Y.Label.Text != "" {
				label = p
				break
			}
		}
		if label == nil {
			continue
		}
		for _, p := range row {
			if p != nil && p.Y.Label.Text == "" && p.Y.LineStyle.Width > 0 {
				p.Y.Label.Text = label.Y.Label.Text
				p.Y.Label.TextStyle = label.Y.Label.TextStyle
				p.Y.Label.TextStyle.Color = p.BackgroundColor
			}
		}
	}
}

// wrapText breaks s at spaces into lines no wider than width.
func wrapText(ts text.Style, s string, width vg.Length) string {
	if s == "" || ts.Width(s) <= width {
		return s
	}
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && ts.Width(try) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		line = try
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n")
}
