package gpu

import (
	"github.com/gradbook/gradbook/dl"
	"github.com/gradbook/gradbook/dl/cpu"
)

// Convolution and pooling. A convolution is im2col and one matrix product
// over the whole batch: cols [C·KH·KW, N·OH·OW] holds every receptive
// field, W·cols is the output with the batch as its middle axis, and a
// strided copy puts it in [N O OH OW] order, adding the bias on the way.
// When a step declines, the whole op is declined and dl computes it on
// the CPU.

func geomArgs(s cpu.ConvShape) []uint64 {
	return []uint64{i32(s.N), i32(s.C), i32(s.H), i32(s.W), i32(s.KH), i32(s.KW), i32(s.Stride), i32(s.Pad), i32(s.OH), i32(s.OW)}
}

// Conv2d writes conv(x, w) + b to out and, when keep is set, returns the
// columns of x for Conv2dGrad.
func (g *GPU) Conv2d(out, x, w, b *dl.Memory, s cpu.ConvShape, keep bool) (*dl.Memory, bool) {
	hw := s.OH * s.OW
	p := s.N * hw
	if out.Len == 0 {
		return nil, true
	}
	o, ckk := out.Len/p, s.C*s.KH*s.KW
	d := x.DType
	if w.DType != d || out.DType != d || b != nil && b.DType != d {
		return nil, false
	}
	cols := g.Alloc(d, ckk*p)
	y2 := g.Alloc(d, o*p)
	ok := g.im2col(cols, x, s) &&
		g.Gemm(false, false, o, p, ckk, w, 0, ckk, 0, cols, 0, p, 0, 0, y2, 0, p, 0, 1)
	// Reorder [o n hw] to [n o hw], adding the bias on the way.
	order, strides := []int{s.N, o, hw}, []int{hw, p, 1}
	if ok && b != nil {
		ok = g.Binary(cpu.Add, out, y2, b, order, strides, []int{0, 1, 0})
	} else if ok {
		ok = g.Gather(out, y2, order, strides, 0)
	}
	g.Free(y2)
	if !ok || !keep {
		g.Free(cols)
		return nil, ok
	}
	return cols, true
}

// Conv2dGrad writes the adjoints gx and gw (each when not nil) of
// conv(x, w) for the output adjoint gy; saved is the columns Conv2d kept,
// or nil.
func (g *GPU) Conv2dGrad(gx, gw, x, w, gy, saved *dl.Memory, s cpu.ConvShape) bool {
	hw := s.OH * s.OW
	p, ckk := s.N*hw, s.C*s.KH*s.KW
	d := x.DType
	for _, m := range []*dl.Memory{gx, gw, w, gy} {
		if m != nil && m.DType != d {
			return false
		}
	}
	if p == 0 || gy.Len == 0 || ckk == 0 { // the adjoints are zero
		for _, m := range []*dl.Memory{gx, gw} {
			if m != nil && m.Len > 0 && !g.Fill(m, 0) {
				return false
			}
		}
		return true
	}
	o := gy.Len / p
	// Every element of the adjoints is written below.
	gy2 := g.Alloc(d, o*p)
	defer g.Free(gy2)
	ok := g.Gather(gy2, gy, []int{o, s.N, hw}, []int{hw, o * hw, 1}, 0)
	if ok && gw != nil {
		cols := saved
		if cols == nil || cols.Len != ckk*p || cols.DType != d {
			cols = g.Alloc(d, ckk*p)
			defer g.Free(cols)
			ok = g.im2col(cols, x, s)
		}
		ok = ok && g.filterGrad(gw, gy2, cols, o, ckk, p)
	}
	if ok && gx != nil && gx.Len > 0 {
		gcols := g.Alloc(d, ckk*p)
		ok = g.Gemm(true, false, ckk, p, o, w, 0, ckk, 0, gy2, 0, p, 0, 0, gcols, 0, p, 0, 1) &&
			g.col2im(gx, gcols, s)
		g.Free(gcols)
	}
	return ok
}

