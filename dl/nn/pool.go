package nn

import (
	"fmt"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/internal/option"
)

// Pool2dLayer is a max- or average-pooling layer over square windows,
// without padding, rounding the output size down (PyTorch's defaults).
type Pool2dLayer struct {
	Max            bool // max pooling; average pooling when false
	Kernel, Stride int
}

// MaxPool2d returns a layer that takes the maximum over each kernel×kernel
// window of [N C H W], moving by the kernel size unless Stride says
// otherwise, as PyTorch's nn.MaxPool2d(kernel).
func MaxPool2d(kernel int, opts ...Pool2dOption) *Pool2dLayer { return newPool(true, kernel, opts) }

// AvgPool2d returns a layer that averages each kernel×kernel window of
// [N C H W], moving by the kernel size unless Stride says otherwise, as
// PyTorch's nn.AvgPool2d(kernel).
func AvgPool2d(kernel int, opts ...Pool2dOption) *Pool2dLayer { return newPool(false, kernel, opts) }

func newPool(isMax bool, kernel int, opts []Pool2dOption) *Pool2dLayer {
	p := &Pool2dLayer{Max: isMax, Kernel: kernel, Stride: kernel}
	var o options
	option.Apply("nn."+p.String(), &o, opts, Pool2dOption.applyPool2d)
	if o.strideSet {
		p.Stride = o.stride
	}
	if kernel <= 0 || p.Stride <= 0 {
		panicf(p.String(), "kernel and stride must be positive")
	}
	return p
}

// Forward pools every channel of x [N C H W].
func (p *Pool2dLayer) Forward(x *dl.Tensor) *dl.Tensor {
	p.outputShape(x.Shape())
	if p.Max {
		return x.MaxPool2d(p.Kernel, p.Stride)
	}
	return x.AvgPool2d(p.Kernel, p.Stride)
}

func (p *Pool2dLayer) outputShape(in []int) []int {
	if len(in) != 4 {
		panicf(p.String(), "input of shape %s is not [N C H W]", fmtShape(in))
	}
	h, w := windows(p.String(), in, p.Kernel, p.Stride, 0)
	return []int{in[0], in[1], h, w}
}

func (p *Pool2dLayer) slots() []slot { return nil }

// Parameters returns nothing: pooling has no parameters.
func (p *Pool2dLayer) Parameters() []*dl.Tensor { return nil }

// StateDict returns nothing.
func (p *Pool2dLayer) StateDict() []Named { return nil }

// SetTraining does nothing.
func (p *Pool2dLayer) SetTraining(bool) {}

// String describes the layer, e.g. "MaxPool2d(2)" or "AvgPool2d(3, stride=2)".
func (p *Pool2dLayer) String() string {
	name := "AvgPool2d"
	if p.Max {
		name = "MaxPool2d"
	}
	if p.Stride != p.Kernel {
		return fmt.Sprintf("%s(%d, stride=%d)", name, p.Kernel, p.Stride)
	}
	return fmt.Sprintf("%s(%d)", name, p.Kernel)
}
