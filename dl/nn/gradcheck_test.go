package nn

// Gradient checks: every layer, container and loss is checked in Float64
// with dl.GradCheck (reverse mode element by element and forward mode along
// a random direction, both against central differences), with respect to
// its input and to each of its parameters.

import (
	"math/rand/v2"
	"testing"

	"github.com/gradbook/gradbook/dl"
)

// nnRandn returns Float64 standard normal values.
func nnRandn(seed uint64, shape ...int) *dl.Tensor {
	return dl.Float64.Randn(rand.New(rand.NewPCG(seed, 17)), shape...)
}

// nnUniform returns Float64 values uniform in [lo, hi).
func nnUniform(seed uint64, lo, hi float64, shape ...int) *dl.Tensor {
	return dl.Float64.Rand(rand.New(rand.NewPCG(seed, 18)), shape...).
		Mul(dl.Float64.Scalar(hi - lo)).Add(dl.Float64.Scalar(lo))
}

// nnGradCheck converts m to Float64 and checks the gradients of its output
// with respect to x and to every parameter. before, if not nil, runs before
// each evaluation (to fix a random mask).
func nnGradCheck(t *testing.T, name string, m Module, x *dl.Tensor, before func()) {
	t.Helper()
	m = ToDType(m, dl.Float64)
	var params []slot
	inputs := []*dl.Tensor{x.AsType(dl.Float64).Clone().Named("x")}
	for _, s := range m.(slotter).slots() {
		if s.param && *s.t != nil {
			params = append(params, s)
			inputs = append(inputs, (*s.t).Clone().Named(s.name))
		}
	}
	saved := make([]*dl.Tensor, len(params))
	for i, s := range params {
		saved[i] = *s.t
	}
	defer func() {
		for i, s := range params {
			*s.t = saved[i]
		}
	}()
	f := func(in ...*dl.Tensor) *dl.Tensor {
		for i, s := range params {
			*s.t = in[i+1]
		}
		if before != nil {
			before()
		}
		return m.Forward(in[0])
	}
	if r := dl.GradCheck(f, inputs...); !r.OK() {
		t.Errorf("%s: gradient check failed:\n%s", name, r)
	}
}

func TestLayerGradients(t *testing.T) {
	Seed(1)
	withStats := func(b *BatchNormLayer) *BatchNormLayer {
		b = ToDType(b, dl.Float64)
		b.RunningMean.Assign(nnRandn(90, b.Features))
		b.RunningVar.Assign(nnUniform(91, 0.5, 2, b.Features))
		b.Weight.Assign(nnUniform(92, 0.5, 1.5, b.Features))
		b.Bias.Assign(nnRandn(93, b.Features))
		return b
	}
	eval := func(m Module) Module { m.SetTraining(false); return m }
	cases := []struct {
		name string
		m    Module
		x    *dl.Tensor
	}{
		{"Linear [N in]", Linear(4, 3), nnRandn(1, 5, 4)},
		{"Linear [N L in]", Linear(4, 3), nnRandn(2, 2, 3, 4)},
		{"Linear no bias", Linear(4, 3, NoBias()), nnRandn(3, 5, 4)},
		{"Conv2d", Conv2d(2, 3, 3), nnRandn(4, 2, 2, 5, 5)},
		{"Conv2d stride 2 padding 1", Conv2d(2, 3, 3, Stride(2), Padding(1)), nnRandn(5, 2, 2, 6, 5)},
		{"Conv2d no bias", Conv2d(1, 2, 2, NoBias()), nnRandn(6, 2, 1, 4, 4)},
		{"MaxPool2d", MaxPool2d(2), nnRandn(7, 2, 2, 5, 4)},
		{"MaxPool2d stride 1", MaxPool2d(2, Stride(1)), nnRandn(8, 1, 2, 4, 4)},
		{"AvgPool2d", AvgPool2d(2), nnRandn(9, 2, 2, 4, 5)},
		{"AvgPool2d 3 stride 2", AvgPool2d(3, Stride(2)), nnRandn(10, 1, 2, 7, 7)},
		{"BatchNorm1d train [N C]", withStats(BatchNorm1d(3)), nnRandn(11, 6, 3)},
		{"BatchNorm1d train [N C L]", withStats(BatchNorm1d(3)), nnRandn(12, 2, 3, 4)},
		{"BatchNorm1d eval", eval(withStats(BatchNorm1d(3))), nnRandn(13, 4, 3)},
		{"BatchNorm2d train", withStats(BatchNorm2d(2)), nnRandn(14, 2, 2, 3, 3)},
		{"BatchNorm2d eval", eval(withStats(BatchNorm2d(2))), nnRandn(15, 2, 2, 3, 3)},
		{"Flatten", Flatten(), nnRandn(16, 2, 3, 2, 2)},
		{"ReLU", ReLU(), nnRandn(17, 3, 4)},
		{"LeakyReLU", LeakyReLU(0.1), nnRandn(18, 3, 4)},
		{"Sigmoid", Sigmoid(), nnRandn(19, 3, 4)},
		{"Tanh", Tanh(), nnRandn(20, 3, 4)},
		{"GELU", GELU(), nnRandn(21, 3, 4).Mul(dl.Float64.Scalar(2))},
		{"Softmax(1)", Softmax(1), nnRandn(22, 3, 4)},
		{"Softmax(-1) [N C L]", Softmax(-1), nnRandn(23, 2, 3, 4)},
		{"Residual", Residual(Sequential(Linear(4, 4), Tanh(), Linear(4, 4))), nnRandn(24, 3, 4)},
		{"Sequential CNN", Sequential(Conv2d(1, 2, 3, Padding(1)), BatchNorm2d(2), ReLU(), MaxPool2d(2),
			Flatten(), Linear(8, 5), GELU(), Linear(5, 3), Softmax(1)), nnRandn(25, 3, 1, 4, 4)},
		{"Builder", Input(6).Linear(5).LeakyReLU(0.2).BatchNorm().
			Residual(func(r *Builder) *Builder { return r.Linear(5).Sigmoid() }).Linear(2), nnRandn(26, 4, 6)},
	}
	for _, c := range cases {
		nnGradCheck(t, c.name, c.m, c.x, nil)
	}

	d := Dropout(0.4)
	nnGradCheck(t, "Dropout", d, nnRandn(27, 4, 5), func() { d.rng = newRNG(3) })
	d2 := Dropout(0.3)
	net := Sequential(Linear(3, 6), d2, ReLU(), Linear(6, 2))
	nnGradCheck(t, "Sequential with Dropout", net, nnRandn(28, 4, 3), func() { d2.rng = newRNG(4) })
}

