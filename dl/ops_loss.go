package dl

import (
	"slices"
)

// Fused losses: one op each instead of a chain of softmax, gather, mean
// and negation, with a stable rule for the gradient. nn's losses call them.

// CrossEntropyLogits returns the mean cross-entropy of raw scores logits
// [N C] (or [N C d…]) against class labels [N] (or [N d…]): whole numbers
// in [0, C) of any dtype, as made by Labels. It is
//
//	mean over rows of (log Σⱼ exp zⱼ − z_label)
//
// as PyTorch's cross_entropy with the default mean reduction, computed in
// float64 along each row without overflow, and it is one op: its gradient
// with respect to the scores is (softmax z − onehot label)/rows. The labels
// get no gradient. The result is a scalar of the scores' dtype.
func CrossEntropyLogits(logits, labels *Tensor) *Tensor {
	const op = "CrossEntropyLogits"
	if len(logits.shape) < 2 {
		panicf(op, "scores of shape %v are not [N C]", logits.shape)
	}
	want := slices.Delete(slices.Clone(logits.shape), 1, 2)
	if !slices.Equal(labels.shape, want) {
		panicf(op, "labels of shape %v do not fit scores of shape %v (want labels %v)", labels.shape, logits.shape, want)
	}
	outer, n, inner := rowsOf(logits.shape, 1)
	if dev := deviceOf(op, logits, labels); dev != nil {
		return crossEntropyDevice(dev, logits, labels, outer, n, inner)
	}
	rows := outer * inner
	idx := labelIndices(op, labels, n)
	lse := make([]float64, rows)
	var total float64
	switch s := logits.data.(type) {
	case []float32:
		total = crossEntropyRows(s, outer, n, inner, idx, lse)
	case []float64:
		total = crossEntropyRows(s, outer, n, inner, idx, lse)
	}
	count := float64(rows)
	out := logits.dtype.Zeros()
	out.set(0, total/count)
	if !tracking(logits, labels) {
		return out
	}
	return record(out, opCrossEntropy, []*Tensor{logits, labels}, "",
		func(g *Tensor) []*Tensor {
			gx := logits.like(slices.Clone(logits.shape))
			scale := g.at(0) / count
			switch s := logits.data.(type) {
			case []float32:
				crossEntropyRowsGrad(values[float32](gx), s, outer, n, inner, idx, lse, scale)
			case []float64:
				crossEntropyRowsGrad(values[float64](gx), s, outer, n, inner, idx, lse, scale)
			}
			return []*Tensor{gx, nil}
		},
		func(t []*Tensor) *Tensor {
			var d float64
			switch s := logits.data.(type) {
			case []float32:
				d = crossEntropyRowsJVP(s, values[float32](t[0]), outer, n, inner, idx, lse)
			case []float64:
				d = crossEntropyRowsJVP(s, values[float64](t[0]), outer, n, inner, idx, lse)
			}
			ty := logits.dtype.Zeros()
			ty.set(0, d/count)
			return ty
		})
}

// labelIndices reads class labels as indices into n classes.
func labelIndices(op string, labels *Tensor, n int) []int {
	idx := make([]int, labels.Len())
	for i := range idx {
		idx[i] = indexValue(op, labels, i, n)
	}
	return idx
}

// BCEWithLogits returns the mean binary cross-entropy of raw scores
// logits against targets in [0, 1] of the same shape, as PyTorch's
// binary_cross_entropy_with_logits:
//
//	mean(softplus(z) − z·y),  softplus(z) = max(z, 0) + log(1 + e^−|z|)
//
// computed in float64 without overflow. It is one op: its gradient is
// (σ(z) − y)/n for the scores and −z/n for the targets. The targets are
// converted to the scores' dtype. The result is a scalar.
func BCEWithLogits(logits, targets *Tensor) *Tensor {
	const op = "BCEWithLogits"
	if !slices.Equal(logits.shape, targets.shape) {
		panicf(op, "scores of shape %v and targets of shape %v differ", logits.shape, targets.shape)
	}
	if dev := deviceOf(op, logits, targets); dev != nil {
		return hostOnDevice(dev, func(h []*Tensor) *Tensor { return BCEWithLogits(h[0], h[1]) }, logits, targets)
	}
	y := targets.AsType(logits.dtype)
	var total float64
	switch s := logits.data.(type) {
	case []float32:
		total = bceRows(s, values[float32](y))
	case []float64:
		total = bceRows(s, values[float64](y))
	}
	count := float64(logits.Len())
	out := logits.dtype.Zeros()
	out.set(0, total/count)
	if !tracking(logits, y) {
		return out
	}
	return record(out, opBCELogits, []*Tensor{logits, y}, "",
		func(g *Tensor) []*Tensor {
			scale := g.at(0) / count
			var gz, gy *Tensor
			if logits.RequiresGrad() {
				gz = logits.like(slices.Clone(logits.shape))
			}
			if y.RequiresGrad() {
				gy = y.like(slices.Clone(y.shape))
			}
			switch s := logits.data.(type) {
			case []float32:
				bceGrad(optValues[float32](gz), optValues[float32](gy), s, values[float32](y), scale)
			case []float64:
				bceGrad(optValues[float64](gz), optValues[float64](gy), s, values[float64](y), scale)
			}
			return []*Tensor{gz, gy}
		},
		func(t []*Tensor) *Tensor {
			var d float64
			switch s := logits.data.(type) {
			case []float32:
				d = bceJVP(s, values[float32](y), values[float32](t[0]), values[float32](t[1]))
			case []float64:
				d = bceJVP(s, values[float64](y), values[float64](t[0]), values[float64](t[1]))
			}
			ty := logits.dtype.Zeros()
			ty.set(0, d/count)
			return ty
		})
}

// bceRows returns Σ softplus(z) − z·y.
func bceRows[T float](z, y []T) float64 {
	total := 0.0
	for i, v := range z {
		zv := float64(v)
		total += softplus(zv) - zv*float64(y[i])
	}
	return total
}

// bceGrad writes scale·(σ(z) − y) to gz and −scale·z to gy (each when not
// nil).
func bceGrad[T float](gz, gy, z, y []T, scale float64) {
	for i, v := range z {
		zv := float64(v)
		if gz != nil {
			gz[i] = T(scale * (sigmoid(zv) - float64(y[i])))
		}
		if gy != nil {
			gy[i] = T(-scale * zv)
		}
	}
}

// bceJVP returns Σ (σ(z) − y)·tz − z·ty.
func bceJVP[T float](z, y, tz, ty []T) float64 {
	total := 0.0
	for i, v := range z {
		zv := float64(v)
		total += (sigmoid(zv)-float64(y[i]))*float64(tz[i]) - zv*float64(ty[i])
	}
	return total
}
