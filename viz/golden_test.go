package viz_test

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/backprop"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
	"github.com/gradbook/gradbook/viz"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdata, name)
	if *update {
		if err := os.MkdirAll(testdata, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			t.Fatalf("%s differs at line %d:\ngot  %.300s\nwant %.300s\n(run go test -update if the change is intended)", name, i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("%s: got %d lines, want %d (run go test -update if the change is intended)", name, len(gl), len(wl))
}

// lecture returns the lecture's f(x₁, x₂) = ln x₁ + x₁x₂ − sin x₂ at (2, 5).
func lecture() *dl.Tensor {
	x1, x2 := dl.Scalar(2).Named("x1"), dl.Scalar(5).Named("x2")
	return x1.Log().Add(x1.Mul(x2)).Sub(x2.Sin())
}

// handNet is a 2-3-1 tanh network with weights set by hand, so that its
// pictures do not depend on training.
func handNet() *nn.SequentialModule {
	l1, l2 := nn.Linear(2, 3), nn.Linear(3, 1)
	l1.Weight.Assign(dl.FromSlice([]float32{1.2, -0.4, 0.3, 1.1, -0.9, -0.8}, 3, 2))
	l1.Bias.Assign(dl.FromSlice([]float32{0.5, -1, 0.2}, 3))
	l2.Weight.Assign(dl.FromSlice([]float32{1.5, -1.2, 0.8}, 1, 3))
	l2.Bias.Assign(dl.FromSlice([]float32{0.1}, 1))
	return nn.Sequential(l1, nn.Tanh(), l2)
}

// syntheticRun is a training history made up step by step: no training,
// so the golden loss curve depends on nothing but this function.
func syntheticRun(name string, rate float64) *train.History {
	h := &train.History{Name: name}
	const perEpoch = 20
	for e := range 5 {
		for s := range perEpoch {
			step := e*perEpoch + s
			loss := 0.7*math.Exp(-rate*float64(step)) + 0.05 + 0.04*math.Sin(float64(step)*1.7)
			h.Steps = append(h.Steps, train.StepRecord{Epoch: e, Step: step, Loss: loss, Accuracy: 1 - loss/1.5, LR: 0.1})
		}
		l := 0.7*math.Exp(-rate*float64((e+1)*perEpoch)) + 0.05
		h.Epochs = append(h.Epochs, train.EpochRecord{Epoch: e, Loss: l, Accuracy: 1 - l/1.5, ValLoss: l * 1.2, ValAccuracy: 1 - l*1.2/1.5,
			Validated: true, HasAccuracy: true, Seconds: 1, SamplesPerSec: 1000})
	}
	return h
}

func TestGoldenTables(t *testing.T) {
	y := lecture()
	golden(t, "trace.html", viz.HTML(dl.TraceOf(y)))
	net := nn.Input(1, 32, 32).Conv2d(6, 3).ReLU().MaxPool2d(2).Conv2d(16, 3).ReLU().MaxPool2d(2).
		Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
	golden(t, "summary.html", viz.HTML(nn.Summary(net)))
	bnet := backprop.FromTheta(dl.FromSlice([]float64{-1, 2, 2, 3, -2, -2}, 2, 3), dl.FromSlice([]float64{1, -2, -2}, 1, 3))
	e := backprop.Explain(bnet, dl.FromSlice([]float64{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2), dl.FromSlice([]float64{0, 1, 1, 0}, 4), 0.1)
	golden(t, "backprop.html", viz.HTML(e))
	golden(t, "history.html", viz.HTML(syntheticRun("run", 0.05)))
}

func TestGoldenGraph(t *testing.T) {
	golden(t, "graph.svg", viz.Graph(lecture()).SVG())
}

func TestGoldenFigures(t *testing.T) {
	golden(t, "loss-curve.svg", viz.LossCurve(syntheticRun("η = 0.1", 0.05), syntheticRun("η = 0.01", 0.02)).SVG())
	golden(t, "loss-curve-log.svg", viz.LossCurve(syntheticRun("", 0.05)).Log().ByStep().SVG())
	golden(t, "schedule.svg", viz.Schedule(optim.OneCycle(0.1, 200), 200).SVG())
	ds := data.Circle(60, 0.1, 1)
	golden(t, "decision-boundary.svg", viz.DecisionBoundary(handNet(), ds).Resolution(24).SVG())
	golden(t, "neuron-maps.svg", viz.NeuronMaps(handNet(), ds).Resolution(16).SVG())
	nn.Seed(5)
	golden(t, "function-fit.svg", viz.FunctionFit(nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1)), math.Sin, -3, 3).SVG())
	golden(t, "optimizer-paths.svg", viz.OptimizerPaths(viz.Ravine()).Resolution(40).SVG())
	mnist := data.MNISTSample().Slice(0, 12)
	var labels []string
	for _, v := range mnist.Y.Float64s() {
		labels = append(labels, fmt.Sprint(v))
	}
	golden(t, "images.svg", viz.Images(mnist.X, labels).SVG())
	pred := dl.Labels(0, 1, 2, 2, 1, 0, 2, 2, 1, 1)
	act := dl.Labels(0, 1, 2, 1, 1, 0, 2, 0, 1, 2)
	golden(t, "confusion-matrix.svg", viz.ConfusionMatrix(pred, act, []string{"setosa", "versicolor", "virginica"}).SVG())
}

// TestDeterministic renders figures twice from fresh inputs: the same
// bytes, as notebooks diffed under version control need.
func TestDeterministic(t *testing.T) {
	render := func() string {
		nn.Seed(7)
		ds := data.XOR(80, 0.1, 3)
		net := nn.Input(2).Linear(4).ReLU().Linear(2)
		return viz.DecisionBoundary(net, ds).Resolution(20).SVG() + viz.NeuronMaps(net, ds).Resolution(12).SVG() +
			viz.Graph(lecture()).SVG() + viz.OptimizerPaths(viz.Rosenbrock()).Resolution(24).SVG()
	}
	if a, b := render(), render(); a != b {
		t.Error("the same inputs gave different pictures")
	}
}
