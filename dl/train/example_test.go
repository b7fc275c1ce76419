package train_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl/data"
	"github.com/gradbook/gradbook/dl/nn"
	"github.com/gradbook/gradbook/dl/optim"
	"github.com/gradbook/gradbook/dl/train"
)

// Fit a Playground network to the XOR data set and check it on held-out
// points.
func ExampleFit() {
	trainSet, testSet := data.XOR(400, 0, 1).Split(0.25, 2)
	nn.Seed(3)
	net := nn.Input(2).Linear(8).Tanh().Linear(8).Tanh().Linear(2)
	hist := train.Fit(net, data.NewLoader(trainSet, 10, data.Shuffle(4)), train.Options{
		Epochs:     30,
		Optimizer:  optim.Adam(net.Parameters(), 0.03),
		Validation: testSet,
		Quiet:      true,
	})
	last, _ := hist.Last()
	fmt.Println(len(hist.Epochs), "epochs; validation accuracy above 95%:", last.ValAccuracy > 0.95)
	// Output:
	// 30 epochs; validation accuracy above 95%: true
}

// The loop Fit runs, written out as in the lecture: zero the gradients,
// forward, loss, backward, step.
func Example_loop() {
	nn.Seed(1)
	net := nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
	opt := optim.SGD(net.Parameters(), 0.5, optim.Momentum(0.9))
	loader := data.NewLoader(data.Gaussians(200, 0, 1), 20, data.Shuffle(1))
	var first, last float64
	for epoch := 0; epoch < 5; epoch++ {
		for x, y := range loader.Epoch() {
			opt.ZeroGrad()
			loss := nn.CrossEntropy(net.Forward(x), y)
			loss.Backward()
			opt.Step()
			if first == 0 {
				first = loss.Item()
			}
			last = loss.Item()
		}
	}
	fmt.Println("loss fell:", last < first/4)
	// Output:
	// loss fell: true
}
