package viz_test

import (
	"fmt"
	"math"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/backprop"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
	"github.com/gradbook/gradbook/viz"
)

// The examples run outside a notebook, in a temporary folder (see
// TestMain): Show prints tables and writes pictures there.

// fitCircle trains a small tanh network on the Playground's circle data,
// quietly, and returns it with its data and history.
func fitCircle(lr float64, name string) (nn.Module, *data.Dataset, *train.History) {
	nn.Seed(1)
	ds := data.Circle(200, 0.1, 1)
	tr, va := ds.Split(0.25, 2)
	net := nn.Input(2).Linear(6).Tanh().Linear(6).Tanh().Linear(2)
	h := train.Fit(net, data.NewLoader(tr, 10, data.Shuffle(3)), train.Options{
		Epochs: 15, Optimizer: optim.SGD(net.Parameters(), lr, optim.Momentum(0.9)),
		Validation: va, Quiet: true, Name: name,
	})
	return net, ds, h
}

// Show prints a trace outside a notebook (in a notebook it shows the
// primal and adjoint tables side by side, styled), and writes a figure to
// a file.
func ExampleShow() {
	x1, x2 := dl.Scalar(2).Named("x1"), dl.Scalar(5).Named("x2")
	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	viz.Show(dl.TraceOf(y).Primal())
	viz.Show(viz.Graph(y))
	// Output:
	// Forward primal trace
	// v₋₁  = x₁                             = 2
	// v₀   = x₂                             = 5
	// v₁   = ln v₋₁    = ln 2               = 0.693
	// v₂   = v₋₁ × v₀  = 2 × 5              = 10
	// v₃   = sin v₀    = sin 5              = −0.959
	// v₄   = v₁ + v₂   = 0.693 + 10         = 10.693
	// v₅   = v₄ − v₃   = 10.693 − (−0.959)  = 11.652
	// y    = v₅                             = 11.652
	// wrote graph.svg
}

// Two step sizes compared: the larger one learns faster here, and
// noisier.
func ExampleLossCurve() {
	_, _, slow := fitCircle(0.01, "η = 0.01")
	_, _, fast := fitCircle(0.1, "η = 0.1")
	viz.Show(viz.LossCurve(slow, fast))
	viz.Show(viz.LossCurve(fast).Log().ByStep())
	// Output:
	// wrote loss-curve.svg
	// wrote loss-curve-2.svg
}

// In a notebook Fit shows a live view by default; as a callback in a
// terminal it records, and Show writes its last frame to an HTML file.
func ExampleLiveView() {
	nn.Seed(1)
	ds := data.XOR(200, 0.1, 1)
	net := nn.Input(2).Linear(8).Tanh().Linear(2)
	opts := train.Options{Epochs: 3, Optimizer: optim.Adam(net.Parameters(), 0.02), Quiet: true, Name: "xor"}
	view := viz.NewLiveView(opts)
	opts.Callbacks = []train.Callback{view.Callback()}
	train.Fit(net, data.NewLoader(ds, 20, data.Shuffle(1)), opts)
	viz.Show(view)
	// Output:
	// wrote training.html
}

func ExampleDecisionBoundary() {
	net, ds, _ := fitCircle(0.1, "")
	viz.Show(viz.DecisionBoundary(net, ds))
	// Output:
	// wrote decision-boundary.svg
}

func ExampleNeuronMaps() {
	net, ds, _ := fitCircle(0.1, "")
	viz.Show(viz.NeuronMaps(net, ds))
	// Output:
	// wrote neuron-maps.svg
}

// A two-layer network fits sin x + x/3 with eight tanh units: their
// weighted activations add up to the fit.
func ExampleFunctionFit() {
	f := func(x float64) float64 { return math.Sin(x) + x/3 }
	xs, ys := make([]float64, 200), make([]float64, 200)
	for i := range xs {
		xs[i] = -4 + 8*float64(i)/199
		ys[i] = f(xs[i])
	}
	ds := &data.Dataset{X: dl.FromSlice(xs, 200, 1).AsType(dl.Float32), Y: dl.FromSlice(ys, 200, 1).AsType(dl.Float32)}
	nn.Seed(2)
	net := nn.Input(1).Linear(8).Tanh().Linear(1)
	train.Fit(net, data.NewLoader(ds, 20, data.Shuffle(1)), train.Options{
		Epochs: 100, Loss: nn.MSE, Optimizer: optim.Adam(net.Parameters(), 0.02), Quiet: true})
	viz.Show(viz.FunctionFit(net, f, -4, 4))
	// Output:
	// wrote function-fit.svg
}

// deep returns eight sigmoid layers, with BatchNorm before each
// activation or without.
func deep(batchNorm bool) *nn.Builder {
	b := nn.Input(2)
	for range 8 {
		b = b.Linear(16)
		if batchNorm {
			b = b.BatchNorm()
		}
		b = b.Sigmoid()
	}
	return b.Linear(2)
}

// Vanishing gradients: in eight sigmoid layers the gradient shrinks by
// orders of magnitude towards the input; BatchNorm keeps it in range.
func ExampleHistograms() {
	nn.Seed(3)
	ds := data.Spiral(256, 0.1, 1)
	viz.Show(viz.Histograms(deep(false), ds.X, ds.Y, nil).Titled("Eight sigmoid layers"))
	viz.Show(viz.Histograms(deep(true), ds.X, ds.Y, nil).Titled("Eight sigmoid layers with BatchNorm"))
	// Output:
	// wrote histograms.svg
	// wrote histograms-2.svg
}

