package nn

import "github.com/gradbook/gradbook/dl"

// To moves m's parameters and buffers (everything in its state dict) to
// dev in place and returns m with its own type, as PyTorch's module.to(dev):
//
//	net = nn.To(net, dev)
//	mlp := nn.To(nn.Input(784).Linear(128).ReLU().Linear(10), dev)
//
// The tensors stay the same, so an optimizer made over m's parameters
// before the move follows them, its state too. ToDType converts dtypes the
// same way.
func To[M Module](m M, dev dl.Device) M {
	for _, nt := range m.StateDict() {
		nt.Tensor.MoveTo(dev)
	}
	return m
}
