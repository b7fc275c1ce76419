package dl

import (
	"fmt"

	"github.com/gradbook/gradbook/dl/cpu"
)

// convShape checks the geometry of a 2-D convolution or pooling window
// kh×kw over x [N C H W] for op and returns it.
func convShape(op string, x *Tensor, kh, kw, stride, pad int) cpu.ConvShape {
	if len(x.shape) != 4 {
		panicf(op, "input of shape %v is not [batch channels height width]", x.shape)
	}
	if stride < 1 || pad < 0 || kh < 1 || kw < 1 {
		panicf(op, "kernel %d×%d, stride %d and padding %d are not valid", kh, kw, stride, pad)
	}
	g := cpu.ConvShape{N: x.shape[0], C: x.shape[1], H: x.shape[2], W: x.shape[3], KH: kh, KW: kw, Stride: stride, Pad: pad}
	if g.H+2*pad < kh || g.W+2*pad < kw {
		panicf(op, "kernel %d×%d does not fit input %v with padding %d", kh, kw, x.shape, pad)
	}
	g.OH = cpu.ConvOut(g.H, kh, stride, pad)
	g.OW = cpu.ConvOut(g.W, kw, stride, pad)
	return g
}

// Conv2d returns the 2-D cross-correlation of x [N C H W] with the filters
// w [O C kh kw], plus the bias b [O] (b may be nil), as PyTorch's conv2d
// with the given stride and zero padding (dilation 1, groups 1). The
// result has shape [N O H' W'] with H' = ⌊(H + 2·padding − kh)/stride⌋ + 1.
func Conv2d(x, w, b *Tensor, stride, padding int) *Tensor {
	if w == nil || len(w.shape) != 4 {
		panicf("Conv2d", "filters of shape %v are not [out in kh kw]", shapeOf(w))
	}
	g := convShape("Conv2d", x, w.shape[2], w.shape[3], stride, padding)
	if w.shape[1] != g.C {
		panicf("Conv2d", "input %v has %d channels but filters %v expect %d", x.shape, g.C, w.shape, w.shape[1])
	}
	if x.dtype != w.dtype || (b != nil && b.dtype != x.dtype) {
		panicf("Conv2d", "input, filters and bias must share a dtype (%v, %v)", x.dtype, w.dtype)
	}
	o := w.shape[0]
	if b != nil && (len(b.shape) != 1 || b.shape[0] != o) {
		panicf("Conv2d", "bias of shape %v does not match %d filters", b.shape, o)
	}
	dev := deviceOf("Conv2d", x, w, b)
	track := tracking(x, w, b)
	out, saved := convForward(dev, g, x, w, b, track && w.RequiresGrad())
	if !track {
		return out
	}
	inputs := []*Tensor{x, w}
	op := opConv2d
	if b != nil {
		inputs, op = append(inputs, b), opConv2dBias
	}
	return record(out, op, inputs, fmt.Sprintf("stride=%d, padding=%d", stride, padding),
		func(gy *Tensor) []*Tensor {
			var gx, gw *Tensor
			if x.RequiresGrad() {
				gx = x.likeRaw(x.Shape())
			}
			if w.RequiresGrad() {
				gw = w.likeRaw(w.Shape())
			}
			if gx != nil || gw != nil {
				run(dev).Conv2dGrad(memOf(gx), memOf(gw), x.data, w.data, gy.data, saved, g)
			}
			if saved != nil {
				dev.Free(saved)
				saved = nil
			}
			if b == nil {
				return []*Tensor{gx, gw}
			}
			var gb *Tensor
			if b.RequiresGrad() { // gy summed over all but the channel axis
				gb = withShape(sumAxes(withShape(gy, []int{g.N, o, g.OH * g.OW}), []bool{true, false, true}), []int{o})
			}
			return []*Tensor{gx, gw, gb}
		},
		func(t []*Tensor) *Tensor {
			y, _ := convForward(dev, g, t[0], w, nil, false)
			z, _ := convForward(dev, g, x, t[1], nil, false)
			y = y.Add(z)
			if b != nil {
				y = y.Add(t[2].Reshape(o, 1, 1))
			}
			return y
		})
}

// convForward returns conv(x, w) + b computed on dev, and what the
// backend saved for the backward pass when keep is set.
func convForward(dev Backend, g cpu.ConvShape, x, w, b *Tensor, keep bool) (*Tensor, *Memory) {
	out := x.likeRaw([]int{g.N, w.shape[0], g.OH, g.OW})
	if out.Len() == 0 {
		return out, nil
	}
	return out, run(dev).Conv2d(out.data, x.data, w.data, memOf(b), g, keep)
}

// memOf returns t's storage, nil for a nil tensor.
func memOf(t *Tensor) *Memory {
	if t == nil {
		return nil
	}
	return t.data
}

// shapeOf returns t's shape, or nil for a nil tensor, for error messages.
func shapeOf(t *Tensor) []int {
	if t == nil {
		return nil
	}
	return t.shape
}
