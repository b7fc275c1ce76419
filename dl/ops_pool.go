package dl

import "fmt"

// MaxPool2d returns the maximum over each kernel×kernel window of x
// [N C H W], moving by stride (the kernel size when stride is 0), without
// padding and rounding the output size down, as PyTorch's max_pool2d. The
// gradient goes to the first maximum of each window.
func (x *Tensor) MaxPool2d(kernel, stride int) *Tensor {
	if stride == 0 {
		stride = kernel
	}
	g := convShape("MaxPool2d", x, kernel, kernel, stride, 0)
	out := x.likeRaw([]int{g.N, g.C, g.OH, g.OW})
	dev := x.backend()
	// arg holds where in its plane each window's maximum is: int32 values
	// in 4-byte elements, kept on the device for the backward pass.
	arg := newOn(dev, Float32, []int{out.Len()}, false)
	if out.Len() > 0 {
		run(dev).MaxPool(out.data, arg.data, x.data, g)
	}
	if !tracking(x) {
		release(arg)
		return out
	}
	return record(out, opMaxPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			gx := x.likeRaw(x.Shape())
			if gx.Len() > 0 {
				run(deviceOf("MaxPool2d", gy, x)).MaxPoolGrad(gx.data, gy.data, arg.data, g)
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor {
			o := t[0].likeRaw(out.Shape())
			if o.Len() > 0 {
				run(deviceOf("MaxPool2d", t[0], x)).MaxPoolPick(o.data, t[0].data, arg.data, g)
			}
			return o
		})
}

// AvgPool2d returns the mean over each kernel×kernel window of x
// [N C H W], moving by stride (the kernel size when stride is 0), without
// padding and rounding the output size down, as PyTorch's avg_pool2d.
func (x *Tensor) AvgPool2d(kernel, stride int) *Tensor {
	if stride == 0 {
		stride = kernel
	}
	g := convShape("AvgPool2d", x, kernel, kernel, stride, 0)
	pool := func(t *Tensor) *Tensor {
		o := t.likeRaw([]int{g.N, g.C, g.OH, g.OW})
		if o.Len() > 0 {
			run(t.backend()).AvgPool(o.data, t.data, g)
		}
		return o
	}
	out := pool(x)
	if !tracking(x) {
		return out
	}
	return record(out, opAvgPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			gx := x.likeRaw(x.Shape())
			if gx.Len() > 0 {
				run(deviceOf("AvgPool2d", gy, x)).AvgPoolGrad(gx.data, gy.data, g)
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor { return pool(t[0]) })
}