// filterGrad writes gw [o ckk] = gy2 [o p] · colsᵀ. The product's inner
// dimension p (every output position of the batch) dwarfs its o·ckk
// outputs, which the device would compute with a handful of blocks; the
// positions are cut into chunks multiplied side by side (one batched
// product) and the chunks' products are then added in order.
func (g *GPU) filterGrad(gw, gy2, cols *dl.Memory, o, ckk, p int) bool {
	chunks := min(p/4096, 256)
	if chunks < 4 {
		return g.Gemm(false, true, o, ckk, p, gy2, 0, p, 0, cols, 0, p, 0, 0, gw, 0, ckk, 0, 1)
	}
	l := p / chunks
	rest := p - chunks*l
	parts := chunks
	if rest > 0 {
		parts++
	}
	tmp := g.Alloc(gw.DType, parts*o*ckk)
	defer g.Free(tmp)
	return g.Gemm(false, true, o, ckk, l, gy2, 0, p, l, cols, 0, p, l, 0, tmp, 0, ckk, o*ckk, chunks) &&
		(rest == 0 || g.Gemm(false, true, o, ckk, rest, gy2, chunks*l, p, 0, cols, chunks*l, p, 0, 0, tmp, chunks*o*ckk, ckk, 0, 1)) &&
		g.Reduce(cpu.ReduceSum, gw, tmp, []int{parts, o, ckk}, []bool{true, false, false})
}

// im2col writes the receptive fields as columns: the grid is the
// positions of a sample, the samples and the rows.
func (g *GPU) im2col(cols, x *dl.Memory, s cpu.ConvShape) bool {
	rows := s.C * s.KH * s.KW
	if cols.Len == 0 {
		return true
	}
	if !fits(cols.Len) || !fits(x.Len) || s.N > 65535 || rows > 65535 {
		return false
	}
	grid := [3]uint32{uint32((s.OH*s.OW + threads - 1) / threads), uint32(s.N), uint32(rows)}
	return g.launchDims(x.DType, "im2col", grid, [3]uint32{threads, 1, 1}, append([]uint64{ptr(cols), ptr(x)}, geomArgs(s)...)...)
}

// col2im adds the columns back onto the image, writing every element of
// x: the grid is the pixels of a plane, the channels and the samples.
func (g *GPU) col2im(x, cols *dl.Memory, s cpu.ConvShape) bool {
	if x.Len == 0 {
		return true
	}
	if !fits(cols.Len) || !fits(x.Len) || s.N > 65535 || s.C > 65535 {
		return false
	}
	grid := [3]uint32{uint32((s.H*s.W + threads - 1) / threads), uint32(s.C), uint32(s.N)}
	return g.launchDims(x.DType, "col2im", grid, [3]uint32{threads, 1, 1}, append([]uint64{ptr(x), ptr(cols)}, geomArgs(s)...)...)
}

// MaxPool writes window maxima and their places (int32 in the 4-byte
// elements of arg): the grid is the positions of a plane, then the
// planes.
func (g *GPU) MaxPool(dst, arg, x *dl.Memory, s cpu.ConvShape) bool {
	if !fits(x.Len) || s.Pad != 0 || arg.DType != dl.Float32 {
		return false
	}
	if dst.Len == 0 {
		return true
	}
	return g.launchDims(x.DType, "maxpool", planeGrid(s.OH*s.OW, s.N*s.C), [3]uint32{threads, 1, 1},
		append([]uint64{ptr(dst), ptr(arg), ptr(x)}, geomArgs(s)...)...)
}

// MaxPoolGrad routes gy to the maxima: the grid is the pixels of an input
// plane, then the planes.
func (g *GPU) MaxPoolGrad(dst, gy, arg *dl.Memory, s cpu.ConvShape) bool {
	if !fits(dst.Len) || s.Pad != 0 || arg.DType != dl.Float32 {
		return false
	}
	if dst.Len == 0 {
		return true
	}
	return g.launchDims(dst.DType, "maxpool_grad", planeGrid(s.H*s.W, s.N*s.C), [3]uint32{threads, 1, 1},
		append([]uint64{ptr(dst), ptr(gy), ptr(arg)}, geomArgs(s)...)...)
}

// AvgPool writes window means.
func (g *GPU) AvgPool(dst, x *dl.Memory, s cpu.ConvShape) bool {
	if !fits(x.Len) || s.Pad != 0 {
		return false
	}
	return g.launch(x.DType, "avgpool", dst.Len, append([]uint64{ptr(dst), ptr(x)}, geomArgs(s)...)...)
}

// AvgPoolGrad spreads gy over the windows.
func (g *GPU) AvgPoolGrad(dst, gy *dl.Memory, s cpu.ConvShape) bool {
	if !fits(dst.Len) || s.Pad != 0 {
		return false
	}
	return g.launch(dst.DType, "avgpool_grad", dst.Len, append([]uint64{ptr(dst), ptr(gy)}, geomArgs(s)...)...)
}
