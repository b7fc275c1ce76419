package nn

import (
	"fmt"
	"math"

	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/internal/option"
)

// Conv2dLayer is a 2-D convolution (cross-correlation) with square
// kernels, PyTorch's nn.Conv2d with dilation 1 and groups 1.
type Conv2dLayer struct {
	In, Out, Kernel int
	Stride, Padding int
	Weight          *dl.Tensor // [Out In Kernel Kernel]
	Bias            *dl.Tensor // [Out], nil when made with NoBias
}

// Conv2d returns a convolution from in to out channels with kernel×kernel
// filters. It maps [N in H W] to [N out H' W'] with
// H' = ⌊(H + 2·padding − kernel)/stride⌋ + 1. Options: Stride (default 1),
// Padding (default 0), NoBias. Weights and bias start uniform in
// (−1/√fan_in, 1/√fan_in), fan_in = in·kernel², as in PyTorch.
func Conv2d(in, out, kernel int, opts ...Conv2dOption) *Conv2dLayer {
	c := &Conv2dLayer{In: in, Out: out, Kernel: kernel, Stride: 1}
	var o options
	option.Apply("nn."+c.String(), &o, opts, Conv2dOption.applyConv2d)
	if o.strideSet {
		c.Stride = o.stride
	}
	c.Padding = o.padding
	if in <= 0 || out <= 0 || kernel <= 0 || c.Stride <= 0 || c.Padding < 0 {
		panicf(c.String(), "channels, kernel and stride must be positive and padding not negative")
	}
	c.Weight = KaimingUniform(dl.Zeros(out, in, kernel, kernel), math.Sqrt(5)).SetRequiresGrad(true)
	if !o.noBias {
		b := 1 / math.Sqrt(float64(in*kernel*kernel))
		c.Bias = Uniform(dl.Zeros(out), -b, b).SetRequiresGrad(true)
	}
	return c
}

// Forward convolves x [N In H W] with the filters and adds the bias.
func (c *Conv2dLayer) Forward(x *dl.Tensor) *dl.Tensor {
	c.outputShape(x.Shape())
	checkDType(c, x, c.Weight)
	return dl.Conv2d(x, c.Weight, c.Bias, c.Stride, c.Padding)
}

func (c *Conv2dLayer) outputShape(in []int) []int {
	if len(in) != 4 || in[1] != c.In {
		panicf(c.String(), "input of shape %s is not [N %d H W]", fmtShape(in), c.In)
	}
	h, w := windows(c.String(), in, c.Kernel, c.Stride, c.Padding)
	return []int{in[0], c.Out, h, w}
}

// windows returns the output height and width of a kernel sliding over the
// input [N C H W], panicking when it does not fit.
func windows(layer string, in []int, kernel, stride, padding int) (h, w int) {
	if in[2]+2*padding < kernel || in[3]+2*padding < kernel {
		panicf(layer, "input of shape %s is smaller than the %d×%d kernel (padding %d)", fmtShape(in), kernel, kernel, padding)
	}
	return (in[2]+2*padding-kernel)/stride + 1, (in[3]+2*padding-kernel)/stride + 1
}

func (c *Conv2dLayer) slots() []slot {
	return []slot{{"weight", &c.Weight, true}, {"bias", &c.Bias, true}}
}

// Parameters returns the filters and the bias.
func (c *Conv2dLayer) Parameters() []*dl.Tensor { return parametersOf(c.slots()) }

// StateDict returns "weight" and "bias".
func (c *Conv2dLayer) StateDict() []Named { return stateDictOf(c.slots()) }

// SetTraining does nothing: a convolution acts the same in both modes.
func (c *Conv2dLayer) SetTraining(bool) {}

// String describes the layer, e.g. "Conv2d(1, 6, 3)" or
// "Conv2d(3, 8, 3, stride=2, padding=1)".
func (c *Conv2dLayer) String() string {
	s := fmt.Sprintf("Conv2d(%d, %d, %d", c.In, c.Out, c.Kernel)
	if c.Stride != 1 {
		s += fmt.Sprintf(", stride=%d", c.Stride)
	}
	if c.Padding != 0 {
		s += fmt.Sprintf(", padding=%d", c.Padding)
	}
	if c.Weight != nil && c.Bias == nil {
		s += ", bias=false"
	}
	return s + ")"
}
