package dl

import (
	"fmt"
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
)

// indexValue reads an index stored in a float tensor and checks it.
func indexValue(op string, idx *Tensor, i, n int) int {
	v := idx.at(i)
	k := int(v)
	if float64(k) != v || k < 0 || k >= n {
		panicf(op, "index %g is not an integer in [0, %d)", v, n)
	}
	return k
}

// Gather picks, along axis, the elements of x named by index, as PyTorch's
// torch.gather: out[i][j] = x[i][index[i][j]] for axis 1. index has x's rank,
// holds whole numbers, and no axis longer than x's. With class labels y of
// shape [n 1], logp.Gather(1, y) picks each row's log-probability.
func (x *Tensor) Gather(axis int, index *Tensor) *Tensor {
	axis = normAxis("Gather", axis, x.shape)
	dev := deviceOf("Gather", x, index)
	if len(index.shape) != len(x.shape) {
		panicf("Gather", "index of shape %v does not have the rank of %v", index.shape, x.shape)
	}
	for d := range x.shape {
		if d != axis && index.shape[d] > x.shape[d] {
			panicf("Gather", "index of shape %v is larger than %v outside axis %d", index.shape, x.shape, axis)
		}
	}
	xs := cpu.Strides(x.shape)
	hidx := hostOf(index)               // the offsets are worked out in main memory
	offsets := make([]int, index.Len()) // where each output element reads x
	forEachIndex(index.shape, func(i int, idx []int) {
		o := 0
		for d, v := range idx {
			if d == axis {
				v = indexValue("Gather", hidx, i, x.shape[axis])
			}
			o += v * xs[d]
		}
		offsets[i] = o
	})
	pick := func(src *Tensor) *Tensor {
		out := src.likeRaw(slices.Clone(index.shape))
		if out.Len() > 0 {
			run(deviceOf("Gather", src, x)).Take(out.data, src.data, offsets)
		}
		return out
	}
	out := pick(x)
	if !tracking(x) {
		return out
	}
	return record(out, opGather, []*Tensor{x}, fmt.Sprintf("axis=%d", axis),
		func(g *Tensor) []*Tensor {
			gx := x.like(slices.Clone(x.shape))
			if g.Len() > 0 {
				run(dev).PutAdd(gx.data, g.data, offsets)
			}
			return []*Tensor{gx}
		},
		func(t []*Tensor) *Tensor { return pick(t[0]) })
}

// OneHot returns labels (whole numbers in [0, classes)) encoded one-hot: a
// Float32 tensor with labels' shape and one more axis of size classes.
func OneHot(labels *Tensor, classes int) *Tensor {
	if classes <= 0 {
		panicf("OneHot", "number of classes %d is not positive", classes)
	}
	h := hostOf(labels) // the labels are read in main memory
	out := Float32.Zeros(append(labels.Shape(), classes)...)
	for i := 0; i < labels.Len(); i++ {
		out.set(i*classes+indexValue("OneHot", h, i, classes), 1)
	}
	return out.To(labels.Device())
}

// Labels returns class labels as a 1-D Float32 tensor, the form Gather and
// OneHot take.
func Labels(labels ...int) *Tensor {
	out := Float32.Zeros(len(labels))
	for i, l := range labels {
		if l < 0 || l > 1<<24 {
			panicf("Labels", "label %d is out of range [0, 2^24]", l)
		}
		out.set(i, float64(l))
	}
	return out
}
