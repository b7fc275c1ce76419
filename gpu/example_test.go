package gpu_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
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
