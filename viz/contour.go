package viz

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// contourLines is a plotter of iso-lines of a grid of values, traced by
// marching squares and joined into polylines in a fixed order: unlike
// gonum's Contour, whose order depends on map iteration, it draws the same
// picture every time.
type contourLines struct {
	lines [][]pt
	style draw.LineStyle
}

type pt struct{ x, y float64 }

// addContour draws the iso-lines of g at the levels.
func addContour(pl *plot.Plot, g grid, levels []float64, ls draw.LineStyle) {
	c := &contourLines{style: ls}
	for _, l := range levels {
		c.lines = append(c.lines, traceLevel(g, l)...)
	}
	pl.Add(c)
}

func (c *contourLines) Plot(canvas draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&canvas)
	for _, l := range c.lines {
		ps := make([]vg.Point, len(l))
		for i, q := range l {
			ps[i] = vg.Point{X: trX(q.x), Y: trY(q.y)}
		}
		canvas.StrokeLines(c.style, ps)
	}
}

// traceLevel returns the polylines where g crosses level.
func traceLevel(g grid, level float64) [][]pt {
	nc, nr := g.Dims()
	if nc < 2 || nr < 2 {
		return nil
	}
	// Edge ids: horizontal edge (c, r)–(c+1, r) is r·nc + c; vertical edge
	// (c, r)–(c, r+1) is nr·nc + r·nc + c.
	hEdge := func(c, r int) int { return r*nc + c }
	vEdge := func(c, r int) int { return nr*nc + r*nc + c }
	point := map[int]pt{}
	cross := func(id int, x0, y0, z0, x1, y1, z1 float64) {
		if _, ok := point[id]; ok {
			return
		}
		t := 0.5
		if z1 != z0 {
			t = (level - z0) / (z1 - z0)
		}
		point[id] = pt{x0 + t*(x1-x0), y0 + t*(y1-y0)}
	}
	type seg struct{ a, b int }
	var segs []seg
	for r := 0; r < nr-1; r++ {
		for c := 0; c < nc-1; c++ {
			z00, z10 := g.Z(c, r), g.Z(c+1, r)
			z01, z11 := g.Z(c, r+1), g.Z(c+1, r+1)
			if !finite(z00) || !finite(z10) || !finite(z01) || !finite(z11) {
				continue
			}
			x0, x1, y0, y1 := g.X(c), g.X(c+1), g.Y(r), g.Y(r+1)
			bottom, top := hEdge(c, r), hEdge(c, r+1)
			left, right := vEdge(c, r), vEdge(c+1, r)
			above := func(z float64) bool { return z >= level }
			var on []int // the cell's edges that the level crosses
			if above(z00) != above(z10) {
				cross(bottom, x0, y0, z00, x1, y0, z10)
				on = append(on, bottom)
			}
			if above(z10) != above(z11) {
				cross(right, x1, y0, z10, x1, y1, z11)
				on = append(on, right)
			}
			if above(z01) != above(z11) {
				cross(top, x0, y1, z01, x1, y1, z11)
				on = append(on, top)
			}
			if above(z00) != above(z01) {
				cross(left, x0, y0, z00, x0, y1, z01)
				on = append(on, left)
			}
			switch len(on) {
			case 2:
				segs = append(segs, seg{on[0], on[1]})
			case 4: // a saddle: the centre decides which corners connect
				if above((z00+z10+z01+z11)/4) == above(z00) {
					segs = append(segs, seg{bottom, right}, seg{top, left})
				} else {
					segs = append(segs, seg{bottom, left}, seg{right, top})
				}
			}
		}
	}
	// Join segments that share an edge into polylines, in segment order.
	at := map[int][]int{}
	for i, s := range segs {
		at[s.a] = append(at[s.a], i)
		at[s.b] = append(at[s.b], i)
	}
	used := make([]bool, len(segs))
	next := func(edge, from int) int {
		for _, j := range at[edge] {
			if j != from && !used[j] {
				return j
			}
		}
		return -1
	}
	var lines [][]pt
	for i := range segs {
		if used[i] {
			continue
		}
		used[i] = true
		ids := []int{segs[i].a, segs[i].b}
		for _, forward := range []bool{true, false} {
			cur := i
			for {
				end := ids[len(ids)-1]
				if !forward {
					end = ids[0]
				}
				j := next(end, cur)
				if j < 0 {
					break
				}
				used[j] = true
				other := segs[j].a
				if other == end {
					other = segs[j].b
				}
				if forward {
					ids = append(ids, other)
				} else {
					ids = append([]int{other}, ids...)
				}
				cur = j
			}
		}
		line := make([]pt, len(ids))
		for k, id := range ids {
			line[k] = point[id]
		}
		lines = append(lines, line)
	}
	return lines
}
