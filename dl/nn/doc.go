// Package nn builds neural networks from layers, with PyTorch's vocabulary
// and Go's manners: modules, Sequential and a fluent builder that infers
// sizes, losses, initialisation, and a summary table.
//
// # Modules
//
// A Module maps a batch to a batch (Forward), lists its trainable tensors
// (Parameters) and its state dict (StateDict: parameters and buffers under
// PyTorch's names, in PyTorch's order), and switches between training and
// evaluation mode (SetTraining). The layers:
//
//	Linear(in, out, opts...)       fully connected, on the last axis; NoBias()
//	Conv2d(in, out, k, opts...)    Stride(s), Padding(p), NoBias()
//	MaxPool2d(k, opts...), AvgPool2d(k, opts...)
//	                               stride k unless Stride(s); sizes round down
//	BatchNorm1d(c), BatchNorm2d(c) batch statistics in training, running ones in evaluation
//	Dropout(p)                     zeroes with probability p and scales by 1/(1−p) in training
//	Flatten()                      [N d₁ d₂ …] → [N d₁·d₂·…]
//	Residual(block)                x + block(x)
//	ReLU(), LeakyReLU(s), Sigmoid(), Tanh(), Softplus(), GELU(), Softmax(axis)
//
// A layer's options are of its own type (LinearOption, Conv2dOption,
// Pool2dOption): an option a layer does not take, Stride for Linear or
// NoBias for MaxPool2d, does not compile.
//
// StateDict and Parameters return the module's own tensors, not copies:
// an optimizer updates them in place, and loading a checkpoint assigns to
// them (dl.Tensor.Assign).
//
// Each layer's type (LinearLayer, Conv2dLayer, …) has its tensors as
// exported fields (Weight, Bias, RunningMean, …) and prints as PyTorch
// would describe it ("Conv2d(1, 6, 3)").
//
// # Networks
//
// Sequential(layers...) applies layers in a row; its state-dict names are
// "0.weight", "0.bias", "3.weight", …, and a Residual's block adds
// "block.": "2.block.0.weight". The builder writes the same net without
// the input sizes, inferring them from the shape of one input:
//
//	net := nn.Sequential(
//		nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2),
//		nn.Conv2d(6, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
//		nn.Flatten(), nn.Linear(16*6*6, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
//	same := nn.Input(1, 32, 32).Conv2d(6, 3).ReLU().MaxPool2d(2).Conv2d(16, 3).ReLU().MaxPool2d(2).
//		Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
//	fmt.Print(nn.Summary(net, 1, 32, 32)) // layers, output shapes, 81,194 parameters
//
// A Builder is a Module. Summary returns a table that prints as text and
// renders as Markdown and HTML.
//
// # Losses
//
// MSE, BCE, BCEWithLogits, CrossEntropy, NLL and OneVsRest return the mean
// loss as a scalar tensor, as PyTorch's losses with their default
// reduction; Accuracy and PredictOneVsRest read off predictions:
//
//	loss := nn.CrossEntropy(net.Forward(x), labels) // labels: dl.Labels(3, 1, …)
//	loss.Backward()
//
// # Initialisation and seeds
//
// Linear and Conv2d start as PyTorch's do: weights and biases uniform in
// (−1/√fan_in, 1/√fan_in). XavierUniform, XavierNormal, HeUniform,
// HeNormal, KaimingUniform, KaimingNormal, Uniform, Normal and Constant
// refill a tensor; InitWeights applies one to every weight of a module. All
// draw from one package-level generator: Seed(s) resets it, so a program
// that seeds and then builds its net gets the same numbers on every run.
// They are not PyTorch's numbers, whose generator differs; only the
// distributions agree.
//
// # Dtypes
//
// Layers are made in Float32, PyTorch's default. ToDType(m, dl.Float64)
// converts a module's tensors, for gradient checks and reference values:
//
//	lin := nn.ToDType(nn.Linear(3, 2), dl.Float64)
//
// # Devices
//
// To(m, dev) moves a module's parameters and buffers to a device (dl.CPU
// or one of package gpu) in place and returns m with its own type, so an
// optimizer made before the move follows and the module keeps its methods:
//
//	net = nn.To(net, dev)
//
// # Errors
//
// A shape that does not fit panics with a *dl.Error (dl.Catch turns it
// into an error) whose message names the layer and the shapes, e.g.
//
//	dl: nn.Sequential: layer 7: nn.Linear(576, 120): input of shape [4 400] does not end in 576 features
package nn