// lossCheck checks the gradients of a loss with respect to the inputs
// listed (the others are held as constants).
func lossCheck(t *testing.T, name string, f func(in ...*dl.Tensor) *dl.Tensor, inputs ...*dl.Tensor) {
	t.Helper()
	if r := dl.GradCheck(f, inputs...); !r.OK() {
		t.Errorf("%s: gradient check failed:\n%s", name, r)
	}
}

func TestLossGradients(t *testing.T) {
	labels := dl.Labels(2, 0, 1, 2)
	lossCheck(t, "MSE", func(in ...*dl.Tensor) *dl.Tensor { return MSE(in[0], in[1]) },
		nnRandn(1, 4, 3), nnRandn(2, 4, 3))
	lossCheck(t, "BCE", func(in ...*dl.Tensor) *dl.Tensor { return BCE(in[0], in[1]) },
		nnUniform(3, 0.05, 0.95, 4, 2), nnUniform(4, 0, 1, 4, 2))
	lossCheck(t, "BCEWithLogits", func(in ...*dl.Tensor) *dl.Tensor { return BCEWithLogits(in[0], in[1]) },
		nnRandn(5, 4, 2).Mul(dl.Float64.Scalar(3)), nnUniform(6, 0, 1, 4, 2))
	lossCheck(t, "CrossEntropy", func(in ...*dl.Tensor) *dl.Tensor { return CrossEntropy(in[0], labels) },
		nnRandn(7, 4, 3))
	lossCheck(t, "CrossEntropy [N C d]", func(in ...*dl.Tensor) *dl.Tensor {
		return CrossEntropy(in[0], dl.FromSlice([]float64{0, 2, 1, 1}, 2, 2))
	}, nnRandn(8, 2, 3, 2))
	lossCheck(t, "NLL", func(in ...*dl.Tensor) *dl.Tensor { return NLL(in[0], labels) }, nnRandn(9, 4, 3))
	lossCheck(t, "OneVsRest", func(in ...*dl.Tensor) *dl.Tensor { return OneVsRest(in[0], labels) },
		nnRandn(10, 4, 3))
	// Through a net: the lecture's setting.
	Seed(2)
	net := ToDType(Input(3).Linear(4).Tanh().Linear(3), dl.Float64)
	x := nnRandn(11, 4, 3)
	w := net.Parameters()[0]
	lossCheck(t, "CrossEntropy through a net", func(in ...*dl.Tensor) *dl.Tensor {
		saved := net.seq.Layers[0].(*LinearLayer).Weight
		defer func() { net.seq.Layers[0].(*LinearLayer).Weight = saved }()
		net.seq.Layers[0].(*LinearLayer).Weight = in[0]
		return CrossEntropy(net.Forward(x), labels)
	}, w)
}
