package dl

import (
	"fmt"
	"math"
)

// Convolution and pooling on a device. The convolution is im2col and one
// matrix product over the whole batch: cols [c·kh·kw, n·oh·ow] holds every
// receptive field, W·cols is the output with the batch as its middle axis,
// and a strided copy puts it in [n o oh ow] order. When the backend
// declines a step, the whole op is computed on the host.

// convForwardDevice returns conv(x, w) + b on dev, and the columns of x
// when keep is set.
func convForwardDevice(dev Backend, g convGeometry, x, w, b *Tensor, keep bool) (out, cols *Tensor) {
	o, hw := w.shape[0], g.oh*g.ow
	out = x.likeRaw([]int{g.n, o, g.oh, g.ow})
	if out.Len() == 0 {
		return out, nil
	}
	ckk, p := g.c*g.kh*g.kw, g.n*hw
	cols = x.likeRaw([]int{ckk, p})
	y2 := x.likeRaw([]int{o, p})
	ok := dev.Im2col(cols.mem(), x.mem(), g.public()) &&
		dev.Gemm(false, false, o, p, ckk, w.mem(), 0, ckk, 0, cols.mem(), 0, p, 0, 0, y2.mem(), 0, p, 0, 1)
	// Reorder [o n hw] to [n o hw], adding the bias on the way.
	order, strides := []int{g.n, o, hw}, []int{hw, p, 1}
	if ok && b != nil {
		ok = dev.Binary("add", out.mem(), y2.mem(), b.mem(), order, strides, []int{0, 1, 0})
	} else if ok {
		ok = dev.Gather(out.mem(), y2.mem(), order, strides, 0)
	}
	release(y2)
	if !ok || !keep {
		release(cols)
		cols = nil
	}
	if !ok {
		writeBack(out, convForward(g, hostOf(x), hostOf(w), hostOf(b)))
	}
	return out, cols
}

// convBackwardDevice returns the adjoints gx and gw (each when asked for)
// of conv(x, w) for the output adjoint gy; cols are x's columns when the
// forward pass kept them, nil otherwise.
func convBackwardDevice(dev Backend, g convGeometry, x, w, gy *Tensor, needX, needW bool, cols *Tensor) (gx, gw *Tensor) {
	o, hw := w.shape[0], g.oh*g.ow
	ckk, p := g.c*g.kh*g.kw, g.n*hw
	if p == 0 || o == 0 { // the adjoints are zero
		if needX {
			gx = x.like(x.Shape())
		}
		if needW {
			gw = w.like(w.Shape())
		}
		return gx, gw
	}
	// Every element of the adjoints is written below.
	if needX {
		gx = x.likeRaw(x.Shape())
	}
	if needW {
		gw = w.likeRaw(w.Shape())
	}
	gy2 := x.likeRaw([]int{o, p})
	ok := dev.Gather(gy2.mem(), gy.mem(), []int{o, g.n, hw}, []int{hw, o * hw, 1}, 0)
	if ok && gw != nil {
		own := cols == nil
		if own {
			cols = x.likeRaw([]int{ckk, p})
			ok = dev.Im2col(cols.mem(), x.mem(), g.public())
		}
		ok = ok && filterGrad(dev, gw, gy2, cols, o, ckk, p)
		if own {
			release(cols)
		}
	}
	if ok && gx != nil {
		gcols := x.likeRaw([]int{ckk, p})
		ok = dev.Gemm(true, false, ckk, p, o, w.mem(), 0, ckk, 0, gy2.mem(), 0, p, 0, 0, gcols.mem(), 0, p, 0, 1) &&
			dev.Col2im(gx.mem(), gcols.mem(), g.public())
		release(gcols)
	}
	release(gy2)
	if ok {
		return gx, gw
	}
	hx, hw2 := convBackward(g, hostOf(x), hostOf(w), hostOf(gy), needX, needW, nil)
	if gx != nil {
		writeBack(gx, hx)
	}
	if gw != nil {
		writeBack(gw, hw2)
	}
	return gx, gw
}

