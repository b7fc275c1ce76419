package nn

import "github.com/gradbook/gradbook/dl"

// To moves m's parameters and buffers (everything in its state dict) to
// dev in place and returns m. The tensors stay the same, so an optimizer
// made over m's parameters before the move follows them, its state too.
func To(m Module, dev dl.Device) Module {
	for _, nt := range m.StateDict() {
		nt.Tensor.MoveTo(dev)
	}
	return m
}

// To moves the network's parameters and buffers to dev in place (see the
// function To) and returns s.
func (s *SequentialModule) To(dev dl.Device) *SequentialModule {
	To(s, dev)
	return s
}

// To moves the network's parameters and buffers to dev in place (see the
// function To) and returns b.
func (b *Builder) To(dev dl.Device) *Builder {
	To(b, dev)
	return b
}
