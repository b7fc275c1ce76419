package nn

import "github.com/gradbook/gradbook/dl"

// FlattenLayer reshapes [N d₁ d₂ …] to [N d₁·d₂·…], keeping the batch axis,
// as PyTorch's nn.Flatten(): the bridge from convolutions to linear layers.
type FlattenLayer struct{}

// Flatten returns a layer that flattens all axes but the first.
func Flatten() *FlattenLayer { return &FlattenLayer{} }

// Forward returns x reshaped to [N rest].
func (f *FlattenLayer) Forward(x *dl.Tensor) *dl.Tensor {
	out := f.outputShape(x.Shape())
	return x.Reshape(out...)
}

func (f *FlattenLayer) outputShape(in []int) []int {
	if len(in) < 2 {
		panicf("Flatten()", "input of shape %s has no axes after the batch axis", fmtShape(in))
	}
	n := 1
	for _, d := range in[1:] {
		n *= d
	}
	return []int{in[0], n}
}

func (f *FlattenLayer) slots() []slot { return nil }

// Parameters returns nothing.
func (f *FlattenLayer) Parameters() []*dl.Tensor { return nil }

// StateDict returns nothing.
func (f *FlattenLayer) StateDict() []Named { return nil }

// SetTraining does nothing.
func (f *FlattenLayer) SetTraining(bool) {}

// String returns "Flatten()".
func (f *FlattenLayer) String() string { return "Flatten()" }
