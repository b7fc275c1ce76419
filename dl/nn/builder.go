package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gradbook/gradbook/dl"
)

// Builder builds a sequential net layer by layer from the shape of its
// input, inferring each layer's input size: the fluent twin of Sequential.
//
//	net := nn.Input(1, 32, 32).Conv2d(6, 3).ReLU().MaxPool2d(2).
//		Conv2d(16, 3).ReLU().MaxPool2d(2).
//		Flatten().Linear(120).ReLU().Linear(84).ReLU().Linear(10)
//
// A Builder is itself a Module, with the same layers, parameters and
// state-dict names as the Sequential written out by hand (and, after the
// same Seed, the same initial values). Each method appends a layer to the
// builder and returns it; a layer that does not fit the current shape
// panics with a message naming the layer and the shapes.
type Builder struct {
	in    []int // input shape, batch axis excluded
	shape []int // current output shape, with a batch axis of batchN
	seq   SequentialModule
}

// Input starts a net whose inputs have the given shape without the batch
// axis: Input(1, 32, 32) for batches [N 1 32 32], Input(2) for [N 2].
func Input(shape ...int) *Builder {
	b := &Builder{in: slices.Clone(shape)}
	if len(shape) == 0 {
		panicf(b.name(), "an input needs at least one axis besides the batch axis")
	}
	for _, d := range shape {
		if d <= 0 {
			panicf(b.name(), "input shape %v has a dimension that is not positive", shape)
		}
	}
	b.shape = append([]int{batchN}, shape...)
	return b
}

func (b *Builder) name() string {
	s := strings.Trim(fmt.Sprint(b.in), "[]")
	return "Input(" + strings.ReplaceAll(s, " ", ", ") + ")"
}

// Then appends any module, such as a net of your own; its output shape is
// found by running it once on zeros unless it is one of this package's.
func (b *Builder) Then(m Module) *Builder {
	i := len(b.seq.Layers)
	func() {
		defer func() {
			if r := recover(); r != nil {
				if e, ok := r.(*dl.Error); ok {
					panic(&dl.Error{Op: "nn." + b.name(), Msg: fmt.Sprintf("layer %d: %s",
						i, strings.TrimPrefix(e.Error(), "dl: "))})
				}
				panic(r)
			}
		}()
		b.shape = shapeOf(m, b.shape)
	}()
	b.seq.Layers = append(b.seq.Layers, m)
	return b
}

// last is the size of the last axis of the current shape.
func (b *Builder) last() int { return b.shape[len(b.shape)-1] }

// channels is the channel count of an image-shaped [N C H W] current shape.
func (b *Builder) channels(layer string) int {
	if len(b.shape) != 4 {
		panicf(b.name(), "layer %d, %s, needs an input [N C H W] but gets %s", len(b.seq.Layers), layer, shapeN(b.shape))
	}
	return b.shape[1]
}

// Linear appends Linear(in, out) with in the size of the last axis.
func (b *Builder) Linear(out int, opts ...LinearOption) *Builder {
	return b.Then(Linear(b.last(), out, opts...))
}

// Conv2d appends Conv2d(in, out, kernel, opts...) with in the current
// number of channels.
func (b *Builder) Conv2d(out, kernel int, opts ...Conv2dOption) *Builder {
	c := b.channels(fmt.Sprintf("Conv2d(out=%d, kernel=%d)", out, kernel))
	return b.Then(Conv2d(c, out, kernel, opts...))
}

// MaxPool2d appends MaxPool2d(kernel, opts...).
func (b *Builder) MaxPool2d(kernel int, opts ...Pool2dOption) *Builder {
	return b.Then(MaxPool2d(kernel, opts...))
}

// AvgPool2d appends AvgPool2d(kernel, opts...).
func (b *Builder) AvgPool2d(kernel int, opts ...Pool2dOption) *Builder {
	return b.Then(AvgPool2d(kernel, opts...))
}

