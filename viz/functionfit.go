package viz

import (
	"fmt"

	"gonum.org/v1/plot"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
)

// FunctionFit shows universal approximation at work: a network with one
// input and one output against the target function f on [lo, hi] (top),
// and below it what each hidden unit j adds to the output, wⱼ·hⱼ(x), where
// hⱼ is the unit's activation and wⱼ its weight in the last Linear layer.
// The output is the sum of those contributions and the last layer's bias;
// a two-layer network bends and shifts its units' activations until the
// sum follows f.
//
// The model is a Sequential or a Builder whose last layer with weights is
// Linear(h, 1) (for other models only the fit is drawn), taking batches
// [n 1].
func FunctionFit(model Model, f func(x float64) float64, lo, hi float64) *Figure {
	if !(hi > lo) {
		panicf("FunctionFit", "interval [%g, %g] is empty (want lo < hi)", lo, hi)
	}
	return newFigure("function-fit", "Function fit", 600, 470, func(cfg config) *layout {
		return buildFunctionFit(model, f, lo, hi)
	})
}

const fitPoints = 300

func buildFunctionFit(model Model, f func(float64) float64, lo, hi float64) *layout {
	xs := make([]float64, fitPoints)
	target := make([]float64, fitPoints)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(fitPoints-1)
		target[i] = f(xs[i])
	}
	in := dl.FromSlice(append([]float64(nil), xs...), fitPoints, 1).AsType(inputDType(model))
	layers := layersOf(model)
	last := -1
	for i, l := range layers {
		if weighted(l) {
			last = i
		}
	}
	var fit, hidden []float64
	var w []float64
	var bias float64
	units := 0
	inEvalMode(model, func() {
		dl.NoGrad(func() {
			fit = model.Forward(in).Float64s()
			lin, ok := nn.Module(nil), false
			if last > 0 {
				lin = layers[last]
				_, ok = lin.(*nn.LinearLayer)
			}
			if !ok || lin.(*nn.LinearLayer).Out != 1 {
				return
			}
			h := in
			for _, l := range layers[:last] {
				h = l.Forward(h)
			}
			if h.Rank() != 2 {
				return
			}
			ll := lin.(*nn.LinearLayer)
			hidden, units = h.Float64s(), h.Dim(1)
			w = ll.Weight.Float64s()
			if ll.Bias != nil {
				bias = ll.Bias.Item()
			}
		})
	})
	if len(fit) != fitPoints {
		panicf("FunctionFit", "the model gives %d outputs for %d inputs [n 1] (want one per input)", len(fit), fitPoints)
	}

	top := newPanel("", "x", "y")
	targetStyle := lineStyle(inkColor, 2.6)
	fitStyle := lineStyle(playOrange, 2, 6, 3)
	addLine(top, xs, target, targetStyle)
	addLine(top, xs, fit, fitStyle)
	legend := []legendEntry{
		{label: "target f(x)", line: &targetStyle},
		{label: "network", line: &fitStyle},
	}
	rows := [][]*plot.Plot{{top}}
	if units > 0 {
		bottom := newPanel("", "x", "wⱼ·hⱼ(x)")
		for j := range units {
			cj := make([]float64, fitPoints)
			for i := range cj {
				cj[i] = w[j] * hidden[i*units+j]
			}
			addLine(bottom, xs, cj, lineStyle(withAlpha(seriesColor(j), 0.85), 1.2))
		}
		biasStyle := lineStyle(mutedColor, 1, 2, 2)
		addLine(bottom, []float64{lo, hi}, []float64{bias, bias}, biasStyle)
		rows = append(rows, []*plot.Plot{bottom})
		unitStyle := lineStyle(seriesColor(0), 1.2)
		legend = append(legend, legendEntry{label: ""},
			legendEntry{label: fmt.Sprintf("%d hidden unit%s", units, plural(units))},
			legendEntry{label: "unit j: wⱼ·hⱼ(x)", line: &unitStyle},
			legendEntry{label: "bias b", line: &biasStyle},
			legendEntry{label: "network = Σⱼ wⱼ·hⱼ(x) + b", note: true})
	}
	return &layout{rows: rows, legend: legend, padY: 16}
}

// inputDType is the dtype of the model's parameters (Float32 when it has
// none or is not an nn.Module).
func inputDType(m Model) dl.DType {
	if mod, ok := m.(nn.Module); ok {
		if ps := mod.Parameters(); len(ps) > 0 {
			return ps[0].DType()
		}
	}
	return dl.Float32
}
