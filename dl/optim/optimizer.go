package optim

// Optimizer updates parameters from their gradients: PyTorch's
// torch.optim in Go. Use it as the lecture does:
//
//	opt.ZeroGrad(); loss := nn.CrossEntropy(net.Forward(x), y); loss.Backward(); opt.Step()
type Optimizer interface {
	// ZeroGrad clears the gradients of the parameters.
	ZeroGrad()
	// Step updates every parameter that has a gradient, in place.
	Step()
	// LR returns the current learning rate; SetLR changes it (schedules
	// call it before each step).
	LR() float64
	SetLR(lr float64)
}

// Schedule gives the learning rate for a step (0-based). It can be
// evaluated ahead of time for a preview.
type Schedule interface {
	LR(step int) float64
}