// BatchNorm appends BatchNorm2d for image-shaped [N C H W] data and
// BatchNorm1d for [N C] or [N C L].
func (b *Builder) BatchNorm() *Builder {
	if len(b.shape) == 4 {
		return b.Then(BatchNorm2d(b.shape[1]))
	}
	if len(b.shape) < 2 || len(b.shape) > 4 {
		panicf(b.name(), "layer %d, BatchNorm, needs an input [N C], [N C L] or [N C H W] but gets %s", len(b.seq.Layers), shapeN(b.shape))
	}
	return b.Then(BatchNorm1d(b.shape[1]))
}

// Flatten appends Flatten().
func (b *Builder) Flatten() *Builder { return b.Then(Flatten()) }

// Dropout appends Dropout(p).
func (b *Builder) Dropout(p float64) *Builder { return b.Then(Dropout(p)) }

// ReLU appends ReLU().
func (b *Builder) ReLU() *Builder { return b.Then(ReLU()) }

// LeakyReLU appends LeakyReLU(slope).
func (b *Builder) LeakyReLU(slope float64) *Builder { return b.Then(LeakyReLU(slope)) }

// Sigmoid appends Sigmoid().
func (b *Builder) Sigmoid() *Builder { return b.Then(Sigmoid()) }

// Tanh appends Tanh().
func (b *Builder) Tanh() *Builder { return b.Then(Tanh()) }

// Softplus appends Softplus().
func (b *Builder) Softplus() *Builder { return b.Then(Softplus()) }

// GELU appends GELU().
func (b *Builder) GELU() *Builder { return b.Then(GELU()) }

// Softmax appends Softmax(axis); axis counts the batch axis, as in PyTorch.
func (b *Builder) Softmax(axis int) *Builder { return b.Then(Softmax(axis)) }

// Residual appends Residual(block), where block builds the inner layers
// from the current shape and must end in it:
//
//	nn.Input(16).Residual(func(r *nn.Builder) *nn.Builder { return r.Linear(16).ReLU().Linear(16) })
func (b *Builder) Residual(block func(r *Builder) *Builder) *Builder {
	return b.Then(Residual(block(Input(b.shape[1:]...))))
}

// InputShape returns the input shape without the batch axis.
func (b *Builder) InputShape() []int { return slices.Clone(b.in) }

// OutputShape returns the output shape without the batch axis.
func (b *Builder) OutputShape() []int { return slices.Clone(b.shape[1:]) }

// Sequential returns the layers built so far as a Sequential (sharing
// them with the builder).
func (b *Builder) Sequential() *SequentialModule { return Sequential(b.seq.Layers...) }

// Layers returns the layers built so far.
func (b *Builder) Layers() []Module { return slices.Clone(b.seq.Layers) }

func (b *Builder) layers() []Module { return b.seq.Layers }

// Forward checks that x is a batch of the input shape and passes it
// through the layers.
func (b *Builder) Forward(x *dl.Tensor) *dl.Tensor {
	if s := x.Shape(); len(s) != len(b.in)+1 || !slices.Equal(s[1:], b.in) {
		panicf(b.name(), "input of shape %v is not [N %s]", s, strings.Trim(fmt.Sprint(b.in), "[]"))
	}
	return forwardAll("nn."+b.name(), b.seq.Layers, x)
}

func (b *Builder) outputShape(in []int) []int {
	if len(in) != len(b.in)+1 || !slices.Equal(in[1:], b.in) {
		panicf(b.name(), "input of shape %v is not [N %s]", in, strings.Trim(fmt.Sprint(b.in), "[]"))
	}
	out := slices.Clone(b.shape)
	out[0] = in[0]
	return out
}

func (b *Builder) slots() []slot { return b.seq.slots() }

// Parameters returns the layers' parameters in order.
func (b *Builder) Parameters() []*dl.Tensor { return b.seq.Parameters() }

// StateDict returns the layers' state dicts under "i.", as a Sequential's.
func (b *Builder) StateDict() []Named { return b.seq.StateDict() }

// SetTraining sets every layer's mode.
func (b *Builder) SetTraining(on bool) { b.seq.SetTraining(on) }

// String lists the layers as PyTorch prints a Sequential.
func (b *Builder) String() string { return b.seq.String() }
