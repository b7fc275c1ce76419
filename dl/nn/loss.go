package nn

import (
	"math"
	"slices"

	"github.com/gradbook/gradbook/dl"
)

// Losses return a scalar tensor: the mean over all elements (PyTorch's
// default reduction 'mean'), ready for Backward. Predictions and targets
// must have the same shape; where PyTorch would broadcast a [N 1]
// prediction against a [N] target into an [N N] matrix of errors, these
// panic instead.

// MSE returns the mean squared error mean((pred − target)²), the
// regression loss of the lecture, L(y, ŷ) = (y − ŷ)², averaged.
func MSE(pred, target *dl.Tensor) *dl.Tensor {
	sameShape("MSE", pred, target)
	return pred.Sub(target.AsType(pred.DType())).Square().Mean()
}

// BCE returns the binary cross-entropy (log loss) of probabilities p in
// [0, 1] against targets y in [0, 1]:
//
//	−mean(y·log p + (1 − y)·log(1 − p))
//
// the lecture's L(y, ŷ) with its sign turned so that it is minimised. As in
// PyTorch, each log is clamped at −100, so p = 0 or 1 gives a finite loss;
// there the gradient is 0. BCEWithLogits is the numerically stable form
// for raw scores.
func BCE(prob, target *dl.Tensor) *dl.Tensor {
	sameShape("BCE", prob, target)
	if prob.Device() == dl.CPU { // checked where reading the values costs nothing
		for _, v := range prob.Float64s() {
			if !(v >= 0 && v <= 1) {
				panicf("BCE", "input of shape %v has the value %g outside [0, 1]; pass probabilities (Sigmoid outputs) or use BCEWithLogits for scores", prob.Shape(), v)
			}
		}
	}
	y := target.AsType(prob.DType())
	one := prob.DType().Scalar(1)
	terms := y.Mul(clampedLog(prob)).Add(one.Sub(y).Mul(clampedLog(one.Sub(prob))))
	return terms.Mean().Neg()
}

// clampedLog is max(log p, −100) for p in [0, 1], with a gradient that is 0
// (not NaN) where the clamp applies.
func clampedLog(p *dl.Tensor) *dl.Tensor {
	limit := math.Exp(-100)
	ok := p.Detach().Greater(dl.Float64.Scalar(limit))
	safe := dl.Where(ok, p, p.DType().Scalar(1)) // log of 1 where clamped: no 1/0 in backward
	return dl.Where(ok, safe.Log(), p.DType().Scalar(-100))
}

// BCEWithLogits returns BCE(Sigmoid(z), y) computed stably from the raw
// scores z, as PyTorch's binary_cross_entropy_with_logits:
//
//	mean(softplus(z) − z·y),  softplus(z) = log(1 + eᶻ)
//
// computed stably in one op, dl.BCEWithLogits. Its gradient is (σ(z) − y)/n:
// the lecture's output delta ŷ − y.
func BCEWithLogits(logits, target *dl.Tensor) *dl.Tensor {
	sameShape("BCEWithLogits", logits, target)
	return dl.BCEWithLogits(logits, target.AsType(logits.DType()))
}

// CrossEntropy returns the multi-class cross-entropy of raw scores
// logits [N C] against class labels [N] (whole numbers in [0, C), as made by
// dl.Labels), as PyTorch's nn.CrossEntropyLoss:
//
//	mean over i of (log Σⱼ exp zᵢⱼ − zᵢ,yᵢ) = NLL(LogSoftmax(logits, 1), labels)
//
// Scores [N C d…] with labels [N d…] (per-pixel classes) work too. It is
// one op, dl.CrossEntropyLogits, whose gradient (softmax − onehot)/N is
// computed directly.
func CrossEntropy(logits, labels *dl.Tensor) *dl.Tensor {
	checkLabels("CrossEntropy", logits, labels)
	return dl.CrossEntropyLogits(logits, labels)
}

// NLL returns the negative log-likelihood −mean(logp[i, yᵢ]) of
// log-probabilities logp [N C] (LogSoftmax outputs) and class labels [N],
// as PyTorch's nn.NLLLoss.
func NLL(logp, labels *dl.Tensor) *dl.Tensor {
	checkLabels("NLL", logp, labels)
	return pick(logp, labels)
}

