package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
)

// The training-step workloads here have twins in torch/steps.py, with the
// same names (Step/playground, Step/mlp, Step/lenet); compare matches them
// by name. Keep the two in step: the nets, batch sizes, losses, optimizer and
// the order of the step's parts.

// stepLR is the learning rate of every step benchmark's SGD. It is small so
// that thousands of steps on one batch leave the weights (and so the work of
// a step) about where they started.
const stepLR = 0.01

// stepWorkload is one net, one fixed batch and its loss.
type stepWorkload struct {
	name string
	net  func() nn.Module
	// batch returns the fixed input and target.
	batch func(rng *rand.Rand) (x, y *dl.Tensor)
	loss  func(out, target *dl.Tensor) *dl.Tensor
}

// randomLabels returns n class labels in [0, classes).
func randomLabels(rng *rand.Rand, n, classes int) *dl.Tensor {
	l := make([]int, n)
	for i := range l {
		l[i] = rng.IntN(classes)
	}
	return dl.Labels(l...)
}

// playgroundNet is the TensorFlow Playground's 2-8-8-1 tanh network with one
// output scored by BCEWithLogits.
func playgroundNet() nn.Module {
	return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1))
}

// mlpNet is the MNIST multi-layer perceptron 784-256-128-10 with ReLU.
func mlpNet() nn.Module {
	return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
}

// leNet is the lecture's LeNet on 1×32×32 inputs.
func leNet() nn.Module {
	return nn.Sequential(
		nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
		nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
		nn.Flatten(), nn.Linear(576, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
}

var stepWorkloads = []stepWorkload{
	{
		// Batch 10 of 2-D points with 0/1 targets of shape [10 1].
		name: "playground",
		net:  playgroundNet,
		batch: func(rng *rand.Rand) (x, y *dl.Tensor) {
			return dl.Randn(rng, 10, 2), randomLabels(rng, 10, 2).Reshape(10, 1)
		},
		loss: nn.BCEWithLogits,
	},
	{
		// Batch 128 of flattened 28×28 images.
		name: "mlp",
		net:  mlpNet,
		batch: func(rng *rand.Rand) (x, y *dl.Tensor) {
			return dl.Randn(rng, 128, 784), randomLabels(rng, 128, 10)
		},
		loss: nn.CrossEntropy,
	},
	{
		// Batch 64 of 1×32×32 images (MNIST padded by 2).
		name: "lenet",
		net:  leNet,
		batch: func(rng *rand.Rand) (x, y *dl.Tensor) {
			return dl.Randn(rng, 64, 1, 32, 32), randomLabels(rng, 64, 10)
		},
		loss: nn.CrossEntropy,
	},
}

// trainStep is one step as the lecture writes it and as steps.py times it:
// zero_grad, forward, loss, backward, SGD step. It returns the loss.
func trainStep(net nn.Module, opt optim.Optimizer, x, y *dl.Tensor, loss func(out, target *dl.Tensor) *dl.Tensor) *dl.Tensor {
	opt.ZeroGrad()
	l := loss(net.Forward(x), y)
	l.Backward()
	opt.Step()
	return l
}

// BenchmarkStep times one training step of each workload on a fixed random
// batch, in steady state (after a few warm-up steps), with plain SGD.
func BenchmarkStep(b *testing.B) {
	for _, w := range stepWorkloads {
		b.Run(w.name, func(b *testing.B) {
			nn.Seed(1)
			net := w.net()
			x, y := w.batch(rand.New(rand.NewPCG(1, 2)))
			opt := optim.SGD(net.Parameters(), stepLR)
			for range 3 {
				trainStep(net, opt, x, y, w.loss)
			}
			b.ReportAllocs()
			var l *dl.Tensor
			for b.Loop() {
				l = trainStep(net, opt, x, y, w.loss)
			}
			sink = l
		})
	}
}

// TestStepWorkloads checks that the benchmarked steps train: a handful of
// steps on the fixed batch lowers its loss, and the playground targets are
// 0s and 1s. It takes well under a second.
func TestStepWorkloads(t *testing.T) {
	for _, w := range stepWorkloads {
		nn.Seed(1)
		net := w.net()
		x, y := w.batch(rand.New(rand.NewPCG(1, 2)))
		if w.name == "playground" {
			for _, v := range y.Float32s() {
				if v != 0 && v != 1 {
					t.Fatalf("playground target %v, want 0 or 1", v)
				}
			}
		}
		opt := optim.SGD(net.Parameters(), 0.1)
		first := trainStep(net, opt, x, y, w.loss).Item()
		var last float64
		for range 5 {
			last = trainStep(net, opt, x, y, w.loss).Item()
		}
		if !(last < first) {
			t.Errorf("%s: loss %.4f after 6 steps, not below the first step's %.4f", w.name, last, first)
		}
	}
}
