package dl

import (
	"math"
	"slices"

	"github.com/gradbook/gradbook/dl/cpu"
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
	outer, n, inner := cpu.Rows(logits.shape, 1)
	dev := deviceOf(op, logits, labels)
	if labels.onCPU() { // checked where reading them costs nothing; a device gives NaN
		checkClasses(op, labels, n)
	}
	lab := labels.Detach().AsType(logits.dtype)
	out := newOn(dev, logits.dtype, []int{}, false)
	lse := newOn(dev, Float64, []int{outer * inner}, false)
	if outer*inner == 0 || n == 0 {
		run(dev).Fill(out.data, math.NaN()) // the mean of nothing, as PyTorch
	} else {
		run(dev).CrossEntropy(out.data, lse.data, logits.data, lab.data, outer, n, inner)
	}
	if !tracking(logits, labels) {
		return out
	}
	// grad is the rule's (softmax x − onehot label)/rows, times g.
	grad := func(g *Tensor) *Tensor {
		gx := logits.likeRaw(slices.Clone(logits.shape))
		if gx.Len() > 0 {
			run(dev).CrossEntropyGrad(gx.data, logits.data, lab.data, lse.data, g.data, outer, n, inner)
		}
		return gx
	}
	return record(out, opCrossEntropy, []*Tensor{logits, labels}, "",
		func(g *Tensor) []*Tensor { return []*Tensor{grad(g), nil} },
		func(t []*Tensor) *Tensor { return grad(fullOn(dev, logits.dtype, 1, nil)).Mul(t[0]).Sum() })
}

// checkClasses panics unless every label is a class index in [0, n).
func checkClasses(op string, labels *Tensor, n int) {
	for i := range labels.Len() {
		indexValue(op, labels, i, n)
	}
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
	dev := deviceOf(op, logits, targets)
	y := targets.AsType(logits.dtype)
	out := newOn(dev, logits.dtype, []int{}, false)
	if logits.Len() == 0 {
		run(dev).Fill(out.data, math.NaN())
	} else {
		run(dev).BCEWithLogits(out.data, logits.data, y.data)
	}
	if !tracking(logits, y) {
		return out
	}
	// grads returns the rule's (σ(z) − y)/n and −z/n times g, each when
	// asked for.
	grads := func(g *Tensor, needZ, needY bool) (gz, gy *Tensor) {
		if needZ {
			gz = logits.likeRaw(slices.Clone(logits.shape))
		}
		if needY {
			gy = y.likeRaw(slices.Clone(y.shape))
		}
		if logits.Len() > 0 && (needZ || needY) {
			run(dev).BCEWithLogitsGrad(memOf(gz), memOf(gy), logits.data, y.data, g.data)
		}
		return gz, gy
	}
	return record(out, opBCELogits, []*Tensor{logits, y}, "",
		func(g *Tensor) []*Tensor {
			gz, gy := grads(g, logits.RequiresGrad(), y.RequiresGrad())
			return []*Tensor{gz, gy}
		},
		func(t []*Tensor) *Tensor {
			gz, gy := grads(fullOn(dev, logits.dtype, 1, nil), true, true)
			return gz.Mul(t[0]).Sum().Add(gy.Mul(t[1]).Sum())
		})
}