// The gradient norms per layer over training, with and without BatchNorm.
func ExampleGradNormCurve() {
	nn.Seed(3)
	ds := data.Spiral(256, 0.1, 1)
	var runs []*viz.GradNorms
	for _, bn := range []bool{false, true} {
		net := deep(bn)
		rec := viz.NewGradNorms(net, map[bool]string{false: "sigmoid", true: "sigmoid + BatchNorm"}[bn])
		train.Fit(net, data.NewLoader(ds, 32, data.Shuffle(1)), train.Options{
			Epochs: 5, Optimizer: optim.SGD(net.Parameters(), 0.1), Quiet: true,
			Callbacks: []train.Callback{rec.Callback()}})
		runs = append(runs, rec)
	}
	fmt.Println(len(runs[0].Steps), "steps of", len(runs[0].Layers), "layers")
	viz.Show(viz.GradNormCurve(runs...))
	// Output:
	// 40 steps of 9 layers
	// wrote grad-norms.svg
}

// The lecture's seven optimizers on a narrow ravine, and two of them with
// rates of one's own on the Rosenbrock valley.
func ExampleOptimizerPaths() {
	viz.Show(viz.OptimizerPaths(viz.Ravine()))
	viz.Show(viz.OptimizerPaths(viz.Rosenbrock(),
		viz.PathOptimizer{Name: "momentum", New: func(p []*dl.Tensor) optim.Optimizer {
			return optim.SGD(p, 0.001, optim.Momentum(0.9))
		}},
		viz.PathOptimizer{Name: "Adam", New: func(p []*dl.Tensor) optim.Optimizer { return optim.Adam(p, 0.05) }}))
	// Output:
	// wrote optimizer-paths.svg
	// wrote optimizer-paths-2.svg
}

func ExampleSchedule() {
	viz.Show(viz.Schedule(optim.OneCycle(0.1, 1000), 1000))
	viz.Show(viz.Schedule(optim.WarmupCosine(0.1, 100, 1000, 0.001), 1000).Log())
	// Output:
	// wrote schedule.svg
	// wrote schedule-2.svg
}

// MNIST samples with their labels, and the filters of a convolution.
func ExampleImages() {
	ds := data.MNISTSample().Slice(0, 32)
	var labels []string
	for _, v := range ds.Y.Float64s() {
		labels = append(labels, fmt.Sprint(v))
	}
	viz.Show(viz.Images(ds.X, labels))
	nn.Seed(1)
	viz.Show(viz.Images(nn.Conv2d(1, 6, 5).Weight, nil))
	// Output:
	// wrote images.svg
	// wrote images-2.svg
}

// A confusion matrix of a small network on iris, from its class scores.
func ExampleConfusionMatrix() {
	nn.Seed(1)
	ds := data.Iris()
	net := nn.Input(4).Linear(8).ReLU().Linear(3)
	train.Fit(net, data.NewLoader(ds, 16, data.Shuffle(1)), train.Options{
		Epochs: 30, Optimizer: optim.Adam(net.Parameters(), 0.01), Quiet: true})
	viz.Show(viz.ConfusionMatrix(net.Forward(ds.X), ds.Y, ds.Classes))
	// Output:
	// wrote confusion-matrix.svg
}

// The compute graph of the lecture's example, numbered as its traces.
func ExampleGraph() {
	x1, x2 := dl.Scalar(2).Named("x1"), dl.Scalar(5).Named("x2")
	y := x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
	g := viz.Graph(y)
	fmt.Println(g)
	if err := g.Save("lecture-graph.svg"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// compute graph: 12 nodes
}

// A model summary prints as text outside a notebook; HTML gives the
// styled table a notebook shows.
func ExampleTableHTML() {
	net := nn.Input(2).Linear(8).Tanh().Linear(2)
	viz.Show(nn.Summary(net))
	html := viz.TableHTML(&nn.Summary(net).Table)
	fmt.Println(len(html) > 0)
	// Output:
	// Summary of Sequential, input [N 2]
	// name  layer         output shape  params
	// 0     Linear(2, 8)  [N 8]             24
	// 1     Tanh()        [N 8]              0
	// 2     Linear(8, 2)  [N 2]             18
	//       total                           42
	// true
}

func ExampleSave() {
	_, _, h := fitCircle(0.1, "circle")
	for _, name := range []string{"history.html", "history.md", "history.txt", "loss.png"} {
		var x any = h
		if name == "loss.png" {
			x = viz.LossCurve(h)
		}
		fmt.Println(name, viz.Save(x, name))
	}
	// Output:
	// history.html <nil>
	// history.md <nil>
	// history.txt <nil>
	// loss.png <nil>
}

// The lecture's hand-written sigmoid network is a function, not an
// nn.Module: ModelFunc makes it a Model. Its outputs are probabilities,
// and the boundary is drawn where they cross ½.
func ExampleModelFunc() {
	net := backprop.FromTheta(
		dl.FromSlice([]float64{-10, 20, 20, 30, -20, -20}, 2, 3),
		dl.FromSlice([]float64{-30, 20, 20}, 1, 3),
	)
	x := dl.FromSlice([]float64{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2)
	y := dl.FromSlice([]float64{0, 1, 1, 0}, 4)
	ds := &data.Dataset{Name: "XOR", X: x.AsType(dl.Float32), Y: y.AsType(dl.Float32)}
	fig := viz.DecisionBoundary(viz.ModelFunc(net.Predict), ds)
	fmt.Println(viz.Save(fig, "xor-by-hand.svg"))
	// Output:
	// <nil>
}
