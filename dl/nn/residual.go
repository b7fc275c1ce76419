package nn

import (
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// ResidualModule adds its input to its block's output, x + block(x): the
// skip connection of ResNet, which lets gradients flow past the block and
// so helps very deep networks train (the lecture's remedy, with
// BatchNorm, for vanishing gradients).
type ResidualModule struct {
	Block Module // its state-dict names start with "block."
}

// Residual returns the module x + block(x); block must keep the shape of
// its input.
func Residual(block Module) *ResidualModule { return &ResidualModule{Block: block} }

// Forward returns x + Block.Forward(x).
func (r *ResidualModule) Forward(x *dl.Tensor) *dl.Tensor {
	y := r.Block.Forward(x)
	if !slices.Equal(y.Shape(), x.Shape()) {
		panicf("Residual", "block maps input of shape %v to %v; x + block(x) needs the same shape", x.Shape(), y.Shape())
	}
	return x.Add(y)
}

func (r *ResidualModule) outputShape(in []int) []int {
	out := shapeOf(r.Block, in)
	if !slices.Equal(out, in) {
		panicf("Residual", "block maps input of shape %s to %s; x + block(x) needs the same shape", fmtShape(in), fmtShape(out))
	}
	return out
}

func (r *ResidualModule) slots() []slot { return prefixed("Residual", "block", r.Block) }

// Parameters returns the block's parameters.
func (r *ResidualModule) Parameters() []*dl.Tensor { return r.Block.Parameters() }

// StateDict returns the block's state dict under "block.": "block.0.weight", ….
func (r *ResidualModule) StateDict() []Named { return prefixedStateDict("block", r.Block) }

// SetTraining sets the block's mode.
func (r *ResidualModule) SetTraining(on bool) { r.Block.SetTraining(on) }

// String describes the module as PyTorch prints it, the block indented.
func (r *ResidualModule) String() string {
	return "Residual(\n  (block): " + indent(describe(r.Block)) + "\n)"
}

// describe returns m's String if it has one, else its type.
func describe(m Module) string {
	if s, ok := m.(interface{ String() string }); ok {
		return s.String()
	}
	return typeName(m)
}

// indent indents every line of s but the first by two spaces.
func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }
