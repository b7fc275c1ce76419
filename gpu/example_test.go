package gpu_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/gpu"
)

// Open says why there is no GPU (no driver, no device, a library missing)
// instead of crashing, so a program can fall back to the CPU.
func ExampleOpen() {
	dev, err := gpu.Open(0)
	if err != nil {
		fmt.Println("on the CPU:", err)
		return
	}
	fmt.Println(dev.Info())
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.To(nn.Input(784).Linear(128).ReLU().Linear(10), dev)
	x := dl.Randn(rng, 64, 784).To(dev)
	fmt.Println(net.Forward(x).Shape(), net.Forward(x).Device())
}

// A network, its optimizer and a batch move to the GPU; the training step
// is the same code as on the CPU, as in the package documentation.
func ExampleDevice() {
	rng := rand.New(rand.NewPCG(1, 2))
	net := nn.Input(784).Linear(128).ReLU().Linear(10)
	opt := optim.SGD(net.Parameters(), 0.01)
	x, y := dl.Randn(rng, 64, 784), dl.Labels(make([]int, 64)...)

	dev := gpu.Device(0)
	net = nn.To(net, dev)
	x, y = x.To(dev), y.To(dev)
	loss := nn.CrossEntropy(net.Forward(x), y)
	loss.Backward()
	opt.Step()
	fmt.Println(loss.Item())
}
