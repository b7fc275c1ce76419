package nn

import "github.com/gradbook/gradbook/dl"

// Module is a layer or a network of layers: PyTorch's nn.Module in Go.
type Module interface {
	// Forward computes the module's output for the batch x.
	Forward(x *dl.Tensor) *dl.Tensor
	// Parameters returns the trainable tensors in state-dict order.
	Parameters() []*dl.Tensor
	// StateDict returns the parameters and buffers (such as BatchNorm's
	// running statistics) under PyTorch's state_dict names, in its order:
	// "weight", "bias" for a layer; "0.weight", "0.bias", … in a Sequential.
	StateDict() []Named
	// SetTraining switches training mode (BatchNorm's batch statistics,
	// Dropout on) or evaluation mode; modules start in training mode.
	SetTraining(on bool)
}

// Named is a tensor with its state-dict name.
type Named struct {
	Name   string
	Tensor *dl.Tensor
}
