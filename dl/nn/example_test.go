package nn_test

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/nn"
)

// The lecture's LeNet-style net, written out layer by layer as in PyTorch:
// two 3×3 convolutions with max-pooling, then 120-84-10 linear layers. On
// 1×32×32 inputs the flatten is 16·6·6 = 576 wide.
func ExampleSequential() {
	net := nn.Sequential(
		nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
		nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
		nn.Flatten(), nn.Linear(16*6*6, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
	fmt.Print(nn.Summary(net, 1, 32, 32))
	for _, p := range net.StateDict()[:4] {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	// Output:
	// Summary of Sequential, input [N 1 32 32]
	// name  layer             output shape  params
	// 0     Conv2d(1, 6, 3)   [N 6 30 30]       60
	// 1     ReLU()            [N 6 30 30]        0
	// 2     MaxPool2d(2)      [N 6 15 15]        0
	// 3     Conv2d(6, 16, 3)  [N 16 13 13]     880
	// 4     ReLU()            [N 16 13 13]       0
	// 5     MaxPool2d(2)      [N 16 6 6]         0
	// 6     Flatten()         [N 576]            0
	// 7     Linear(576, 120)  [N 120]       69,240
	// 8     ReLU()            [N 120]            0
	// 9     Linear(120, 84)   [N 84]        10,164
	// 10    ReLU()            [N 84]             0
	// 11    Linear(84, 10)    [N 10]           850
	//       total                           81,194
	// 0.weight [6 1 3 3]
	// 0.bias [6]
	// 3.weight [16 6 3 3]
	// 3.bias [16]
}

// The same net with the fluent builder: each layer's input size is
// inferred from the input shape, and the builder is itself a Module.
func ExampleInput() {
	net := nn.Input(1, 32, 32).Conv2d(6, 3).ReLU().MaxPool2d(2).Conv2d(16, 3).ReLU().MaxPool2d(2).
		Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
	fmt.Println(net.OutputShape(), nn.CountParams(net))
	fmt.Println(net.Forward(dl.Zeros(4, 1, 32, 32)).Shape())
	fmt.Println(net.Layers()[7])

	// A layer that does not fit panics, naming the layer and the shapes.
	fmt.Println(dl.Catch(func() { nn.Input(1, 8, 8).Conv2d(6, 3).MaxPool2d(2).Conv2d(16, 5) }))
	// Output:
	// [10] 81194
	// [4 10]
	// Linear(576, 120)
	// dl: nn.Input(1, 8, 8): layer 2: nn.Conv2d(6, 16, 5): input of shape [N 6 3 3] is smaller than the 5×5 kernel (padding 0)
}

// Cross-entropy of known scores: log Σ exp z − z_label per row, averaged.
func ExampleCrossEntropy() {
	logits := dl.FromSlice([]float64{
		1, 2, 3, // label 2: log(e¹+e²+e³) − 3 = 0.4076
		0, 0, 0, // label 1: log 3 = 1.0986
	}, 2, 3).SetRequiresGrad(true)
	labels := dl.Labels(2, 1)
	loss := nn.CrossEntropy(logits, labels)
	loss.Backward()
	fmt.Printf("%.6f\n", loss.Item())
	fmt.Println(logits.Grad().Mul(dl.Float64.Scalar(2)).String()) // softmax − one-hot
	fmt.Println(nn.Accuracy(logits, labels))
	// Output:
	// 0.753109
	// [[0.0900306  0.244728 -0.334759]
	//  [ 0.333333 -0.666667  0.333333]]
	// 0.5
}

// The lecture's one-vs-rest: K sigmoid outputs, each a binary problem.
func ExampleOneVsRest() {
	logits := dl.FromSlice([]float32{
		2, -1, -3, // pedestrian?
		-2, 1, 0.5, // car?
	}, 2, 3)
	labels := dl.Labels(0, 1)
	fmt.Printf("%.4f\n", nn.OneVsRest(logits, labels).Item())
	fmt.Println(nn.PredictOneVsRest(logits))
	// Output:
	// 0.3172
	// [0 1]
}

func ExampleSummary_residual() {
	net := nn.Input(8).Linear(16).ReLU().
		Residual(func(r *nn.Builder) *nn.Builder { return r.Linear(16).BatchNorm().ReLU().Linear(16) }).
		Dropout(0.2).Linear(2)
	fmt.Print(nn.Summary(net))
	fmt.Println(net.StateDict()[4].Name)
	// Output:
	// Summary of Sequential, input [N 8]
	// name       layer              output shape  params
	// 0          Linear(8, 16)      [N 16]           144
	// 1          ReLU()             [N 16]             0
	// 2          Residual           [N 16]           576
	// 2.block.0    Linear(16, 16)   [N 16]           272
	// 2.block.1    BatchNorm1d(16)  [N 16]            32
	// 2.block.2    ReLU()           [N 16]             0
	// 2.block.3    Linear(16, 16)   [N 16]           272
	// 3          Dropout(0.2)       [N 16]             0
	// 4          Linear(16, 2)      [N 2]             34
	//            total                               754
	// 2.block.1.weight
}

func ExampleMSE() {
	pred := dl.FromSlice([]float32{1, 2, 3})
	target := dl.FromSlice([]float32{1, 1, 1})
	fmt.Printf("%.4f\n", nn.MSE(pred, target).Item()) // (0 + 1 + 4)/3
	// Output:
	// 1.6667
}

// To moves a module in place and returns it with its own type, so a net
// can be built and moved in one expression and keep the builder's methods.
// An optimizer made before the move follows the parameters.
func ExampleTo() {
	net := nn.Input(4).Linear(3).ReLU().Linear(2)
	net = nn.To(net, dl.CPU)
	mlp := nn.To(nn.Input(784).Linear(10), dl.CPU)
	fmt.Printf("%T %v %v\n", net, net.OutputShape(), net.Parameters()[0].Device())
	fmt.Printf("%T %v\n", mlp, mlp.OutputShape())
	// Output:
	// *nn.Builder [2] cpu
	// *nn.Builder [10]
}
