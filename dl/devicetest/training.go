package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
)

// LeNet returns the lecture's LeNet for 1×28×28 images, its parameters
// drawn from seed.
func LeNet(seed uint64) nn.Module {
	nn.Seed(seed)
	return nn.Input(1, 28, 28).Conv2d(6, 3).ReLU().MaxPool2d(2).Conv2d(16, 3).ReLU().MaxPool2d(2).
		Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
}

// MLP returns the 784-256-128-10 network, its parameters drawn from seed.
func MLP(seed uint64) nn.Module {
	nn.Seed(seed)
	return nn.Input(784).Linear(256).ReLU().Linear(128).ReLU().Linear(10)
}

// Layers returns a small network through the other layers: BatchNorm,
// LeakyReLU, average pooling, GELU, Dropout, a residual block, Sigmoid.
// The convolution before BatchNorm has no bias, as usual: BatchNorm
// removes it, so its gradient would be rounding noise, which Adam would
// amplify differently on each device.
func Layers(seed uint64) nn.Module {
	nn.Seed(seed)
	return nn.Input(1, 12, 12).Conv2d(4, 3, nn.NoBias()).BatchNorm().LeakyReLU(0.1).AvgPool2d(2).Flatten().
		Linear(32).GELU().Dropout(0.2).Residual(func(r *nn.Builder) *nn.Builder { return r.Linear(32).Sigmoid() }).
		Linear(10)
}

// Batch returns a random batch of n images of shape and labels below 10.
func Batch(seed uint64, n int, shape ...int) (x, y *dl.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 11))
	x = dl.Randn(rng, append([]int{n}, shape...)...)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	return x, dl.Labels(labels...)
}

// TrainSteps trains model with opt for steps steps on one batch on dev
// (moving the model there first) and returns the losses.
func TrainSteps(model nn.Module, opt optim.Optimizer, x, y *dl.Tensor, dev dl.Device, steps int) []float64 {
	nn.To(model, dev)
	x, y = x.To(dev), y.To(dev)
	var losses []float64
	for range steps {
		opt.ZeroGrad()
		loss := nn.CrossEntropy(model.Forward(x), y)
		loss.Backward()
		opt.Step()
		losses = append(losses, loss.Item())
	}
	return losses
}

// RunTraining checks training on dev against the CPU: LeNet and the MLP
// take three steps of SGD with momentum and of AdamW (AMSGrad) from the
// same weights, and the losses and the weights after must agree within
// tol relative to each tensor's largest magnitude.
func RunTraining(t *testing.T, dev dl.Device, batch int, tol float64) {
	nets := map[string]struct {
		make  func(uint64) nn.Module
		shape []int
	}{"LeNet": {LeNet, []int{1, 28, 28}}, "MLP": {MLP, []int{784}}, "Layers": {Layers, []int{1, 12, 12}}}
	opts := map[string]func([]*dl.Tensor) optim.Optimizer{
		"SGD": func(p []*dl.Tensor) optim.Optimizer {
			return optim.SGD(p, 0.05, optim.Momentum(0.9), optim.Nesterov(), optim.WeightDecay(1e-3))
		},
		"AdamW": func(p []*dl.Tensor) optim.Optimizer { return optim.AdamW(p, 1e-3, optim.AMSGrad()) },
		"Adam":  func(p []*dl.Tensor) optim.Optimizer { return optim.Adam(p, 1e-3, optim.WeightDecay(1e-2)) },
	}
	for _, name := range sortedKeys(nets) {
		net := nets[name]
		for _, oname := range sortedKeys(opts) {
			newOpt := opts[oname]
			t.Run(fmt.Sprintf("%s/%s/batch%d", name, oname, batch), func(t *testing.T) {
				x, y := Batch(3, batch, net.shape...)
				cpu, gpu := net.make(1), net.make(1)
				wantLoss := TrainSteps(cpu, newOpt(cpu.Parameters()), x, y, dl.CPU, 3)
				var gotLoss []float64
				if err := dl.Catch(func() { gotLoss = TrainSteps(gpu, newOpt(gpu.Parameters()), x, y, dev, 3) }); err != nil {
					t.Fatal(err)
				}
				for i := range wantLoss {
					if d := gotLoss[i] - wantLoss[i]; d > tol || d < -tol {
						t.Errorf("loss of step %d: %v on %v, %v on the CPU", i+1, gotLoss[i], dev, wantLoss[i])
					}
				}
				want, got := cpu.StateDict(), gpu.StateDict()
				for i := range want {
					if got[i].Tensor.Device() != dev {
						t.Fatalf("%s is on %v after the steps, not on %v", got[i].Name, got[i].Tensor.Device(), dev)
					}
					Compare(t, got[i].Name, got[i].Tensor.To(dl.CPU), want[i].Tensor, tol)
				}
			})
		}
	}
}

// RunFit checks train.Fit with Options.Device: a tanh network learns the
// Playground's circle on dev as on the CPU, and stays on dev.
func RunFit(t *testing.T, dev dl.Device) {
	fit := func(dev dl.Device) (*train.History, nn.Module) {
		nn.Seed(4)
		net := nn.Input(2).Linear(8).Tanh().Linear(8).Tanh().Linear(2)
		h := train.Fit(net, data.NewLoader(data.Circle(400, 0.1, 1), 20, data.Shuffle(1)), train.Options{
			Epochs:     15,
			Optimizer:  optim.Adam(net.Parameters(), 0.03),
			Validation: data.Circle(200, 0.1, 2),
			Quiet:      true,
			Device:     dev,
		})
		return h, net
	}
	want, _ := fit(nil)
	got, net := fit(dev)
	if got.Err != nil {
		t.Fatal(got.Err)
	}
	w, _ := want.Last()
	g, _ := got.Last()
	t.Logf("validation accuracy %.3f on %v, %.3f on the CPU; loss %.5f and %.5f", g.ValAccuracy, dev, w.ValAccuracy, g.ValLoss, w.ValLoss)
	if g.ValAccuracy < 0.9 || math.Abs(g.ValLoss-w.ValLoss) > 1e-3 {
		t.Errorf("validation accuracy %.3f and loss %.5f on %v, %.3f and %.5f on the CPU", g.ValAccuracy, g.ValLoss, dev, w.ValAccuracy, w.ValLoss)
	}
	for _, nt := range net.StateDict() {
		if nt.Tensor.Device() != dev {
			t.Errorf("%s is on %v after the run", nt.Name, nt.Tensor.Device())
		}
	}
}
