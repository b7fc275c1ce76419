package dl

// The device side of the kernels: each calls the backend's kernel and,
// when the backend declines, computes on host copies and writes the result
// back, so that results never depend on which kernels a backend has.

// binaryDevice computes out = a op b (broadcast) on b's device.
func binaryDevice(dev Backend, op string, out, a, b *Tensor) {
	if out.Len() == 0 {
		return
	}
	as, bs := broadcastStrides(a.shape, out.shape), broadcastStrides(b.shape, out.shape)
	if a.Len() > 0 && b.Len() > 0 && dev.Binary(op, out.mem(), a.mem(), b.mem(), out.shape, as, bs) {
		return
	}
	code := arithAdd
	for i, name := range arithNames {
		if name == op {
			code = arithCode(i)
		}
	}
	writeBack(out, arith(op, code, hostOf(a), hostOf(b)))
}

// gatherDevice is gatherStrided on a device: out[i] = x[offset + Σ idx·strides].
func gatherDevice(dev Backend, out, x *Tensor, shape, strides []int, offset int) {
	if out.Len() == 0 {
		return
	}
	if dev.Gather(out.mem(), x.mem(), shape, strides, offset) {
		return
	}
	h := newTensorRaw(out.dtype, out.shape)
	switch s := hostOf(x).data.(type) {
	case []float32:
		gatherStrided(values[float32](h), s, shape, strides, offset)
	case []float64:
		gatherStrided(values[float64](h), s, shape, strides, offset)
	}
	writeBack(out, h)
}

// scatterAddDevice adds src into dst at offset + Σ idx·strides on a
// device.
func scatterAddDevice(dev Backend, dst, src *Tensor, shape, strides []int, offset int) {
	if src.Len() == 0 {
		return
	}
	if dev.Scatter(dst.mem(), src.mem(), shape, strides, offset, true) {
		return
	}
	h := hostOf(dst)
	addStrided(h, hostOf(src), shape, strides, offset)
	writeBack(dst, h)
}

// gemmDevice is gemm on a device: one strided batched product when the
// batch axes of a and b are each either whole or broadcast, one product
// per batch element otherwise.
func gemmDevice(dev Backend, out, a, b *Tensor, ta, tb bool, m, n, k int, batch, as, bs []int, sa, sb, lda, ldb int) {
	if out.Len() == 0 {
		return
	}
	if k == 0 {
		if !dev.Fill(out.mem(), 0) {
			writeBack(out, newTensor(out.dtype, out.shape))
		}
		return
	}
	nb := numel(batch)
	strideA, okA := batchStride(as, batch)
	strideB, okB := batchStride(bs, batch)
	if okA && okB {
		if dev.Gemm(ta, tb, m, n, k, a.mem(), 0, lda, strideA*sa, b.mem(), 0, ldb, strideB*sb, 0, out.mem(), 0, n, m*n, nb) {
			return
		}
	} else {
		done := true
		forEachIndex(batch, func(i int, idx []int) {
			oa, ob := 0, 0
			for d, v := range idx {
				oa += v * as[d]
				ob += v * bs[d]
			}
			done = done && dev.Gemm(ta, tb, m, n, k, a.mem(), oa*sa, lda, 0, b.mem(), ob*sb, ldb, 0, 0, out.mem(), i*m*n, n, 0, 1)
		})
		if done {
			return
		}
	}
	writeBack(out, gemm(hostOf(a), hostOf(b), ta, tb))
}

// batchStride returns the one stride (in matrices) that walks the batch
// index space with the given strides, when there is one: every axis
// broadcast (0), or the strides row-major over the whole batch (1).
func batchStride(strides, batch []int) (int, bool) {
	zero := true
	for _, s := range strides {
		zero = zero && s == 0
	}
	if zero {
		return 0, true
	}
	want := stridesOf(batch)
	for i, s := range strides {
		if s != want[i] && batch[i] != 1 {
			return 0, false
		}
	}
	return 1, true
}

// crossEntropyDevice is CrossEntropyLogits on dev: one kernel for the
// loss and the rows' log Σ exp, one for the gradient. Labels outside
// [0, C) give NaN there (checking them would wait for the device).
func crossEntropyDevice(dev Backend, logits, labels *Tensor, outer, n, inner int) *Tensor {
	rows := outer * inner
	lab := labels.Detach().AsType(logits.dtype)
	out := newOn(dev, logits.dtype, []int{}, false)
	lse := newOn(dev, Float64, []int{rows}, false)
	if rows == 0 || n == 0 || !dev.CrossEntropy(out.mem(), lse.mem(), logits.mem(), lab.mem(), outer, n, inner) {
		return hostOnDevice(dev, func(h []*Tensor) *Tensor { return CrossEntropyLogits(h[0], h[1]) }, logits, labels)
	}
	if !tracking(logits, labels) {
		return out
	}
	return record(out, opCrossEntropy, []*Tensor{logits, labels}, "",
		func(g *Tensor) []*Tensor {
			gx := logits.likeRaw(logits.Shape())
			if !dev.CrossEntropyGrad(gx.mem(), logits.mem(), lab.mem(), lse.mem(), g.mem(), outer, n, inner) {
				h := hostOf(logits).Detach().SetRequiresGrad(true)
				CrossEntropyLogits(h, hostOf(labels)).Backward(hostOf(g))
				writeBack(gx, h.Grad())
			}
			return []*Tensor{gx, nil}
		},
		func(t []*Tensor) *Tensor {
			_, tys := JVP(func(in ...*Tensor) []*Tensor { return []*Tensor{CrossEntropyLogits(in[0], in[1])} },
				[]*Tensor{hostOf(logits), hostOf(labels)}, []*Tensor{hostOf(t[0]), hostOf(labels).like(labels.Shape())})
			return uploadTo(dev, tys[0])
		})
}

// hostOnDevice computes the op f on host copies of inputs, recorded on the
// host, and returns its value on dev, recorded so that gradients and
// tangents flow back to the device inputs through host copies too: the
// fallback for ops no backend kernel covers.
func hostOnDevice(dev Backend, f func(host []*Tensor) *Tensor, inputs ...*Tensor) *Tensor {
	host := make([]*Tensor, len(inputs))
	for i, in := range inputs {
		host[i] = hostOf(in).Detach()
		if in.RequiresGrad() {
			host[i].SetRequiresGrad(true)
		}
	}
	hout := f(host)
	out := uploadTo(dev, hout)
	if !tracking(inputs...) || hout.node == nil {
		return out
	}
	return record(out, hout.node.op, inputs, hout.node.attr,
		func(g *Tensor) []*Tensor {
			grads := hout.node.vjp(hostOf(g))
			res := make([]*Tensor, len(grads))
			for i, gr := range grads {
				if gr != nil {
					res[i] = uploadTo(dev, sumTo(gr, inputs[i].shape))
				}
			}
			return res
		},
		func(t []*Tensor) *Tensor {
			ht := make([]*Tensor, len(t))
			for i := range t {
				ht[i] = hostOf(t[i])
			}
			return uploadTo(dev, hout.node.jvp(ht))
		})
}
