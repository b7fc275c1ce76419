package viz

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gradbook/gradbook/dl"
)

// ConfusionMatrix counts, for each true class (a row), how often the model
// predicted each class (a column): the diagonal holds the right answers,
// the rest shows which classes are confused with which. Cells are shaded
// by the fraction of their row, so a weak class stands out however rare
// it is; the title gives the accuracy.
//
// predicted holds class labels [n] or class scores [n k] (the largest
// wins); actual holds labels [n]. classes names the classes (nil numbers
// them).
func ConfusionMatrix(predicted, actual *dl.Tensor, classes []string) *Figure {
	pred := predicted
	if predicted.Rank() == 2 {
		pred = predicted.ArgMax(1)
	}
	if pred.Rank() != 1 || actual.Rank() != 1 || pred.Len() != actual.Len() {
		panicf("ConfusionMatrix", "predictions of shape %v and labels of shape %v are not [n] or [n k] and [n]", predicted.Shape(), actual.Shape())
	}
	p, a := pred.Float64s(), actual.Float64s()
	k := len(classes)
	for i := range p {
		k = max(k, int(p[i])+1, int(a[i])+1)
	}
	names := make([]string, k)
	for i := range names {
		if i < len(classes) {
			names[i] = classes[i]
		} else {
			names[i] = strconv.Itoa(i)
		}
	}
	counts := make([][]int, k)
	for i := range counts {
		counts[i] = make([]int, k)
	}
	right := 0
	for i := range p {
		t, q := int(a[i]), int(p[i])
		if t < 0 || q < 0 {
			panicf("ConfusionMatrix", "label %d is negative", min(t, q))
		}
		counts[t][q]++
		if t == q {
			right++
		}
	}
	title := "Confusion matrix"
	if len(p) > 0 {
		title += fmt.Sprintf(" · accuracy %.1f%% (%d of %d)", 100*float64(right)/float64(len(p)), right, len(p))
	}
	cell := math.Max(36, 260/float64(k))
	longest := 0.0
	ts := textStyle(tickSize, inkColor)
	for _, n := range names {
		longest = math.Max(longest, ts.Width(n).Points())
	}
	rotate := longest > cell-4
	w := cell*float64(k) + longest + 50
	h := cell*float64(k) + 80
	if rotate {
		h += longest * 0.75
	}
	return newFigure("confusion-matrix", title, vgLen(math.Max(w, 320)), vgLen(h), func(config) *layout {
		pl := newMapPanel("", true)
		pl.X.Label.Text, pl.Y.Label.Text = "predicted", "true"
		var xt, yt plot.ConstantTicks
		for i, n := range names {
			xt = append(xt, plot.Tick{Value: float64(i) + 0.5, Label: n})
			yt = append(yt, plot.Tick{Value: float64(k-1-i) + 0.5, Label: n})
		}
		pl.X.Tick.Marker, pl.Y.Tick.Marker = xt, yt
		if rotate {
			pl.X.Tick.Label.Rotation = math.Pi / 4
			pl.X.Tick.Label.XAlign, pl.X.Tick.Label.YAlign = draw.XRight, draw.YTop
		}
		// Invisible ticks that keep the labels off the cells.
		pl.X.Tick.Length, pl.Y.Tick.Length = 4, 4
		pl.X.Tick.LineStyle.Width, pl.Y.Tick.LineStyle.Width = 0, 0
		pl.X.LineStyle.Width, pl.Y.LineStyle.Width = 0, 0
		pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = 0, float64(k), 0, float64(k)
		pl.Add(&confusionCells{counts: counts})
		return &layout{rows: [][]*plot.Plot{{pl}}}
	})
}

// confusionCells draws the matrix: row i (true class i) from the top.
type confusionCells struct{ counts [][]int }

func (m *confusionCells) Plot(c draw.Canvas, p *plot.Plot) {
	k := len(m.counts)
	trX, trY := p.Transforms(&c)
	size := 10.0
	if k > 12 {
		size = 8
	}
	ts := textStyle(size, inkColor)
	ts.XAlign, ts.YAlign = draw.XCenter, draw.YCenter
	for i, row := range m.counts {
		total := 0
		for _, n := range row {
			total += n
		}
		for j, n := range row {
			frac := 0.0
			if total > 0 {
				frac = float64(n) / float64(total)
			}
			col := ramp(blues, frac)
			if n == 0 {
				col = white
			}
			x0, x1 := trX(float64(j)), trX(float64(j+1))
			y0, y1 := trY(float64(k-1-i)), trY(float64(k-i))
			r := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
			c.SetColor(col)
			c.Fill(r.Path())
			c.StrokeLines(lineStyle(gridColor, 0.5), []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}, r.Min})
			if n > 0 {
				s := ts
				if luminance(col) < 0.5 {
					s.Color = white
				}
				c.FillText(s, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, strconv.Itoa(n))
			}
		}
	}
}

func (m *confusionCells) DataRange() (xmin, xmax, ymin, ymax float64) {
	k := float64(len(m.counts))
	return 0, k, 0, k
}