// maxPoolDevice is MaxPool2d on dev: the places of the maxima stay on the
// device (int32 in 4-byte elements) for the backward pass.
func maxPoolDevice(dev Backend, g convGeometry, x, out *Tensor, kernel, stride int) *Tensor {
	argT := newOn(dev, Float32, []int{out.Len()}, false)
	arg := argT.mem()
	if out.Len() > 0 && !dev.MaxPool(out.mem(), arg, x.mem(), g.public()) {
		hostArg := make([]int32, out.Len())
		h := newTensorRaw(x.dtype, out.shape)
		switch s := hostOf(x).data.(type) {
		case []float32:
			maxPoolKernel(g, s, values[float32](h), hostArg)
		case []float64:
			maxPoolKernel(g, s, values[float64](h), hostArg)
		}
		writeBack(out, h)
		bits := make([]float32, len(hostArg))
		for i, a := range hostArg {
			bits[i] = math.Float32frombits(uint32(a))
		}
		dev.Upload(arg, bits)
	}
	if !tracking(x) {
		release(argT)
		return out
	}
	// hostArg reads the places back for the host computations.
	hostArg := func() []int32 {
		bits := make([]float32, out.Len())
		if len(bits) > 0 {
			dev.Download(bits, arg)
		}
		a := make([]int32, len(bits))
		for i, b := range bits {
			a[i] = int32(math.Float32bits(b))
		}
		return a
	}
	return record(out, opMaxPool, []*Tensor{x}, fmt.Sprintf("kernel=%d, stride=%d", kernel, stride),
		func(gy *Tensor) []*Tensor {
			gx := x.likeRaw(x.Shape())
			if gx.Len() > 0 && !dev.MaxPoolGrad(gx.mem(), gy.mem(), arg, g.public()) {
				h := newTensor(x.dtype, x.Shape())
				switch s := hostOf(gy).data.(type) {
				case []float32:
					poolScatter(g, values[float32](h), s, hostArg())
				case []float64:
					poolScatter(g, values[float64](h), s, hostArg())
				}
				writeBack(gx, h)
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor {
			h := newTensor(x.dtype, out.shape)
			switch s := hostOf(t[0]).data.(type) {
			case []float32:
				poolGather(g, values[float32](h), s, hostArg())
			case []float64:
				poolGather(g, values[float64](h), s, hostArg())
			}
			return uploadTo(dev, h)
		})
}

// filterGrad writes gw [o ckk] = gy2 [o p] · colsᵀ. The product's inner
// dimension p (every output position of the batch) dwarfs its o·ckk
// outputs, which a device would compute with a handful of blocks; the
// positions are cut into chunks multiplied side by side (one batched
// product) and the chunks' products are then added in order.
func filterGrad(dev Backend, gw, gy2, cols *Tensor, o, ckk, p int) bool {
	chunks := min(p/4096, 256)
	if chunks < 4 {
		return dev.Gemm(false, true, o, ckk, p, gy2.mem(), 0, p, 0, cols.mem(), 0, p, 0, 0, gw.mem(), 0, ckk, 0, 1)
	}
	l := p / chunks
	rest := p - chunks*l
	parts := chunks
	if rest > 0 {
		parts++
	}
	tmp := gw.likeRaw([]int{parts, o, ckk})
	defer release(tmp)
	return dev.Gemm(false, true, o, ckk, l, gy2.mem(), 0, p, l, cols.mem(), 0, p, l, 0, tmp.mem(), 0, ckk, o*ckk, chunks) &&
		(rest == 0 || dev.Gemm(false, true, o, ckk, rest, gy2.mem(), chunks*l, p, 0, cols.mem(), chunks*l, p, 0, 0, tmp.mem(), chunks*o*ckk, ckk, 0, 1)) &&
		dev.Sum(gw.mem(), tmp.mem(), []int{parts, o, ckk}, []bool{true, false, false})
}