// pick returns −mean of logp's entries at the labels along axis 1.
func pick(logp, labels *dl.Tensor) *dl.Tensor {
	return logp.Gather(1, labels.Unsqueeze(1)).Mean().Neg()
}

// OneVsRest returns the lecture's multi-class loss for K sigmoid outputs:
// each class is its own binary problem ("is it a car?"), so the target of
// row i is the one-hot vector of label yᵢ and the loss is the binary
// cross-entropy averaged over the N·K outputs (the per-class BCE averaged
// over the classes):
//
//	BCEWithLogits(logits, OneHot(labels, K))
//
// logits [N K] are the raw scores, before the sigmoid; labels [N] are class
// indices. PredictOneVsRest picks the class.
func OneVsRest(logits, labels *dl.Tensor) *dl.Tensor {
	checkLabels("OneVsRest", logits, labels)
	if logits.Rank() != 2 {
		panicf("OneVsRest", "scores of shape %v are not [N K]", logits.Shape())
	}
	return BCEWithLogits(logits, dl.OneHot(labels, logits.Dim(1)).AsType(logits.DType()))
}

// PredictOneVsRest returns the class of each row of logits [N K] whose
// sigmoid output is largest (the most confident "yes"), as a [N] tensor of
// labels; it is the argmax of the scores, as the sigmoid is increasing.
func PredictOneVsRest(logits *dl.Tensor) *dl.Tensor {
	if logits.Rank() != 2 {
		panicf("PredictOneVsRest", "scores of shape %v are not [N K]", logits.Shape())
	}
	return logits.ArgMax(1)
}

// Accuracy returns the fraction of rows of logits [N C] whose largest
// score is at the label (labels: N class indices). With one column (binary
// classification with one score per example) a score above 0 predicts
// class 1, so the labels may be the [N 1] targets of BCEWithLogits.
// Probabilities work the same for C ≥ 2; for one column pass scores, not
// probabilities.
func Accuracy(logits, labels *dl.Tensor) float64 {
	if logits.Rank() != 2 && logits.Rank() != 1 {
		panicf("Accuracy", "scores of shape %v are not [N C]", logits.Shape())
	}
	n := logits.Dim(0)
	if labels.Len() != n {
		panicf("Accuracy", "%d labels (shape %v) for %d rows of scores %v", labels.Len(), labels.Shape(), n, logits.Shape())
	}
	if n == 0 {
		return 0
	}
	var pred []float64
	if logits.Rank() == 1 || logits.Dim(1) == 1 {
		pred = logits.Float64s()
		for i, v := range pred {
			pred[i] = 0
			if v > 0 {
				pred[i] = 1
			}
		}
	} else {
		pred = logits.ArgMax(1).Float64s()
	}
	right := 0
	for i, y := range labels.Float64s() {
		if pred[i] == y {
			right++
		}
	}
	return float64(right) / float64(n)
}

func sameShape(op string, a, b *dl.Tensor) {
	if !slices.Equal(a.Shape(), b.Shape()) {
		panicf(op, "input of shape %v and target of shape %v differ", a.Shape(), b.Shape())
	}
}

// checkLabels checks that scores [N C d…] and labels [N d…] fit and that
// every label is a class index. Labels on a device are not read (that
// would wait for the device at every step); a label there that is not a
// class index makes the loss NaN.
func checkLabels(op string, scores, labels *dl.Tensor) {
	s := scores.Shape()
	if len(s) < 2 {
		panicf(op, "scores of shape %v are not [N C]", s)
	}
	want := slices.Delete(slices.Clone(s), 1, 2)
	if !slices.Equal(labels.Shape(), want) {
		panicf(op, "labels of shape %v do not fit scores of shape %v (want labels %v)", labels.Shape(), s, want)
	}
	if labels.OnDevice() {
		return
	}
	for i, v := range labels.Float64s() {
		if v != math.Trunc(v) || v < 0 || v >= float64(s[1]) {
			panicf(op, "label %g at %d is not a class index in [0, %d)", v, i, s[1])
		}
	}
}
